"""The retention job's batches: what one SQL batch takes (and keeps), the media files it
releases after its commit, its pacing, and a job killed mid-run that resumes without losing
what must stay (issue #19)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from inbox.models import (
    Contact,
    Conversation,
    ConversationTag,
    InboxEvent,
    Media,
    Message,
    Note,
    ReplyAttachment,
    ResponseInterval,
    RetentionPolicy,
    RetentionRun,
    Tag,
)
from inbox.retention.jobs import Pacing, retention_run, retention_step
from inbox.retention.policies import rules_in_force
from inbox.retention.purge import batch_purge_locked
from tests.connectors.worker_support import ROOT, database_url, wait_for
from tests.inbox.metrics_support import Clock
from tests.retention.support import resolved_conversation, with_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversations(monkeypatch, x_account, agent, media_root) -> list[Conversation]:
    """Five conversations resolved a year ago, each with a photo and a tag."""
    clock, start = Clock(monkeypatch), timezone.now() - timedelta(days=365)
    made = [
        resolved_conversation(clock, x_account, agent, f"old-{i}", start + timedelta(hours=i))
        for i in range(5)
    ]
    tag = Tag.objects.create(name="klage")
    for conversation in made:
        with_photo(conversation, media_root)
        conversation.tags.add(tag)
    return made


def test_a_batch_takes_at_most_its_size_in_id_order_and_everything_that_hangs_on_them(
    conversations, team, media_root
):
    RetentionPolicy.objects.create(team=team, days=90, action="delete", updated_at=timezone.now())
    run = RetentionRun.objects.create(team=team, started_at=timezone.now())
    ids = sorted(c.pk for c in conversations)

    assert retention_step(run, batch=2)

    assert run.cursor == ids[1]
    assert set(Conversation.objects.values_list("pk", flat=True)) == set(ids[2:])
    gone = ids[:2]
    assert not Message.objects.filter(conversation_id__in=gone).exists()
    assert not Note.objects.filter(conversation_id__in=gone).exists()
    assert not ConversationTag.objects.filter(conversation_id__in=gone).exists()
    assert not InboxEvent.objects.filter(conversation_id__in=gone).exists()
    assert Media.objects.count() == 3
    assert sorted(p.name for p in (media_root / "m").iterdir()) == sorted(
        f"{m.message_id}.jpg" for m in Media.objects.all()
    )  # the two batches' files and thumbnails went after the commit, the rest stay
    assert len(list((media_root / "t").iterdir())) == 3
    assert ResponseInterval.objects.filter(conversation__isnull=True).count() == 6  # kept
    assert run.counts == {"conversations": 2, "deleted_conversations": 2, "messages": 4,
                          "notes": 2, "media_files": 4, "media_bytes": 2 * len(b"\xff\xd8 photo"),
                          "contacts": 2}  # fmt: skip

    assert retention_step(run, batch=2)
    assert retention_step(run, batch=2)
    assert not retention_step(run, batch=2)
    assert not Conversation.objects.exists()
    assert not list((media_root / "m").iterdir())


def test_a_batch_rolled_back_keeps_its_rows_and_its_files(conversations, team, media_root):
    RetentionPolicy.objects.create(team=team, days=90, action="delete", updated_at=timezone.now())
    went = {}

    def failing_batch() -> None:
        with transaction.atomic():
            went.update(batch_purge_locked([c.pk for c in conversations],
                                           rules_in_force(team.pk))[0])  # fmt: skip
            raise RuntimeError("the batch failed before its commit")

    with pytest.raises(RuntimeError):
        failing_batch()
    assert went["conversations"] == 5
    assert Conversation.objects.count() == 5
    assert Media.objects.count() == 5
    assert len(list((media_root / "m").iterdir())) == 5


def test_anonymising_drops_the_photos_too(conversations, team, media_root):
    RetentionPolicy.objects.create(team=team, days=90, action="anonymise",
                                   updated_at=timezone.now())  # fmt: skip
    counts = retention_run(team.pk, pause=0)
    assert counts["anonymised_conversations"] == 5
    assert counts["media_files"] == 10
    assert Conversation.objects.count() == 5
    assert not Media.objects.exists()
    assert not list((media_root / "m").iterdir())


def test_pacing_comes_from_the_settings_and_follows_how_long_a_batch_took(settings):
    settings.SVAR_RETENTION_BATCH = 40
    settings.SVAR_RETENTION_PAUSE_MS = 250
    settings.SVAR_RETENTION_BUSY_SHARE = 0.2
    pacing = Pacing.of()
    assert (pacing.batch, pacing.pause, pacing.busy_share) == (40, 0.25, 0.2)
    assert pacing.pause_after(0.01) == 0.25  # a quick batch: the least pause
    assert pacing.pause_after(1.0) == pytest.approx(4.0)  # busy a fifth of the time at most
    given = Pacing.of(batch=3, pause=0, busy_share=1.0)
    assert (given.batch, given.pause_after(5.0)) == (3, 0.0)  # no pause at all


def job_process(team_id: int, media_root: Path) -> subprocess.Popen:
    """``manage.py svar_retention --now`` on the test database: one conversation per batch."""
    env = {**os.environ, "DATABASE_URL": database_url(), "SVAR_MEDIA_ROOT": str(media_root),
           "SVAR_RETENTION_BATCH": "1", "SVAR_RETENTION_PAUSE_MS": "700"}  # fmt: skip
    command = [sys.executable, "manage.py", "svar_retention", "--now", "--team", str(team_id)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def test_a_job_killed_mid_run_resumes_and_keeps_what_must_stay(
    monkeypatch, conversations, team, x_account, agent, media_root
):
    clock = Clock(monkeypatch)
    held, recent = (
        conversations[2],
        resolved_conversation(
            clock, x_account, agent, "recent", timezone.now() - timedelta(days=1)
        ),
    )
    Conversation.objects.filter(pk=held.pk).update(legal_hold=True)
    RetentionPolicy.objects.create(team=team, days=90, action="delete", updated_at=timezone.now())
    job = job_process(team.pk, media_root)
    try:
        wait_for(lambda: Conversation.objects.count() <= 5, timeout=60,
                 what="the job to delete its first batch")  # fmt: skip
    finally:
        job.send_signal(signal.SIGKILL)  # no clean-up of any kind runs
        job.wait(timeout=10)
    run = RetentionRun.objects.get()
    assert run.finished_at is None
    assert 1 <= run.counts["conversations"] <= 3

    counts = retention_run(team.pk, pause=0)  # the next run picks the open one up

    assert counts["conversations"] == 4  # each counted once, across both jobs
    assert set(Conversation.objects.values_list("pk", flat=True)) == {held.pk, recent.pk}
    for kept in (held, recent):
        assert Message.objects.filter(conversation=kept).count() == 2
        assert Note.objects.filter(conversation=kept).exists()
        assert Contact.objects.filter(pk=kept.contact_id).exists()
    photo = Media.objects.get()  # the held conversation's, file and all
    assert photo.message.conversation_id == held.pk
    assert (media_root / photo.file.name).exists()
    assert (media_root / photo.thumbnail.name).exists()
    assert len(list((media_root / "m").iterdir())) == 1
    assert RetentionRun.objects.get().finished_at is not None


def test_a_reply_attachments_file_goes_with_its_conversation(conversations, team, agent,
                                                            media_root):  # fmt: skip
    first = conversations[0]
    (media_root / "r").mkdir()
    (media_root / "r/scan.pdf").write_bytes(b"%PDF-1.4")
    ReplyAttachment.objects.create(team=team, conversation=first, uploaded_by=agent,
                                   kind="photo", filename="scan.pdf", content_type="image/jpeg",
                                   size=8, sha256="0" * 64, file="r/scan.pdf")  # fmt: skip
    RetentionPolicy.objects.create(team=team, days=90, action="delete", updated_at=timezone.now())
    run = RetentionRun.objects.create(team=team, started_at=timezone.now())

    assert retention_step(run, batch=1)

    assert not ReplyAttachment.objects.exists()
    assert not (media_root / "r/scan.pdf").exists()
    assert run.counts["media_files"] == 3  # the photo, its thumbnail and the attachment
