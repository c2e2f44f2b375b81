"""``warning run --once`` end to end: real sources on loopback, runs recorded, exit codes, logs."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from click.testing import CliRunner
from service_support import (
    OPS_KEY,
    OPS_SECRET,
    corpus_replies,
    ops_config,
    refuse_ops_login,
    serve_ep_publication_server,
    serve_ops,
)

from warning.cli import cli
from warning.store import open_db
from warning.store.runs import last_run_by_job


@pytest.fixture
def ops_env(monkeypatch):
    monkeypatch.setenv("TEST_OPS_KEY", OPS_KEY)
    monkeypatch.setenv("TEST_OPS_SECRET", OPS_SECRET)
    monkeypatch.delenv("WARNING_DB")  # the config's database is used


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="warning", catch_exceptions=False)


def test_once_fetches_from_the_source_records_the_run_and_exits_0(tmp_path, httpserver, corpus, ops_env):
    serve_ops(httpserver, corpus_replies(corpus))
    config = ops_config(tmp_path, httpserver.url_for("/"))
    result = invoke("--config", str(config), "run", "--once")
    assert result.exit_code == 0, result.output
    assert "1 job(s) run (fetch:ops); 0 failed" in result.output
    db = open_db(tmp_path / "service.db")
    runs = list(db.query("SELECT job, source, status, counts FROM runs"))
    assert [(r["job"], r["source"], r["status"]) for r in runs] == [("fetch:ops", "ops", "ok")]
    assert json.loads(runs[0]["counts"])["inserted"] == 3  # the three documents of the biblio reply
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == 3
    # Nothing is due any more: a second cycle runs nothing and still exits 0.
    again = invoke("--config", str(config), "run", "--once")
    assert again.exit_code == 0 and "nothing was due" in again.output
    assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
    db.conn.close()


def test_once_with_a_failing_job_exits_1_records_it_and_keeps_secrets_out_of_the_log(
    tmp_path, httpserver, ops_env
):
    refuse_ops_login(httpserver)
    config = ops_config(tmp_path, httpserver.url_for("/"))
    result = invoke("--config", str(config), "run", "--once")
    assert result.exit_code == 1
    assert "job fetch:ops failed" in result.output and "OPS authentication refused: HTTP 401" in result.output
    db = open_db(tmp_path / "service.db")
    last = last_run_by_job(db)["fetch:ops"]
    assert last["status"] == "failed" and "HTTP 401" in last["error"]
    # Nothing stored in the database quotes the secret either (runs, source state).
    stored = [r["error"] for r in db.query("SELECT error FROM runs")]
    stored += [r["last_error"] for r in db.query("SELECT last_error FROM source_state")]
    assert stored and not any(OPS_SECRET in (e or "") for e in stored)
    db.conn.close()
    log = (tmp_path / "logs" / "warning.log").read_text(encoding="utf-8")
    assert "HTTP 401" in log and "***" in log  # the refusal is logged, with the echoed secret redacted
    assert OPS_SECRET not in log
    status = invoke("--config", str(config), "status", "--json").output
    assert "bad secret ***" in status and OPS_SECRET not in status
    assert all(line[:4].isdigit() for line in log.splitlines())  # one line per event, each timestamped


def test_once_retries_a_failed_job_on_the_next_cycle(tmp_path, httpserver, corpus, ops_env):
    refuse_ops_login(httpserver)
    config = ops_config(tmp_path, httpserver.url_for("/"))
    assert invoke("--config", str(config), "run", "--once").exit_code == 1
    httpserver.clear()
    serve_ops(httpserver, corpus_replies(corpus))
    # Polling: the failed check is asked again after the retry interval (30 min by default).
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=31)):
        assert invoke("--config", str(config), "run", "--once").exit_code == 0  # due: not found yet
    db = open_db(tmp_path / "service.db")
    assert [r["status"] for r in db.query("SELECT status FROM runs ORDER BY id")] == ["failed", "ok"]
    db.conn.close()


def test_a_config_with_no_sources_and_no_watchlists_does_nothing(tmp_path):
    (tmp_path / "config.toml").write_text('[logging]\nlevel = "WARNING"\n', encoding="utf-8")
    result = invoke("--config", str(tmp_path / "config.toml"), "run", "--once")
    assert result.exit_code == 0, result.output
    assert "0 job(s) run (nothing was due); 0 failed" in result.output


def test_a_bad_schedule_is_refused_before_anything_runs(tmp_path):
    (tmp_path / "config.toml").write_text('[schedule.jobs]\nfetch = "0 6 * * tue"\n', encoding="utf-8")
    result = invoke("--config", str(tmp_path / "config.toml"), "run", "--once")
    assert result.exit_code == 1
    assert "unknown job 'fetch' in [schedule.jobs]" in result.output and "valid jobs:" in result.output
    assert "Traceback" not in result.output
    check = invoke("--config", str(tmp_path / "config.toml"), "check-config")
    assert check.exit_code == 1 and "unknown job 'fetch'" in check.output


def test_status_shows_sources_jobs_and_next_runs(tmp_path, httpserver, corpus, ops_env):
    serve_ops(httpserver, corpus_replies(corpus))
    config = ops_config(tmp_path, httpserver.url_for("/"), extra='\n[schedule]\ntimezone = "Asia/Shanghai"\n')
    assert invoke("--config", str(config), "run", "--once").exit_code == 0
    info = json.loads(invoke("--config", str(config), "status", "--json").output)
    for key in ("publications", "quarantined", "matches", "alerts_pending", "alerts_sent", "alerts_dead"):
        assert isinstance(info[key], int)
    assert info["publications"] == 3 and sum(info["publications_by_country"].values()) == 3
    (job,) = info["schedule"]
    # OPS's daily load polls from 05:00 UTC; what this run stored counts as today's load.
    assert (job["job"], job["cron"], job["timezone"]) == ("fetch:ops", "* * * * *", "UTC")
    assert job["polling"]["state"] == "published" and job["polling"]["release"] == "daily load"
    assert job["next_run"].endswith("T05:00:00+00:00")
    assert job["last_run"]["status"] == "ok" and job["last_success"]
    assert info["last_runs"]["fetch:ops"]["counts"]["inserted"] == 3
    (source,) = info["sources"]
    assert source["source"] == "ops" and source["country"] == "EP" and source["last_success"]
    text = invoke("--config", str(config), "status").output
    assert "publications 公开文献" in text and "jobs 任务" in text
    assert "fetch:ops  polls from publication time" in text and " UTC " in text and " ok: inserted 3" in text
    assert "daily load expected" in text and "published / 已发布" in text


SUBSCRIBER = """
[[subscribers]]
name = "lighting-association"
kind = "association"
language = "en"
watchlists = ["led-lighting"]
file = "outbox/alerts.jsonl"
digest_period = "week"
"""


def test_once_with_a_subscriber_runs_every_delivery_job_in_pipeline_order(
    tmp_path, httpserver, corpus, ops_env
):
    serve_ops(httpserver, corpus_replies(corpus))
    config = ops_config(tmp_path, httpserver.url_for("/"), extra=SUBSCRIBER)
    result = invoke("--config", str(config), "run", "--once")
    assert result.exit_code == 0, result.output
    db = open_db(tmp_path / "service.db")
    ran = [(r["job"], r["status"]) for r in db.query("SELECT job, status FROM runs ORDER BY id")]
    db.conn.close()
    assert ran == [("fetch:ops", "ok"), ("reminders", "ok"), ("alerts", "ok"), ("digests", "ok")]
    assert "4 job(s) run (fetch:ops, reminders, alerts, digests); 0 failed" in result.output


WATCHLIST = """
name = "consumer-electronics"
title = { zh = "消费电子", en = "Consumer electronics" }
description = "Wireless connectivity of consumer devices."
countries = ["EP"]
keywords = ["bluetooth", "wireless network"]
cpc = ["H04W"]
ipc = ["H04W"]
applicants = []
"""

FOLLOWER = """
[[subscribers]]
name = "acme-electronics"
kind = "enterprise"
language = "en"
watchlists = ["consumer-electronics"]
file = "outbox/alerts.jsonl"

[risks]
legal_source = "ops"

[[risks.auto_open]]
min_score = 0.0
enterprise = "acme-electronics"
owner = "acme-electronics"
"""


def test_once_runs_the_whole_pipeline_fetch_classify_alert(tmp_path, httpserver, corpus, ops_env):
    serve_ops(httpserver, corpus_replies(corpus))
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "consumer-electronics.toml").write_text(WATCHLIST, encoding="utf-8")
    config = ops_config(tmp_path, httpserver.url_for("/"), extra=FOLLOWER)
    result = invoke("--config", str(config), "run", "--once")
    assert result.exit_code == 0, result.output
    assert "(fetch:ops, classify, legal, reminders, alerts, digests, train); 0 failed" in result.output
    db = open_db(tmp_path / "service.db")
    ran = [r["job"] for r in db.query("SELECT job FROM runs WHERE status = 'ok' ORDER BY id")]
    matches = db.execute("SELECT count(*) FROM matches").fetchone()[0]
    sent = db.execute("SELECT count(*) FROM alerts WHERE kind = 'match' AND status = 'sent'").fetchone()[0]
    cases = db.execute("SELECT count(*) FROM risk_cases").fetchone()[0]
    uncovered = db.execute(
        "SELECT count(*) FROM matches m WHERE m.publication_id NOT IN "
        "(SELECT publication_id FROM risk_cases UNION SELECT publication_id FROM risk_family)"
    ).fetchone()[0]
    events = db.execute("SELECT count(*) FROM legal_events").fetchone()[0]
    db.conn.close()
    assert ran[:4] == ["fetch:ops", "classify", "queue_alerts", "auto_open"]
    assert ran[4:] == ["legal", "reminders", "alerts", "digests", "train"]
    assert matches >= 1 and sent == matches  # every match became one delivered alert
    # the auto-open rule takes every score: each match opened a case or is a member of its
    # invention's case (one case per invention)
    assert 1 <= cases <= matches and uncovered == 0
    assert events >= 1  # whose legal status was read from the (loopback) OPS
    delivered = (tmp_path / "outbox" / "alerts.jsonl").read_text(encoding="utf-8")
    assert "EP-2533477" in delivered or "EP-2400812" in delivered


def test_once_fetches_every_source_then_classifies_once(tmp_path, httpserver, corpus, ops_env):
    serve_ops(httpserver, corpus_replies(corpus))
    last_wednesday = date.today() - timedelta(days=(date.today().weekday() - 2) % 7 or 7)
    eps_url = serve_ep_publication_server(httpserver, corpus, last_wednesday)
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "consumer-electronics.toml").write_text(WATCHLIST, encoding="utf-8")
    ep_source = (
        f'\n[sources.ep]\nkind = "ep_publication_server"\nbase_url = "{eps_url}"\ncountries = ["EP"]\n'
    )
    config = ops_config(tmp_path, httpserver.url_for("/"), extra=ep_source)
    result = invoke("--config", str(config), "run", "--once")
    assert result.exit_code == 0, result.output
    assert "(fetch:ops, fetch:ep, classify, train); 0 failed" in result.output
    db = open_db(tmp_path / "service.db")
    fetched = {
        r["job"]: json.loads(r["counts"])["inserted"]
        for r in db.query("SELECT * FROM runs WHERE job LIKE 'fetch:%'")
    }
    classified = json.loads(db.execute("SELECT counts FROM runs WHERE job = 'classify'").fetchone()[0])
    db.conn.close()
    assert fetched == {"fetch:ops": 3, "fetch:ep": 2}
    assert classified["publications"] == 5  # one classify pass over both sources' publications
