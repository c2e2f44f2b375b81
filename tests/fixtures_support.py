"""Helpers for the tests on tests/fixtures/: the CLI, the SQLite it writes, and loopback office servers.

These tests stand on their own in a bare clone: they read only tests/fixtures/ (small real office
documents, see its README.md), never ../shared/corpus. They drive the service only through its
fixed contract (the ``warning`` CLI, its ``--json`` outputs and the SQLite schema), so that moving
the package's modules around does not touch them.

The loopback servers answer with the fixtures' real documents. What no fixture records is written
here from each office's published interface, as the corpus tests do: the ODP bulk-datasets
listing (JSON, ``bulkDataProductBag``), the EP publication server's two HTML listings, the OPS
OAuth token reply and an OPS search page in the shape of a recorded one.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result
from werkzeug import Request, Response

from warning.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA_FOLDERS = ("uspto", "ep", "ops", "exports", "labels")
JSON_COLUMNS = {"titles", "abstracts", "claims", "applicants", "inventors", "ipc", "cpc", "priority_claims"}
JSON_COLUMNS |= {"sources", "evidence"}


def fixture(*parts: str) -> Path:
    """A file of tests/fixtures/ (it is in the repository: no skip)."""
    path = FIXTURES.joinpath(*parts)
    assert path.exists(), f"fixture missing from the repository: {path}"
    return path


def data_folders() -> list[str]:
    """Every fixture folder holding office data (not README.md and the script that cut them)."""
    return [str(FIXTURES / name) for name in DATA_FOLDERS]


class Site:
    """A config file and a database in a temporary folder, and the CLI pointed at both."""

    def __init__(self, root: Path, config: str = "") -> None:
        self.root = root
        self.db = root / "fixtures.db"
        self.config = root / "config.toml"
        self.config.write_text(f'database = "{self.db.name}"\n{config}', encoding="utf-8")

    def run(self, *args: str, code: int | None = 0) -> Result:
        """``warning --config ... --db ... ARGS``; checks the exit code unless ``code`` is None."""
        result = CliRunner().invoke(cli, ["--config", str(self.config), "--db", str(self.db), *args])
        if code is not None:
            assert result.exit_code == code, (result.exit_code, result.output, result.exception)
        return result

    def json(self, *args: str) -> object:
        return json.loads(self.run(*args).stdout)

    def rows(self, sql: str, *params: object) -> list[dict]:
        """Rows of a query on the site's database, JSON columns decoded."""
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            found = [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()
        for row in found:
            for key in JSON_COLUMNS & row.keys():
                row[key] = json.loads(row[key]) if row[key] else row[key]
        return found

    def publication(self, publication_id: str) -> dict:
        (row,) = self.rows("SELECT * FROM publications WHERE id = ?", publication_id)
        return row

    def ids(self) -> set[str]:
        return {r["id"] for r in self.rows("SELECT id FROM publications")}


def serve_odp(httpserver, product: str, files: dict[str, tuple[str, bytes]], key: str) -> str:
    """An ODP bulk-datasets API listing ``files`` (name -> (data day, zip bytes)); its base URL.

    The listing follows the ODP documentation (``GET /api/v1/datasets/products/{product}``):
    ``bulkDataProductBag`` > ``productFileBag`` > ``fileDataBag`` entries. Downloads answer the
    file's MD5 as ETag, as the ODP's storage does for files uploaded in one part.
    """

    def listing(request: Request) -> Response:
        if request.headers.get("X-API-KEY") != key:
            return Response('{"message": "Forbidden"}', status=403, content_type="application/json")
        entries = [
            {
                "fileName": name,
                "fileSize": len(data),
                "fileDataFromDate": day,
                "fileDataToDate": day,
                "fileTypeText": "Data",
                "fileDownloadURI": httpserver.url_for(f"/files/{name}"),
                "fileReleaseDate": f"{day} 00:54:13",
            }
            for name, (day, data) in files.items()
        ]
        bag = {"count": len(entries), "fileDataBag": entries}
        body = {"count": 1, "bulkDataProductBag": [{"productIdentifier": product, "productFileBag": bag}]}
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request(f"/api/v1/datasets/products/{product}").respond_with_handler(listing)
    for name, (_, data) in files.items():
        httpserver.expect_request(f"/files/{name}").respond_with_data(
            data, headers={"ETag": f'"{hashlib.md5(data).hexdigest()}"'}, content_type="application/zip"
        )
    return httpserver.url_for("/")


def serve_ep_publication_server(httpserver, weeks: dict[str, dict[str, Path]]) -> str:
    """A publication server: ``weeks`` maps ``YYYYMMDD`` to patent ids and their fixture files.

    The dates and patents listings are HTML pages of links, as the EPO documents them (dates
    written ``2021/02/24``, documents by id ``EP3782854NWA1``); the documents are the fixtures.
    """
    root = "/eps/rest/v1.2/"
    dates = "".join(
        f'<li><a href="{root}publication-dates/{d}/patents">{d[:4]}/{d[4:6]}/{d[6:]}</a></li>'
        for d in sorted(weeks, reverse=True)
    )
    httpserver.expect_request(root + "publication-dates").respond_with_data(
        f"<html><body><ul>{dates}</ul></body></html>", content_type="text/html"
    )
    for day, documents in weeks.items():
        links = "".join(f'<li><a href="{root}patents/{pid}">{pid}</a></li>' for pid in documents)
        httpserver.expect_request(f"{root}publication-dates/{day}/patents").respond_with_data(
            f"<html><body><ul>{links}</ul></body></html>", content_type="text/html"
        )
        for pid, path in documents.items():
            httpserver.expect_request(f"{root}patents/{pid}/document.xml").respond_with_data(
                path.read_bytes(), content_type="application/xml"
            )
    return httpserver.url_for("/eps/")


OPS_KEY, OPS_SECRET = "fixture-ops-key", "fixture-ops-secret"
_PD_WITHIN = re.compile(r'pn=(\w+) and pd within "(\d{8}) (\d{8})"')


class LoopbackOps:
    """EPO OPS 3.2 on a pytest-httpserver: token, search, biblio and INPADOC legal.

    ``published`` maps a docdb number (``EP.2400812.A1``) to its publication date; a search whose
    country and window hold none answers 404 with the real OPS fault body (fixture), as OPS does.
    Biblio and legal answer the given fixture responses. ``requests`` records what was asked.
    """

    def __init__(self, httpserver, published: dict[str, str], biblio: Path, legal: Path) -> None:
        self.published, self.biblio, self.legal = published, biblio.read_bytes(), legal.read_bytes()
        self.requests: list[Request] = []
        base = "/3.2/"
        httpserver.expect_request(base + "auth/accesstoken", method="POST").respond_with_handler(self.token)
        httpserver.expect_request(base + "rest-services/published-data/search").respond_with_handler(
            self.search
        )
        httpserver.expect_request(
            base + "rest-services/published-data/publication/docdb/biblio", method="POST"
        ).respond_with_handler(self.answer(self.biblio))
        httpserver.expect_request(re.compile(r"/3\.2/rest-services/legal/.*")).respond_with_handler(
            self.answer(self.legal)
        )
        self.base_url = httpserver.url_for(base)

    def token(self, request: Request) -> Response:
        """The OAuth client-credentials reply as OPS documents it (``expires_in`` a string)."""
        self.requests.append(request)
        if request.form.get("grant_type") != "client_credentials":
            return Response('{"error": "invalid_request"}', status=400, content_type="application/json")
        body = {"access_token": "fixture-token", "token_type": "BearerToken", "expires_in": "1199"}
        return Response(json.dumps(body), content_type="application/json")

    def search(self, request: Request) -> Response:
        self.requests.append(request)
        country, first, last = _PD_WITHIN.search(request.args["q"]).groups()
        hits = [n for n, d in self.published.items() if n.startswith(country + ".") and first <= d <= last]
        if not hits:
            return Response(fixture("ops", "fault_404.xml").read_bytes(), 404, content_type="application/xml")
        return Response(search_page(request.args["q"], hits), content_type="application/xml")

    def answer(self, body: bytes):
        def respond(request: Request) -> Response:
            self.requests.append(request)
            if request.headers.get("Authorization") != "Bearer fixture-token":
                return Response(status=401)
            return Response(body, content_type="application/xml")

        return respond

    def paths(self, part: str) -> list[str]:
        return [r.path for r in self.requests if part in r.path]


def search_page(query: str, numbers: list[str]) -> bytes:
    """A published-data search page in the shape of the recorded one (``ops:biblio-search``)."""
    refs = "".join(
        '<ops:publication-reference system="ops.epo.org"><document-id document-id-type="docdb">'
        f"<country>{c}</country><doc-number>{n}</doc-number><kind>{k}</kind></document-id>"
        "</ops:publication-reference>"
        for c, n, k in (number.split(".") for number in numbers)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<ops:world-patent-data xmlns="http://www.epo.org/exchange" '
        'xmlns:ops="http://ops.epo.org" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<ops:biblio-search total-result-count="{len(numbers)}"><ops:query syntax="CQL">{query}</ops:query>'
        f'<ops:range begin="1" end="{len(numbers)}"/><ops:search-result>{refs}</ops:search-result>'
        "</ops:biblio-search></ops:world-patent-data>"
    ).encode()
