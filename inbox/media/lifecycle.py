"""The end of a media file's life: when retention deletes or anonymises a conversation, or a
data-subject erasure blanks a person's messages, their ``Media`` rows go in the caller's
transaction and the files leave the storage **after it commits** (``transaction.on_commit``).

After commit, never before: a rolled-back batch must not leave rows pointing at deleted files.
A file already gone (deleted by hand, an earlier attempt that died after the commit, a bucket
lifecycle rule) is no error, and one file that cannot be deleted is logged and does not stop
the others: the rows are already gone, so the worst case is an orphan file, never lost data
that is still referenced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.db import transaction

from inbox.media.storage import media_storage
from inbox.models import Media

logger = logging.getLogger(__name__)


def media_erase(message_ids: Iterable[int]) -> int:
    """Delete the Media rows of these messages (ids, or a queryset of them) in the caller's
    transaction; their files leave the storage once it commits. Returns how many files."""
    rows = Media.objects.filter(message_id__in=message_ids)
    names = [
        name
        for file, thumbnail in rows.values_list("file", "thumbnail")
        for name in (file, thumbnail)
        if name
    ]
    rows.delete()
    if names:
        transaction.on_commit(lambda: media_files_delete(names))
    return len(names)


def media_files_delete(names: Sequence[str]) -> int:
    """Delete these files from the media storage; returns how many it deleted or found gone."""
    storage = media_storage()
    done = 0
    for name in names:
        try:
            storage.delete(name)  # a missing file is no error (FileSystemStorage, S3)
        except FileNotFoundError:
            pass
        except Exception:  # one stuck file must not keep the others
            logger.exception("media file %s could not be deleted", name)
            continue
        done += 1
    return done
