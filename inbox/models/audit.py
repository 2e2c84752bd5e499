"""The audit log: who sent, assigned, changed, connected and exported what, from where."""

from __future__ import annotations

from django.db import models


class AuditAction(models.TextChoices):
    REPLY_SENT = "reply.sent", "Reply sent"
    REPLY_RETRIED = "reply.retried", "Failed reply sent again"
    CONVERSATION_ASSIGNED = "conversation.assigned", "Conversation assigned"
    CONVERSATION_STATUS = "conversation.status_changed", "Status changed"
    CONVERSATION_TAGGED = "conversation.tagged", "Tags changed"
    NOTE_CREATED = "note.created", "Note added"
    ACCOUNT_CREATED = "account.created", "Channel account connected"
    ACCOUNT_RECONNECTED = "account.reconnected", "Channel account reconnected"
    ACCOUNT_CREDENTIALS_SET = "account.credentials_set", "Access token set"
    ACCOUNT_OAUTH_STARTED = "account.oauth_started", "Channel account connection started"
    ACCOUNT_DISCONNECTED = "account.disconnected", "Channel account disconnected"
    EXPORT = "export", "Data exported"
    TEAM_CREATED = "team.created", "Team created"
    TEAM_RENAMED = "team.renamed", "Team renamed"
    INVITATION_SENT = "invitation.sent", "Invitation sent"
    INVITATION_RESENT = "invitation.resent", "Invitation sent again"
    INVITATION_REVOKED = "invitation.revoked", "Invitation revoked"
    INVITATION_ACCEPTED = "invitation.accepted", "Invitation accepted"
    PERSON_CHANGED = "person.changed", "Person changed"
    PERSON_DEACTIVATED = "person.deactivated", "Person deactivated"
    PERSON_REACTIVATED = "person.reactivated", "Person reactivated"
    PROFILE_CREATED = "person.profile_created", "Agent profile created"
    GUIDELINE_CHANGED = "guideline.changed", "Guidelines changed"
    RULE_CREATED = "guideline.rule_created", "Guideline rule added"
    RULE_CHANGED = "guideline.rule_changed", "Guideline rule changed"
    RULE_DELETED = "guideline.rule_deleted", "Guideline rule removed"
    REPLY_HELD = "reply.held", "Reply held for approval"
    REPLY_APPROVED = "reply.approved", "Reply approved"
    REPLY_SENT_BACK = "reply.sent_back", "Reply sent back"
    AGENT_APPROVAL_SET = "agent.approval_set", "Approval settings changed"
    MESSAGE_MODERATED = "message.moderated", "Public comment hidden, unhidden or deleted"
    PRIVATE_REPLY_SENT = "message.private_reply", "Private reply to a public comment sent"
    RETENTION_SET = "retention.policy_set", "Retention policy changed"
    RETENTION_RUN = "retention.run", "Retention applied"
    LEGAL_HOLD_SET = "conversation.legal_hold", "Legal hold changed"
    AUTO_MODERATION_SET = "account.auto_moderation_set", "Automatic moderation rules changed"
    CONTACT_MERGED = "contact.merged", "Customer contacts merged"
    CONTACT_UNMERGED = "contact.unmerged", "Customer contact split off"
    DATA_EXPORTED = "data.exported", "Customer's data exported"
    DATA_ERASED = "data.erased", "Customer's data erased"
    CONVERSATION_GRANTED = "conversation.granted", "Colleague given access by a mention"
    CONVERSATION_GRANT_REVOKED = "conversation.grant_revoked", "Colleague's access withdrawn"
    TEAM_ASSIGNMENT_CHANGED = "team.assignment_changed", "Automatic assignment changed"
    AUTOMATION_RULE_CHANGED = "team.automation_rule_changed", "Automation rule changed"


class AuditEntry(models.Model):
    """Append-only. ``actor_label`` keeps the name even if the agent is deleted later; a
    command-line action has no agent and the label ``manage.py``."""

    actor = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True, default="")
    team = models.ForeignKey(
        "inbox.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["team", "-id"], name="audit_team_recent"),
            models.Index(fields=["actor", "-id"], name="audit_actor_recent"),
        ]
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_id}"
