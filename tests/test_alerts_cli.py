"""The alerts commands: alerts [--dry-run] [--dead] [--revive], test-channel."""

from __future__ import annotations

import json

from alerts_support import add_match, alert_rows, make_test_app
from click.testing import CliRunner

from warning.cli import cli
from warning.delivery.queue import enqueue


def run(tmp_path, *args):
    base = ["--config", str(tmp_path / "config.toml"), "--db", str(tmp_path / "alerts.db")]
    return CliRunner().invoke(cli, [*base, *args])


def file_app(tmp_path, extra=""):
    return make_test_app(
        tmp_path,
        f"""
{extra}
[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
file = "out/acme.jsonl"
""",
    )


def test_dry_run_sends_nothing_then_alerts_sends_once(tmp_path):
    app = file_app(tmp_path)
    add_match(app, "EP-4123456-A1")
    app.close()
    dry = run(tmp_path, "alerts", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "would send to file out/acme.jsonl (1 alert(s))" in dry.output and "nothing sent" in dry.output
    assert not (tmp_path / "out" / "acme.jsonl").exists()
    real = run(tmp_path, "alerts")
    assert "queued 0 alert(s)" in real.output and "sent 1, failed 0" in real.output
    again = run(tmp_path, "alerts")
    assert "sent 0, failed 0 (will retry), dead 0" in again.output
    assert len((tmp_path / "out" / "acme.jsonl").read_text().splitlines()) == 1


def test_dead_letters_are_listed_and_revived(tmp_path, httpserver):
    app = file_app(tmp_path, "[alerts]\nmax_attempts = 1\n")
    add_match(app, "EP-4123456-A1")
    row = {"key": "reminder:1:x", "kind": "reminder", "subscriber": "acme", "channel": "webhook",
           "address": httpserver.url_for("/hook"), "payload": {"title": "t", "body": "b"},
           "next_attempt_at": "2000-01-01T00:00:00+00:00"}  # fmt: skip
    enqueue(app.db, [row])
    app.close()
    httpserver.expect_ordered_request("/hook").respond_with_data("down", status=503)
    httpserver.expect_ordered_request("/hook").respond_with_data("ok")
    assert "dead 1" in run(tmp_path, "alerts").output
    dead = run(tmp_path, "alerts", "--dead")
    assert "reminder:1:x: HTTP 503" in dead.output and "1 dead letter(s)" in dead.output
    status = json.loads(run(tmp_path, "status", "--json").output)
    assert (status["alerts_pending"], status["alerts_sent"], status["alerts_dead"]) == (0, 1, 1)
    revived = run(tmp_path, "alerts", "--revive")
    assert "revived 1 dead letter(s)" in revived.output and "sent 1" in revived.output


def test_test_channel_reports_each_address(tmp_path, httpserver):
    make_test_app(
        tmp_path,
        f"""
[[subscribers]]
name = "acme"
language = "zh"
webhook = ["{httpserver.url_for("/ok")}", "{httpserver.url_for("/broken")}"]
file = "out/acme.jsonl"
""",
    ).close()
    httpserver.expect_request("/ok").respond_with_data("ok")
    httpserver.expect_request("/broken").respond_with_data("nope", status=500)
    result = run(tmp_path, "test-channel", "acme")
    assert result.exit_code == 1
    assert "/ok: ok" in result.output and "/broken: FAILED HTTP 500" in result.output
    record = json.loads((tmp_path / "out" / "acme.jsonl").read_text(encoding="utf-8"))
    assert record["subject"] == "[专利预警] 测试消息"
    only_file = run(tmp_path, "test-channel", "acme", "--channel", "file")
    assert only_file.exit_code == 0 and "webhook" not in only_file.output
    assert alert_rows(make_test_app(tmp_path, (tmp_path / "config.toml").read_text())) == []  # nothing queued


def test_unknown_subscriber_is_a_readable_error(tmp_path):
    file_app(tmp_path).close()
    result = run(tmp_path, "test-channel", "nobody")
    assert result.exit_code == 1 and "no subscriber named 'nobody' (known: acme)" in result.output
