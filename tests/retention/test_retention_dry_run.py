"""The dry run counts the media files the job would remove, per policy, and removes nothing;
the real run then removes exactly those (issue #19)."""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from inbox.models import (
    AuditAction,
    AuditEntry,
    Conversation,
    Media,
    ReplyAttachment,
    RetentionPolicy,
)
from inbox.permissions.roles import Role
from inbox.retention.dry_run import retention_dry_run
from inbox.retention.jobs import retention_run
from inbox.services import messages_ingest
from tests.conftest import api_client_for
from tests.factories import AgentFactory, ChannelAccountFactory, inbound
from tests.inbox.metrics_support import Clock
from tests.retention.support import resolved_conversation, with_photo, with_reply_attachment

pytestmark = pytest.mark.django_db(transaction=True)
PHOTO, SCAN, LETTER = b"\xff\xd8" + b"p" * 998, b"%PDF" + b"s" * 196, b"%PDF" + b"l" * 46


@pytest.fixture
def admin(team):
    return AgentFactory(teams=[team], role=Role.ADMIN, language="da")


def policy(days: int, action: str, team=None, account=None) -> RetentionPolicy:
    return RetentionPolicy.objects.create(
        team=team, account=account, days=days, action=action, updated_at=timezone.now()
    )


def stored_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def inbox(monkeypatch, team, x_account, agent, media_root) -> dict:
    """On the X account (team policy: delete after 90 days): two conversations of a year ago,
    one with a photo and a reply attachment, one with a photo; one of yesterday and one held,
    each with a photo. On a Facebook account (its own policy: anonymise after 30 days): one of
    two months ago with a photo and a reply attachment."""
    clock, year_ago = Clock(monkeypatch), timezone.now() - timedelta(days=365)
    facebook = ChannelAccountFactory(team=team, platform="facebook", display_name="Kommunen")
    made = {
        name: resolved_conversation(clock, account, agent, name, at)
        for name, account, at in [
            ("old-1", x_account, year_ago),
            ("old-2", x_account, year_ago + timedelta(hours=1)),
            ("recent", x_account, timezone.now() - timedelta(days=1)),
            ("held", x_account, year_ago + timedelta(hours=2)),
            ("fb", facebook, timezone.now() - timedelta(days=60)),
        ]
    }
    for conversation in made.values():
        with_photo(conversation, media_root, PHOTO)
    with_reply_attachment(made["old-1"], media_root, SCAN)
    with_reply_attachment(made["fb"], media_root, LETTER)
    Conversation.objects.filter(pk=made["held"].pk).update(legal_hold=True)
    policy(90, "delete", team=team)
    policy(30, "anonymise", account=facebook)
    return {"facebook": facebook, **made}


def files_of(root: Path, *conversations: Conversation) -> set[str]:
    media = Media.objects.filter(message__conversation__in=conversations)
    attachments = ReplyAttachment.objects.filter(conversation__in=conversations)
    return {
        *(m.file.name for m in media),
        *(m.thumbnail.name for m in media),
        *(a.file.name for a in attachments),
    }


def test_the_dry_run_counts_media_per_policy_and_deletes_nothing(inbox, team, media_root):
    before = stored_files(media_root)

    dry = retention_dry_run(team.pk)

    # X: two photos with thumbnails and a scan; Facebook: a photo, its thumbnail and a letter.
    # Bytes are the recorded sizes of the photos and attachments (a thumbnail's is not kept).
    assert [(p["account"], p["action"], p["conversations"], p["media_files"], p["media_bytes"])
            for p in dry["policies"]] == [
        (None, "delete", 2, 5, 2 * len(PHOTO) + len(SCAN)),
        (inbox["facebook"].pk, "anonymise", 1, 3, len(PHOTO) + len(LETTER)),
    ]  # fmt: skip
    assert dry["policies"][1]["name"] == "Kommunen"
    assert (dry["conversations"], dry["media_files"], dry["media_bytes"]) == (
        3, 8, 3 * len(PHOTO) + len(SCAN) + len(LETTER)
    )  # fmt: skip
    assert dry["messages"] == sum(p["messages"] for p in dry["policies"]) == 6
    assert stored_files(media_root) == before
    assert Media.objects.count() == 5
    assert ReplyAttachment.objects.count() == 2


def test_the_real_run_then_deletes_exactly_the_files_the_dry_run_counted(inbox, team, media_root):
    due = files_of(media_root, inbox["old-1"], inbox["old-2"], inbox["fb"])
    before = stored_files(media_root)
    dry = retention_dry_run(team.pk)

    counts = retention_run(team.pk)

    assert before - stored_files(media_root) == due
    assert len(due) == dry["media_files"] == counts["media_files"]
    assert counts["media_bytes"] == dry["media_bytes"]
    kept = files_of(media_root, inbox["recent"], inbox["held"])
    assert stored_files(media_root) == kept
    assert len(kept) == 4
    assert not Media.objects.filter(message__conversation=inbox["fb"]).exists()
    assert not ReplyAttachment.objects.filter(conversation=inbox["fb"]).exists()
    after = retention_dry_run(team.pk)
    assert (after["conversations"], after["media_files"], after["media_bytes"]) == (0, 0, 0)


def test_the_run_audits_the_media_counts_and_no_file_name(inbox, team, media_root):
    dry = retention_dry_run(team.pk)
    retention_run(team.pk)
    details = AuditEntry.objects.get(action=AuditAction.RETENTION_RUN).details
    assert details["media_files"] == dry["media_files"]
    assert details["media_bytes"] == dry["media_bytes"]
    assert ".jpg" not in json.dumps(details)
    assert ".pdf" not in json.dumps(details)


def test_the_command_the_api_and_the_page_show_the_media_counts(inbox, team, admin, media_root):
    out = StringIO()
    call_command("svar_retention", "--dry-run", "--team", str(team.pk), stdout=out)
    printed = json.loads(out.getvalue().split(": ", 1)[1])
    assert (printed["media_files"], printed["media_bytes"]) == (8, 3 * 1000 + 200 + 50)
    assert [p["media_files"] for p in printed["policies"]] == [5, 3]

    body = api_client_for(admin).get(f"/api/teams/{team.pk}/retention").json()
    assert body["dry_run"]["media_files"] == 8
    assert body["dry_run"]["policies"][1]["media_bytes"] == 1050

    browser = Client()
    browser.force_login(User.objects.get(pk=admin.user_id))
    page = browser.get(f"/teams/{team.pk}/retention").text
    # Sizes as Django writes them: decimal comma in Danish, a no-break space before the unit.
    assert "8 mediefiler (3,2\xa0KB), 3 kontakter" in page
    assert "Kommunen: 1 samtaler, 2 beskeder, 1 noter, 3 mediefiler (1,0\xa0KB)" in page
    assert len(stored_files(media_root)) == 12  # nothing went


def test_a_contact_with_a_conversation_that_is_not_due_is_not_counted(inbox, team, x_account):
    assert retention_dry_run(team.pk)["contacts"] == 3
    messages_ingest(  # the customer of old-1 writes again, in a new thread
        account_id=x_account.pk,
        messages=[inbound(thread="new-1", author="cust-old-1", name="Kunde old-1")],
    )
    dry = retention_dry_run(team.pk)
    assert (dry["conversations"], dry["contacts"]) == (3, 2)
