"""Fault suite for the epo_ops source: a local OPS (tests/ops_server.py) that misbehaves as real ones do.

A reply that is not a well-formed answer to the request (a cut body, an HTML page, an OPS
``<fault>`` under HTTP 200, an empty body) is a failed request: retried with the source's retry
policy, then the window fails without moving its cursor. Only a document that is itself bad
goes to quarantine, alone. The documents served are real OPS ``exchange-document`` elements of
the corpus, cloned under other numbers so that one window holds a full batch of 100.
"""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner
from lxml import etree
from werkzeug import Response

from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps, clone, real_documents
from warning.app import App
from warning.cli import cli
from warning.config.loading import parse_config
from warning.sources.epo_ops import source as epo_ops
from warning.sources.epo_ops.source import fetch_legal_events
from warning.sources.fetch import fetch_source
from warning.store.operations import get_source_state

DAY, FIRST, LAST = "20240103", date(2024, 1, 1), date(2024, 1, 7)
FAULT_429 = "epo-ops-patent-dev/testdata__error_429.xml"


@pytest.fixture
def ops(httpserver, corpus, monkeypatch):
    corpus("epo-ops-patent-dev", "get_biblio_multiple__response.xml")
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    fake = FakeOps(httpserver, CORPUS)
    fake.add(hundred(real_documents(CORPUS)))
    return fake


def hundred(real: dict[str, bytes], start: int = 9100000, n: int = 100, day: str = DAY) -> dict[str, bytes]:
    """``n`` real documents under numbers ``start``..: one full biblio batch for one window."""
    template = min(real.values(), key=len)
    return {f"EP.{start + i}.B1": clone(template, str(start + i), day) for i in range(n)}


def make_app(tmp_path, fake: FakeOps, **options) -> App:
    table = {"kind": "epo_ops", "base_url": fake.base_url, "countries": ["EP"], **options}
    config = parse_config({"sources": {"ops": table}}, tmp_path / "config.toml")
    return App(config=config, db_path=tmp_path / "ops.db")


def stored(app: App) -> int:
    return app.db.execute("SELECT count(*) FROM publications").fetchone()[0]


def quarantined(app: App) -> int:
    return app.db.execute("SELECT count(*) FROM quarantine").fetchone()[0]


def cut(resp: Response) -> Response:
    """200 with the first half of the real body (a proxy that gave up, a full disk at a mirror)."""
    body = resp.get_data()
    return Response(body[: len(body) // 2], content_type="application/xml")


def cut_in_transit(resp: Response) -> Response:
    """The connection drops half way: Content-Length promises more than is sent."""
    body = resp.get_data()
    return Response(body[: len(body) // 2], headers={"Content-Length": str(len(body))})


def html_page(resp: Response) -> Response:
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    return Response(page, content_type="text/html")


def fault_200(resp: Response) -> Response:
    """A recorded real OPS ``<fault>`` document, answered with HTTP 200."""
    return Response((CORPUS / FAULT_429).read_bytes(), content_type="application/xml")


def empty(resp: Response) -> Response:
    return Response(b"", content_type="application/xml")


SPOILERS = [cut, cut_in_transit, html_page, fault_200, empty]


@pytest.mark.parametrize("spoil", SPOILERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("service", ["retrieval", "search"])
def test_a_bad_reply_is_retried_and_the_batch_is_stored_whole(ops, tmp_path, spoil, service):
    ops.misbehave(service, 1, spoil)
    app = make_app(tmp_path, ops)
    sleeps: list[float] = []
    result = fetch_source(app, "ops", FIRST, LAST, sleep=sleeps.append)
    assert result["status"] == "ok", result["countries"]["EP"]
    assert result["inserted"] == 100 and result["quarantined"] == 0 and quarantined(app) == 0
    assert sleeps == [2.0] and result["plugin"]["retries"] == 1
    assert get_source_state(app.db, "ops", "EP").cursor == LAST.isoformat()


@pytest.mark.parametrize("spoil", [cut, html_page, fault_200], ids=lambda f: f.__name__)
def test_a_reply_that_stays_bad_fails_the_window_and_keeps_the_cursor(ops, tmp_path, spoil):
    ops.misbehave("retrieval", 5, spoil)  # every attempt of max_retries = 4
    app = make_app(tmp_path, ops)
    sleeps: list[float] = []
    result = fetch_source(app, "ops", FIRST, LAST, sleep=sleeps.append)
    error = result["countries"]["EP"]["error"]
    assert result["status"] == "failed" and "2024-01-01..2024-01-07" in error and "5 attempts" in error
    assert sleeps == [2.0, 4.0, 8.0, 16.0]
    assert stored(app) == 0 and quarantined(app) == 0  # nothing stored, nothing thrown away
    state = get_source_state(app.db, "ops", "EP")
    assert state.cursor == "" and state.error_count == 1


def test_one_document_without_its_number_is_quarantined_alone(ops, tmp_path):
    real = real_documents(CORPUS)
    ops.add({"EP.9100050.B1": clone(min(real.values(), key=len), "", DAY)})  # lacks its number
    app = make_app(tmp_path, ops)
    result = fetch_source(app, "ops", FIRST, LAST)
    assert result["status"] == "ok" and result["inserted"] == 99 and result["quarantined"] == 1
    reason, raw = app.db.execute("SELECT reason, raw FROM quarantine").fetchone()
    assert "without a publication number" in reason
    assert etree.QName(etree.fromstring(raw)).localname == "exchange-document"  # the one document
    assert get_source_state(app.db, "ops", "EP").cursor == LAST.isoformat()


def test_a_404_that_is_no_ops_fault_is_a_failed_search_not_no_hits(ops, tmp_path):
    for _ in range(5):
        ops.fault("search", 404, b"<html><body>Not Found</body></html>")
    app = make_app(tmp_path, ops)
    result = fetch_source(app, "ops", FIRST, LAST, sleep=lambda s: None)
    assert result["status"] == "failed" and get_source_state(app.db, "ops", "EP").cursor == ""


def test_a_search_page_without_its_hits_is_a_failed_request(ops, tmp_path):
    def no_hits(resp: Response) -> Response:
        body = (
            resp.get_data()
            .replace(b"<ops:publication-reference", b"<ops:ignored")
            .replace(b"</ops:publication-reference>", b"</ops:ignored>")
        )
        return Response(body, content_type="application/xml")

    ops.misbehave("search", 1, no_hits)  # total-result-count 100, not one reference
    result = fetch_source(make_app(tmp_path, ops), "ops", FIRST, LAST, sleep=lambda s: None)
    assert result["status"] == "ok" and result["inserted"] == 100 and result["plugin"]["retries"] == 1


def test_cli_exits_1_naming_the_window_then_a_rerun_stores_all_100_once(ops, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text(
        f'[sources.ops]\nkind = "epo_ops"\nbase_url = "{ops.base_url}"\n'
        'countries = ["EP"]\nbatch_size = 50\nmax_retries = 2\nbackoff_seconds = 0.0\n',
        encoding="utf-8",
    )
    calls = [0]

    def second_batch_html(resp: Response) -> Response:
        calls[0] += 1
        return resp if calls[0] == 1 else html_page(resp)  # the first batch of 50 lands

    ops.misbehave("retrieval", 4, second_batch_html)
    runner = CliRunner()
    base = ["--config", str(config), "--db", str(tmp_path / "ops.db")]
    args = [*base, "fetch", "--since", "2024-01-01", "--until", "2024-01-07"]
    failed = runner.invoke(cli, args)
    assert failed.exit_code == 1, failed.output
    assert "EP: 50 new" in failed.output and "window 2024-01-01..2024-01-07" in failed.output
    assert "an HTML page" in failed.output
    app = App(config=parse_config({}, config), db_path=tmp_path / "ops.db")
    assert stored(app) == 50 and quarantined(app) == 0
    assert get_source_state(app.db, "ops", "EP").cursor == ""
    again = runner.invoke(cli, [*base, "fetch", "--until", "2024-01-07"])
    assert again.exit_code == 0, again.output
    assert "50 new, 0 merged, 50 unchanged, 0 quarantined" in again.output
    assert stored(app) == 100 and quarantined(app) == 0
    assert get_source_state(app.db, "ops", "EP").cursor == "2024-01-07"


def test_documents_loaded_later_the_same_day_are_fetched_by_the_next_run(ops, tmp_path, monkeypatch):
    today = [date(2024, 1, 3)]
    monkeypatch.setattr(epo_ops, "today", lambda: today[0])
    ops.docs.clear(), ops.dates.clear()
    ops.add(hundred(real_documents(CORPUS), n=60))
    app = make_app(tmp_path, ops, lookback_days=2)
    first = fetch_source(app, "ops")
    assert first["inserted"] == 60
    assert get_source_state(app.db, "ops", "EP").cursor == "2024-01-02"  # today stays open
    ops.add(hundred(real_documents(CORPUS), start=9100060, n=40))  # OPS loads 40 more that day
    later = fetch_source(app, "ops")
    assert later["inserted"] == 40 and later["unchanged"] == 60  # re-read: merged, not duplicated
    today[0] = date(2024, 1, 4)
    next_day = fetch_source(app, "ops")
    assert next_day["inserted"] == 0 and next_day["unchanged"] == 100
    assert get_source_state(app.db, "ops", "EP").cursor == "2024-01-03"
    today[0] = date(2024, 1, 5)
    searches = len(ops.calls["search"])
    settled = fetch_source(app, "ops")
    assert settled["unchanged"] == 0  # 2024-01-03 was read after it ended: not asked again
    assert all('"20240104 20240105"' in r.args["q"] for r in ops.calls["search"][searches:])
    assert stored(app) == 100 and quarantined(app) == 0


def test_a_backfill_of_settled_days_is_not_re_read(ops, tmp_path, monkeypatch):
    monkeypatch.setattr(epo_ops, "today", lambda: date(2024, 6, 1))
    app = make_app(tmp_path, ops)
    fetch_source(app, "ops", FIRST, LAST)
    assert get_source_state(app.db, "ops", "EP").cursor == "2024-01-07"


def test_a_cut_legal_reply_is_asked_again(ops, tmp_path):
    ops.legal_body = (
        CORPUS / "epo-ops-patent_client/cassette_responses/test_async_example__00.xml"
    ).read_bytes()
    ops.fault("inpadoc", 200, ops.legal_body[: len(ops.legal_body) // 2])
    sleeps: list[float] = []
    source = make_app(tmp_path, ops).config.sources["ops"]
    events = fetch_legal_events(source, "EP-1000000-A1", sleep=sleeps.append)
    assert events and sleeps == [2.0] and len(ops.calls["inpadoc"]) == 2


@pytest.mark.parametrize("reply", [html_page(Response()), Response("busy", status=503)], ids=["html", "503"])
def test_a_token_reply_without_a_token_is_asked_again(ops, tmp_path, reply):
    ops.faults["token"].append(reply)
    sleeps: list[float] = []
    result = fetch_source(make_app(tmp_path, ops), "ops", FIRST, LAST, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 100 and sleeps == [2.0]
