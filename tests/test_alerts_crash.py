"""A dispatcher killed between the send and the record: nothing lost, no duplicate where preventable.

The crash is real: a child process sends, then dies (``os._exit``) before recording the result.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from alerts_support import NOW, add_match, alert_rows, free_port, make_test_app, smtp_server
from werkzeug import Request, Response

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts

CRASHING_DISPATCH = textwrap.dedent(
    """
    import os, sys
    from datetime import datetime
    import warning.delivery.dispatch as outbox

    def die_before_recording(*args, **kwargs):
        os._exit(9)

    outbox._record = die_before_recording
    from warning.app import make_app
    app = make_app(sys.argv[1], sys.argv[2])
    outbox.dispatch(app, now=datetime.fromisoformat(sys.argv[3]))
    """
)


def crash_after_send(tmp_path) -> None:
    """Run a dispatch in a child process that dies right after its first send."""
    args = [str(tmp_path / "config.toml"), str(tmp_path / "alerts.db"), NOW.isoformat()]
    done = subprocess.run([sys.executable, "-c", CRASHING_DISPATCH, *args], cwd=tmp_path, timeout=60)
    assert done.returncode == 9


class IdempotentReceiver:
    """A webhook receiver that, like a careful one, acts once per Idempotency-Key."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.acted_on: dict[str, dict] = {}

    def __call__(self, request: Request) -> Response:
        key = request.headers["Idempotency-Key"]
        self.requests.append(key)
        if key in self.acted_on:
            return Response("duplicate", status=409)
        self.acted_on[key] = json.loads(request.get_data())
        return Response("ok", status=200)


def test_webhook_resend_after_crash_is_deduplicated(tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("T_WEBHOOK_SECRET", "s")
    app = make_test_app(
        tmp_path,
        f"""
[webhook]
secret_env = "T_WEBHOOK_SECRET"

[[subscribers]]
name = "acme"
watchlists = ["motorcycles"]
webhook = ["{httpserver.url_for("/hook")}"]
""",
    )
    receiver = IdempotentReceiver()
    httpserver.expect_request("/hook").respond_with_handler(receiver)
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    crash_after_send(tmp_path)
    [row] = alert_rows(app)
    assert row["status"] == "sending" and len(receiver.requests) == 1  # sent, never recorded

    result = dispatch(app, now=NOW)  # the restart: the dead process's claim is taken over at once
    assert result["sent"] == 1
    assert len(receiver.requests) == 2 and len(set(receiver.requests)) == 1
    assert len(receiver.acted_on) == 1  # the receiver acted once
    [row] = alert_rows(app)
    assert row["status"] == "sent"
    assert dispatch(app, now=NOW, respect_backoff=False)["due"] == 0


def test_email_after_crash_is_not_lost_and_keeps_its_message_id(tmp_path):
    port = free_port()
    app = make_test_app(
        tmp_path,
        f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"

[[subscribers]]
name = "acme"
watchlists = ["motorcycles"]
email = ["ip@acme.example"]
""",
    )
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    with smtp_server(port) as sink:
        crash_after_send(tmp_path)  # dies after the e-mail went out
        dispatch(app, now=NOW)
    [row] = alert_rows(app)
    assert row["status"] == "sent"
    # SMTP cannot refuse a re-send, but the copy carries the same Message-ID, so clients fold it.
    assert len(sink.messages) == 2
    assert len({m["Message-ID"] for m in sink.messages}) == 1


def test_file_channel_after_crash_writes_once(tmp_path):
    app = make_test_app(
        tmp_path,
        """
[[subscribers]]
name = "acme"
watchlists = ["motorcycles"]
file = "out/acme.jsonl"
""",
    )
    add_match(app, "EP-4123456-A1")
    queue_alerts(app, now=NOW)
    crash_after_send(tmp_path)
    assert alert_rows(app)[0]["status"] == "sending"
    assert dispatch(app, now=NOW)["sent"] == 1
    lines = (tmp_path / "out" / "acme.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # the re-send is recognised by its key
