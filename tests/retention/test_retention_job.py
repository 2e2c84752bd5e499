"""The retention job: what goes, what stays (held, not yet due), and that the metrics of what
went do not change (issue #19)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from inbox.models import (
    AuditAction,
    AuditEntry,
    Contact,
    Conversation,
    Message,
    Note,
    ResponseInterval,
    RetentionPolicy,
    RetentionRun,
)
from inbox.retention.dry_run import retention_dry_run
from inbox.retention.jobs import retention_run, retention_step
from inbox.retention.policies import rules_in_force
from inbox.retention.purge import batch_purge_locked
from inbox.services import messages_ingest
from tests.conftest import api_client_for
from tests.factories import inbound
from tests.inbox.metrics_support import Clock
from tests.retention.support import resolved_conversation

pytestmark = pytest.mark.django_db(transaction=True)
YEAR_AGO = timedelta(days=365)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def policy(team=None, account=None, days=90, action="delete") -> RetentionPolicy:
    return RetentionPolicy.objects.update_or_create(
        team=team, account=account,
        defaults={"days": days, "action": action, "updated_at": timezone.now()},
    )[0]  # fmt: skip


@pytest.fixture
def old(clock, x_account, agent):
    """Five conversations resolved a year ago, one resolved yesterday."""
    start = timezone.now() - YEAR_AGO
    olds = [
        resolved_conversation(
            clock, x_account, agent, f"old-{i}", start + timedelta(hours=i), wait=3 + 7 * i
        )
        for i in range(5)
    ]
    recent = resolved_conversation(
        clock, x_account, agent, "recent", timezone.now() - timedelta(days=1)
    )
    return olds, recent


def dashboard(manager) -> dict:
    client = api_client_for(manager)
    first = (timezone.now() - YEAR_AGO - timedelta(days=5)).date().isoformat()
    last = timezone.now().date().isoformat()
    query = f"from={first}&to={last}"
    return {
        "summary": client.get(f"/api/metrics/summary?{query}").json(),
        "by_agent": client.get(f"/api/metrics/breakdown?by=agent&kind=reply&{query}").json(),
        "by_account": client.get(
            f"/api/metrics/breakdown?by=account&kind=resolution&{query}"
        ).json(),
        "series": client.get(f"/api/metrics/series?kind=first_response&{query}").json(),
    }


@pytest.mark.parametrize("action", ["delete", "anonymise"])
def test_old_conversations_go_the_recent_one_stays_and_the_figures_do_not_change(
    old, team, manager, action
):
    olds, recent = old
    policy(team=team, days=90, action=action)
    before = dashboard(manager)
    assert before["summary"]["first_response"]["current"]["count"] == 6

    counts = retention_run(team.pk)

    assert counts["conversations"] == 5
    assert counts["messages"] == 10
    assert counts["notes"] == 5
    assert dashboard(manager) == before
    assert ResponseInterval.objects.count() == 18  # 3 per conversation, all kept
    assert Message.objects.filter(conversation=recent).count() == 2
    old_ids = [c.pk for c in olds]
    assert not Note.objects.filter(conversation_id__in=old_ids).exists()
    assert not Contact.objects.filter(name__startswith="Kunde old").exists()
    assert not Message.objects.filter(text__contains="old-").exists()
    if action == "delete":
        assert not Conversation.objects.filter(pk__in=old_ids).exists()
    else:
        kept = Conversation.objects.filter(pk__in=old_ids)
        assert kept.count() == 5
        assert all(c.anonymised_at for c in kept)
        assert Message.objects.filter(conversation_id__in=old_ids, text="").count() == 10


def test_a_held_conversation_is_kept_whole(old, team):
    olds, _ = old
    Conversation.objects.filter(pk=olds[0].pk).update(legal_hold=True)
    policy(team=team, days=90)
    retention_run(team.pk)
    assert Conversation.objects.filter(pk__in=[c.pk for c in olds]).count() == 1
    assert Message.objects.filter(conversation=olds[0], text__contains="old-0").exists()
    assert Note.objects.filter(conversation=olds[0]).exists()
    assert Contact.objects.filter(name="Kunde old-0").exists()


def test_the_account_policy_overrides_the_team_policy(old, team, x_account):
    policy(team=team, days=90)
    policy(account=x_account, days=400)  # longer than a year: nothing is due
    assert retention_dry_run(team.pk)["conversations"] == 0
    retention_run(team.pk)
    assert Conversation.objects.filter(account=x_account).count() == 6


def test_a_team_without_a_policy_keeps_everything(old, team):
    assert retention_run(team.pk) == {}
    assert Conversation.objects.count() == 6


def test_the_dry_run_counts_and_changes_nothing(old, team):
    policy(team=team, days=90)
    dry = retention_dry_run(team.pk)
    totals = {"conversations": 5, "messages": 10, "notes": 5, "media_files": 0, "media_bytes": 0}
    assert dry == {**totals, "contacts": 5, "held": 0,
                   "policies": [{"account": None, "name": None, "days": 90, "action": "delete",
                                 **totals}]}  # fmt: skip
    assert Conversation.objects.count() == 6
    assert Message.objects.count() == 12


def test_a_policy_change_while_the_job_runs_applies_from_the_next_batch(old, team):
    team_policy = policy(team=team, days=90)
    run = RetentionRun.objects.create(team=team, started_at=timezone.now())
    assert retention_step(run, batch=2)  # two conversations went under 90 days
    team_policy.days = 500  # an admin lengthens the period meanwhile
    team_policy.save()
    counts = retention_run(team.pk, batch=2)  # the same run resumes
    assert counts["conversations"] == 2
    assert Conversation.objects.count() == 4


def test_the_run_is_audited_with_counts_only(old, team):
    policy(team=team, days=90)
    retention_run(team.pk)
    entry = AuditEntry.objects.get(action=AuditAction.RETENTION_RUN)
    assert entry.details["conversations"] == 5
    assert entry.details["messages"] == 10
    assert "Kunde" not in str(entry.details)
    assert "old-" not in str(entry.details)
    assert RetentionRun.objects.get().finished_at is not None


def test_a_conversation_reopened_after_the_job_listed_it_stays(old, team, x_account):
    """The batch re-checks the policy under the lock: a customer who wrote again meanwhile
    keeps the conversation (and its history)."""
    olds, _ = old
    policy(team=team, days=90)
    listed = [c.pk for c in olds]
    messages_ingest(
        account_id=x_account.pk,
        messages=[inbound(thread="old-0", author="cust-old-0", name="Kunde old-0")],
    )
    with transaction.atomic():
        counts, _contacts = batch_purge_locked(listed, rules_in_force(team.pk))
    assert counts["conversations"] == 4
    assert Message.objects.filter(conversation=olds[0]).count() == 3
