"""The retention job's hook for media files: called for every batch, inside its transaction,
with the ids of the messages of the conversations it is about to delete or anonymise.

The media rows go with the batch and the files leave the storage once it commits
(``inbox.media.lifecycle``); an anonymised conversation keeps no picture of the customer.
"""

from __future__ import annotations

from collections.abc import Sequence

from inbox.media.lifecycle import media_erase


def media_files_erase(message_ids: Sequence[int]) -> int:
    """Delete the media of these messages, their files after commit; returns how many files."""
    return media_erase(message_ids)
