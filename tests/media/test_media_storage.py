"""Where media files go: a private folder by default, an S3-compatible bucket when configured."""

from __future__ import annotations

import pytest
from storages.backends.s3 import S3Storage

from inbox.media.storage import PrivateMediaStorage, media_storage


def test_by_default_files_go_to_a_private_folder_without_urls(settings, tmp_path):
    settings.SVAR_MEDIA_S3 = {}
    settings.SVAR_MEDIA_ROOT = tmp_path / "media"

    storage = media_storage()

    assert isinstance(storage, PrivateMediaStorage)
    assert storage.path("a.jpg") == str((tmp_path / "media" / "a.jpg").resolve())
    with pytest.raises(ValueError, match="no public URL"):
        storage.url("a.jpg")


def test_with_a_bucket_files_go_to_s3_privately(settings):
    settings.SVAR_MEDIA_S3 = {"bucket_name": "svar-media", "endpoint_url": "http://minio:9000",
                              "access_key": "svar", "secret_key": "hemmeligt"}  # fmt: skip

    storage = media_storage()

    assert isinstance(storage, S3Storage)
    assert (storage.bucket_name, storage.endpoint_url) == ("svar-media", "http://minio:9000")
    assert (storage.default_acl, storage.querystring_auth, storage.file_overwrite) == (
        "private", True, False,
    )  # fmt: skip
