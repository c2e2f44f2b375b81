"""The alerts outbox: rows to deliver, their claims while sending, and every delivery attempt.

A row goes pending -> sending (claimed, committed before the send) -> sent, or back to pending
with a later ``next_attempt_at``, or dead after too many failures. The key is unique, so queueing
the same alert twice adds nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.store.db import transaction
from warning.store.matches import followed_matches
from warning.store.scope import Scope, alert_clause

_ROW_COLUMNS = (
    "key",
    "kind",
    "subscriber",
    "channel",
    "address",
    "publication_id",
    "watchlist",
    "case_id",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)


def insert_alerts(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]], now: str) -> int:
    """Insert outbox rows whose key is new; returns how many were added."""
    values = []
    for row in rows:
        payload = row.get("payload") or {}
        values.append(
            [
                row["key"],
                row["kind"],
                row.get("subscriber", ""),
                row["channel"],
                row.get("address", ""),
                row.get("publication_id"),
                row.get("watchlist"),
                row.get("case_id"),
                payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False),
                "pending",
                0,
                row.get("next_attempt_at") or now,
                now,
            ]
        )
    if not values:
        return 0
    sql = (
        f"INSERT OR IGNORE INTO alerts ({', '.join(_ROW_COLUMNS)}) "
        f"VALUES ({', '.join('?' for _ in _ROW_COLUMNS)})"
    )
    before = db.conn.total_changes
    with transaction(db):
        db.conn.executemany(sql, values)
    return db.conn.total_changes - before


def matches_to_queue(
    db: sqlite_utils.Database,
    subscriber: str,
    watchlists: list[str],
    min_score: float,
    since: str,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Matches of these watchlists (empty: every watchlist) at or above ``min_score``, created at
    or after ``since``, that have no alert row for this subscriber yet, with their publication
    and watchlist titles; with ``scope``, only those the subscriber's organisation sees."""
    return followed_matches(db, watchlists, min_score, since, not_alerted_for=subscriber, scope=scope)


def due_alerts(
    db: sqlite_utils.Database, now: str, respect_backoff: bool, kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """Rows to send now: pending and due (retries ignore their backoff when ``respect_backoff`` is
    False), plus `sending` rows whose claim has expired; the caller drops claims still alive."""
    due = "next_attempt_at <= :now" if respect_backoff else "(next_attempt_at <= :now OR attempts > 0)"
    sql = f"""
        SELECT * FROM alerts
        WHERE ((status = 'pending' AND {due}) OR status = 'sending')
        {"AND kind IN (SELECT value FROM json_each(:kinds))" if kinds else ""}
        ORDER BY subscriber, channel, address, id
    """
    params = {"now": now, "kinds": json.dumps(kinds or [])}
    return list(db.query(sql, params))


def claim(
    db: sqlite_utils.Database, rows: list[dict[str, Any]], claimed_by: str, lease_until: str
) -> list[int]:
    """Mark rows `sending` and commit, before the send: a crash leaves them visible as claimed.

    A row is claimed only if it is still as the caller read it (status, attempts, claimant), so
    two dispatchers that read the same row never both send it. Returns the ids claimed.
    """
    claimed = []
    with transaction(db):
        for row in rows:
            cursor = db.execute(
                "UPDATE alerts SET status = 'sending', claimed_by = ?, next_attempt_at = ? "
                "WHERE id = ? AND status = ? AND attempts = ? AND IFNULL(claimed_by, '') = ?",
                [
                    claimed_by,
                    lease_until,
                    row["id"],
                    row["status"],
                    row["attempts"] or 0,
                    row.get("claimed_by") or "",
                ],
            )
            if cursor.rowcount:
                claimed.append(row["id"])
    return claimed


def record_interrupted(db: sqlite_utils.Database, rows: list[dict[str, Any]], at: str) -> list[int]:
    """Record the stale claims in ``rows`` as interrupted attempts and make them pending again.

    Only rows still claimed as the caller read them are taken (two dispatchers that both find a
    dead claim record it once). Returns the ids taken over.
    """
    taken = []
    with transaction(db):
        for row in rows:
            cursor = db.execute(
                "UPDATE alerts SET status = 'pending', attempts = attempts + 1, claimed_by = NULL, "
                "last_error = ? WHERE id = ? AND status = 'sending' AND IFNULL(claimed_by, '') = ?",
                [_interrupted(row), row["id"], row.get("claimed_by") or ""],
            )
            if cursor.rowcount:
                db.execute(
                    "INSERT INTO delivery_attempts (alert_id, at, ok, error, response) VALUES (?, ?, 0, ?, '')",
                    [row["id"], at, _interrupted(row)],
                )
                taken.append(row["id"])
    return taken


def _interrupted(row: dict[str, Any]) -> str:
    return (
        f"interrupted: {row.get('claimed_by') or 'a dispatcher'} stopped before recording the result "
        "(the message may have gone out)"
    )


def postpone(db: sqlite_utils.Database, ids: list[int], until: str) -> None:
    """Make pending rows due no earlier than ``until`` (a held account), without an attempt."""
    with transaction(db):
        db.conn.executemany(
            "UPDATE alerts SET next_attempt_at = MAX(next_attempt_at, ?) WHERE id = ? AND status = 'pending'",
            [[until, i] for i in ids],
        )


def release(db: sqlite_utils.Database, ids: list[int], now: str) -> None:
    """Give claimed rows back, unsent and due (their batch could not be claimed whole)."""
    with transaction(db):
        db.conn.executemany(
            "UPDATE alerts SET status = 'pending', claimed_by = NULL, next_attempt_at = ? "
            "WHERE id = ? AND status = 'sending'",
            [[now, i] for i in ids],
        )


def record_attempt(
    db: sqlite_utils.Database,
    ids: list[int],
    at: str,
    ok: bool,
    error: str = "",
    response: str = "",
    next_attempt_at: str | None = None,
    dead: bool = False,
    message_key: str = "",
) -> None:
    """Record one attempt for each row and move it to sent, pending (retry later) or dead; a
    sent row keeps ``message_key``, the key of the message that carried it (for threads)."""
    status = "sent" if ok else "dead" if dead else "pending"
    with transaction(db):
        for alert_id in ids:
            db.execute(
                "INSERT INTO delivery_attempts (alert_id, at, ok, error, response) VALUES (?, ?, ?, ?, ?)",
                [alert_id, at, int(ok), error, response[:2000]],
            )
            db.execute(
                "UPDATE alerts SET status = ?, attempts = attempts + 1, claimed_by = NULL, "
                "sent_at = CASE WHEN ? THEN ? ELSE sent_at END, last_error = ?, "
                "next_attempt_at = COALESCE(?, next_attempt_at), "
                "message_key = CASE WHEN ? THEN ? ELSE message_key END WHERE id = ?",
                [status, int(ok), at, error, next_attempt_at, int(ok), message_key or None, alert_id],
            )


def key_exists(db: sqlite_utils.Database, prefix: str) -> bool:
    """Whether any alert key starts with ``prefix`` (a digest period already queued)."""
    row = db.execute("SELECT 1 FROM alerts WHERE key >= ? AND key < ? LIMIT 1", [prefix, prefix + "\uffff"])
    return row.fetchone() is not None


def attempts_for(db: sqlite_utils.Database, alert_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM delivery_attempts WHERE alert_id = ? ORDER BY id", [alert_id]))


def list_alerts(
    db: sqlite_utils.Database, status: str | None = None, limit: int = 100, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """Outbox rows, newest first, optionally of one status (``dead`` for the dead letters); with
    ``scope``, only those queued for its organisation's subscriptions."""
    where = " AND a.status = ?" if status else ""
    seen, seen_params = alert_clause(scope) if scope else ("", [])
    params = [status] if status else []
    sql = f"SELECT a.* FROM alerts a WHERE 1 = 1{where}{seen} ORDER BY a.id DESC LIMIT ?"
    return list(db.query(sql, [*params, *seen_params, limit]))


def revive_dead(db: sqlite_utils.Database, now: str) -> int:
    """Give every dead letter a fresh start (pending, attempts reset); returns how many."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE alerts SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE status = 'dead'",
            [now],
        )
    return cursor.rowcount


def thread_of(
    db: sqlite_utils.Database,
    subscriber: str,
    channel: str,
    address: str,
    watchlist: str,
    publication_id: str,
) -> dict[str, str]:
    """The sent match alert of ``publication_id`` to this address: its ``message_key`` and the
    ``response`` of its successful attempt (Slack's ``ts=...``); {} when it was not sent."""
    sql = """
        SELECT a.message_key, d.response FROM alerts a
        JOIN delivery_attempts d ON d.alert_id = a.id AND d.ok = 1
        WHERE a.kind = 'match' AND a.status = 'sent' AND a.subscriber = ? AND a.channel = ?
          AND a.address = ? AND a.watchlist = ? AND a.publication_id = ?
        ORDER BY d.id LIMIT 1
    """
    rows = list(db.query(sql, [subscriber, channel, address, watchlist, publication_id]))
    return (
        {"message_key": rows[0]["message_key"] or "", "response": rows[0]["response"] or ""} if rows else {}
    )
