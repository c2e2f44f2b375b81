"""slack-sdk against a local HTTP server that answers like Slack: ok, 429 + Retry-After, ok:false."""

from __future__ import annotations

import json

from alerts_support import NOW, add_match, add_watchlist, alert_rows, make_test_app
from werkzeug import Response

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts


def slack_app(tmp_path, httpserver, monkeypatch, addresses='["#patent-alerts"]'):
    monkeypatch.setenv("T_SLACK_TOKEN", "xoxb-test-token")
    app = make_test_app(
        tmp_path,
        f"""
[slack]
token_env = "T_SLACK_TOKEN"
base_url = "{httpserver.url_for("/api/")}"

[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
slack = {addresses}
""",
    )
    add_watchlist(app)
    add_match(app, "EP-4123456-A1", titles={"de": "Motorrad", "en": "Motorcycle & <engine>"}, lang="de")
    queue_alerts(app, now=NOW)
    return app


def test_chat_post_message_with_block_kit(tmp_path, httpserver, monkeypatch):
    app = slack_app(tmp_path, httpserver, monkeypatch)
    httpserver.expect_oneshot_request("/api/chat.postMessage", method="POST").respond_with_json(
        {"ok": True, "channel": "C123", "ts": "1700000000.000100"}
    )
    result = dispatch(app, now=NOW)
    assert result["sent"] == 1
    [(request, _)] = httpserver.log
    assert request.headers["Authorization"] == "Bearer xoxb-test-token"
    body = json.loads(request.get_data())
    assert body["channel"] == "#patent-alerts"
    assert body["blocks"][0]["type"] == "header"
    section = body["blocks"][1]["text"]
    assert section["type"] == "mrkdwn"
    assert "<https://worldwide.espacenet.com/patent/search?q=pn%3DEP4123456A1|EP4123456A1>" in section["text"]
    assert "Motorcycle &amp; &lt;engine&gt;" in section["text"]  # Slack's escaping of user text
    assert alert_rows(app)[0]["status"] == "sent"


def test_429_is_waited_out_with_the_injected_sleep(tmp_path, httpserver, monkeypatch):
    app = slack_app(tmp_path, httpserver, monkeypatch)
    limited = Response(
        json.dumps({"ok": False, "error": "ratelimited"}),
        status=429,
        headers={"Retry-After": "7"},
        content_type="application/json",
    )
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_response(limited)
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_json({"ok": True, "ts": "1.2"})
    slept = []
    result = dispatch(app, now=NOW, sleep=slept.append)
    assert slept == [7.0]
    assert result["sent"] == 1 and len(httpserver.log) == 2


def test_long_retry_after_goes_back_to_the_outbox(tmp_path, httpserver, monkeypatch):
    app = slack_app(tmp_path, httpserver, monkeypatch)
    limited = Response(
        json.dumps({"ok": False, "error": "ratelimited"}),
        status=429,
        headers={"Retry-After": "900"},
        content_type="application/json",
    )
    httpserver.expect_request("/api/chat.postMessage").respond_with_response(limited)
    slept = []
    result = dispatch(app, now=NOW, sleep=slept.append)
    assert slept == [] and result["failed"] == 1
    [row] = alert_rows(app)
    assert row["status"] == "pending" and row["next_attempt_at"] == "2026-11-24T17:45:00+00:00"  # 900 s later


def test_ok_false_is_a_failure_with_slacks_error(tmp_path, httpserver, monkeypatch):
    app = slack_app(tmp_path, httpserver, monkeypatch)
    httpserver.expect_request("/api/chat.postMessage").respond_with_json(
        {"ok": False, "error": "channel_not_found"}
    )
    result = dispatch(app, now=NOW)
    assert result["dead"] == 1  # no retry can find a channel that does not exist
    [row] = alert_rows(app)
    assert row["status"] == "dead" and row["last_error"] == "slack: channel_not_found"


def test_transient_error_is_retried(tmp_path, httpserver, monkeypatch):
    app = slack_app(tmp_path, httpserver, monkeypatch)
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_json(
        {"ok": False, "error": "fatal_error"}
    )
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_json({"ok": True, "ts": "1.3"})
    assert dispatch(app, now=NOW)["failed"] == 1
    assert dispatch(app, now=NOW)["sent"] == 0  # the scheduled run waits for the backoff
    assert dispatch(app, now=NOW, respect_backoff=False)["sent"] == 1  # by hand: at once
    [row] = alert_rows(app)
    assert row["status"] == "sent" and row["attempts"] == 2


def test_incoming_webhook_address(tmp_path, httpserver, monkeypatch):
    url = httpserver.url_for("/services/T000/B000/XXXX")
    app = slack_app(tmp_path, httpserver, monkeypatch, addresses=f'["{url}"]')
    httpserver.expect_request("/services/T000/B000/XXXX", method="POST").respond_with_data("ok")
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert body["text"].startswith("[Patent early warning]") and body["blocks"][0]["type"] == "header"
