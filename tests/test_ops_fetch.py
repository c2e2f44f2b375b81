"""The epo_ops source against a local OPS serving recorded real documents (see tests/ops_server.py).

OAuth token replies, throttling headers and quota rejections are not in the corpus; they are
built from EPO's published OPS 3.2 documentation (and the EPO forum's recorded header examples).
"""

from __future__ import annotations

import socket
from datetime import date

import pytest
import requests
from werkzeug import Response

from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps, clone, real_documents
from warning.app import App
from warning.config.loading import parse_config
from warning.errors import SourceUnavailable
from warning.sources.base import SourceExhausted
from warning.sources.epo_ops.client import OpsClient, parse_throttling, retry_after_seconds
from warning.sources.epo_ops.source import cql_query, date_windows, docdb_number, fetch_legal_events
from warning.sources.fetch import fetch_source
from warning.store.operations import get_source_state
from warning.store.publications import get_publication


@pytest.fixture
def ops(httpserver, corpus, monkeypatch):
    corpus("epo-ops-patent-dev", "get_biblio_multiple__response.xml")
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    fake = FakeOps(httpserver, CORPUS)
    fake.add(real_documents(CORPUS))
    return fake


def make_app(tmp_path, fake: FakeOps, countries=("EP", "US"), **options) -> App:
    table = {"kind": "epo_ops", "base_url": fake.base_url, "countries": list(countries), "window_days": 400}
    config = parse_config({"sources": {"ops": {**table, **options}}}, tmp_path / "config.toml")
    return App(config=config, db_path=tmp_path / "ops.db")


def ids(app: App) -> list[str]:
    return sorted(r["id"] for r in app.db.query("SELECT id FROM publications"))


SINCE, UNTIL = date(2011, 12, 1), date(2012, 12, 31)


def test_fetch_stores_the_real_documents_of_each_country(ops, tmp_path):
    app = make_app(tmp_path, ops)
    sleeps: list[float] = []
    result = fetch_source(app, "ops", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 3
    assert ids(app) == ["EP-2400812-A1", "EP-2533477-A1", "US-20120057518-A1"]
    pub = get_publication(app.db, "EP-2400812-A1")
    assert pub.titles["fr"] == "MISE EN RÉSEAU BLUETOOTH" and pub.abstracts["en"].startswith(
        "An apparatus enabling"
    )
    assert get_source_state(app.db, "ops", "EP").cursor == "2012-12-31"
    assert get_source_state(app.db, "ops", "US").last_success
    search = ops.calls["search"][0]
    assert (
        search.args["q"] == 'pn=EP and pd within "20111201 20121231"' and search.headers["Range"] == "1-100"
    )
    assert ops.calls["retrieval"][0].get_data(as_text=True) == "EP.2400812.A1\nEP.2533477.A1"
    assert ops.tokens_issued == 1 and sleeps == []
    run = app.db.execute("SELECT status, counts FROM runs").fetchone()
    assert run[0] == "ok" and '"inserted": 3' in run[1]


def test_rerun_resumes_from_the_cursor_and_adds_nothing(ops, tmp_path):
    app = make_app(tmp_path, ops)
    fetch_source(app, "ops", SINCE, UNTIL)
    calls = len(ops.calls["search"])
    again = fetch_source(app, "ops", None, UNTIL)
    assert again["inserted"] == 0 and len(ops.calls["search"]) == calls  # nothing left to ask for
    later = fetch_source(app, "ops", None, date(2014, 12, 31))
    assert later["inserted"] == 1 and "EP-2533477-B1" in ids(app)
    ep_queries = [r.args["q"] for r in ops.calls["search"][calls:] if r.args["q"].startswith("pn=EP")]
    assert ep_queries[0].startswith('pn=EP and pd within "20130101 ')  # the day after the cursor


def test_paging_with_range_and_biblio_batches(ops, tmp_path):
    app = make_app(tmp_path, ops, countries=("EP",), page_size=2, batch_size=1, window_days=4000)
    fetch_source(app, "ops", date(2011, 1, 1), date(2019, 12, 31))
    assert [r.headers["Range"] for r in ops.calls["search"]] == ["1-2", "3-4"]
    assert len(ops.calls["retrieval"]) == 4
    assert ids(app) == ["EP-2400812-A1", "EP-2400812-B1", "EP-2533477-A1", "EP-2533477-B1"]


def test_window_over_the_2000_cap_is_split_until_each_part_fits(ops, tmp_path):
    template = min(ops.docs.values(), key=len)
    days = ["20240101", "20240102", "20240103", "20240104", "20240105"]
    ops.add({f"EP.{9000000 + i}.A1": clone(template, str(9000000 + i), days[i % 5]) for i in range(2500)})
    app = make_app(tmp_path, ops, countries=("EP",), window_days=7)
    result = fetch_source(app, "ops", date(2024, 1, 1), date(2024, 1, 5))
    assert result["inserted"] == 2500 and result["plugin"]["window_splits"] == 1
    queries = [(r.args["q"][-18:-1], r.headers["Range"]) for r in ops.calls["search"]]
    assert queries[0] == ("20240101 20240105", "1-100")  # 2,500 hits: too many
    assert queries[1] == ("20240101 20240103", "1-100") and ("20240101 20240103", "1401-1500") in queries
    assert ("20240104 20240105", "901-1000") in queries
    assert all(int(r.split("-")[1]) <= 2000 for _, r in queries)


def test_expired_token_is_renewed_on_the_real_invalid_token_fault(ops, tmp_path):
    app = make_app(tmp_path, ops)
    ops.token_lifetime = "1199"
    first = fetch_source(app, "ops", SINCE, date(2012, 6, 30))
    ops.token = "revoked-by-ops"  # OPS now answers the old token with 400 invalid_access_token
    app2 = make_app(tmp_path, ops)
    second = fetch_source(app2, "ops", date(2012, 7, 1), UNTIL)
    assert first["status"] == second["status"] == "ok"
    assert ops.tokens_issued == 2 and "EP-2533477-A1" in ids(app2)


def test_token_renewed_before_it_expires(ops):
    now = [0.0]
    client = OpsClient(
        ops.base_url, "OPS_KEY", "OPS_SECRET", requests.Session(), sleep=lambda s: None, clock=lambda: now[0]
    )
    ops.token_lifetime = "1199"
    client.request(
        "GET", "rest-services/published-data/search", "search", params={"q": cql_query("EP", SINCE, UNTIL)}
    )
    now[0] = 1200.0
    client.request(
        "GET", "rest-services/published-data/search", "search", params={"q": cql_query("EP", SINCE, UNTIL)}
    )
    assert ops.tokens_issued == 2 and client.counts["tokens"] == 2


def test_wrong_credentials_fail_the_source_readably(ops, tmp_path, monkeypatch):
    monkeypatch.setenv("OPS_SECRET", "wrong")
    result = fetch_source(make_app(tmp_path, ops), "ops", SINCE, UNTIL)
    assert result["status"] == "failed"
    assert "authentication refused: HTTP 401" in result["countries"]["EP"]["error"]
    assert "wrong" not in result["countries"]["EP"]["error"]


@pytest.mark.parametrize(
    ("search", "retrieval", "expected"),
    [
        ("green:30", "green:100", []),
        ("yellow:30", "green:100", [2.0, 2.0]),  # pace to the 30 searches a minute allowed
        ("green:30", "red:10", [12.0, 12.0]),  # red: half the allowed rate
    ],
)
def test_throttling_colours_pace_requests(ops, tmp_path, search, retrieval, expected):
    header = (
        f"busy (images=green:100, inpadoc=green:45, other=green:1000, retrieval={retrieval}, search={search})"
    )
    ops.headers["search"]["X-Throttling-Control"] = header
    ops.headers["retrieval"]["X-Throttling-Control"] = header
    sleeps: list[float] = []
    result = fetch_source(make_app(tmp_path, ops), "ops", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 3
    assert sleeps == expected


def test_black_waits_for_retry_after_then_goes_on(ops, tmp_path):
    black = "overloaded (images=green:100, inpadoc=green:45, other=green:1000, retrieval=green:100, search=black:0)"
    ops.headers["search"].update({"X-Throttling-Control": black, "Retry-After": "5000"})
    ops.fault(
        "retrieval",
        403,
        b"",
        **{
            "X-Rejection-Reason": "ThrottlingControlQuota",
            "Retry-After": "216383",
            "X-Throttling-Control": black,
        },
    )
    sleeps: list[float] = []
    result = fetch_source(make_app(tmp_path, ops), "ops", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 3
    assert sleeps == [5.0, 216.383, 5.0]


def test_black_longer_than_patience_fails_the_country(ops, tmp_path):
    ops.fault(
        "search", 403, b"", **{"X-Rejection-Reason": "ThrottlingControlQuota", "Retry-After": "3600000"}
    )
    result = fetch_source(
        make_app(tmp_path, ops, max_wait_seconds=600.0), "ops", SINCE, UNTIL, sleep=lambda s: None
    )
    assert result["countries"]["EP"]["status"] == "failed" and "3600 s" in result["countries"]["EP"]["error"]
    assert result["countries"]["US"]["status"] == "ok"  # the other country still ran


@pytest.mark.parametrize("reason", ["RegisteredQuotaPerWeek", "IndividualQuotaPerHour"])
def test_403_quota_stops_the_source_and_is_recorded(ops, tmp_path, reason):
    ops.fault("search", 403, b"", **{"X-Rejection-Reason": reason})
    app = make_app(tmp_path, ops)
    result = fetch_source(app, "ops", SINCE, UNTIL)
    assert result["status"] == "failed" and result["inserted"] == 0
    assert reason in result["countries"]["EP"]["error"]
    assert result["countries"]["US"]["status"] == "skipped"
    assert len(ops.calls["search"]) == 1  # never hammers a closed quota
    state = get_source_state(app.db, "ops", "EP")
    assert reason in state.last_error and state.error_count == 1 and state.cursor == ""


def test_5xx_is_retried_with_exponential_backoff(ops, tmp_path):
    ops.fault("retrieval", 503, b"<html>busy</html>")
    ops.fault("retrieval", 500)
    sleeps: list[float] = []
    result = fetch_source(make_app(tmp_path, ops), "ops", SINCE, UNTIL, sleep=sleeps.append)
    assert result["status"] == "ok" and result["inserted"] == 3
    assert sleeps == [2.0, 4.0] and result["plugin"]["retries"] == 2


def test_persistent_5xx_fails_one_country_and_the_others_go_on(ops, tmp_path):
    for _ in range(5):
        ops.fault("search", 502)
    app = make_app(tmp_path, ops, max_retries=4)
    sleeps: list[float] = []
    result = fetch_source(app, "ops", SINCE, UNTIL, sleep=sleeps.append)
    assert (
        result["countries"]["EP"]["status"] == "failed" and "HTTP 502" in result["countries"]["EP"]["error"]
    )
    assert sleeps == [2.0, 4.0, 8.0, 16.0]
    assert ids(app) == ["US-20120057518-A1"]
    assert app.db.execute("SELECT status FROM runs").fetchone()[0] == "failed"


def test_timeout_is_retried_then_reported():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts connections, never answers
    try:
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/3.2/"
        sleeps: list[float] = []
        client = OpsClient(
            url, "OPS_KEY", "OPS_SECRET", requests.Session(), sleep=sleeps.append, timeout=0.05, max_retries=2
        )
        client._token, client._token_expires = "t", float("inf")
        with pytest.raises(SourceUnavailable, match="gave up after 3 attempts.*Timeout"):
            client.request("GET", "rest-services/published-data/search", "search")
        assert sleeps == [2.0, 4.0]
    finally:
        silent.close()


def test_fair_use_budget_stops_before_the_share_is_used(ops, tmp_path):
    # 0.02 MB x 0.5: EP's search and biblio answers use the 10 kB up; nothing more is asked.
    app = make_app(tmp_path, ops, countries=("EP", "US", "CA"), weekly_quota_mb=0.02, max_quota_share=0.5)
    result = fetch_source(app, "ops", SINCE, UNTIL)
    assert result["countries"]["EP"]["status"] == "ok" and result["inserted"] == 2
    assert result["status"] == "failed" and "fair-use budget reached" in result["countries"]["US"]["error"]
    assert result["countries"]["CA"]["status"] == "skipped"
    assert len(ops.calls["search"]) == 1 and len(ops.calls["retrieval"]) == 1


def test_ops_reported_weekly_usage_counts_too(ops, tmp_path):
    ops.headers["search"]["X-RegisteredQuotaPerWeek-Used"] = str(4 * 1024**3)
    result = fetch_source(make_app(tmp_path, ops), "ops", SINCE, UNTIL)
    assert "fair-use budget reached" in result["countries"]["EP"]["error"]
    assert ops.calls["retrieval"] == []


def test_crash_mid_run_resumes_without_loss_or_duplicates(ops, tmp_path):
    app = make_app(tmp_path, ops, countries=("EP",), window_days=365)
    # Windows 2011, 2012, 2013, 2014: the second window's search keeps failing, so the run dies there.
    ops.rules["search"] = lambda r: (
        Response("<html>gateway</html>", status=502) if '"20120101 ' in r.args["q"] else None
    )
    crashed = fetch_source(app, "ops", date(2011, 1, 1), date(2014, 12, 31), sleep=lambda s: None)
    assert crashed["status"] == "failed" and "HTTP 502" in crashed["countries"]["EP"]["error"]
    assert ids(app) == ["EP-2400812-A1"]  # the first window landed
    assert get_source_state(app.db, "ops", "EP").cursor == "2011-12-31"  # and only it is checkpointed
    del ops.rules["search"]
    resumed = fetch_source(app, "ops", None, date(2014, 12, 31))
    assert resumed["status"] == "ok" and resumed["inserted"] == 2 and resumed["unchanged"] == 0
    assert ids(app) == ["EP-2400812-A1", "EP-2533477-A1", "EP-2533477-B1"]
    assert get_source_state(app.db, "ops", "EP").cursor == "2014-12-31"
    assert get_source_state(app.db, "ops", "EP").error_count == 0


def test_interrupted_run_keeps_stored_windows_and_resumes(ops, tmp_path):
    app = make_app(tmp_path, ops, countries=("EP",), window_days=365)
    ops.headers["retrieval"]["X-Throttling-Control"] = "busy (retrieval=yellow:60, search=green:30)"
    calls = []

    def sleep_then_die(seconds: float) -> None:
        calls.append(seconds)
        if len(calls) == 2:  # killed while pacing the second window's retrieval
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fetch_source(app, "ops", date(2011, 1, 1), date(2013, 12, 31), sleep=sleep_then_die)
    assert app.db.execute("SELECT status FROM runs").fetchone()[0] == "interrupted"
    assert get_source_state(app.db, "ops", "EP").cursor == "2011-12-31"
    stored_before = ids(app)
    assert "EP-2400812-A1" in stored_before
    ops.headers["retrieval"].clear()
    fetch_source(app, "ops", None, date(2013, 12, 31))
    assert ids(app) == ["EP-2400812-A1", "EP-2533477-A1"]


def test_fetch_legal_events_reads_inpadoc(ops, tmp_path):
    ops.legal_body = (
        CORPUS / "epo-ops-patent_client/cassette_responses/test_async_example__00.xml"
    ).read_bytes()
    app = make_app(tmp_path, ops)
    events = fetch_legal_events(app.config.sources["ops"], "EP-1000000-A1")
    assert events and all(e.date and e.code for e in events)
    assert ops.calls["inpadoc"][0].path == "/3.2/rest-services/legal/publication/docdb/EP.1000000.A1"


def test_fetch_legal_events_unknown_publication_is_empty(ops, tmp_path):
    ops.fault("inpadoc", 404, (CORPUS / "epo-ops-patent-dev/testdata__error_404.xml").read_bytes())
    app = make_app(tmp_path, ops)
    assert fetch_legal_events(app.config.sources["ops"], "US-20120057518-A1") == []
    assert ops.calls["inpadoc"][0].path.endswith("/docdb/US.2012057518.A1")


def test_quota_error_type_is_a_source_unavailable():
    assert issubclass(SourceExhausted, SourceUnavailable)


def test_pure_helpers():
    assert cql_query("VN", date(2024, 1, 1), date(2024, 1, 7)) == 'pn=VN and pd within "20240101 20240107"'
    assert cql_query("TH", date(2024, 1, 1), date(2024, 1, 7), ("B62K", "H01M")).endswith(
        " and (cpc=B62K or cpc=H01M)"
    )
    assert list(date_windows(date(2024, 1, 1), date(2024, 1, 10), 7)) == [
        (date(2024, 1, 1), date(2024, 1, 7)),
        (date(2024, 1, 8), date(2024, 1, 10)),
    ]
    assert docdb_number("US-20120057518-A1") == "US.2012057518.A1"
    assert docdb_number("EP-2400812-B1") == "EP.2400812.B1"
    header = "busy (images=green:100, inpadoc=yellow:45, other=green:1000, retrieval=red:10, search=black:0)"
    assert parse_throttling(header, "inpadoc").colour == "yellow"
    assert parse_throttling(header, "search").per_minute == 0 and parse_throttling(header, "x") is None
    assert retry_after_seconds("216383", 60.0) == 216.383 and retry_after_seconds(None, 60.0) == 60.0


def test_bytes_of_earlier_runs_this_week_count_against_the_budget(ops, tmp_path):
    first = fetch_source(make_app(tmp_path, ops), "ops", SINCE, date(2012, 6, 30))
    used = first["plugin"]["bytes"]
    assert used > 0
    searches = len(ops.calls["search"])
    tight = make_app(tmp_path, ops, weekly_quota_mb=used / 1024**2, max_quota_share=1.0)  # same database
    second = fetch_source(tight, "ops", date(2012, 7, 1), UNTIL)
    assert "fair-use budget reached" in second["countries"]["EP"]["error"]
    assert len(ops.calls["search"]) == searches  # stopped before asking OPS anything


def test_one_day_over_the_cap_takes_the_reachable_2000_and_says_so(ops, tmp_path, caplog):
    template = min(ops.docs.values(), key=len)
    ops.add({f"EP.{8000000 + i}.A1": clone(template, str(8000000 + i), "20240103") for i in range(2050)})
    app = make_app(tmp_path, ops, countries=("EP",), window_days=1)
    result = fetch_source(app, "ops", date(2024, 1, 3), date(2024, 1, 3))
    assert result["inserted"] == 2000 and result["plugin"]["unreachable_hits"] == 50
    assert "only the first 2000 are reachable" in caplog.text
    assert ops.calls["search"][-1].headers["Range"] == "1901-2000"
