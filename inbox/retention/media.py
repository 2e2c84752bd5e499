"""The retention job's one seam for media files.

The job deletes media rows in SQL (``inbox.retention.rows``) and collects their stored files'
paths (the file and its thumbnail); it hands them here, once per batch, inside the batch's
transaction. The files go only after that transaction commits (a rolled-back batch keeps its
rows and so must keep their files). If the media sub-domain offers
``inbox.media.lifecycle.delete_files_after_commit(paths)``, that does it (one way of removing
files for every deletion in Svar); otherwise this module removes them from the media storage
itself. A file already gone is not an error.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable, Sequence

from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils._os import safe_join


def _lifecycle_hook() -> Callable[[Sequence[str]], object] | None:
    try:
        lifecycle = importlib.import_module("inbox.media.lifecycle")
    except ModuleNotFoundError:
        return None
    return getattr(lifecycle, "delete_files_after_commit", None)


def _delete_files(paths: Sequence[str]) -> None:
    from inbox.media.storage import media_storage

    storage = media_storage()
    if not isinstance(storage, FileSystemStorage):
        for path in paths:
            storage.delete(path)
        return
    root = storage.location  # resolved once, not once per file
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.remove(safe_join(root, path))


def media_files_release(paths: Sequence[str]) -> int:
    """Remove these stored files once the current transaction commits; returns how many."""
    paths = list(dict.fromkeys(paths))
    if not paths:
        return 0
    hook = _lifecycle_hook()
    if hook is not None:
        hook(paths)
    else:
        transaction.on_commit(lambda: _delete_files(paths))
    return len(paths)
