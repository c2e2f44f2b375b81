"""Job runs as the scheduler reads them: the last run and the last success of each job."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction


def last_success_by_job(db: sqlite_utils.Database) -> dict[str, datetime]:
    """When each job last started a run that ended ``ok`` (aware UTC datetimes)."""
    sql = "SELECT job, max(started_at) AS started FROM runs WHERE status = 'ok' GROUP BY job"
    return {row["job"]: _parse(row["started"]) for row in db.query(sql)}


def last_run_by_job(db: sqlite_utils.Database) -> dict[str, dict]:
    """The latest run of each job, whatever its outcome, with its counts decoded."""
    sql = (
        "SELECT runs.* FROM runs JOIN (SELECT job, max(id) AS id FROM runs GROUP BY job) AS latest "
        "ON runs.id = latest.id ORDER BY runs.job"
    )
    return {row["job"]: {**row, "counts": json.loads(row["counts"] or "{}")} for row in db.query(sql)}


def first_run_of_source(db: sqlite_utils.Database, source: str) -> datetime | None:
    """When the first recorded run that fetched ``source`` started (the service's jobs and
    ``warning fetch`` alike), or None."""
    row = db.execute("SELECT min(started_at) FROM runs WHERE source = ?", [source]).fetchone()
    return _parse(row[0]) if row and row[0] else None


def run_recorded_since(db: sqlite_utils.Database, job: str, since: str) -> bool:
    """Whether a run of ``job`` started at or after ``since`` (ISO UTC) is recorded."""
    sql = "SELECT 1 FROM runs WHERE job = ? AND started_at >= ? LIMIT 1"
    return db.execute(sql, [job, since]).fetchone() is not None


def interrupt_stale_runs(db: sqlite_utils.Database, note: str) -> int:
    """Mark runs left ``running`` by a process that died as ``interrupted``; returns how many."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'running'",
            [utcnow(), note],
        )
    return cursor.rowcount


def mark_jobs_interrupted(db: sqlite_utils.Database, started: dict[str, str], note: str) -> int:
    """Runs of these jobs still ``running`` since the given start (ISO UTC) become ``interrupted``.

    For a stop that could not wait: the runs resume on their next run. Returns how many.
    """
    count = 0
    with transaction(db):
        for job, since in started.items():
            cursor = db.execute(
                "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? "
                "WHERE job = ? AND status = 'running' AND started_at >= ?",
                [utcnow(), note, job, since],
            )
            count += cursor.rowcount
    return count


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
