"""The job runner: every run recorded, failures isolated, pipeline order, chaining, interrupted runs.

These tests give the runner a job table of their own (the runner runs any job), so that a
failing, a blocking and an ordered job can be observed; the real table's jobs are exercised
end to end in test_service_once.py.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from warning.config.schema import Config, ScheduleConfig, SmtpConfig
from warning.errors import SourceUnavailable
from warning.service.jobs import Job, Step, job_table
from warning.service.runner import JobRunner, recover_stale_runs, run_once, shutdown
from warning.store import open_db
from warning.store.operations import finish_run, start_run
from warning.store.runs import last_success_by_job

NOW = datetime(2024, 6, 5, 15, 2, tzinfo=UTC)  # a Wednesday afternoon


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "runner.db"


def table(calls: list[str], **overrides) -> dict[str, Job]:
    """Jobs named as the real ones, each appending its name to ``calls`` (or doing ``overrides``)."""

    def step(name):
        return overrides.get(name) or (lambda app: calls.append(name) or {"done": 1})

    return {
        "fetch:a": Job("fetch:a", (Step("fetch", step("fetch:a")),), "0 9 * * *", then=("classify",)),
        "fetch:b": Job("fetch:b", (Step("fetch", step("fetch:b")),), "0 9 * * *", then=("classify",)),
        "classify": Job(
            "classify",
            (Step("classify", step("classify")), Step("queue_alerts", step("queue"))),
            "20 * * * *",
        ),
        "reminders": Job("reminders", (Step("reminders", step("reminders")),), "0 8 * * *"),
        "alerts": Job("alerts", (Step("dispatch", step("alerts")),), "*/5 * * * *"),
        "train": Job("train", (Step("train", step("train")),), "0 2 * * sun"),
    }


def all_jobs_config(tmp_path, **jobs) -> Config:
    crons = {
        name: "*/5 * * * *" for name in ("fetch:a", "fetch:b", "classify", "reminders", "alerts", "train")
    }
    return Config(base_dir=tmp_path, schedule=ScheduleConfig(jobs={**crons, **jobs}))


def runs(db_path):
    db = open_db(db_path)
    try:
        return [{**r, "counts": json.loads(r["counts"])} for r in db.query("SELECT * FROM runs ORDER BY id")]
    finally:
        db.conn.close()


def test_once_runs_due_jobs_in_pipeline_order_with_classify_once_after_the_fetches(tmp_path, db_path):
    calls: list[str] = []
    runner = JobRunner(all_jobs_config(tmp_path, classify="off"), db_path, table(calls))
    results = run_once(runner, now=NOW)
    assert calls == ["fetch:a", "fetch:b", "classify", "queue", "reminders", "alerts", "train"]
    assert [r.name for r in results] == ["fetch:a", "fetch:b", "classify", "reminders", "alerts", "train"]
    recorded = runs(db_path)
    assert {r["status"] for r in recorded} == {"ok"}
    # A multi-step job records each step under the step's name, a one-step job under its own.
    assert [r["job"] for r in recorded] == [
        "fetch:a",
        "fetch:b",
        "classify",
        "queue_alerts",
        "reminders",
        "alerts",
        "train",
    ]
    assert recorded[0]["counts"] == {"done": 1} and recorded[0]["started_at"] and recorded[0]["finished_at"]
    assert results[2].counts == {"classify": {"done": 1}, "queue_alerts": {"done": 1}}


def test_once_runs_only_what_is_due_since_the_last_success(tmp_path, db_path):
    calls: list[str] = []
    config = all_jobs_config(
        tmp_path, train="0 2 * * sun", reminders="0 8 * * *", **{"fetch:b": "0 9 * * tue"}
    )
    runner = JobRunner(config, db_path, table(calls))
    db = open_db(db_path)
    with pytest.MonkeyPatch.context() as clock:  # every job last succeeded at 14:58, as the runner records
        clock.setattr("warning.store.operations.utcnow", lambda: (NOW - timedelta(minutes=4)).isoformat())
        for name in runner.jobs:
            finish_run(db, start_run(db, name), "ok")
    db.conn.close()
    run_once(runner, now=NOW)
    # */5 jobs fired at 15:00; fetch:b (Tuesdays), reminders (08:00) and train (Sundays) did not.
    assert calls == ["fetch:a", "classify", "queue", "alerts"]


def test_a_failing_job_is_recorded_and_the_others_still_run(tmp_path, db_path, monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2-smtp-password")
    schedule = ScheduleConfig(jobs={"reminders": "* * * * *", "alerts": "* * * * *"})
    config = Config(base_dir=tmp_path, schedule=schedule, smtp=SmtpConfig(password_env="SMTP_PASSWORD"))

    def broken(app):
        raise RuntimeError("cannot log in with hunter2-smtp-password")

    calls: list[str] = []
    jobs = table(calls, reminders=broken)
    results = run_once(JobRunner(config, db_path, {k: jobs[k] for k in ("reminders", "alerts")}), now=NOW)
    assert [(r.name, r.ok) for r in results] == [("reminders", False), ("alerts", True)]
    assert calls == ["alerts"]
    failed = runs(db_path)[0]
    assert failed["job"] == "reminders" and failed["status"] == "failed"
    assert failed["error"] == "RuntimeError: cannot log in with ***"
    db = open_db(db_path)
    assert last_success_by_job(db).keys() == {"alerts"}
    db.conn.close()


def test_a_step_reporting_failure_fails_its_job_and_later_steps_still_run(tmp_path, db_path):
    calls: list[str] = []

    def classify_down(app):
        raise SourceUnavailable("model store unreachable")

    jobs = table(calls, classify=classify_down)
    runner = JobRunner(all_jobs_config(tmp_path), db_path, jobs)
    (result,) = runner.run("classify")
    assert not result.ok and result.error == "classify: model store unreachable"
    assert calls == ["queue"]  # the queueing step after it still ran
    reported = JobRunner(
        all_jobs_config(tmp_path),
        db_path,
        table(calls, train=lambda app: {"status": "failed", "error": "no labels"}),
    )
    assert reported.run("train")[0].error == "no labels"
    assert runs(db_path)[-1]["status"] == "failed"


def test_the_daemon_path_chains_classify_after_a_fetch_and_not_when_stopping(tmp_path, db_path):
    calls: list[str] = []
    runner = JobRunner(all_jobs_config(tmp_path), db_path, table(calls))
    assert [r.name for r in runner.run("fetch:a")] == ["fetch:a", "classify"]  # classify follows the fetch
    runner.stopping.set()
    assert runner.run("fetch:b") == [] and calls == ["fetch:a", "classify", "queue"]


def test_a_step_outliving_the_grace_time_is_marked_interrupted(tmp_path, db_path):
    release, entered = threading.Event(), threading.Event()

    def long_fetch(app):
        entered.set()
        release.wait(30)
        return {"done": 1}

    calls: list[str] = []
    runner = JobRunner(all_jobs_config(tmp_path), db_path, table(calls, **{"fetch:a": long_fetch}))
    worker = threading.Thread(target=runner.run, args=("fetch:a",), daemon=True)
    worker.start()
    assert entered.wait(10)
    assert shutdown(runner, grace=0.05) is False
    (run,) = runs(db_path)
    assert run["status"] == "interrupted" and "resumes next time" in run["error"]
    release.set()
    worker.join(10)
    assert calls == []  # classify was not chained after the stop


def test_a_tick_waiting_for_the_same_job_starts_nothing_once_the_service_stops(tmp_path, db_path):
    """A timer tick that arrived while the same job ran (a long fetch) waits for it; when the stop
    came meanwhile, it starts nothing: one run recorded, not two."""
    release, entered = threading.Event(), threading.Event()
    calls: list[str] = []

    def long_fetch(app):
        calls.append("fetch:a")
        entered.set()
        release.wait(30)
        return {"done": 1}

    runner = JobRunner(all_jobs_config(tmp_path), db_path, table(calls, **{"fetch:a": long_fetch}))
    first = threading.Thread(target=runner.run, args=("fetch:a",), daemon=True)
    first.start()
    assert entered.wait(10)
    second_result: list = []
    second = threading.Thread(target=lambda: second_result.append(runner.run("fetch:a")), daemon=True)
    second.start()
    second.join(0.2)  # it is waiting for the first run's lock
    assert second.is_alive()
    runner.stopping.set()
    release.set()
    first.join(10)
    second.join(10)
    assert second_result == [[]]
    assert calls == ["fetch:a"] and [r["job"] for r in runs(db_path)] == ["fetch:a"]


def test_runs_left_running_by_a_killed_process_are_marked_at_start_up(db_path):
    db = open_db(db_path)
    start_run(db, "fetch:uspto", "uspto")
    db.conn.close()
    assert recover_stale_runs(db_path) == 1
    assert runs(db_path)[0]["status"] == "interrupted"


def test_the_real_job_table_calls_the_cli_functions_by_name(tmp_path):
    from warning.config.schema import SourceConfig

    config = Config(base_dir=tmp_path, sources={"ops": SourceConfig("ops", "epo_ops")})
    jobs = job_table(config)
    assert list(jobs) == [
        "fetch:ops",
        "classify",
        "legal",
        "clusters",
        "reminders",
        "alerts",
        "digests",
        "train",
    ]
    classify = jobs["classify"]
    assert [(s.name, s.records_own_run) for s in classify.steps] == [
        ("classify", True),  # classify_pending writes its own run
        ("queue_alerts", False),
        ("auto_open", False),
    ]
    assert [classify.run_name(s) for s in classify.steps] == ["classify", "queue_alerts", "auto_open"]
    (fetch,) = jobs["fetch:ops"].steps
    assert jobs["fetch:ops"].then == ("classify",) and fetch.records_own_run
    assert jobs["fetch:ops"].run_name(fetch) == "fetch:ops"  # as fetch_source records it


def test_a_step_recording_its_own_run_is_recorded_once_whether_it_raises_early_or_late(tmp_path, db_path):
    from warning.store.operations import finish_run

    def early(app):  # fails before it could write its own run
        raise SourceUnavailable("watchlists folder unreadable")

    def late(app):  # writes its own failed run, then raises
        finish_run(app.db, start_run(app.db, "fetch:b"), "failed", {}, "disk full")
        raise OSError("disk full")

    jobs = {
        "fetch:a": Job("fetch:a", (Step("fetch", early, records_own_run=True),), "0 9 * * *"),
        "fetch:b": Job("fetch:b", (Step("fetch", late, records_own_run=True),), "0 9 * * *"),
    }
    runner = JobRunner(all_jobs_config(tmp_path), db_path, jobs)
    assert not runner.run("fetch:a")[0].ok and not runner.run("fetch:b")[0].ok
    assert [(r["job"], r["status"], r["error"]) for r in runs(db_path)] == [
        ("fetch:a", "failed", "watchlists folder unreadable"),
        ("fetch:b", "failed", "disk full"),
    ]
