"""A file's type from its first bytes (magic numbers), never from its name or the platform's
claim: a "JPEG" that is really HTML must not be served as an image."""

from __future__ import annotations

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Shown inline in the thread; everything else (SVG, HTML, PDF, unknown) is only downloaded.
INLINE_TYPES = IMAGE_TYPES | {"video/mp4", "audio/mpeg", "audio/ogg", "audio/mp4"}
EXTENSIONS = {
    "image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp",
    "video/mp4": "mp4", "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/mp4": "m4a",
    "application/pdf": "pdf", "image/svg+xml": "svg", "text/html": "html",
}  # fmt: skip
HEAD_BYTES = 512
_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")


def sniff(head: bytes) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "audio/mp4" if head[8:11] == b"M4A" else "video/mp4"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in text:
        return "image/svg+xml"
    if text.startswith(_MARKUP) or (text.startswith(b"<?xml") and b"<html" in text):
        return "text/html"
    return "application/octet-stream"
