"""Invitations: how a person joins Svar. Only a hash of the link's token is stored."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Invitation(models.Model):
    """A single-use, expiring invitation. Sending it again replaces the token (and so kills
    the old link); accepting it makes the user, the agent profile, the roles and the teams."""

    email = models.EmailField()
    public_name = models.CharField(max_length=80)
    initials = models.CharField(max_length=4)
    language = models.CharField(max_length=8, blank=True, default="")
    roles = models.JSONField(default=list)
    teams = models.ManyToManyField("inbox.Team", related_name="+", blank=True)
    # SHA-256 of the token in the link, hex: a leaked table does not open any invitation.
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        "inbox.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        # The people and teams administration: admins manage, managers read.
        permissions = [
            ("manage_people", "Can manage people, teams and invitations"),
            ("view_people", "Can see people, teams and invitations"),
        ]

    def __str__(self) -> str:
        return self.email
