"""Photos citizens send in the demo: small JPEGs (a letter, a receipt) hosted on the simulated
CDN, made with Pillow so each is a real image with EXIF (and a GPS position Svar must strip)."""

from __future__ import annotations

import io
import itertools

from PIL import Image, ImageDraw

from connectors.simulator.media_host import MediaHost

SUBJECTS = (
    ("brev", "Et brev fra Skattestyrelsen", (245, 245, 240)),
    ("kvittering", "En kvittering for håndværkerarbejde", (250, 250, 250)),
    ("skaerm", "Skærmbillede af en fejl i TastSelv", (220, 230, 245)),
)


class DemoPhotos:
    """Puts a new photo on ``host`` for each call; returns (url, alt text)."""

    def __init__(self, host: MediaHost, base_url: str) -> None:
        self.host = host
        self.base_url = base_url
        self._numbers = itertools.count(1)

    def __call__(self, pick: int) -> tuple[str, str]:
        name, alt, colour = SUBJECTS[pick % len(SUBJECTS)]
        path = self.host.put(f"demo/{name}-{next(self._numbers)}.jpg", _jpeg(alt, colour),
                             "image/jpeg")  # fmt: skip
        return self.base_url + path, alt


def _jpeg(text: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (800, 600), colour)
    draw = ImageDraw.Draw(image)
    for line in range(8):
        draw.rectangle(
            (60, 120 + line * 50, 740 - (line % 3) * 120, 140 + line * 50), fill=(90, 90, 90)
        )
    draw.text((60, 60), text, fill=(20, 20, 20))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (55.0, 40.0, 30.0), 3: "E", 4: (12.0, 34.0, 10.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80, exif=exif)
    return out.getvalue()
