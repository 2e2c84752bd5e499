"""The retention job's one seam for media files.

The job deletes media rows in SQL (``inbox.retention.rows``) and collects their stored files'
paths (the file and its thumbnail); it hands them here once per batch, inside the batch's
transaction. The files leave the storage only after that transaction commits (a rolled-back
batch keeps its rows and so must keep their files), through ``inbox.media.lifecycle``, the one
way Svar removes media files; a file already gone is no error.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from inbox.media.lifecycle import media_files_delete


def media_files_release(paths: Sequence[str]) -> int:
    """Remove these stored files once the current transaction commits; returns how many."""
    paths = list(dict.fromkeys(paths))
    if paths:
        transaction.on_commit(lambda: media_files_delete(paths))
    return len(paths)
