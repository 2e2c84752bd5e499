"""Run the platform simulator.

    python -m connectors.simulator [--host 127.0.0.1] [--port 8700] [--traffic-per-minute 6]

Serves the X API and the Graph API with the demo world (demo.py) and, when asked, injects
citizens' questions at a steady rate. Also an OpenID Connect provider under /oidc/ (client
"svar", secret from --oidc-client-secret) for single sign-on, and a mail provider's OAuth2 token
endpoint for XOAUTH2 mailboxes (connectors/simulator/mail_oauth.py).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from types import FrameType

from connectors.simulator import demo
from connectors.simulator.demo_photos import DemoPhotos
from connectors.simulator.graph.app import GraphApp
from connectors.simulator.mail_oauth import MailOAuthApp
from connectors.simulator.media_host import MediaHost
from connectors.simulator.oidc.app import OidcApp
from connectors.simulator.server import Simulator, SimulatorServer
from connectors.simulator.traffic import TrafficGenerator
from connectors.simulator.x.app import XApp

logger = logging.getLogger("connectors.simulator")


def demo_world() -> tuple[XApp, GraphApp]:
    """The X account, the Facebook Page and its Instagram account Svar's demo connects to."""
    x = XApp()
    x.add_account(demo.X_ACCOUNT_ID, demo.X_ACCOUNT_USERNAME, demo.X_ACCOUNT_NAME, demo.X_TOKEN)
    graph = GraphApp()
    graph.add_page(demo.FACEBOOK_PAGE_ID, demo.FACEBOOK_PAGE_NAME, demo.FACEBOOK_TOKEN)
    graph.instagram.link_account(
        demo.FACEBOOK_PAGE_ID,
        demo.INSTAGRAM_ACCOUNT_ID,
        demo.INSTAGRAM_USERNAME,
        demo.INSTAGRAM_NAME,
    )
    return x, graph


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m connectors.simulator",
        description="Local stand-in for the X API v2 and the Graph API, with demo traffic.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8700)
    parser.add_argument(
        "--traffic-per-minute",
        type=float,
        default=0.0,
        help="citizens' questions injected per minute across X and Facebook (0: none)",
    )
    parser.add_argument(
        "--backlog",
        type=int,
        default=0,
        help="questions already waiting when the simulator starts (the demo inbox's first work)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="the same seed, the same traffic")
    parser.add_argument("--oidc-client-id", default="svar")
    parser.add_argument("--oidc-client-secret", default="svar-sim-secret")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    x, graph = demo_world()
    oidc = OidcApp(client_id=args.oidc_client_id, client_secret=args.oidc_client_secret)
    cdn = MediaHost()  # the platforms' media CDN: demo photos, fetched by Svar's media jobs
    mail = MailOAuthApp()  # a mail provider's token endpoint (XOAUTH2 mailboxes), Microsoft-shaped
    apps = [x, graph, oidc, mail, cdn]
    server = SimulatorServer(Simulator(apps), host=args.host, port=args.port)
    stop = threading.Event()

    def terminate(signum: int, frame: FrameType | None) -> None:
        sys.exit(0)  # unwinds serve_forever() through the finally below

    signal.signal(signal.SIGTERM, terminate)
    traffic = TrafficGenerator(x, graph, seed=args.seed, photos=DemoPhotos(cdn, server.base_url))
    for _ in range(args.backlog):
        traffic.step()
    if args.traffic_per_minute > 0:
        threading.Thread(
            target=traffic.run, args=(args.traffic_per_minute, stop), daemon=True
        ).start()
    logger.info(
        "simulator on %s (X account @%s, Page %s, %s questions a minute)",
        server.base_url,
        demo.X_ACCOUNT_USERNAME,
        demo.FACEBOOK_PAGE_NAME,
        args.traffic_per_minute,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.httpd.server_close()


if __name__ == "__main__":
    main()
