"""Settings of platform webhooks and of the polls beside them (issue #20, docs/webhooks.md)."""

from __future__ import annotations

import os

# Meta: the token Svar expects in the subscription handshake, and the app secret every
# delivery's X-Hub-Signature-256 is checked against. Empty: the endpoint refuses everything.
SVAR_META_WEBHOOK_VERIFY_TOKEN = os.environ.get("SVAR_META_WEBHOOK_VERIFY_TOKEN", "")
SVAR_META_APP_SECRET = os.environ.get("SVAR_META_APP_SECRET", "")
# Meta's deliveries are a few KiB; anything larger is refused (413) before it is verified.
SVAR_WEBHOOK_MAX_BYTES = int(os.environ.get("SVAR_WEBHOOK_MAX_BYTES", str(256 * 1024)))
# A subscription is healthy while its last delivery is at most this old; polls then slow down
# to the safety pace, and an item a poll finds first is a gap.
SVAR_WEBHOOK_HEALTHY_SECONDS = int(os.environ.get("SVAR_WEBHOOK_HEALTHY_SECONDS", "3600"))
SVAR_WEBHOOK_SAFETY_POLL_SECONDS = int(os.environ.get("SVAR_WEBHOOK_SAFETY_POLL_SECONDS", "300"))
# An item younger than this may still be on its way by webhook: a poll finding it is no gap.
SVAR_WEBHOOK_GAP_GRACE_SECONDS = int(os.environ.get("SVAR_WEBHOOK_GAP_GRACE_SECONDS", "60"))
# X's adaptive polling: the fastest and slowest pace, inside the rate budget in any case.
SVAR_X_POLL_MIN_SECONDS = int(os.environ.get("SVAR_X_POLL_MIN_SECONDS", "5"))
SVAR_X_POLL_MAX_SECONDS = int(os.environ.get("SVAR_X_POLL_MAX_SECONDS", "120"))
# A conversation with a message this recent is active: its account is polled at the fast pace.
SVAR_X_ACTIVE_CONVERSATION_SECONDS = int(
    os.environ.get("SVAR_X_ACTIVE_CONVERSATION_SECONDS", "300")
)
# How long the endpoint trusts its list of known Pages (a new account waits this long).
SVAR_WEBHOOK_PAGES_CACHE_SECONDS = float(os.environ.get("SVAR_WEBHOOK_PAGES_CACHE_SECONDS", "5"))
# Ingested deliveries hold customers' raw words: they are deleted this long after ingest (a
# later retry of the same delivery is then stored and ingested again, which changes nothing).
SVAR_WEBHOOK_KEEP_HOURS = int(os.environ.get("SVAR_WEBHOOK_KEEP_HOURS", "24"))
# A delivery whose lookup failed for a passing reason (Graph unavailable, a rate limit, a token
# being renewed) is taken again after BASE, 2×BASE, 4×BASE… seconds (at most MAX, and never
# before a rate limit's reset or a Retry-After), and failed for good after ATTEMPTS attempts.
SVAR_WEBHOOK_RETRY_ATTEMPTS = int(os.environ.get("SVAR_WEBHOOK_RETRY_ATTEMPTS", "8"))
SVAR_WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("SVAR_WEBHOOK_RETRY_BASE_SECONDS", "30"))
SVAR_WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("SVAR_WEBHOOK_RETRY_MAX_SECONDS", "3600"))
