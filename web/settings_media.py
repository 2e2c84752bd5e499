"""Media settings (issue #13), star-imported at the end of web/settings.py."""

from __future__ import annotations

import os
from pathlib import Path

_BASE = Path(__file__).resolve().parent.parent

# A private folder (never served as static files); S3 replaces it when configured.
SVAR_MEDIA_ROOT = Path(os.environ.get("SVAR_MEDIA_ROOT", _BASE / ".data" / "media"))
# django-storages' S3Storage options: any S3-compatible store (AWS, MinIO, …).
SVAR_MEDIA_S3 = {
    key: value
    for key, value in {
        "bucket_name": os.environ.get("SVAR_MEDIA_S3_BUCKET", ""),
        "endpoint_url": os.environ.get("SVAR_MEDIA_S3_ENDPOINT_URL", ""),
        "access_key": os.environ.get("SVAR_MEDIA_S3_ACCESS_KEY_ID", ""),
        "secret_key": os.environ.get("SVAR_MEDIA_S3_SECRET_ACCESS_KEY", ""),
        "region_name": os.environ.get("SVAR_MEDIA_S3_REGION", ""),
    }.items()
    if value
}
SVAR_MEDIA_MAX_BYTES = int(os.environ.get("SVAR_MEDIA_MAX_BYTES", str(100 * 1024 * 1024)))
SVAR_MEDIA_FETCH_TIMEOUT = float(os.environ.get("SVAR_MEDIA_FETCH_TIMEOUT", "20"))
# Pillow refuses bigger images (a decompression bomb: a small file that decodes to gigabytes).
SVAR_MEDIA_MAX_PIXELS = int(os.environ.get("SVAR_MEDIA_MAX_PIXELS", str(40_000_000)))
SVAR_MEDIA_THUMBNAIL_SIZE = (320, 320)

# Outbound media (files agents attach to replies): the largest upload accepted at all; each
# channel's own, smaller limits are in inbox/composer/attachment_rules.py.
SVAR_ATTACHMENT_MAX_BYTES = int(os.environ.get("SVAR_ATTACHMENT_MAX_BYTES", str(512 * 1024 * 1024)))
# ffmpeg makes a video's poster (inbox/media/video.py): its path or name on the PATH, and how
# long it may take over one video before the video is refused. Without ffmpeg, no poster.
SVAR_MEDIA_FFMPEG = os.environ.get("SVAR_MEDIA_FFMPEG", "ffmpeg")
SVAR_MEDIA_FFMPEG_TIMEOUT = float(os.environ.get("SVAR_MEDIA_FFMPEG_TIMEOUT", "30"))
