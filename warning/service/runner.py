"""Running jobs unattended: one instance per database, every run recorded, clean stops.

`JobRunner` runs a job from `warning.service.jobs` and records it in ``runs`` (a failing job is recorded
and never stops the others). `run_once` is ``warning run --once``; `serve` is the daemon. Both
run jobs off the main thread so that SIGTERM is answered at once: the current step may finish
within the grace time, else it is left resumable (sources resume from their cursor; the
outbox never loses an alert) and its run is marked ``interrupted``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from warning import clock
from warning.app import App
from warning.clock import utcnow
from warning.config.redact import redact
from warning.config.schema import Config
from warning.config.secrets import secret_values
from warning.errors import WarningError
from warning.service.jobs import Job, Step, job_table, step_failed
from warning.service.polling import GAVE_UP, gave_up_message, job_verdict
from warning.service.scheduler import build_scheduler, due_jobs, plan_jobs
from warning.service.steps import step_function
from warning.store import open_db
from warning.store.fts import heal_bulk_index
from warning.store.operations import finish_run, start_run
from warning.store.runs import (
    interrupt_stale_runs,
    last_success_by_job,
    mark_jobs_interrupted,
    run_recorded_since,
)

log = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 10.0  # then exit anyway: the service must be gone within 15 s of SIGTERM


@dataclass
class JobResult:
    name: str
    ok: bool
    counts: dict = field(default_factory=dict)
    error: str = ""


class JobRunner:
    """Runs jobs by name with a fresh database connection each, recording every run."""

    def __init__(self, config: Config, db_path: Path, jobs: dict[str, Job] | None = None) -> None:
        self.config = config
        self.db_path = db_path
        self.jobs = jobs if jobs is not None else job_table(config)
        self.stopping = threading.Event()
        self.chainable: set[str] = set(self.jobs)  # jobs that may follow another (the planned ones)
        self._locks = {name: threading.Lock() for name in self.jobs}
        self._active: dict[str, datetime] = {}  # job name -> start (for marking it interrupted)
        self._idle = threading.Condition()
        self._secrets = secret_values(config)
        self.polling = {n for n, j in self.jobs.items() if j.polls(config)}

    def _poll_due(self, job: Job) -> bool:
        """Whether a polling fetch job should ask its office now; a release that never came is
        recorded once as a failed run (its message in zh and en), so `status` and alerts on
        failed runs say so."""
        db = open_db(self.db_path)
        try:
            verdict = job_verdict(db, self.config.schedule, job, clock.now())
            if verdict.state == GAVE_UP and not run_recorded_since(
                db, job.name, clock.iso(verdict.gave_up_at)
            ):
                message = gave_up_message(verdict, self.config.schedule.give_up_hours)
                log.warning("job %s: %s", job.name, message)
                finish_run(db, start_run(db, job.name, job.source), "failed", {"not_published": 1}, message)
        finally:
            db.conn.close()
        return verdict.due

    def run(self, name: str, chain: bool = True) -> list[JobResult]:
        """Run one job (then the jobs chained after it); never raises for a failing job."""
        if self.stopping.is_set():
            log.info("job %s not started: the service is stopping", name)
            return []
        job = self.jobs[name]
        # Asked under the job's lock: a tick that arrived while the same job ran (a long fetch)
        # waits for it, then sees its recorded check (or the stop) and asks nothing again.
        with self._locks[name]:
            if self.stopping.is_set():
                log.info("job %s not started: the service is stopping", name)
                return []
            if name in self.polling and not self._poll_due(job):
                return []  # nothing expected, or checked a moment ago: nothing asked, nothing chained
            results = [self._run_recorded(job)]
        if chain:
            for follower in job.then:
                if follower in self.chainable:
                    results += self.run(follower, chain=False)
        return results

    def _run_recorded(self, job: Job) -> JobResult:
        self._begin(job.name)
        app = App(config=self.config, db_path=self.db_path)
        try:
            log.info("job %s started", job.name)
            counts: dict[str, Any] = {}
            errors: list[str] = []
            for step in job.steps:
                result, error = self._run_step(job, step, app)
                counts[step.name] = result
                if error:
                    errors.append(error if len(job.steps) == 1 else f"{step.name}: {error}")
            if len(job.steps) == 1:
                counts = next(iter(counts.values()))
            message = "; ".join(errors)
            if errors:
                log.warning("job %s failed: %s", job.name, message)
            else:
                log.info("job %s done: %s", job.name, _summary(counts))
            return JobResult(job.name, not errors, counts, message)
        finally:
            app.close()
            self._end(job.name)

    def _run_step(self, job: Job, step: Step, app: App) -> tuple[dict, str]:
        """Run one step and record it (unless it records itself); returns its counts and error."""
        name = job.run_name(step)
        started = utcnow()
        run_id = 0 if step.records_own_run else start_run(app.db, name, job.source)
        result: dict = {}
        try:
            result = _json_ready(step_function(job, step)(app) or {})
            error = step_failed(result)
        except WarningError as exc:
            error = str(exc)
        except ImportError as exc:  # that area of the service is not installed or broken
            error = f"not available: {exc}"
        except Exception as exc:  # one area's bug must not stop the service
            log.exception("job %s: step %s raised", job.name, step.name)
            error = f"{type(exc).__name__}: {exc}"
        error = self._redact(error)
        if run_id:
            finish_run(app.db, run_id, "failed" if error else "ok", result, error)
        elif error and not result and not run_recorded_since(app.db, name, started):
            # The step failed before it could record its own run: record it here.
            finish_run(app.db, start_run(app.db, name, job.source), "failed", {}, error)
        return result, error

    def _redact(self, message: str) -> str:
        return redact(message, self._secrets)

    def _begin(self, name: str) -> None:
        with self._idle:
            self._active[name] = clock.now()

    def _end(self, name: str) -> None:
        with self._idle:
            self._active.pop(name, None)
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job runs; False when some still run after ``timeout`` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._active, timeout=timeout)

    def mark_active_interrupted(self) -> list[str]:
        """Record the jobs still running as ``interrupted`` (they resume on their next run)."""
        with self._idle:
            active = dict(self._active)
        if not active:
            return []
        db = open_db(self.db_path)
        try:
            started = {
                self.jobs[job].run_name(step): moment.isoformat()
                for job, moment in active.items()
                for step in self.jobs[job].steps
            }
            mark_jobs_interrupted(db, started, "the service stopped during this run; it resumes next time")
        finally:
            db.conn.close()
        return sorted(active)


def _summary(counts: dict) -> str:
    flat = {k: v for k, v in counts.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    return ", ".join(f"{k}={v}" for k, v in flat.items()) or json.dumps(counts, default=str)[:200]


def _json_ready(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def recover_stale_runs(db_path: Path) -> int:
    """At start-up (lock held): runs a killed process left ``running`` become ``interrupted``."""
    db = open_db(db_path)
    try:
        heal_bulk_index(db)  # a bulk ingest killed halfway: its rows get their full-text index
        return interrupt_stale_runs(db, "the service stopped during this run (found at start-up)")
    finally:
        db.conn.close()


def run_once(runner: JobRunner, now: datetime | None = None) -> list[JobResult]:
    """Every due job once, in pipeline order; classify follows the fetches if any fetch ran.

    Jobs stop being started once ``runner.stopping`` is set.
    """
    planned = plan_jobs(runner.config, runner.jobs)
    now = clock.now(now)
    db = open_db(runner.db_path)
    try:
        due = due_jobs(planned, last_success_by_job(db), now)
    finally:
        db.conn.close()
    runner.chainable = {p.name for p in planned}
    fetches = [n for n in due if n.startswith("fetch:")]
    rest = [n for n in due if not n.startswith("fetch:")]
    if fetches and "classify" in runner.chainable and "classify" not in rest:
        rest.insert(0, "classify")  # what was fetched gets classified, once, after every fetch
    results: list[JobResult] = []
    for name in fetches + rest:
        results += runner.run(name, chain=False)
    return results


def serve(runner: JobRunner, stop: threading.Event, on_started: Callable[[str], None] = log.info) -> bool:
    """The daemon: catch up on what is due, then run jobs on their crons until ``stop`` is set.

    Returns True when every job ended in time, False when some were left running (and marked).
    """
    planned = plan_jobs(runner.config, runner.jobs)
    runner.chainable = {p.name for p in planned}
    scheduler = build_scheduler(runner.config, planned, runner.run)
    scheduler.start()
    timed = [p for p in planned if p.trigger]
    on_started(f"scheduler started: {len(timed)} job(s) on a timer; database {runner.db_path}")
    for job in scheduler.get_jobs():
        log.info("job %s next run %s", job.id, job.next_run_time.isoformat() if job.next_run_time else "-")
    catch_up = threading.Thread(target=_catch_up, args=(runner,), name="catch-up", daemon=True)
    catch_up.start()
    stop.wait()
    log.info("stopping: no new jobs start; waiting up to %.0f s for running ones", STOP_GRACE_SECONDS)
    return shutdown(runner, scheduler)


def _catch_up(runner: JobRunner) -> None:
    """At start, what came due while the service was down (the crons alone would wait a week)."""
    try:
        results = run_once(runner)
    except Exception:  # the timers still run; the operator sees why the catch-up did not
        log.exception("catch-up at start failed")
        return
    log.info("catch-up at start: %d job(s) run, %d failed", len(results), sum(not r.ok for r in results))


def shutdown(runner: JobRunner, scheduler: Any = None, grace: float = STOP_GRACE_SECONDS) -> bool:
    """Stop starting jobs, give running ones ``grace`` seconds, mark the rest interrupted."""
    runner.stopping.set()
    if scheduler is not None:
        scheduler.shutdown(wait=False)
    if runner.wait_idle(grace):
        log.info("stopped cleanly")
        return True
    left = runner.mark_active_interrupted()
    log.warning(
        "stopped with %s still running; marked interrupted, they resume on the next run", ", ".join(left)
    )
    return False
