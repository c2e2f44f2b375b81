"""The ep_publication_server source against a local server.

The corpus records no listing of the publication server, so the ``publication-dates`` and
``publication-dates/YYYYMMDD/patents`` pages here are built from the EPO's documented REST
interface (HTML pages of links: dates written ``2021/09/22``, documents by id ``EP2716170NWB2``,
as public clients such as go-epo-eps read them). The documents served are the real
``ep-patent-document`` files of the corpus.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug import Request, Response

from tests.conftest import CORPUS
from warning.app import App
from warning.config.loading import parse_config
from warning.sources.ep_server.source import patent_ids, publication_dates
from warning.sources.fetch import fetch_source
from warning.store.operations import get_source_state

EPS = CORPUS / "epo-eps-xml" / "go-epo-eps"
WEEKS = {
    "20210922": {
        "EP3882239NWA1": "application__v1-5-1-A1.xml",
        "EP3882354NWA2": "application__v1-5-1-A2.xml",
        "EP2716170NWB2": "grant__v1-5-1-B2.xml",
        "EP3882001NWA3": None,  # a search report: not fetched
    },
    "20211006": {"EP3889521NWA1": "application__v1-5-1-A1-2.xml"},  # not well-formed: repaired
}
LATER = {"20221123": {"EP4090146NWA1": "application__v1-5-1-A1-1.xml"}}


class FakePublicationServer:
    def __init__(self, httpserver, weeks: dict) -> None:
        self.server = httpserver
        self.weeks = dict(weeks)
        self.etag = '"listing-1"'
        self.last_modified = "Wed, 06 Oct 2021 14:00:00 GMT"
        self.requests: list[Request] = []
        self.broken: dict[str, Response] = {}  # answered every time for this document id
        self.once: dict[str, list[Response]] = {}  # answered first, one per request, for a path's last part
        root = "/publication-server/rest/v1.2/"
        httpserver.expect_request(root + "publication-dates").respond_with_handler(self.dates)
        for day in ["20210922", "20211006", "20221123"]:
            httpserver.expect_request(f"{root}publication-dates/{day}/patents").respond_with_handler(
                self.patents
            )
        httpserver.expect_request(
            re.compile(r"/publication-server/rest/v1\.2/patents/\w+/document\.xml")
        ).respond_with_handler(self.document)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/publication-server/")

    def spoiled(self, request: Request) -> Response | None:
        parts = request.path.rstrip("/").split("/")
        key = parts[-2] if parts[-1] in ("document.xml", "patents") else parts[-1]
        queue = self.once.get(key) or []
        return queue.pop(0) if queue else None

    def dates(self, request: Request) -> Response:
        self.requests.append(request)
        if spoiled := self.spoiled(request):
            return spoiled
        if self.etag and request.headers.get("If-None-Match") == self.etag:
            return Response(status=304)
        if not self.etag and request.headers.get("If-Modified-Since") == self.last_modified:
            return Response(status=304)
        links = "".join(
            f'<li><a href="{self.base_url}rest/v1.2/publication-dates/{d}/patents">{d[:4]}/{d[4:6]}/{d[6:]}</a></li>'
            for d in sorted(self.weeks, reverse=True)
        )
        headers = {"Last-Modified": self.last_modified}
        if self.etag:
            headers["ETag"] = self.etag
        return Response(
            f"<html><body><ul>{links}</ul></body></html>", headers=headers, content_type="text/html"
        )

    def patents(self, request: Request) -> Response:
        self.requests.append(request)
        if spoiled := self.spoiled(request):
            return spoiled
        day = request.path.split("/")[-2]
        links = "".join(
            f'<li><a href="{self.base_url}rest/v1.2/patents/{pid}">{pid}</a></li>' for pid in self.weeks[day]
        )
        return Response(f"<html><body><ul>{links}</ul></body></html>", content_type="text/html")

    def document(self, request: Request) -> Response:
        self.requests.append(request)
        pid = request.path.split("/")[-2]
        if spoiled := self.spoiled(request):
            return spoiled
        if pid in self.broken:
            return self.broken[pid]
        name = next(week[pid] for week in self.weeks.values() if pid in week)
        return Response((EPS / name).read_bytes(), content_type="application/xml")


@pytest.fixture
def eps(httpserver, corpus):
    corpus("epo-eps-xml", "go-epo-eps", "grant__v1-5-1-B2.xml")
    return FakePublicationServer(httpserver, WEEKS)


def make_app(tmp_path, server) -> App:
    table = {"kind": "ep_publication_server", "base_url": server.base_url, "countries": ["EP"]}
    return App(
        config=parse_config({"sources": {"ep": table}}, tmp_path / "c.toml"), db_path=tmp_path / "ep.db"
    )


def ids(app: App) -> list[str]:
    return sorted(r["id"] for r in app.db.query("SELECT id FROM publications"))


def documents_asked(server) -> list[str]:
    return [r.path.split("/")[-2] for r in server.requests if r.path.endswith("document.xml")]


def test_fetches_each_new_date_in_order_skipping_search_reports(eps, tmp_path):
    app = make_app(tmp_path, eps)
    result = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31))
    assert result["status"] == "ok" and result["inserted"] == 4
    assert ids(app) == ["EP-2716170-B2", "EP-3882239-A1", "EP-3882354-A2", "EP-3889521-A1"]
    assert "EP3882001NWA3" not in documents_asked(eps)
    state = get_source_state(app.db, "ep", "EP")
    assert state.cursor == "2021-10-06" and state.etag == '"listing-1"'
    assert state.last_modified == "Wed, 06 Oct 2021 14:00:00 GMT"
    row = app.db.execute("SELECT titles, claims_text FROM publications WHERE id = 'EP-2716170-B2'").fetchone()
    assert "Vorrichtung zum Transport von" in row[0] and row[1]


def test_unchanged_listing_answers_304_and_nothing_else_is_asked(eps, tmp_path):
    app = make_app(tmp_path, eps)
    fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31))
    before = len(eps.requests)
    again = fetch_source(app, "ep", None, date(2021, 10, 31))
    assert again["status"] == "ok" and again["inserted"] == 0
    assert len(eps.requests) == before + 1 and eps.requests[-1].headers["If-None-Match"] == '"listing-1"'


def test_last_modified_is_used_when_there_is_no_etag(eps, tmp_path):
    eps.etag = ""
    app = make_app(tmp_path, eps)
    fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31))
    fetch_source(app, "ep", None, date(2021, 10, 31))
    assert eps.requests[-1].headers["If-Modified-Since"] == eps.last_modified
    assert len(documents_asked(eps)) == 4


def test_a_new_week_fetches_only_the_new_date(eps, tmp_path):
    app = make_app(tmp_path, eps)
    fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31))
    eps.weeks.update(LATER)
    eps.etag = '"listing-2"'
    result = fetch_source(app, "ep", None, date(2022, 12, 31))
    assert result["inserted"] == 1 and documents_asked(eps)[-1] == "EP4090146NWA1"
    assert len(documents_asked(eps)) == 5
    assert get_source_state(app.db, "ep", "EP").cursor == "2022-11-23"


def test_crash_on_the_second_date_resumes_without_loss_or_duplicates(eps, tmp_path):
    eps.broken["EP3889521NWA1"] = Response("<html>Service Unavailable</html>", status=503)
    app = make_app(tmp_path, eps)
    sleeps: list[float] = []
    crashed = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31), sleep=sleeps.append)
    assert crashed["status"] == "failed" and sleeps == [2.0, 4.0, 8.0, 16.0]
    state = get_source_state(app.db, "ep", "EP")
    assert state.cursor == "2021-09-22" and state.etag == ""  # validators only after the whole listing
    del eps.broken["EP3889521NWA1"]
    resumed = fetch_source(app, "ep", None, date(2021, 10, 31))
    assert resumed["inserted"] == 1 and resumed["unchanged"] == 0
    assert ids(app) == ["EP-2716170-B2", "EP-3882239-A1", "EP-3882354-A2", "EP-3889521-A1"]
    assert documents_asked(eps).count("EP3882239NWA1") == 1  # the stored date is not fetched again


def test_truncated_document_is_quarantined_and_the_batch_goes_on(eps, tmp_path):
    data = (EPS / "application__v1-5-1-A2.xml").read_bytes()
    eps.broken["EP3882354NWA2"] = Response(data[:5000], content_type="application/xml")
    app = make_app(tmp_path, eps)
    sleeps: list[float] = []
    result = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31), sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 3 and result["quarantined"] == 1
    reason = app.db.execute("SELECT ref, reason FROM quarantine").fetchone()
    assert reason[0] == "ep:EP3882354NWA2" and "malformed XML" in reason[1]
    # Asked twice: the same broken bytes again mean the document itself is bad, not the transfer.
    assert documents_asked(eps).count("EP3882354NWA2") == 2 and sleeps == [2.0]


def test_listing_parsers_read_documented_link_pages():
    page = '<ul><li><a href="x/20210630/patents">2021/06/30</a></li><li><a href="y">About</a></li></ul>'
    assert publication_dates(page) == [date(2021, 6, 30)]
    patents = '<a href="/rest/v1.2/patents/EP2921808NWB1">EP2921808NWB1</a><a href="/help">help</a>'
    assert patent_ids(patents) == ["EP2921808NWB1"]


def test_listings_are_read_from_untidy_html():
    from datetime import date

    from warning.sources.ep_server.source import patent_ids, publication_dates

    page = (
        "<html><body><ul><li><a href=2021/06/30><span>2021/06/30</span></a>"
        "<li><A HREF='2021/07/07' class=x>2021/07/07 </A><li><a href='about'>about</a></ul>"
    )
    assert publication_dates(page) == [date(2021, 6, 30), date(2021, 7, 7)]
    patents = '<a href="patents/EP2921808NWB1">EP2921808NWB1</a><a href="x">EP12</a><p>EP3NWA1</p>'
    assert patent_ids(patents) == ["EP2921808NWB1"]


HTML_200 = Response("<!DOCTYPE html><html><body><h1>Maintenance</h1></body></html>", content_type="text/html")


def cut_in_transit(name: str) -> Response:
    data = (EPS / name).read_bytes()
    return Response(data[: len(data) // 2], headers={"Content-Length": str(len(data))})


@pytest.mark.parametrize(
    "spoiled",
    # Factories, not replies: a corpus file must not be read at collection time (a bare clone
    # collects this module without the corpus).
    [
        lambda: HTML_200,
        lambda: Response(b"", content_type="application/xml"),
        lambda: Response(b"<?xml version='1.0'?><error>quota</error>", content_type="application/xml"),
        lambda: cut_in_transit("application__v1-5-1-A2.xml"),
    ],
    ids=["html", "empty", "other-xml", "cut-in-transit"],
)
def test_a_document_reply_that_is_no_document_is_retried_not_quarantined(eps, tmp_path, spoiled):
    eps.once["EP3882354NWA2"] = [spoiled()]
    app = make_app(tmp_path, eps)
    sleeps: list[float] = []
    result = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31), sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 4 and result["quarantined"] == 0
    assert sleeps == [2.0] and "EP-3882354-A2" in ids(app)


def test_a_document_that_stays_an_error_page_fails_its_date_then_a_rerun_stores_it(eps, tmp_path):
    eps.broken["EP3889521NWA1"] = HTML_200
    app = make_app(tmp_path, eps)
    failed = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31), sleep=lambda s: None)
    error = failed["countries"]["EP"]["error"]
    assert failed["status"] == "failed" and "publication date 2021-10-06" in error and "HTML page" in error
    assert get_source_state(app.db, "ep", "EP").cursor == "2021-09-22"
    assert app.db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
    del eps.broken["EP3889521NWA1"]
    resumed = fetch_source(app, "ep", None, date(2021, 10, 31))
    assert resumed["status"] == "ok" and resumed["inserted"] == 1
    assert ids(app) == ["EP-2716170-B2", "EP-3882239-A1", "EP-3882354-A2", "EP-3889521-A1"]


@pytest.mark.parametrize("listing", ["publication-dates", "20211006"])
def test_a_listing_that_links_nothing_is_a_failed_request(eps, tmp_path, listing):
    eps.once[listing] = [HTML_200] * 5
    app = make_app(tmp_path, eps)
    result = fetch_source(app, "ep", date(2021, 9, 1), date(2021, 10, 31), sleep=lambda s: None)
    assert result["status"] == "failed" and "links no" in result["countries"]["EP"]["error"]
    state = get_source_state(app.db, "ep", "EP")
    assert state.cursor == ("" if listing == "publication-dates" else "2021-09-22") and state.etag == ""


def test_a_date_read_on_its_day_is_listed_again_and_late_documents_are_fetched(eps, tmp_path, monkeypatch):
    from warning.sources.ep_server import source as ep_publication_server

    today = [date(2021, 10, 6)]
    monkeypatch.setattr(ep_publication_server, "today", lambda: today[0])
    app = make_app(tmp_path, eps)
    first = fetch_source(app, "ep")  # lookback: both dates, the second one is today
    assert first["inserted"] == 4
    state = get_source_state(app.db, "ep", "EP")
    assert state.cursor == "2021-10-05" and state.etag == ""  # 2021-10-06 stays open
    eps.weeks["20211006"] = {**eps.weeks["20211006"], "EP4090146NWA1": "application__v1-5-1-A1-1.xml"}
    asked = len(documents_asked(eps))
    later = fetch_source(app, "ep")  # same day: the late document, and nothing fetched twice
    assert later["inserted"] == 1 and documents_asked(eps)[asked:] == ["EP4090146NWA1"]
    assert later["plugin"]["already_stored"] == 1
    today[0] = date(2021, 10, 7)
    settled = fetch_source(app, "ep")
    assert settled["inserted"] == 0 and len(documents_asked(eps)) == asked + 1
    state = get_source_state(app.db, "ep", "EP")
    assert state.cursor == "2021-10-06" and state.etag == '"listing-1"'
    quiet = fetch_source(app, "ep")
    assert quiet["inserted"] == 0 and eps.requests[-1].headers["If-None-Match"] == '"listing-1"'
    assert len(ids(app)) == 5
