"""Legal events (INPADOC) and the family members linked to risk cases."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.models import LegalEvent
from warning.store.db import transaction


def add_family_members(
    db: sqlite_utils.Database, case_id: int, members: list[tuple[str, str, str]]
) -> list[str]:
    """Link (publication id, country, origin) family members to a case; returns the ids that are new."""
    known = {r["publication_id"] for r in case_family(db, case_id)}
    new = [m for m in dict.fromkeys(members) if m[0] not in known]
    now = utcnow()
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO risk_family (case_id, publication_id, country, origin, first_seen) "
            "VALUES (?, ?, ?, ?, ?)",
            [[case_id, pid, country, origin, now] for pid, country, origin in new],
        )
    return list(dict.fromkeys(m[0] for m in new))


def case_family(db: sqlite_utils.Database, case_id: int) -> list[dict[str, Any]]:
    return list(
        db.query("SELECT * FROM risk_family WHERE case_id = ? ORDER BY country, publication_id", [case_id])
    )


def family_publication_ids(db: sqlite_utils.Database, family_id: str) -> list[tuple[str, str]]:
    """(id, country) of stored publications of one family."""
    sql = "SELECT id, country FROM publications WHERE family_id = ? ORDER BY id"
    return [(r["id"], r["country"]) for r in db.query(sql, [family_id])] if family_id else []


def same_number_publications(db: sqlite_utils.Database, country: str, number: str) -> list[dict[str, Any]]:
    """Rows of stored publications with this office and number, any kind (the A1 and B1 of one EP)."""
    return list(db.query("SELECT * FROM publications WHERE country = ? AND number = ?", [country, number]))


def unknown_legal_events(db: sqlite_utils.Database, events: Iterable[LegalEvent]) -> list[LegalEvent]:
    """The events not yet stored (by publication, date, code, country and description)."""
    unknown = []
    for event in dict.fromkeys(events):
        row = db.execute(
            "SELECT 1 FROM legal_events WHERE publication_id = ? AND date = ? AND code = ? AND country = ? "
            "AND description = ?",
            [event.publication_id, event.date, event.code, event.country, event.description],
        ).fetchone()
        if row is None:
            unknown.append(event)
    return unknown


def save_legal_events(db: sqlite_utils.Database, events: Iterable[LegalEvent]) -> int:
    """Store events; a known event is kept as it was. Returns how many were new."""
    now = utcnow()
    values = [
        [e.publication_id, e.date, e.code, e.description, e.category, e.country, now]
        for e in dict.fromkeys(events)
    ]
    before = db.conn.total_changes
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO legal_events (publication_id, date, code, description, category, country, "
            "fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            values,
        )
    return db.conn.total_changes - before


def legal_events_for(db: sqlite_utils.Database, publication_ids: Iterable[str]) -> list[LegalEvent]:
    """Stored events of these publications, by date."""
    ids = list(dict.fromkeys(publication_ids))
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    sql = (
        "SELECT publication_id, date, code, description, category, country FROM legal_events "
        f"WHERE publication_id IN ({marks}) ORDER BY date, code, country"
    )
    return [LegalEvent(**row) for row in db.query(sql, ids)]


def legal_event_ids_for_number(db: sqlite_utils.Database, country: str, number: str) -> list[str]:
    """Publication ids with stored events for one office and number (``EP-2400812-A1``, ``-B1`` ...)."""
    prefix = f"{country}-{number}"
    sql = "SELECT DISTINCT publication_id FROM legal_events WHERE publication_id = ? OR publication_id LIKE ?"
    return [r["publication_id"] for r in db.query(sql, [prefix, prefix + "-%"])]
