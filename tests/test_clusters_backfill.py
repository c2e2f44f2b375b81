"""`warning clusters backfill` against a local OPS serving the corpus's recorded real documents."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clusters_support import TODAY, make_app, serve_corpus, stored_ids, write_setup
from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps, clone
from warning.clusters.backfill import backfill, requests_for
from warning.clusters.queries import competitor_term, keyword_term
from warning.store.fetch_usage import bytes_fetched_since

REAL = [
    "CA-2744162-A1",
    "EP-2400812-A1",
    "EP-2400812-B1",
    "EP-2533477-A1",
    "EP-2533477-B1",
    "US-20120057518-A1",
    "US-9648662-B2",
]


@pytest.fixture
def ops(httpserver, corpus, monkeypatch):
    corpus("epo-ops-patent-dev", "get_biblio_multiple__response.xml")
    fake = serve_corpus(httpserver, monkeypatch)
    return fake


def clones(ops: FakeOps, count: int, start: int, days: list[str]) -> list[str]:
    template = ops.docs["EP.2400812.A1"]  # a real 9Solutions Bluetooth document
    numbers = {
        f"EP.{start + i}.A1": clone(template, str(start + i), days[i % len(days)]) for i in range(count)
    }
    ops.add(numbers)
    return [f"EP-{start + i}-A1" for i in range(count)]


def test_terms_are_what_ops_searches():
    assert keyword_term("motorcycl") == "ta=motorcycl*"
    assert keyword_term("swing arm") == 'ta="swing arm"'
    assert keyword_term("摩托车") == "" and keyword_term("Zweirad") == "ta=zweirad*"
    assert competitor_term("Honda Motor Co., Ltd.") == 'pa="honda motor"'
    assert competitor_term("本田技研工業株式会社") == ""


def test_backfill_stores_the_cluster_history_and_marks_it(ops, tmp_path):
    app = make_app(tmp_path, ops.base_url)
    result = backfill(app, "bluetooth", today=TODAY)
    assert result["status"] == "ok", result
    # Only what the filters find: the real Bluetooth family, not the Siemens or Microsoft documents.
    assert stored_ids(app) == REAL
    origins = dict(app.db.execute("SELECT publication_id, origin FROM cluster_publications").fetchall())
    assert set(origins) == set(REAL) and set(origins.values()) == {"backfill"}
    queries = {r.args["q"] for r in ops.calls["search"]}
    assert 'pn=EP and pd within "20111201 20261201" and (ta=bluetooth*)' in queries
    assert 'pn=CA and pd within "20111201 20261201" and (pa="9solutions")' in queries
    assert result["windows_done"] == 6 and result["plugin"]["bytes"] > 0
    again = backfill(app, "bluetooth", today=TODAY)  # everything done: nothing asked again
    assert again["plugin"].get("requests", 0) == 0 and stored_ids(app) == REAL


def test_a_window_over_the_cap_is_split_by_date_halves(ops, tmp_path):
    app = make_app(tmp_path, ops.base_url)
    made = clones(ops, 2300, 7000000, ["20150105", "20160601", "20180301", "20200801", "20230115"])
    result = backfill(app, "bluetooth", today=TODAY)
    assert result["status"] == "ok" and result["splits"] >= 2  # one per filter at least
    assert set(made) <= set(stored_ids(app))
    ranges = [r.headers["Range"] for r in ops.calls["search"]]
    assert all(int(r.split("-")[1]) <= 2000 for r in ranges)
    split = app.db.execute("SELECT count(*) FROM cluster_windows WHERE status = 'split'").fetchone()[0]
    assert split == result["splits"] and result.get("windows_pending", 0) == 0


def test_quota_share_pauses_the_backfill_and_the_next_run_goes_on(ops, tmp_path):
    clones(ops, 400, 7100000, ["20170105", "20190601", "20210301"])
    app = make_app(tmp_path, ops.base_url, weekly_quota_mb=4.0, page_size=50, batch_size=50)
    first = backfill(app, "bluetooth", today=TODAY)  # share 0.5 of 4 MB: 2 MB
    assert first["status"] == "paused" and "fair-use budget" in first["error"]
    used = bytes_fetched_since(app.db, "ops", "2000-01-01")
    assert 2 * 1024 * 1024 <= used < 2 * 1024 * 1024 + 700_000  # stops before the next request
    assert first["windows_pending"] >= 1
    app.config.sources["ops"] = _with_quota(app.config.sources["ops"], 400.0)
    second = backfill(app, "bluetooth", today=TODAY)
    assert second["status"] == "ok" and len(stored_ids(app)) == 407


def _with_quota(source, mb: float):
    import dataclasses

    return dataclasses.replace(source, options=dataclasses.replace(source.options, weekly_quota_mb=mb))


def test_dry_run_estimates_requests_and_bytes_and_stores_nothing(ops, tmp_path):
    clones(ops, 250, 7200000, ["20170105", "20200601"])
    app = make_app(tmp_path, ops.base_url)
    result = backfill(app, "bluetooth", dry_run=True, today=TODAY)
    est = result["estimate"]
    per_window = [
        len(ops.hits(country, "20111201", "20261201", [term]))
        for country in ("EP", "US", "CA")
        for term in (("ta", "bluetooth*"), ("pa", '"9solutions"'))
    ]
    assert per_window == [254, 254, 2, 2, 1, 1]  # 250 clones + 4 real EP documents, by either filter
    assert est["hits"] == sum(per_window)
    assert est["probe_requests"] == 6 + 1  # one search per window, and the token
    assert est["requests"] == sum(requests_for(n) for n in per_window)
    assert est["bytes"] > est["hits"] * 12_000
    assert stored_ids(app) == [] and app.db.execute("SELECT count(*) FROM cluster_windows").fetchone()[0] == 0
    assert all(r.headers["Range"] == "1-1" for r in ops.calls["search"])


def test_requests_for_counts_splits_pages_and_batches():
    assert requests_for(0) == 1
    assert requests_for(250) == 3 + 3  # 3 search pages, 3 biblio batches
    assert requests_for(4500) == (2 * 4 - 1) + (45 - 4) + 45  # split in 4 parts


_CHILD = """
import sys
from warning.app import make_app
from warning.clusters.backfill import backfill
from tests.clusters_support import TODAY

app = make_app(sys.argv[1])
def progress(stored, total):
    print("page", stored, flush=True)
backfill(app, "bluetooth", progress=progress, today=TODAY)
print("finished", flush=True)
"""


def test_kill_9_halfway_then_rerun_loses_and_duplicates_nothing(ops, tmp_path):
    made = clones(ops, 600, 7300000, ["20140105", "20160601", "20190301", "20220801"])
    config = write_setup(tmp_path, ops.base_url, page_size=25, batch_size=25)
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "WARNING_DB": str(tmp_path / "kill.db"),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(config)], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path
    )
    pages = 0
    for line in child.stdout:
        pages += line.startswith("page")
        if pages == 7:  # in the middle of the first EP window
            os.kill(child.pid, signal.SIGKILL)
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    app = make_app(tmp_path, ops.base_url, page_size=25, batch_size=25)
    app.db_path = tmp_path / "kill.db"
    partial = len(stored_ids(app))
    assert 0 < partial < 607
    killed = app.db.execute(
        "SELECT status, counts FROM runs WHERE job = 'clusters:backfill:bluetooth'"
    ).fetchone()
    assert killed[0] == "running" and '"bytes"' in killed[1]  # its bytes count against the quota
    searches_before = len(ops.calls["search"])
    result = backfill(app, "bluetooth", today=TODAY)
    assert result["status"] == "ok" and result.get("windows_pending", 0) == 0
    assert stored_ids(app) == sorted([*made, *REAL])
    marks = app.db.execute("SELECT origin, count(*) FROM cluster_publications GROUP BY origin").fetchall()
    assert marks == [("backfill", 607)]  # the killed run's pages were marked before they were stored
    first_resumed = ops.calls["search"][searches_before]
    assert first_resumed.headers["Range"] != "1-25"  # resumed at its page, not from the start


WATCHLIST = """
name = "bluetooth"
description = "Bluetooth networks of mobile devices and access points."
keywords = ["bluetooth"]
cpc = ["H04W84/18", "H04W84/20"]
"""


def test_backfilled_publications_are_classified_but_raise_no_alert(ops, tmp_path):
    from dataclasses import replace

    from warning.classify.run import classify_pending
    from warning.delivery.queue import queue_alerts
    from warning.models import Publication
    from warning.store.publications import get_publication, save_publications

    app = make_app(tmp_path, ops.base_url)
    (tmp_path / "watchlists" / "bluetooth.toml").write_text(WATCHLIST, encoding="utf-8")
    app.config = replace(app.config, alerts=replace(app.config.alerts, lookback_days=0))
    backfill(app, "bluetooth", today=TODAY)
    real = get_publication(app.db, "EP-2400812-A1")
    fresh = Publication(**{**real.__dict__, "id": "EP-4999999-A1", "number": "4999999"})
    save_publications(app.db, [fresh])  # as a regular fetch would bring it
    counts = classify_pending(app)
    matched = {r[0] for r in app.db.execute("SELECT publication_id FROM matches").fetchall()}
    assert counts["matches"] >= 5 and {"EP-2400812-A1", "EP-4999999-A1"} <= matched
    queued = queue_alerts(app)
    alerted = {r[0] for r in app.db.execute("SELECT publication_id FROM alerts").fetchall()}
    assert alerted == {"EP-4999999-A1"} and queued["queued"] == 2  # one per subscriber


def test_a_later_run_backfills_only_the_new_days_and_estimates_from_what_it_measured(ops, tmp_path):
    from datetime import timedelta

    clones(ops, 300, 7400000, ["20190105", "20200601"])
    app = make_app(tmp_path, ops.base_url)
    backfill(app, "bluetooth", today=TODAY)
    clones(ops, 200, 7500000, ["20261215", "20261220"])  # published after the first run
    later = TODAY + timedelta(days=30)
    dry = backfill(app, "bluetooth", dry_run=True, today=later)["estimate"]
    assert dry["hits"] == 2 * 200  # only the new windows: 2026-12-02..2026-12-31, by either filter
    searched = len(ops.calls["search"])
    result = backfill(app, "bluetooth", today=later)
    asked = result["plugin"]
    # The second filter finds the same 200: held already, their biblio is not asked again, so the
    # estimate (priced at what this cluster's hits cost so far) is an upper bound, within 2x.
    assert result["already_held"] == 200 and result["inserted"] == 200
    assert asked["requests"] <= dry["requests"] + 1  # + the token
    assert 0.4 * dry["bytes"] <= asked["bytes"] <= 1.1 * dry["bytes"]
    new_queries = {r.args["q"] for r in ops.calls["search"][searched:]}
    assert all('within "20261202 20261231"' in q for q in new_queries)


def test_nothing_to_find_closes_every_window_with_nothing_stored(httpserver, corpus, monkeypatch, tmp_path):
    corpus("epo-ops-patent-dev", "testdata__error_404.xml")
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    empty = FakeOps(httpserver, CORPUS)  # OPS answers each search with its real 404 fault
    app = make_app(tmp_path, empty.base_url)
    result = backfill(app, "bluetooth", today=TODAY)
    assert result["status"] == "ok" and result["windows_done"] == 6 and stored_ids(app) == []
    assert not empty.calls["retrieval"]


def test_garbage_replies_fail_the_run_keep_the_cursor_and_a_rerun_finishes(ops, tmp_path):
    from werkzeug import Response

    from warning.errors import SourceUnavailable

    clones(ops, 120, 7600000, ["20180105"])
    app = make_app(tmp_path, ops.base_url, max_retries=1, backoff_seconds=0, page_size=50, batch_size=50)
    html = Response("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", content_type="text/html")
    calls = {"n": 0}

    def second_page_is_garbage(request):
        calls["n"] += 1
        return html if request.headers.get("Range") == "51-100" and calls["n"] < 10 else None

    ops.rules["search"] = second_page_is_garbage
    with pytest.raises(SourceUnavailable):
        backfill(app, "bluetooth", today=TODAY, sleep=lambda s: None)
    window = app.db.execute(
        "SELECT next_begin, status FROM cluster_windows WHERE country = 'EP' ORDER BY query LIMIT 1"
    ).fetchone()
    assert window == (51, "pending")  # the first page is stored, the cursor waits at the second
    run = app.db.execute("SELECT status FROM runs WHERE job = 'clusters:backfill:bluetooth'").fetchone()[0]
    assert run == "failed"
    ops.rules.clear()
    result = backfill(app, "bluetooth", today=TODAY)
    assert result["status"] == "ok" and len(stored_ids(app)) == 127
    assert app.db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0


def test_a_cluster_without_countries_cannot_backfill(ops, tmp_path):
    from tests.clusters_support import CLUSTER_TOML
    from warning.errors import ConfigError

    app = make_app(tmp_path, ops.base_url)
    text = CLUSTER_TOML.replace('countries = ["EP", "US", "CA"]', "countries = []")
    (tmp_path / "clusters" / "bluetooth.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="give the cluster `countries`"):
        backfill(app, "bluetooth", today=TODAY)


def test_cli_dry_run_then_backfill_with_a_progress_bar(ops, tmp_path):
    from click.testing import CliRunner

    from warning.cli import cli

    config = write_setup(tmp_path, ops.base_url)
    base = ["--config", str(config), "--db", str(tmp_path / "cli.db")]
    runner = CliRunner()
    dry = runner.invoke(
        cli, [*base, "clusters", "backfill", "bluetooth", "--dry-run", "--today", "2026-12-01"]
    )
    assert dry.exit_code == 0, dry.output
    assert "6 window(s) over 2011-12-01..2026-12-01" in dry.output and "hits to fetch: 14" in dry.output
    assert "estimated requests:" in dry.output and "this estimate used 7 request(s)" in dry.output
    run = runner.invoke(cli, [*base, "clusters", "backfill", "bluetooth", "--today", "2026-12-01"])
    assert run.exit_code == 0, run.output
    assert "cluster bluetooth: ok; inserted 7" in run.output and "backfill bluetooth" in run.output  # the bar
