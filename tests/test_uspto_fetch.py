"""The uspto_bulk source against a local Open Data Portal serving real USPTO files.

The corpus has no recording of the ODP bulk-datasets API, so the listing replies here are built
from its published documentation (``GET /api/v1/datasets/products/{productIdentifier}`` with
``fileDataFromDate``/``fileDataToDate``; ``bulkDataProductBag`` > ``productFileBag`` >
``fileDataBag`` entries with ``fileName``, ``fileSize``, ``fileDataFromDate``, ``fileTypeText``,
``fileDownloadURI``). The zips they list are built from real USPTO weekly-file fragments.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from datetime import date

import pytest
from werkzeug import Request, Response

from warning.app import App
from warning.config.loading import parse_config
from warning.errors import ConfigError, SourceUnavailable
from warning.sources.fetch import fetch_source
from warning.sources.uspto.odp import BulkFile, OdpClient
from warning.store.operations import get_source_state
from warning.store.publications import get_publication

KEY = "odp-test-key"
SINCE, UNTIL = date(2005, 1, 1), date(2005, 1, 31)


def zip_of(*parts: bytes, member: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b"".join(parts))
    return buf.getvalue()


class FakeOdp:
    """ODP listing per product plus file downloads with Range, ETag and scripted failures."""

    def __init__(self, httpserver, corpus) -> None:
        self.server = httpserver
        grants = corpus("uspto-bulk-xml", "PatentsView-DB", "ipg050104.small.xml").read_bytes()
        app_dir = corpus("uspto-bulk-xml", "PatentPublicData", "xmlApp2004")
        apps = [(app_dir / n).read_bytes() for n in ("US20050004437A1.xml", "US20050004974A1.xml")]
        self.files = {
            "ipg050104.zip": ("PTGRXML", "2005-01-04", zip_of(grants, member="ipg050104.xml")),
            "ipa050106.zip": ("APPXML", "2005-01-06", zip_of(*apps, member="ipa050106.xml")),
        }
        self.listing_etag = '"listing-v1"'
        self.failures: list[Response] = []  # answered first, one per request, before the real reply
        self.download_failures: list[Response] = []  # the same, for file downloads only
        self.cut_first_download = False
        self.wrong_etag = False
        self.sizes = True  # the listing gives each file's size
        self.md5_etags = True  # storage answers the file's MD5 as its ETag (one-part uploads)
        self.requests: list[Request] = []
        for product in ("PTGRXML", "APPXML"):
            httpserver.expect_request(f"/api/v1/datasets/products/{product}").respond_with_handler(
                self.listing
            )
        httpserver.expect_request("/files", method="GET").respond_with_handler(self.download)
        for name in self.files:
            httpserver.expect_request(f"/files/{name}").respond_with_handler(self.download)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/")

    def listing(self, request: Request) -> Response:
        self.requests.append(request)
        if self.failures:
            return self.failures.pop(0)
        if request.headers.get("If-None-Match") == self.listing_etag:
            return Response(status=304, headers={"ETag": self.listing_etag})
        product = request.path.rsplit("/", 1)[1]
        entries = [
            {
                "fileName": name,
                "fileSize": len(data) if self.sizes else None,
                "fileDataFromDate": day,
                "fileDataToDate": day,
                "fileTypeText": "Data",
                "fileDownloadURI": self.server.url_for(f"/files/{name}"),
                "fileReleaseDate": f"{day} 00:54:13",
            }
            for name, (prod, day, data) in self.files.items()
            if prod == product
        ]
        entries.append({"fileName": "PTGRXML-Documentation.pdf", "fileTypeText": "Documentation",
                        "fileDownloadURI": self.server.url_for("/files/doc.pdf"), "fileDataFromDate": "2005-01-04"})  # fmt: skip
        body = {"count": 1, "bulkDataProductBag": [{"productIdentifier": product,
                "productFileBag": {"count": len(entries), "fileDataBag": entries}}]}  # fmt: skip
        return Response(
            json.dumps(body), content_type="application/json", headers={"ETag": self.listing_etag}
        )

    def download(self, request: Request) -> Response:
        self.requests.append(request)
        if self.failures:
            return self.failures.pop(0)
        if self.download_failures:
            return self.download_failures.pop(0)
        data = self.files[request.path.rsplit("/", 1)[1]][2]
        etag = hashlib.md5(b"other" if self.wrong_etag else data).hexdigest()
        headers = {"ETag": f'"{etag}"' if self.md5_etags else '"d41d8cd9-3"', "Accept-Ranges": "bytes"}
        if self.cut_first_download:
            self.cut_first_download = False
            # The connection drops half way: the length promises more than is sent.
            return Response(data[: len(data) // 2], headers={**headers, "Content-Length": str(len(data))})
        start = int(request.headers["Range"][6:-1]) if "Range" in request.headers else 0
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            return Response(data[start:], status=206, headers=headers)
        return Response(data, headers=headers)

    def calls(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]


@pytest.fixture
def odp(httpserver, corpus, monkeypatch):
    monkeypatch.setenv("USPTO_ODP_API_KEY", KEY)
    return FakeOdp(httpserver, corpus)


def make_app(tmp_path, odp: FakeOdp, **options) -> App:
    table = {"kind": "uspto_bulk", "base_url": odp.base_url, "countries": ["US"],
             "download_dir": str(tmp_path / "dl"), **options}  # fmt: skip
    config = parse_config({"sources": {"uspto": table}}, tmp_path / "config.toml")
    return App(config=config, db_path=tmp_path / "uspto.db")


def test_fetch_discovers_downloads_and_stores_the_weekly_files(odp, tmp_path):
    app = make_app(tmp_path, odp)
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 27 and sleeps == []
    assert result["plugin"]["files"] == 2 and result["plugin"]["publications"] == 27
    assert get_source_state(app.db, "uspto", "US").cursor == "2005-01-06"
    listing = odp.calls("/api/")[0]
    assert listing.headers["X-API-KEY"] == KEY
    assert (listing.args["fileDataFromDate"], listing.args["fileDataToDate"]) == ("2005-01-01", "2005-01-31")
    assert get_publication(app.db, "US-6836899-B1").ipc == ["A45F5/04"]
    assert get_publication(app.db, "US-20050004437-A1").doc_type == "application"
    assert not list((tmp_path / "dl").iterdir())  # keep_downloads = false


def test_rerun_is_conditional_and_a_304_downloads_nothing(odp, tmp_path):
    app = make_app(tmp_path, odp, keep_downloads=True)
    fetch_source(app, "uspto", SINCE, UNTIL)
    downloads = len(odp.calls("/files/"))
    again = fetch_source(app, "uspto", None, UNTIL)  # from the cursor: remembers the listing's ETag
    assert again["status"] == "ok" and again["inserted"] == 0
    assert odp.calls("/api/")[-1].args["fileDataFromDate"] == "2005-01-07"  # the day after the cursor
    third = fetch_source(app, "uspto", None, UNTIL)
    assert third["status"] == "ok" and third["inserted"] == 0
    assert odp.calls("/api/")[-1].headers["If-None-Match"] == '"listing-v1"'
    assert len(odp.calls("/files/")) == downloads
    assert sorted(p.name for p in (tmp_path / "dl").iterdir()) == ["ipa050106.zip", "ipg050104.zip"]
    assert json.loads(get_source_state(app.db, "uspto", "US").etag) == {
        "APPXML": '"listing-v1"',
        "PTGRXML": '"listing-v1"',
    }


def test_a_cut_download_resumes_with_a_range_request(odp, tmp_path):
    app = make_app(tmp_path, odp)
    odp.cut_first_download = True
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 27
    first, second = odp.calls("/files/ipg050104.zip")
    size = len(odp.files["ipg050104.zip"][2])
    assert "Range" not in first.headers and second.headers["Range"] == f"bytes={size // 2}-"
    assert sleeps == [5.0]


def test_a_part_left_by_a_crashed_run_is_resumed(odp, tmp_path):
    data = odp.files["ipg050104.zip"][2]
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "ipg050104.zip.part").write_bytes(data[:1000])
    client = OdpClient(odp.base_url, KEY, __import__("requests").Session(), sleep=lambda s: None)
    path = client.download(BulkFile("PTGRXML", "ipg050104.zip", odp.server.url_for("/files/ipg050104.zip"),
                                    len(data), "2005-01-04"), tmp_path / "dl")  # fmt: skip
    assert path.read_bytes() == data
    assert odp.calls("/files/")[-1].headers["Range"] == "bytes=1000-"


def test_checksum_mismatch_is_retried_then_reported(odp, tmp_path):
    app = make_app(tmp_path, odp, max_retries=2)
    odp.wrong_etag = True
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "failed" and result["inserted"] == 0
    assert "checksum mismatch" in result["countries"]["US"]["error"]
    assert sleeps == [5.0, 10.0]
    assert not list((tmp_path / "dl").glob("*.part"))
    assert get_source_state(app.db, "uspto", "US").cursor == ""


def test_5xx_is_retried_with_backoff(odp, tmp_path):
    app = make_app(tmp_path, odp)
    odp.failures = [Response("busy", status=503), Response("oops", status=500)]
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 27
    assert sleeps == [5.0, 10.0]


def test_a_refused_key_is_not_retried(odp, tmp_path):
    app = make_app(tmp_path, odp)
    odp.failures = [Response("forbidden", status=403)]
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "failed" and "refused the API key" in result["countries"]["US"]["error"]
    assert sleeps == []


def test_timeout_gives_up_after_the_retries(tmp_path, monkeypatch):
    monkeypatch.setenv("USPTO_ODP_API_KEY", KEY)
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)  # accepts connections, never answers
    try:
        import requests

        client = OdpClient(f"http://127.0.0.1:{silent.getsockname()[1]}/", KEY, requests.Session(),
                           timeout=0.2, retries=1, backoff=3.0, sleep=(sleeps := []).append)  # fmt: skip
        with pytest.raises(SourceUnavailable, match="gave up after 2 attempts"):
            client.list_files("PTGRXML", SINCE, UNTIL)
        assert sleeps == [3.0]
    finally:
        silent.close()


def test_missing_api_key_fails_the_source_readably(odp, tmp_path, monkeypatch):
    monkeypatch.delenv("USPTO_ODP_API_KEY")
    result = fetch_source(make_app(tmp_path, odp), "uspto", SINCE, UNTIL)
    assert result["status"] == "failed"
    assert "environment variable USPTO_ODP_API_KEY is not set" in result["countries"]["US"]["error"]


def test_unknown_option_is_rejected(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'datset'"):
        parse_config({"sources": {"u": {"kind": "uspto_bulk", "datset": ["grants"]}}}, tmp_path / "c.toml")


HTML_200 = Response("<!DOCTYPE html><html><body>Service maintenance</body></html>", content_type="text/html")


@pytest.mark.parametrize(
    "reply",
    [HTML_200, Response('{"code": 500, "error": "Internal"}', content_type="application/json")],
    ids=["html", "json-without-listing"],
)
def test_a_listing_reply_that_is_no_listing_is_retried(odp, tmp_path, reply):
    app = make_app(tmp_path, odp)
    odp.failures = [reply]
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 27 and sleeps == [5.0]


def test_a_listing_that_stays_garbage_fails_and_keeps_the_cursor(odp, tmp_path):
    app = make_app(tmp_path, odp, max_retries=2)
    odp.failures = [HTML_200] * 3
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=lambda s: None)
    assert result["status"] == "failed" and "not the documented JSON" in result["countries"]["US"]["error"]
    assert get_source_state(app.db, "uspto", "US").cursor == "" and odp.calls("/files/") == []


def test_a_download_that_is_an_error_page_is_retried_not_stored(odp, tmp_path):
    # Without a size in the listing or an MD5 ETag, only the content tells the page from the zip.
    odp.sizes, odp.md5_etags = False, False
    odp.download_failures = [HTML_200]
    app = make_app(tmp_path, odp)
    sleeps: list[float] = []
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 27 and result["quarantined"] == 0
    assert sleeps == [5.0] and len(odp.calls("/files/ipg050104.zip")) == 2


def test_a_download_that_stays_an_error_page_fails_and_keeps_the_cursor(odp, tmp_path):
    odp.sizes, odp.md5_etags = False, False
    odp.download_failures = [HTML_200] * 3
    app = make_app(tmp_path, odp, max_retries=2)
    result = fetch_source(app, "uspto", SINCE, UNTIL, sleep=lambda s: None)
    assert result["status"] == "failed" and "not a zip archive" in result["countries"]["US"]["error"]
    assert result["quarantined"] == 0 and get_source_state(app.db, "uspto", "US").cursor == ""
    assert not list((tmp_path / "dl").iterdir())


def test_a_grants_file_posted_after_the_applications_were_stored_is_still_fetched(odp, tmp_path):
    # Tuesday's grants are late: Thursday's applications come first and move the one cursor.
    late = odp.files.pop("ipg050104.zip")
    app = make_app(tmp_path, odp)
    first = fetch_source(app, "uspto", None, date(2005, 1, 7))
    assert first["status"] == "ok" and first["plugin"]["files"] == 1
    assert get_source_state(app.db, "uspto", "US").cursor == "2005-01-06"
    odp.files["ipg050104.zip"] = late
    odp.listing_etag = '"listing-v2"'  # the listing changed
    second = fetch_source(app, "uspto", None, date(2005, 1, 7))
    assert second["status"] == "ok" and second["plugin"]["files"] == 1
    assert get_publication(app.db, "US-6836899-B1") is not None
    grants = [r for r in odp.calls("/api/") if r.path.endswith("PTGRXML")]
    assert grants[-1].args["fileDataFromDate"] <= "2005-01-04"
    assert get_source_state(app.db, "uspto", "US").cursor == "2005-01-06"  # never moved backwards
    # Both stored: the next run lists each product from the day after its own newest file and
    # downloads nothing again.
    downloads = len(odp.calls("/files/"))
    third = fetch_source(app, "uspto", None, date(2005, 1, 7))
    assert third["status"] == "ok" and third["inserted"] == 0 and len(odp.calls("/files/")) == downloads
    starts = {r.path.rsplit("/", 1)[1]: r.args["fileDataFromDate"] for r in odp.calls("/api/")[-2:]}
    assert starts == {"PTGRXML": "2005-01-05", "APPXML": "2005-01-07"}
