"""The backup drill (issue #19): back up, write more, restore; every message up to the backup
is there and nothing after it, the media store too; a database with newer migrations is
refused."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from inbox.models import Conversation, Message
from inbox.services import messages_ingest
from tests.factories import inbound

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(tmp_path, settings):
    settings.SVAR_MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "2026").mkdir(parents=True)
    return tmp_path / "media"


def _write(account, thread: str, count: int) -> None:
    messages_ingest(
        account_id=account.pk,
        messages=[inbound(thread=thread, external_id=f"{thread}-{i}", body=f"Besked {thread} {i}")
                  for i in range(count)],
    )  # fmt: skip


def test_a_restore_brings_back_every_message_and_file_up_to_the_backup(tmp_path, media, x_account):
    _write(x_account, "before", 25)
    (media / "2026" / "photo.jpg").write_bytes(b"\xff\xd8 before")
    call_command("svar_backup", str(tmp_path / "backup"))

    _write(x_account, "after", 5)  # written after the backup
    (media / "2026" / "photo.jpg").write_bytes(b"changed")
    (media / "2026" / "later.jpg").write_bytes(b"later")
    Message.objects.filter(external_id="before-3").update(text="edited after the backup")

    call_command("svar_restore", str(tmp_path / "backup"))

    texts = dict(Message.objects.values_list("external_id", "text"))
    assert texts == {f"before-{i}": f"Besked before {i}" for i in range(25)}
    assert list(Conversation.objects.values_list("external_thread_id", flat=True)) == ["before"]
    assert (media / "2026" / "photo.jpg").read_bytes() == b"\xff\xd8 before"
    assert not (media / "2026" / "later.jpg").exists()
    _write(x_account, "after-restore", 1)  # the restored database takes writes again


def test_a_database_with_newer_migrations_is_refused_and_left_alone(tmp_path, media, x_account):
    _write(x_account, "before", 2)
    call_command("svar_backup", str(tmp_path / "backup"))
    _write(x_account, "after", 1)
    future = "INSERT INTO django_migrations (app, name, applied) VALUES ('inbox', %s, now())"
    with connection.cursor() as cursor:
        cursor.execute(future, ["0099_future"])
    try:
        with pytest.raises(CommandError, match=r"\(inbox\.0099_future\), so its schema is newer"):
            call_command("svar_restore", str(tmp_path / "backup"))
        assert Message.objects.count() == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE name = '0099_future'")


def test_a_backup_needs_an_empty_folder_and_a_restore_a_backup(tmp_path, media):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="not empty"):
        call_command("svar_backup", str(tmp_path / "full"))
    with pytest.raises(CommandError, match="is not a Svar backup"):
        call_command("svar_restore", str(tmp_path / "full"))
