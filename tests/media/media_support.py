"""A simulated CDN (``MediaHost``) on a real port, and images made with Pillow for the specs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image

from connectors.simulator.media_host import MediaHost
from connectors.simulator.server import Simulator, SimulatorServer


@dataclass
class Cdn:
    host: MediaHost
    server: SimulatorServer

    def url(self, path: str) -> str:
        return self.server.base_url + path


@pytest.fixture
def cdn() -> Iterator[Cdn]:
    host = MediaHost()
    server = SimulatorServer(Simulator([host])).start()
    try:
        yield Cdn(host, server)
    finally:
        server.stop()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.SVAR_MEDIA_ROOT = tmp_path / "media"
    return settings.SVAR_MEDIA_ROOT


def jpeg_with_gps(size: tuple[int, int] = (640, 480)) -> bytes:
    """A JPEG whose EXIF says where it was taken (GPS latitude 55° 40' N)."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (55.0, 40.0, 0.0), 3: "E", 4: (12.0, 34.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def png_bomb(side: int = 12_000) -> bytes:
    """A small PNG that decodes to ``side``² pixels."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG", optimize=True)
    return out.getvalue()
