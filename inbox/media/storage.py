"""Where media files live: Django's storage API, a private folder by default, any S3-compatible
store (django-storages) when ``SVAR_MEDIA_S3_BUCKET`` is set. Never under a public URL: files
are served only by ``web.views.media``, after the conversation's access check."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


class PrivateMediaStorage(FileSystemStorage):
    """A folder with no URL, read from ``SVAR_MEDIA_ROOT`` at each use (tests move it)."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> Path:  # type: ignore[override]
        return Path(settings.SVAR_MEDIA_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(Path(settings.SVAR_MEDIA_ROOT).resolve())

    def url(self, name: str | None) -> str:
        raise ValueError("media files have no public URL; web.views.media serves them")


def media_storage() -> Storage:
    s3 = settings.SVAR_MEDIA_S3
    if s3.get("bucket_name"):
        from storages.backends.s3 import S3Storage  # only needed where S3 is configured

        return S3Storage(**s3, default_acl="private", querystring_auth=True, file_overwrite=False)
    return PrivateMediaStorage()
