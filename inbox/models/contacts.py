"""Customers as the platforms identify them."""

from __future__ import annotations

from django.db import models

from connectors.base import Platform


class Contact(models.Model):
    platform = models.CharField(max_length=16, choices=[(p.value, p.name) for p in Platform])
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True, default="")
    handle = models.CharField(max_length=100, blank=True, default="")
    # Where a channel gives one (e-mail; none of X and Facebook does): suggests merges.
    email = models.EmailField(blank=True, default="", db_default="")  # ingest inserts in SQL
    # The person behind the contact (issue #19); null while the contact stands alone.
    profile = models.ForeignKey(
        "inbox.CustomerProfile",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "external_id"], name="contact_unique_platform_id"
            )
        ]

    def __str__(self) -> str:
        return self.handle or self.name or self.external_id
