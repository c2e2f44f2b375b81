"""A loopback mirror of the EP publication server for `warning demo`.

The demo fetches the sample's EP documents through the real `ep_publication_server` source
(listings, conditional requests, parsing, cursor), so the path the service takes every Wednesday
runs offline too. It serves the server's three levels (dates, patents of a date, document XML)
from a folder of ``ep-patent-document`` files, on 127.0.0.1 only.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_ROOT_ATTRS = re.compile(
    rb'<ep-patent-document[^>]*?doc-number="(\d+)"[^>]*?kind="(\w+)"[^>]*?date-publ="(\d{8})"'
)
PREFIX = "/rest/v1.2/"


def index_documents(folder: Path) -> dict[str, dict[str, Path]]:
    """``{YYYYMMDD: {EP<number>NW<kind>: path}}`` from the documents' own root attributes."""
    by_date: dict[str, dict[str, Path]] = defaultdict(dict)
    for path in sorted(folder.glob("EP*.xml")):
        match = _ROOT_ATTRS.search(path.read_bytes()[:2048])
        if match:
            number, kind, day = (g.decode() for g in match.groups())
            by_date[day][f"EP{number}NW{kind}"] = path
    return dict(by_date)


def _links(hrefs: list[tuple[str, str]]) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in hrefs)
    return f"<html><body><ul>{items}</ul></body></html>".encode()


def _handler(index: dict[str, dict[str, Path]]) -> type[BaseHTTPRequestHandler]:
    documents = {pid: path for day in index.values() for pid, path in day.items()}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's spelling)
            path = self.path.split("?")[0].removeprefix(PREFIX)
            parts = path.strip("/").split("/")
            if parts == ["publication-dates"]:
                days = sorted(index)
                self._send(
                    _links([(f"{PREFIX}publication-dates/{d}", f"{d[:4]}/{d[4:6]}/{d[6:]}") for d in days])
                )
            elif len(parts) == 3 and parts[0] == "publication-dates" and parts[2] == "patents":
                ids = sorted(index.get(parts[1], {}))
                self._send(_links([(f"{PREFIX}patents/{i}", i) for i in ids]))
            elif len(parts) == 3 and parts[0] == "patents" and parts[1] in documents:
                self._send(documents[parts[1]].read_bytes(), "application/xml")
            else:
                self.send_error(404)

        def _send(self, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            return  # the demo prints its own summary

    return Handler


class EpMirror:
    """``with EpMirror(folder) as url:`` serves the folder on a free loopback port."""

    def __init__(self, folder: Path) -> None:
        self.index = index_documents(folder)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.index))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
