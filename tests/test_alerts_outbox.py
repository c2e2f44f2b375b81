"""The outbox: each match queued once per address, retried with backoff, dead-lettered, batched."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from alerts_support import NOW, add_match, add_watchlist, alert_rows, free_port, make_test_app, smtp_server

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import enqueue, queue_alerts
from warning.errors import WarningError
from warning.service.status import collect_status
from warning.store.outbox import attempts_for

FILE_SUB = """
[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
min_score = 0.6
countries = ["EP", "US"]
file = "out/acme.jsonl"
"""


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_match_is_queued_once_per_address_and_filtered(tmp_path):
    app = make_test_app(
        tmp_path, FILE_SUB.replace('file = "out/acme.jsonl"', 'file = "out/acme.jsonl"\nconsole = true')
    )
    add_match(app, "EP-4123456-A1", score=0.9)
    add_match(app, "US-20240123456-A1", score=0.55)  # below min_score
    add_match(app, "CN-117000000-A", score=0.95)  # country not followed
    add_match(app, "EP-4999999-A1", watchlist="led-lighting", score=0.99)  # watchlist not followed
    add_match(
        app, "US-11000000-B2", score=0.7, created_at="2026-09-01T00:00:00+00:00"
    )  # beyond lookback_days
    first = queue_alerts(app, now=NOW)
    assert first == {"subscribers": 1, "matches": 1, "queued": 2, "updates": 0}
    assert {r["key"] for r in alert_rows(app)} == {
        "match:EP-4123456-A1:motorcycles:acme:file:out/acme.jsonl",
        "match:EP-4123456-A1:motorcycles:acme:console:stdout",
    }
    assert queue_alerts(app, now=NOW)["queued"] == 0
    add_match(app, "EP-4123456-A1", score=0.93)  # re-scored: still one alert
    assert queue_alerts(app, now=NOW + timedelta(hours=1))["queued"] == 0


def test_file_channel_writes_jsonl_and_html_once(tmp_path):
    app = make_test_app(tmp_path, FILE_SUB)
    add_watchlist(app)
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    assert dispatch(app, now=NOW)["sent"] == 1
    assert dispatch(app, now=NOW, respect_backoff=False)["due"] == 0
    [record] = read_jsonl(tmp_path / "out" / "acme.jsonl")
    assert record["items"][0]["publication_id"] == "EP-4123456-A1"
    index = (tmp_path / "out" / "acme.html").read_text(encoding="utf-8")
    assert "EP4123456A1" in index and f'href="{record["page"]}"' in index
    page = (tmp_path / "out" / record["page"]).read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Suggested next step" in page


def test_weekly_subscriber_gets_one_batch_at_its_period(tmp_path):
    app = make_test_app(tmp_path, FILE_SUB.replace("min_score = 0.6", 'min_score = 0.6\nmode = "weekly"'))
    for n in range(3):
        add_match(app, f"EP-412345{n}-A1")
    queue_alerts(app, now=NOW)  # Tuesday
    assert {r["next_attempt_at"] for r in alert_rows(app)} == {"2026-11-30T00:00:00+00:00"}  # next Monday
    assert dispatch(app, now=NOW)["due"] == 0
    assert dispatch(app, now=NOW, respect_backoff=False)["due"] == 0  # by hand: still not a retry
    result = dispatch(app, now=NOW + timedelta(days=6))
    assert result == {"due": 3, "messages": 1, "sent": 3, "failed": 0, "dead": 0}
    [record] = read_jsonl(tmp_path / "out" / "acme.jsonl")
    assert len(record["items"]) == 3 and record["subject"] == "[Patent early warning] 3 new patent alerts"


def test_enqueue_from_other_areas_with_their_own_keys(tmp_path):
    app = make_test_app(tmp_path, FILE_SUB.replace('language = "en"', 'language = "zh"'))
    row = {
        "key": "reminder:7:opposition:2026-12-01:acme:file:out/acme.jsonl",
        "kind": "reminder",
        "subscriber": "acme",
        "channel": "file",
        "address": "out/acme.jsonl",
        "case_id": 7,
        "payload": {"title": "异议期限还有 7 天", "body": "案件 #7：EP-4123456-B1 的异议期限为 2026-12-01。"},
    }
    assert enqueue(app.db, [row], now=NOW) == 1
    assert enqueue(app.db, [row], now=NOW) == 0
    with pytest.raises(WarningError, match="kind"):
        enqueue(app.db, [{**row, "key": "x", "kind": "gossip"}])
    assert dispatch(app, now=NOW)["sent"] == 1
    [record] = read_jsonl(tmp_path / "out" / "acme.jsonl")
    assert record["subject"] == "[专利预警] 异议期限还有 7 天" and "2026-12-01" in record["text"]


def test_outage_alerts_wait_then_each_is_delivered_exactly_once(tmp_path):
    port = free_port()
    app = make_test_app(
        tmp_path,
        f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
timeout = 5.0

[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
email = ["ip@acme.example", "ceo@acme.example"]
""",
    )
    for n in range(3):
        add_match(app, f"EP-412345{n}-A1")
    queue_alerts(app, now=NOW)
    down = dispatch(app, now=NOW)  # nobody listens on the port
    # Three refused connections in a row: the host's other alerts wait for the next run, unattempted.
    assert down["failed"] == 3 and down["deferred"] == 3 and down["sent"] == 0
    assert collect_status(app.db)["alerts_pending"] == 6
    with smtp_server(port) as sink:
        soon = dispatch(app, now=NOW + timedelta(seconds=30))  # the deferred go; the failed back off
        up = dispatch(app, now=NOW + timedelta(seconds=61))
        again = dispatch(app, now=NOW + timedelta(hours=2), respect_backoff=False)
        queue_alerts(app, now=NOW + timedelta(hours=2))
        third = dispatch(app, now=NOW + timedelta(hours=3))
    assert soon["sent"] == 3 and up["sent"] == 3 and again["due"] == 0 and third["due"] == 0
    received = sorted((m["To"], m["Subject"]) for m in sink.messages)
    assert len(received) == 6 and len(set(received)) == 6
    status = collect_status(app.db)
    assert status["alerts_pending"] == 0 and status["alerts_sent"] == 6
    attempts = {r["address"]: [] for r in alert_rows(app)}
    for row in alert_rows(app):
        attempts[row["address"]].append([a["ok"] for a in attempts_for(app.db, row["id"])])
    assert attempts == {"ceo@acme.example": [[0, 1]] * 3, "ip@acme.example": [[1]] * 3}


def test_backoff_doubles_to_its_cap_then_dead_letter(tmp_path, httpserver):
    app = make_test_app(
        tmp_path,
        f"""
[alerts]
max_attempts = 4
backoff_seconds = 60.0
backoff_cap_seconds = 100.0

[[subscribers]]
name = "acme"
watchlists = ["motorcycles"]
webhook = ["{httpserver.url_for("/hook")}"]
""",
    )
    httpserver.expect_request("/hook").respond_with_data("down", status=503)
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    delays, moment = [], NOW
    for _ in range(3):
        dispatch(app, now=moment)
        [row] = alert_rows(app)
        delays.append(int((_parse(row["next_attempt_at"]) - moment).total_seconds()))
        moment = _parse(row["next_attempt_at"])
    assert delays == [60, 100, 100]  # 60, 120 capped to 100, 240 capped to 100
    assert dispatch(app, now=moment)["dead"] == 1
    [row] = alert_rows(app)
    assert row["status"] == "dead" and row["attempts"] == 4 and row["last_error"] == "HTTP 503"
    status = collect_status(app.db)
    assert status["alerts_dead"] == 1 and status["alerts_pending"] == 0
    assert dispatch(app, now=moment + timedelta(days=1), respect_backoff=False)["due"] == 0


def test_a_live_claim_is_not_sent_twice(tmp_path):
    from warning.clock import iso
    from warning.delivery.dispatch import LEASE, this_process
    from warning.store.outbox import claim

    app = make_test_app(tmp_path, FILE_SUB)
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    [row] = alert_rows(app)
    assert claim(app.db, [row], this_process(), iso(NOW + LEASE)) == [row["id"]]  # another thread sends it
    assert dispatch(app, now=NOW, respect_backoff=False)["due"] == 0
    assert dispatch(app, now=NOW + LEASE)["sent"] == 1  # the lease ran out: presumed crashed


def test_two_dispatchers_reading_the_same_row_send_it_once(tmp_path):
    from warning.clock import iso
    from warning.delivery.dispatch import LEASE, this_process
    from warning.store.outbox import claim, due_alerts

    app = make_test_app(tmp_path, FILE_SUB)
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    seen_by_slow_dispatcher = due_alerts(app.db, iso(NOW), True)
    assert dispatch(app, now=NOW)["sent"] == 1  # the fast one sends and records
    assert claim(app.db, seen_by_slow_dispatcher, this_process(), iso(NOW + LEASE)) == []
    assert len((tmp_path / "out" / "acme.jsonl").read_text().splitlines()) == 1


def _parse(text):
    from datetime import datetime

    return datetime.fromisoformat(text)


def test_subscriber_typos_are_errors_not_silence(tmp_path, monkeypatch):
    from warning.delivery.queue import config_problems
    from warning.errors import ConfigError

    with pytest.raises(ConfigError) as loading:  # the config's own rules, when it is loaded
        make_test_app(
            tmp_path,
            """
[smtp]
security = "tls"

[[subscribers]]
name = "acme"
mode = "weekley"
language = "fr"
email = ["ip.acme.example"]

[[subscribers]]
name = "acme"
""",
        )
    problems = str(loading.value)
    assert "subscribers: the name 'acme' is used by more than one subscriber" in problems
    assert "subscribers[0].mode must be one of immediate, daily, weekly, not 'weekley'" in problems
    assert "subscribers[0].language must be one of zh, en, not 'fr'" in problems
    assert (
        "subscribers[0].email[0] must be an e-mail address (name@example.org), not 'ip.acme.example'"
        in problems
    )
    assert "smtp.security must be one of starttls, ssl, none, not 'tls'" in problems
    with pytest.raises(ConfigError) as loading:  # an address's form, declared by its channel
        make_test_app(
            tmp_path, '[[subscribers]]\nname = "acme"\ndingtalk = ["oapi.dingtalk.com/robot/send"]\n'
        )
    assert (
        "subscribers[0].dingtalk[0] must be an http:// or https:// URL, not 'oapi.dingtalk.com/robot/send'"
        in str(loading.value)
    )
    monkeypatch.setenv("ACME_ROBOT", "oapi.dingtalk.com/robot/send")  # what a variable holds: when used
    app = make_test_app(tmp_path, '[[subscribers]]\nname = "acme"\ndingtalk_env = ["ACME_ROBOT"]\n')
    problems = config_problems(app.config)
    assert (
        "subscriber acme: dingtalk_env variable ACME_ROBOT does not hold an http:// or https:// URL"
        in problems
    )
    with pytest.raises(ConfigError, match="dingtalk"):
        queue_alerts(app, now=NOW)
