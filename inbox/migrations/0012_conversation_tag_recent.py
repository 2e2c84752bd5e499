import django.db.models.deletion
from django.db import migrations, models

# The link copies its conversation's team, status and latest activity, so the list filtered by a
# tag can walk one index newest first (inbox.models.ConversationTag). Triggers keep the copies,
# whichever code writes: the copies are read under the conversation's row lock (FOR SHARE), so
# a tag added while the conversation changes waits for that change and copies its result.
FORWARD = """
-- No conversation may change between the copy below and the triggers taking over: writers
-- wait (readers do not) until this migration's transaction commits, a few seconds. Taken
-- first, before the link table's lock, as the services take them (conversation, then tags).
LOCK TABLE inbox_conversation IN SHARE ROW EXCLUSIVE MODE;

ALTER TABLE inbox_conversation_tags
    ADD COLUMN team_id bigint NULL,
    ADD COLUMN status varchar(10) NOT NULL DEFAULT '',
    ADD COLUMN last_message_at timestamp with time zone NULL;

CREATE FUNCTION inbox_conversation_tag_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.team_id, c.status, c.last_message_at
      INTO NEW.team_id, NEW.status, NEW.last_message_at
      FROM inbox_conversation c WHERE c.id = NEW.conversation_id FOR SHARE;
    RETURN NEW;
END $$;

CREATE TRIGGER inbox_conversation_tag_copy
    BEFORE INSERT OR UPDATE OF conversation_id ON inbox_conversation_tags
    FOR EACH ROW EXECUTE FUNCTION inbox_conversation_tag_copy();

CREATE FUNCTION inbox_conversation_tags_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE inbox_conversation_tags
       SET team_id = NEW.team_id, status = NEW.status, last_message_at = NEW.last_message_at
     WHERE conversation_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER inbox_conversation_tags_follow
    AFTER UPDATE OF team_id, status, last_message_at ON inbox_conversation
    FOR EACH ROW
    WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id
          OR OLD.status IS DISTINCT FROM NEW.status
          OR OLD.last_message_at IS DISTINCT FROM NEW.last_message_at)
    EXECUTE FUNCTION inbox_conversation_tags_follow();

UPDATE inbox_conversation_tags ct
   SET team_id = c.team_id, status = c.status, last_message_at = c.last_message_at
  FROM inbox_conversation c
 WHERE c.id = ct.conversation_id;
"""

BACKWARD = """
DROP TRIGGER inbox_conversation_tags_follow ON inbox_conversation;
DROP FUNCTION inbox_conversation_tags_follow();
DROP TRIGGER inbox_conversation_tag_copy ON inbox_conversation_tags;
DROP FUNCTION inbox_conversation_tag_copy();
ALTER TABLE inbox_conversation_tags
    DROP COLUMN team_id, DROP COLUMN status, DROP COLUMN last_message_at;
"""


class Migration(migrations.Migration):
    """The plain many-to-many of conversations and tags becomes ``ConversationTag`` on the same
    table (same columns, constraints and indexes, so only Django's state changes), plus three
    copied columns, the triggers that keep them and the index the tag filter walks.

    Not concurrent: the copy must not race conversation writes (see FORWARD), so conversation
    writers and the link table wait for the whole migration, seconds for 200,000 links."""

    dependencies = [
        ("inbox", "0011_drop_prefix_fk_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ConversationTag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("team_id", models.BigIntegerField(editable=False, null=True)),
                        (
                            "status",
                            models.CharField(blank=True, default="", editable=False, max_length=10),
                        ),
                        ("last_message_at", models.DateTimeField(editable=False, null=True)),
                        (
                            "conversation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="inbox.conversation",
                            ),
                        ),
                        (
                            "tag",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="inbox.tag"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "inbox_conversation_tags",
                        "unique_together": {("conversation", "tag")},
                    },
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="tags",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="conversations",
                        through="inbox.ConversationTag",
                        to="inbox.tag",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)],
        ),
        migrations.AddIndex(
            model_name="conversationtag",
            index=models.Index(
                fields=["tag", "-last_message_at", "-conversation"],
                include=("team_id", "status"),
                name="conv_tag_recent",
            ),
        ),
    ]
