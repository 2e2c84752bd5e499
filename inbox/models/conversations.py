"""Conversations: one customer thread on one channel account, and the tags put on them."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from connectors.base import ThreadKind


class ConversationStatus(models.TextChoices):
    OPEN = "open", "Open"
    PENDING = "pending", "Pending"  # waiting for the customer or a third party
    RESOLVED = "resolved", "Resolved"
    # Out of the open views until snoozed_until, or until the customer writes (issue #17).
    SNOOZED = "snoozed", "Snoozed"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Conversation(models.Model):
    # account, contact and assignee have no single-column index: the unique constraint
    # (account, external_thread_id), conv_contact_recent and conv_assignee_status_recent start
    # with them, and every index costs on each insert and update. team keeps its own: the
    # search case of the list ANDs it with conv_search in a bitmap (bench/conversations_list.py).
    account = models.ForeignKey(
        "inbox.ChannelAccount",
        on_delete=models.PROTECT,
        related_name="conversations",
        db_index=False,
    )
    contact = models.ForeignKey(
        "inbox.Contact", on_delete=models.PROTECT, related_name="conversations", db_index=False
    )
    kind = models.CharField(max_length=8, choices=[(k.value, k.name.title()) for k in ThreadKind])
    # The platform's thread: X conversation_id or dm_conversation_id, a Facebook post/comment
    # root, a Messenger t_… id.
    external_thread_id = models.CharField(max_length=128)
    team = models.ForeignKey("inbox.Team", on_delete=models.PROTECT, related_name="conversations")
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    assignee = models.ForeignKey(
        "inbox.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        db_index=False,
    )
    tags = models.ManyToManyField(
        Tag, related_name="conversations", blank=True, through="ConversationTag"
    )
    # The first customer message not yet answered; null while nobody waits for us.
    waiting_since = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()  # first message, or the latest reopening
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField()
    snippet = models.CharField(max_length=200, blank=True, default="")
    # E-mail: the subject of the thread's first message (other platforms have none).
    subject = models.CharField(max_length=300, blank=True, default="")
    # While snoozed: when it wakes; null while snoozed means when the customer writes again.
    # Never in a list's WHERE: the status alone keeps a snoozed conversation out of the views.
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # Set by people or automation rules (inbox.models.team_flow.Priority); not a list filter.
    priority = models.CharField(max_length=8, default="normal")
    # Incremented on every change; events carry it so clients keep only the newest snapshot.
    version = models.PositiveBigIntegerField(default=1)
    search_vector = SearchVectorField(null=True, editable=False)
    # Retention (issue #19): a held conversation is never deleted nor anonymised; an
    # anonymised one keeps its times for the metrics and nothing about the person.
    legal_hold = models.BooleanField(default=False)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_thread_id"],
                name="conversation_unique_account_thread",
            )
        ]
        indexes = [
            # Keyset pagination for the list views: (filter columns…, sort key, id).
            models.Index(
                fields=["team", "status", "-last_message_at", "-id"], name="conv_team_status_recent"
            ),
            models.Index(fields=["team", "-last_message_at", "-id"], name="conv_team_recent"),
            models.Index(
                fields=["assignee", "status", "-last_message_at", "-id"],
                name="conv_assignee_status_recent",
            ),
            # "Mine": one agent's conversations, any mix of statuses (open,pending), newest
            # first; team and status ride along so both filters are checked in the index. The
            # index above cannot order across two statuses (a bitmap AND and sort: 58 ms).
            models.Index(
                fields=["assignee", "-last_message_at", "-id"],
                include=["team", "status"],
                name="conv_assignee_recent",
            ),
            models.Index(fields=["status", "-last_message_at", "-id"], name="conv_status_recent"),
            models.Index(fields=["-last_message_at", "-id"], name="conv_recent"),
            models.Index(
                fields=["team", "status", "waiting_since", "id"], name="conv_team_status_waiting"
            ),
            # Longest wait first across several teams (an agent in two teams, an admin): the
            # index above orders within one team only. Partial: most rows wait for no one.
            # team and status ride along so their filters need no heap visit; without them
            # the planner (assuming status independent of waiting_since) sorted every row.
            models.Index(
                fields=["waiting_since", "id"],
                include=["team", "status"],
                name="conv_waiting_any_team",
                condition=models.Q(waiting_since__isnull=False),
            ),
            models.Index(fields=["contact", "-last_message_at"], name="conv_contact_recent"),
            GinIndex(fields=["search_vector"], name="conv_search"),
            models.Index(
                fields=["team", "id"],
                include=["account", "resolved_at"],
                condition=models.Q(status="resolved", legal_hold=False, anonymised_at=None),
                name="conv_retention_due",
            ),
            # The wake-up sweep: only snoozed rows with a time, soonest first.
            models.Index(
                fields=["snoozed_until"],
                name="conv_snoozed_due",
                condition=models.Q(status="snoozed", snoozed_until__isnull=False),
            ),
        ]
        permissions = [
            ("view_all_teams", "Can see and act on conversations of every team"),
            ("view_metrics", "Can see response-time metrics"),
            ("manage_channels", "Can connect and configure channel accounts"),
            ("legal_hold", "Can put a conversation on legal hold"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.status})"


class ConversationTag(models.Model):
    """A tag on a conversation, with the conversation's team, status and latest activity.

    The list filtered by a tag walks ``conv_tag_recent`` newest first and stops after a page;
    filtering the team's newest conversations by a rare tag instead probed thousands of them
    (bench/conversations_list.py). ``team_id``, ``status`` and ``last_message_at`` are copies
    kept by PostgreSQL triggers (migration 0012), whichever code path writes the conversation
    or the link: set here, they would be overwritten.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)
    team_id = models.BigIntegerField(null=True, editable=False)
    status = models.CharField(max_length=10, blank=True, default="", editable=False)
    last_message_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        db_table = "inbox_conversation_tags"
        unique_together = [("conversation", "tag")]  # as Django made it for the plain M2M
        indexes = [
            models.Index(
                fields=["tag", "-last_message_at", "-conversation"],
                include=["team_id", "status"],
                name="conv_tag_recent",
            )
        ]

    def __str__(self) -> str:
        return f"Tag {self.tag_id} on conversation {self.conversation_id}"
