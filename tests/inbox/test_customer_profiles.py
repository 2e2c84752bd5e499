"""One profile per person (issue #19): an agent merges a customer's contacts on X and Facebook
into one profile and splits them again; contacts that look alike are suggested; the
conversation view lists the person's conversations on every channel the agent may see."""

from __future__ import annotations

import pytest

from connectors.base import Platform
from inbox.exceptions import NotFound, PermissionDenied
from inbox.models import AuditEntry, Contact, Conversation, CustomerProfile
from inbox.selectors.conversations import contact_conversation_list
from inbox.selectors.customers import handles_alike, merge_suggestions
from inbox.services import messages_ingest
from inbox.services.customer_profiles import contact_unmerge, contacts_merge
from tests.factories import AgentFactory, ChannelAccountFactory, inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def facebook_account(team):
    return ChannelAccountFactory(team=team, platform=Platform.FACEBOOK, display_name="Skat FB")


def customer(account, *, author, name="Kirsten Madsen", handle="kirsten_m", thread=None):
    messages_ingest(account_id=account.pk, messages=[
        inbound(thread=thread or f"t-{author}", author=author, name=name, handle=handle)
    ])  # fmt: skip
    return Contact.objects.get(platform=account.platform, external_id=author)


def test_merging_two_contacts_makes_one_profile_and_is_audited(agent, x_account, facebook_account):
    on_x = customer(x_account, author="x-1")
    on_fb = customer(facebook_account, author="fb-1", handle="kirsten.madsen")

    change = contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_fb.pk)

    assert change.changed
    assert sorted(change.contact_ids) == sorted([on_x.pk, on_fb.pk])
    on_x.refresh_from_db(), on_fb.refresh_from_db()
    assert on_x.profile_id == on_fb.profile_id == change.profile_id
    entry = AuditEntry.objects.get(action="contact.merged")
    assert entry.details["merged_contact_id"] == on_fb.pk
    assert entry.team_id == x_account.team_id


def test_merging_contacts_already_in_one_profile_changes_nothing(
    agent, x_account, facebook_account
):
    on_x = customer(x_account, author="x-1")
    on_fb = customer(facebook_account, author="fb-1")
    first = contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_fb.pk)

    again = contacts_merge(user=agent.user, contact_id=on_fb.pk, other_id=on_x.pk)
    itself = contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_x.pk)

    assert not again.changed
    assert again.profile_id == first.profile_id
    assert not itself.changed
    assert AuditEntry.objects.filter(action="contact.merged").count() == 1
    assert CustomerProfile.objects.count() == 1


def test_merging_two_profiles_moves_every_contact_and_drops_the_empty_one(agent, team):
    accounts = [ChannelAccountFactory(team=team) for _ in range(4)]
    a, b, c, d = (customer(acc, author=f"p-{i}") for i, acc in enumerate(accounts))
    contacts_merge(user=agent.user, contact_id=a.pk, other_id=b.pk)
    contacts_merge(user=agent.user, contact_id=c.pk, other_id=d.pk)

    change = contacts_merge(user=agent.user, contact_id=a.pk, other_id=d.pk)

    assert sorted(change.contact_ids) == sorted(x.pk for x in (a, b, c, d))
    assert CustomerProfile.objects.count() == 1
    assert set(Contact.objects.values_list("profile_id", flat=True)) == {change.profile_id}


def test_unmerging_splits_a_contact_off_and_dissolves_a_profile_of_one(
    agent, x_account, facebook_account
):
    on_x = customer(x_account, author="x-1")
    on_fb = customer(facebook_account, author="fb-1")
    contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_fb.pk)

    change = contact_unmerge(user=agent.user, contact_id=on_fb.pk)
    again = contact_unmerge(user=agent.user, contact_id=on_fb.pk)

    assert change.changed
    assert not again.changed
    assert list(Contact.objects.values_list("profile_id", flat=True)) == [None, None]
    assert not CustomerProfile.objects.exists()
    assert AuditEntry.objects.filter(action="contact.unmerged").count() == 1


def test_another_teams_customer_cannot_be_merged_or_seen(agent, x_account, other_team):
    mine = customer(x_account, author="x-1")
    theirs = customer(ChannelAccountFactory(team=other_team), author="x-2")

    with pytest.raises(NotFound):
        contacts_merge(user=agent.user, contact_id=mine.pk, other_id=theirs.pk)
    with pytest.raises(NotFound):
        contact_unmerge(user=agent.user, contact_id=theirs.pk)
    assert not CustomerProfile.objects.exists()


def test_a_role_that_may_not_change_conversations_may_not_merge(x_account, facebook_account, team):
    on_x = customer(x_account, author="x-1")
    on_fb = customer(facebook_account, author="fb-1")
    no_role = AgentFactory(teams=[team])
    no_role.user.groups.clear()

    with pytest.raises(PermissionDenied):
        contacts_merge(user=no_role.user, contact_id=on_x.pk, other_id=on_fb.pk)


def test_suggestions_are_the_same_email_or_the_same_name_with_a_similar_handle(
    agent, team, x_account, facebook_account, other_team
):
    me = customer(x_account, author="x-1", name="Kirsten Madsen", handle="kirsten_m")
    alike = customer(facebook_account, author="fb-1", name="kirsten  madsen", handle="KirstenM")
    namesake = customer(facebook_account, author="fb-2", name="Kirsten Madsen", handle="bageren")
    mailed = customer(ChannelAccountFactory(team=team), author="m-1", name="K.", handle="k")
    hidden = customer(ChannelAccountFactory(team=other_team), author="x-9", handle="kirsten_m")
    Contact.objects.filter(pk__in=[me.pk, mailed.pk]).update(email="kirsten@example.dk")
    me.refresh_from_db()

    found = {s.contact.pk: s.reason for s in merge_suggestions([team.pk], me)}

    assert found == {alike.pk: "name_and_handle", mailed.pk: "email"}
    assert namesake.pk not in found
    assert hidden.pk not in found
    contacts_merge(user=agent.user, contact_id=me.pk, other_id=alike.pk)
    me.refresh_from_db()
    assert alike.pk not in {s.contact.pk for s in merge_suggestions([team.pk], me)}


def test_handles_alike_ignores_case_punctuation_and_small_differences():
    assert handles_alike("kirsten_m", "KirstenM")
    assert handles_alike("kirsten.madsen", "kirstenmadsen1")
    assert not handles_alike("kirsten_m", "bageren")
    assert not handles_alike("", "kirsten")


def test_the_conversation_view_lists_the_persons_conversations_on_every_channel(
    agent, x_account, facebook_account, other_team
):
    on_x = customer(x_account, author="x-1")
    on_fb = customer(facebook_account, author="fb-1")
    elsewhere = customer(ChannelAccountFactory(team=other_team, platform=Platform.FACEBOOK),
                         author="fb-1", thread="their-thread")  # fmt: skip
    assert elsewhere.pk == on_fb.pk  # one Facebook user writing to two teams' Pages
    opened = Conversation.objects.get(contact=on_x)
    assert contact_conversation_list(user=agent.user, conversation=opened) == []

    contacts_merge(user=agent.user, contact_id=on_x.pk, other_id=on_fb.pk)
    opened = Conversation.objects.select_related("contact").get(pk=opened.pk)
    others = contact_conversation_list(user=agent.user, conversation=opened)

    assert [c.pk for c in others] == [Conversation.objects.get(account=facebook_account).pk]
