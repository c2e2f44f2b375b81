"""Job runs as the scheduler reads them: the last run and the last success of each job."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import sqlite_utils

from warning.store.db import utcnow


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


def interrupt_stale_runs(db: sqlite_utils.Database, note: str) -> int:
    """Mark runs left ``running`` by a process that died as ``interrupted``; returns how many."""
    with db.conn:
        cursor = db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE status = 'running'",
            [utcnow(), note],
        )
    return cursor.rowcount


def mark_interrupted(db: sqlite_utils.Database, run_id: int, note: str) -> None:
    """Record that a run was still going when the service had to stop (it resumes next time)."""
    with db.conn:
        db.execute(
            "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
            [utcnow(), note, run_id],
        )


def _parse(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
