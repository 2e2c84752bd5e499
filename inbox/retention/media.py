"""The retention job's hook for media files.

There is no media model in this tree yet (docs/architecture.md §9, "Media is its own
sub-domain"). When it lands, this function deletes the stored files of the given messages and
returns how many went; until then no message has a stored file, so there is nothing to delete
and it returns 0. It is called for every batch, so the media sub-domain only fills it in.
"""

from __future__ import annotations

from collections.abc import Sequence


def media_files_erase(message_ids: Sequence[int]) -> int:
    """Delete the stored media files of these messages; returns how many files went."""
    del message_ids  # no media model yet: no message has a stored file
    return 0
