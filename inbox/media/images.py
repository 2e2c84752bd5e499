"""Images, checked and cleaned with Pillow: decoded for real (a file that only starts like a
JPEG is refused), refused above a pixel limit (a decompression bomb), re-encoded so that EXIF
metadata, GPS position included, is gone, and a thumbnail made.

Pillow because it is the one maintained, pure-pip imaging library for Python that decodes
every format the platforms send (JPEG, PNG, GIF, WebP), exposes the decompression-bomb guard
(``Image.MAX_IMAGE_PIXELS``) and re-encodes without metadata; ImageMagick bindings would add a
system dependency and a much larger attack surface."""

from __future__ import annotations

import tempfile
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps, UnidentifiedImageError

from inbox.media.download import Refused
from inbox.models.media import MediaReason

_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "GIF"}


@dataclass(slots=True)
class CleanImage:
    file: IO[bytes]
    thumbnail: IO[bytes]
    width: int
    height: int


def clean_image(source: IO[bytes], content_type: str, *, max_pixels: int,
                thumbnail_size: tuple[int, int]) -> CleanImage:  # fmt: skip
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow warns above it and refuses at twice it
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise Refused(
            f"the image is too large in pixels (a decompression bomb): {error}",
            MediaReason.IMAGE_BOMB,
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise Refused(f"not a readable image: {error}", MediaReason.UNREADABLE_IMAGE) from None
    animated = getattr(image, "is_animated", False)
    cleaned = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    if animated:  # an animated GIF/WebP: kept frame for frame, without its metadata
        image.save(cleaned, format=_FORMATS[content_type], save_all=True)
    else:
        upright = ImageOps.exif_transpose(image)  # the EXIF rotation, applied before it goes
        _without_metadata(upright).save(cleaned, format=_FORMATS[content_type], quality=90)
    thumb = ImageOps.exif_transpose(image).convert("RGB")
    thumb.thumbnail(thumbnail_size)
    thumbnail = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    thumb.save(thumbnail, format="JPEG", quality=80)
    cleaned.seek(0)
    thumbnail.seek(0)
    return CleanImage(cleaned, thumbnail, image.width, image.height)


def _without_metadata(image: Image.Image) -> Image.Image:
    """A copy holding only the pixels (and palette): no EXIF, no XMP, no text chunks."""
    bare = Image.new(image.mode, image.size)
    bare.paste(image)
    if image.mode == "P" and image.getpalette():
        bare.putpalette(image.getpalette())
    return bare
