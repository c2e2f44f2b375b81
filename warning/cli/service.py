"""Service commands: ``warning run [--once]``, the scheduler daemon and its one-cycle form."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from warning.cli.group import cli, get_app, require_programme
from warning.service.lock import AlreadyRunning, InstanceLock
from warning.service.scheduler import plan_jobs

if TYPE_CHECKING:  # annotations only: the runner is imported when `run` runs
    from warning.service.runner import JobRunner

log = logging.getLogger("warning.service.runner")
EXIT_ALREADY_RUNNING = 3


class AlreadyRunningError(click.ClickException):
    exit_code = EXIT_ALREADY_RUNNING


@cli.command()
@click.option("--once", is_flag=True, help="Run every job that is due once, in pipeline order, then exit.")
@click.pass_context
def run(ctx: click.Context, once: bool) -> None:
    """Run the service: every job on its schedule from the [schedule] table, until stopped.

    Jobs: fetch:SOURCE per configured source (on the office's publication day), classify (also
    right after each fetch), legal, reminders, alerts (every 5 minutes), digests, train. On
    start it first runs what is due, then follows the crons. SIGTERM or Ctrl-C stops it within
    15 seconds (exit 0); a step still running then is marked interrupted and resumes next time.

    --once runs every due job once (a job is due when its cron fired since its last successful
    run, or it never succeeded) and exits 0, or 1 when a job failed; for cron, CI and tests.
    Only one `warning run` per database: a second one exits 3 with a message.

    \b
    Examples:
      warning --config /etc/warning/config.toml run
      warning run --once              # from cron: */15 * * * * warning run --once
    """
    # Deferred for start-up time: the runner binds every pipeline step (the classifier's numpy,
    # scipy and scikit-learn among them), which no other command needs.
    from warning.service.runner import JobRunner, recover_stale_runs

    app = get_app(ctx)
    require_programme(ctx, "running the service")
    plan_jobs(app.config)  # a bad [schedule] table is reported before anything starts
    try:
        lock = InstanceLock(app.db_path).acquire()
    except AlreadyRunning as exc:
        raise AlreadyRunningError(str(exc)) from None
    try:
        stale = recover_stale_runs(app.db_path)
        if stale:
            log.warning("%d run(s) left running by a stopped process marked interrupted", stale)
        runner = JobRunner(app.effective_config, app.db_path)
        code = _once(runner) if once else _daemon(runner)
    finally:
        lock.release()
    ctx.exit(code)


def _once(runner: JobRunner) -> int:
    from warning.service.runner import JobResult, run_once, shutdown  # deferred, as in `run`

    wake, done = threading.Event(), threading.Event()
    results: list = []

    def cycle() -> None:
        try:
            results.extend(run_once(runner))
        except Exception as exc:  # e.g. the database cannot be read: a failed cycle, not a silent one
            log.exception("run --once failed")
            results.append(JobResult("run --once", False, error=f"{type(exc).__name__}: {exc}"))
        finally:
            done.set()
            wake.set()

    worker = threading.Thread(target=cycle, name="once", daemon=True)
    with _stop_on_signals(wake):
        worker.start()
        wake.wait()
    clean = True
    if not done.is_set():  # stopped by a signal: no new job starts, the running one may finish
        clean = shutdown(runner)
        clean = clean and done.wait(2.0)  # the cycle only has to notice the stop
    failed = [r for r in results if not r.ok]
    for r in failed:
        click.echo(f"job {r.name} failed: {r.error}", err=True)
    ran = ", ".join(r.name for r in results) or "nothing was due"
    click.echo(f"run --once: {len(results)} job(s) run ({ran}); {len(failed)} failed", err=True)
    return _exit(1 if failed else 0, clean)


def _daemon(runner: JobRunner) -> int:
    from warning.service.runner import serve  # deferred, as in `run`

    stop = threading.Event()

    def started(message: str) -> None:
        log.info(message)
        click.echo(f"warning run (pid {os.getpid()}): {message}", err=True)

    with _stop_on_signals(stop):
        clean = serve(runner, stop, on_started=started)
    click.echo("warning run: stopped", err=True)
    return _exit(0, clean)


def _exit(code: int, clean: bool) -> int:
    """The exit code; when a job thread outlived the grace time, leave without waiting for it."""
    if not clean:
        logging.shutdown()
        sys.stderr.flush()
        os._exit(code)  # worker threads are not joined: their runs are marked and resume next time
    return code


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` instead of killing the process mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        stop.set()  # only this: logging from a signal handler can deadlock on the handler's lock

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
