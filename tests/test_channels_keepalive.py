"""The HTTP channels keep one connection per run: a keep-alive server on loopback counts them."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from alerts_support import NOW, add_match, robot_app

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts


class KeepAliveServer(ThreadingHTTPServer):
    """HTTP/1.1 with keep-alive; records each request's client port, path and Cookie header."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[int, str, str | None]] = []
        self.connections: set[int] = set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as servers in production: no 40 ms wait for a delayed ACK

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.client_address[1], self.path, self.headers.get("Cookie")))
        self.server.connections.add(self.client_address[1])
        body = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        # A cookie set for one robot must not travel with the next robot's request.
        self.send_header("Set-Cookie", f"session={self.path.rsplit('/', 1)[-1]}; Path=/")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server():
    srv = KeepAliveServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _app(tmp_path, key: str, urls: list[str]):
    return robot_app(
        tmp_path, key, urls, "en", True, titles={"en": "Motorcycle with turbocharger"}, lang="en"
    )


@pytest.mark.parametrize("key", ["webhook", "dingtalk", "wecom", "feishu"])
def test_one_connection_for_a_run_and_no_cookie_carried(tmp_path, server, key):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    urls = [f"{base}/hook/{n}" for n in range(4)]
    app = _app(tmp_path, key, urls)
    assert dispatch(app, now=NOW)["sent"] == 4
    assert sorted(path for _, path, _ in server.requests) == [f"/hook/{n}" for n in range(4)]
    assert len(server.connections) == 1, server.requests
    assert [cookie for _, _, cookie in server.requests] == [None] * 4


def test_next_run_opens_a_fresh_connection(tmp_path, server):
    base = f"http://127.0.0.1:{server.server_address[1]}"
    app = _app(tmp_path, "webhook", [f"{base}/hook/a"])
    assert dispatch(app, now=NOW)["sent"] == 1
    add_match(app, "EP-4123457-A1", titles={"en": "Scooter frame"}, lang="en")
    queue_alerts(app, now=NOW)
    assert dispatch(app, now=NOW)["sent"] == 1
    # The first run's session was closed by `finish`: the second run connected anew.
    assert len(server.requests) == 2 and len(server.connections) == 2
