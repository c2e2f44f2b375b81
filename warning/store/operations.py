"""Operational state: source cursors, job runs and the quarantine of untrusted documents."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlite_utils

from warning.clock import utcnow
from warning.config.redact import redact, redact_data
from warning.models import QuarantinedDocument
from warning.store.db import transaction

# Raw bytes larger than this are kept by reference only: a 2 GB zip does not belong in SQLite.
MAX_QUARANTINE_RAW = 5 * 1024 * 1024


@dataclass
class SourceState:
    source: str
    country: str = ""
    cursor: str = ""
    etag: str = ""
    last_modified: str = ""
    error_count: int = 0
    next_check: str = ""
    last_success: str = ""
    last_failure: str = ""
    last_error: str = ""
    published_through: str = ""  # JSON: the newest publication day stored, per document type
    new_at: str = ""  # when a fetch last stored a publication not held before


def get_source_state(db: sqlite_utils.Database, source: str, country: str = "") -> SourceState:
    """The cursor and health of one source and country (a fresh state when never run)."""
    rows = list(db.query("SELECT * FROM source_state WHERE source = ? AND country = ?", [source, country]))
    if not rows:
        return SourceState(source=source, country=country)
    row = {k: v for k, v in rows[0].items() if k != "updated_at"}
    return SourceState(
        **{k: (v if v is not None else ("" if k != "error_count" else 0)) for k, v in row.items()}
    )


def save_source_state(db: sqlite_utils.Database, state: SourceState) -> None:
    """Persist a source's cursor and health; callers do it only after the data is stored.

    The error is stored redacted (`warning.config.redact`: credentials in URLs and headers) whatever
    the caller already masked: an office's error reply may quote one back.
    """
    row = {**state.__dict__, "last_error": redact(state.last_error or ""), "updated_at": utcnow()}
    db["source_state"].upsert(row, pk=("source", "country"))


def list_source_states(db: sqlite_utils.Database) -> list[SourceState]:
    return [
        get_source_state(db, r["source"], r["country"])
        for r in db.query("SELECT source, country FROM source_state ORDER BY source, country")
    ]


def stored_publication_ids(db: sqlite_utils.Database, ids: list[str], source: str) -> set[str]:
    """Which of ``ids`` the store holds from ``source`` (a fetch's overlap re-read skips them)."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = (
            f"SELECT id FROM publications WHERE id IN ({', '.join('?' for _ in chunk)}) "
            "AND EXISTS (SELECT 1 FROM json_each(publications.sources) WHERE value = ?)"
        )
        found.update(row[0] for row in db.execute(sql, [*chunk, source]).fetchall())
    return found


def start_run(db: sqlite_utils.Database, job: str, source: str = "") -> int:
    """Record that a job started; returns the run id to finish later."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO runs (job, source, started_at, status, counts) VALUES (?, ?, ?, 'running', '{}')",
            [job, source, utcnow()],
        )
    return cursor.lastrowid


def finish_run(
    db: sqlite_utils.Database, run_id: int, status: str, counts: dict | None = None, error: str = ""
) -> None:
    """Record a job's end: ``ok``, ``failed`` or ``interrupted``, with its counts and error (redacted)."""
    with transaction(db):
        db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, counts = ?, error = ? WHERE id = ?",
            [
                utcnow(),
                status,
                json.dumps(redact_data(counts or {}), ensure_ascii=False),
                redact(error),
                run_id,
            ],
        )


def update_run_counts(db: sqlite_utils.Database, run_id: int, counts: dict) -> None:
    """The counts of a run still going (so a crash leaves what it used, its bytes, on record)."""
    with transaction(db):
        db.execute(
            "UPDATE runs SET counts = ? WHERE id = ?",
            [json.dumps(redact_data(counts), ensure_ascii=False), run_id],
        )


def recent_runs(db: sqlite_utils.Database, limit: int = 20) -> list[dict]:
    return list(db.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))


def quarantine(db: sqlite_utils.Database, item: QuarantinedDocument) -> bool:
    """Keep an untrusted document with its reason; returns False when it was already kept."""
    key = hashlib.sha256(b"\0".join([item.source.encode(), item.ref.encode(), item.raw])).hexdigest()
    raw = item.raw if len(item.raw) <= MAX_QUARANTINE_RAW else b""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO quarantine (key, source, ref, reason, raw, raw_size, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [key, item.source, item.ref, item.reason, raw, len(item.raw), utcnow()],
        )
    return cursor.rowcount > 0
