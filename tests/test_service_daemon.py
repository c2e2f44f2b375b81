"""The daemon as a real process: one instance per database, and SIGTERM / SIGINT stop it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest
from click.testing import CliRunner
from service_support import OPS_KEY, OPS_SECRET, corpus_replies, ops_config, serve_ops, warning_command

from warning.cli import cli
from warning.service.lock import AlreadyRunning, InstanceLock
from warning.store import open_db


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("TEST_OPS_KEY", OPS_KEY)
    monkeypatch.setenv("TEST_OPS_SECRET", OPS_SECRET)
    monkeypatch.setenv("WARNING_DB", str(tmp_path / "service.db"))
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def start_daemon(config, env) -> tuple[subprocess.Popen, str]:
    """Start `warning run` and read its stderr up to the line saying the scheduler started."""
    proc = subprocess.Popen(
        warning_command("--config", str(config), "run"),
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if "scheduler started" in line:
            return proc, "".join(seen)
    proc.wait(5)
    raise AssertionError(f"`warning run` exited {proc.returncode} before starting:\n{''.join(seen)}")


def service_state(config) -> dict:
    result = CliRunner().invoke(cli, ["--config", str(config), "status", "--json"], prog_name="warning")
    return json.loads(result.output)["service"]


def test_a_second_instance_on_the_same_database_is_refused(tmp_path):
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    with InstanceLock(tmp_path / "service.db"):
        with pytest.raises(AlreadyRunning, match=f"pid {os.getpid()}"):
            InstanceLock(tmp_path / "service.db").acquire()
        result = CliRunner().invoke(
            cli, ["--config", "config.toml", "--db", "service.db", "run", "--once"], prog_name="warning"
        )
    assert result.exit_code == 3
    assert f"another `warning run` (pid {os.getpid()}) is already running on this database" in result.output
    assert "Traceback" not in result.output
    # Released: the next one runs.
    assert (
        CliRunner().invoke(cli, ["--config", "config.toml", "--db", "service.db", "run", "--once"]).exit_code
        == 0
    )


def test_sigterm_lets_the_running_step_finish_then_exits_0(tmp_path, httpserver, corpus, env):
    gate, arrived = threading.Event(), threading.Event()
    serve_ops(httpserver, corpus_replies(corpus), gate=gate, arrived=arrived)
    config = ops_config(tmp_path, httpserver.url_for("/"))
    proc, _ = start_daemon(config, env)
    try:
        assert arrived.wait(60), "the catch-up fetch never reached the source"
        # While it holds the database, a second `warning run` is refused with a clear message.
        second = subprocess.run(
            warning_command("--config", str(config), "run", "--once"), env=env, capture_output=True, text=True
        )
        assert second.returncode == 3
        assert f"(pid {proc.pid}) is already running on this database" in second.stderr
        assert service_state(config) == {"running": True, "pid": proc.pid}
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        gate.set()  # the fetch in flight gets its answer and completes its step
        rest = proc.communicate(timeout=15)[1]
        assert proc.returncode == 0, rest
        assert time.monotonic() - started < 15
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
    assert "warning run: stopped" in rest
    assert service_state(config) == {"running": False, "pid": None}
    db = open_db(tmp_path / "service.db")
    assert [(r["job"], r["status"]) for r in db.query("SELECT job, status FROM runs")] == [
        ("fetch:ops", "ok")
    ]
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == 3
    db.conn.close()
    log = (tmp_path / "logs" / "warning.log").read_text(encoding="utf-8")
    assert "stopping: no new jobs start" in log and "stopped cleanly" in log
    assert OPS_SECRET not in log


def test_sigint_stops_an_idle_daemon_with_exit_0(tmp_path, env):
    (tmp_path / "config.toml").write_text('[schedule]\ntimezone = "Asia/Shanghai"\n', encoding="utf-8")
    proc, seen = start_daemon(tmp_path / "config.toml", env)
    try:
        assert "0 job(s) on a timer" in seen
        proc.send_signal(signal.SIGINT)
        err = proc.communicate(timeout=15)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "stopped" in err and "Traceback" not in err


def test_sigterm_during_once_finishes_the_step_starts_nothing_more_and_exits_0(
    tmp_path, httpserver, corpus, env
):
    gate, arrived = threading.Event(), threading.Event()
    serve_ops(httpserver, corpus_replies(corpus), gate=gate, arrived=arrived)
    extra = '\n[[subscribers]]\nname = "acme"\nfile = "outbox/alerts.jsonl"\n'
    config = ops_config(tmp_path, httpserver.url_for("/"), extra=extra)
    proc = subprocess.Popen(
        warning_command("--config", str(config), "run", "--once"), env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        assert arrived.wait(60), "the fetch never reached the source"
        proc.send_signal(signal.SIGTERM)
        gate.set()
        err = proc.communicate(timeout=15)[1]
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    db = open_db(tmp_path / "service.db")
    # The fetch in flight completed; reminders, alerts and digests were not started.
    assert [(r["job"], r["status"]) for r in db.query("SELECT job, status FROM runs")] == [
        ("fetch:ops", "ok")
    ]
    db.conn.close()
    assert "1 job(s) run (fetch:ops); 0 failed" in err


def test_a_lock_that_cannot_be_created_is_a_readable_error(tmp_path):
    db = tmp_path / "service.db"
    (tmp_path / "service.db.lock").mkdir()  # the lock file's name is taken by a folder
    result = CliRunner().invoke(cli, ["--db", str(db), "run", "--once"], prog_name="warning")
    assert result.exit_code == 1
    assert "cannot create the instance lock" in result.output and "Traceback" not in result.output
