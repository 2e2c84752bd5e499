"""Verified platform webhook deliveries, kept until ingested (issue #20).

The endpoint stores the raw body of every verified delivery and answers at once; an RQ job
ingests it. The digest of the body is unique, so Meta's retries and duplicates of one delivery
are stored, and ingested, once.
"""

from __future__ import annotations

from django.db import models


class WebhookDelivery(models.Model):
    platform = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the raw body
    body = models.BinaryField()
    received_at = models.DateTimeField()
    ingested_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, default="")
    # Retries (a lookup it needs failed for a passing reason): attempts so far, when the drain
    # may take it again (null: at once), and the last passing failure.
    attempts = models.PositiveIntegerField(default=0, db_default=0)  # the endpoint inserts in SQL
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(ingested_at__isnull=True),
                name="webhook_not_ingested",
            )
        ]

    def __str__(self) -> str:
        return f"Webhook delivery {self.pk} ({self.platform})"
