"""A loopback EPO OPS for the service tests, serving the corpus's recorded real responses.

The recorded search reply (``search__response.xml``) says 10,000 hits for five references; it is
served with ``total-result-count`` set to its five, so that one page is the whole answer. The
OAuth token reply is not in the corpus: it is written from the OPS documentation (JSON with
``access_token`` and ``expires_in``).
"""

from __future__ import annotations

import re
import sys
import threading
from pathlib import Path

from werkzeug import Request, Response

OPS_KEY = "ops-test-key-7a1c"
OPS_SECRET = "ops-s3cret-value-9f4e2d"  # a secret the tests check never reaches a log


def corpus_replies(corpus) -> dict[str, bytes]:
    search = corpus("epo-ops-patent-dev", "search__response.xml").read_bytes()
    search = re.sub(rb'total-result-count="\d+"', b'total-result-count="5"', search)
    biblio = corpus("epo-ops-patent-dev", "get_biblio_multiple__response.xml").read_bytes()
    legal = corpus("epo-ops-patent-dev", "get_legal__response.xml").read_bytes()
    return {"search": search, "biblio": biblio, "legal": legal}


def serve_ops(
    httpserver,
    replies: dict[str, bytes],
    gate: threading.Event | None = None,
    arrived: threading.Event | None = None,
) -> None:
    """Token, search and biblio endpoints; with ``gate``, biblio waits for it (a step in flight)."""
    token = '{"access_token": "tok-123", "token_type": "BearerToken", "expires_in": "1199"}'
    httpserver.expect_request("/auth/accesstoken", method="POST").respond_with_data(
        token, content_type="application/json"
    )
    httpserver.expect_request("/rest-services/published-data/search").respond_with_data(
        replies["search"], content_type="application/xml"
    )

    httpserver.expect_request(re.compile("/rest-services/legal/publication/docdb/.+")).respond_with_data(
        replies["legal"], content_type="application/xml"
    )

    def biblio(request: Request) -> Response:
        if arrived is not None:
            arrived.set()
        if gate is not None:
            gate.wait(30)
        return Response(replies["biblio"], content_type="application/xml")

    httpserver.expect_request(
        "/rest-services/published-data/publication/docdb/biblio", method="POST"
    ).respond_with_handler(biblio)


def refuse_ops_login(httpserver) -> None:
    """An OPS that refuses the login and echoes the client secret in its error body."""
    httpserver.expect_request("/auth/accesstoken", method="POST").respond_with_data(
        f'{{"error": "invalid_client", "error_description": "bad secret {OPS_SECRET}"}}',
        status=401,
        content_type="application/json",
    )


def ops_config(tmp_path: Path, base_url: str, extra: str = "") -> Path:
    """A config with one epo_ops source on the loopback server, logging to a file."""
    path = tmp_path / "config.toml"
    (tmp_path / "watchlists").mkdir(exist_ok=True)  # no watchlist in it: no classify job
    path.write_text(
        f"""
database = "service.db"
watchlists = "watchlists"

[logging]
level = "INFO"
file = "logs/warning.log"

[sources.ops]
kind = "epo_ops"
base_url = "{base_url}"
countries = ["EP"]
key_env = "TEST_OPS_KEY"
secret_env = "TEST_OPS_SECRET"
lookback_days = 2
window_days = 7
max_retries = 0
backoff_seconds = 0.0
{extra}
""",
        encoding="utf-8",
    )
    return path


def warning_command(*args: str) -> list[str]:
    """The ``warning`` console script as a subprocess command line (the venv's interpreter)."""
    return [sys.executable, "-c", "from warning.cli import main; main()", *args]


def serve_ep_publication_server(httpserver, corpus, day) -> str:
    """A publication server with one publication date holding two real EP documents; its base URL.

    The corpus records no listing of the server, so the two listing pages are written from the
    EPO's documented REST interface (HTML pages of links), as in test_ep_publication_server.py.
    """
    folder = ("epo-eps-xml", "go-epo-eps")
    documents = {
        "EP3882239NWA1": corpus(*folder, "application__v1-5-1-A1.xml").read_bytes(),
        "EP2716170NWB2": corpus(*folder, "grant__v1-5-1-B2.xml").read_bytes(),
    }
    root = "/eps/rest/v1.2/"
    stamp = f"{day:%Y%m%d}"
    httpserver.expect_request(root + "publication-dates").respond_with_data(
        f'<html><body><a href="{root}publication-dates/{stamp}/patents">{day:%Y/%m/%d}</a></body></html>',
        content_type="text/html",
    )
    links = "".join(f'<a href="{root}patents/{pid}">{pid}</a>' for pid in documents)
    httpserver.expect_request(f"{root}publication-dates/{stamp}/patents").respond_with_data(
        f"<html><body>{links}</body></html>", content_type="text/html"
    )
    for pid, body in documents.items():
        httpserver.expect_request(f"{root}patents/{pid}/document.xml").respond_with_data(
            body, content_type="application/xml"
        )
    return httpserver.url_for("/eps/")
