"""Demo traffic carries a few photos, hosted on the simulated CDN and read by the connectors
like any platform media (and each one a real JPEG with a GPS position to strip)."""

from __future__ import annotations

import io

import requests
from PIL import Image

from connectors.base import MediaKind
from connectors.facebook.connector import FacebookConnector
from connectors.instagram.connector import InstagramConnector
from connectors.simulator import demo
from connectors.simulator.__main__ import demo_world
from connectors.simulator.demo_photos import DemoPhotos
from connectors.simulator.media_host import MediaHost
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.traffic import TrafficGenerator
from connectors.twitter.connector import XConnector


def test_demo_traffic_includes_photos_the_connectors_read_and_the_cdn_serves() -> None:
    x, graph = demo_world()
    cdn = MediaHost()
    server = SimulatorServer(Simulator([x, graph, cdn])).start()
    try:
        traffic = TrafficGenerator(x, graph, seed=3, photos=DemoPhotos(cdn, server.base_url))
        for _ in range(120):  # six channels, and Instagram comments carry no photos
            traffic.step()
        x_reader = XConnector(demo.X_ACCOUNT_ID, demo.X_TOKEN, base_url=server.base_url)
        page = FacebookConnector(demo.FACEBOOK_PAGE_ID, demo.FACEBOOK_TOKEN,
                                 base_url=server.base_url)  # fmt: skip
        instagram = InstagramConnector(demo.INSTAGRAM_ACCOUNT_ID, demo.FACEBOOK_TOKEN,
                                       base_url=server.base_url)  # fmt: skip
        read = [*x_reader.fetch({}).messages, *page.fetch({}).messages,
                *instagram.fetch({}).messages]  # fmt: skip
        photos = [item for message in read for item in message.media]

        assert 4 <= len(photos) <= 30  # a few, not every question
        assert {p.kind for p in photos} == {MediaKind.PHOTO}
        body = requests.get(photos[0].url, timeout=5).content
        image = Image.open(io.BytesIO(body))
        assert image.format == "JPEG"
        assert 0x8825 in image.getexif()  # a GPS position, for Svar to strip
    finally:
        server.stop()
