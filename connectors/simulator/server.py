"""The simulator's HTTP server: routes each request to the platform module that owns it.

Platform modules implement :class:`PlatformApp`. The control API under ``/_sim/`` lets tests
and the traffic generator switch faults on and off and inspect state.
"""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from connectors.simulator.faults import Fault, FaultBoard, FaultKind
from connectors.simulator.wire import SimRequest, SimResponse

logger = logging.getLogger(__name__)


class PlatformApp(Protocol):
    name: str  # "x" or "graph"

    def handles(self, request: SimRequest) -> bool: ...

    def handle(self, request: SimRequest, faults: FaultBoard) -> SimResponse: ...

    def snapshot(self) -> dict: ...  # state for /_sim/state (tests read posted replies here)


class Simulator:
    def __init__(self, apps: list[PlatformApp]) -> None:
        self.apps = apps
        self.faults = FaultBoard()

    def dispatch(self, request: SimRequest) -> SimResponse:
        if request.path.startswith("/_sim/"):
            # /_sim/<app.name>/... is that app's own injection API; the rest is shared control.
            for app in self.apps:
                if request.path.startswith(f"/_sim/{app.name}/"):
                    return app.handle(request, self.faults)
            return self._control(request)
        for app in self.apps:
            if app.handles(request):
                return app.handle(request, self.faults)
        return SimResponse.json({"error": f"no simulated route for {request.path}"}, 404)

    def _control(self, request: SimRequest) -> SimResponse:
        if request.path == "/_sim/faults" and request.method == "POST":
            spec = request.json()
            self.faults.add(Fault(kind=FaultKind(spec.pop("kind")), **spec))
            return SimResponse.json({"ok": True}, 201)
        if request.path == "/_sim/faults" and request.method == "DELETE":
            self.faults.clear()
            return SimResponse.json({"ok": True})
        if request.path == "/_sim/state":
            return SimResponse.json({app.name: app.snapshot() for app in self.apps})
        if request.path == "/_sim/health":
            return SimResponse.json({"ok": True})
        return SimResponse.json({"error": "unknown control route"}, 404)


def _handler_for(simulator: Simulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = SimRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            try:
                response = simulator.dispatch(request)
            except Exception as error:  # a simulator bug must still answer, visibly
                logger.exception("simulator failed on %s %s", self.command, self.path)
                response = SimResponse.json({"simulator_error": repr(error)}, 500)
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            streamed = response.chunks is not None
            self.send_header(
                "Content-Length", str(response.length if streamed else len(response.body))
            )
            self.end_headers()
            for chunk in response.chunks if streamed else (response.body,):
                self.wfile.write(chunk)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            logger.debug("%s - " + format, self.address_string(), *args)

    return Handler


class SimulatorServer:
    """Runs a :class:`Simulator` on a background thread (tests) or the foreground (CLI)."""

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> None:
        self.simulator = simulator
        self.httpd = ThreadingHTTPServer((host, port), _handler_for(simulator))
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SimulatorServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve_forever(self) -> None:
        self.httpd.serve_forever()


def dumps(payload: object) -> str:
    return json.dumps(payload, ensure_ascii=False)
