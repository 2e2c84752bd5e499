"""Pacing of the retention job (issue #19, docs/privacy.md "The job")."""

from __future__ import annotations

import os

# Conversations per batch: one short transaction each (~10 messages per conversation).
SVAR_RETENTION_BATCH = int(os.environ.get("SVAR_RETENTION_BATCH", "100"))
# The least pause between batches, in milliseconds.
SVAR_RETENTION_PAUSE_MS = int(os.environ.get("SVAR_RETENTION_PAUSE_MS", "100"))
# The most of its wall time the job may be busy: after a batch that took t seconds it pauses
# at least t * (1 - share) / share. A busy machine makes batches slower, so the job slows
# down with it and leaves the cores to ingest and the inbox.
SVAR_RETENTION_BUSY_SHARE = float(os.environ.get("SVAR_RETENTION_BUSY_SHARE", "0.25"))
