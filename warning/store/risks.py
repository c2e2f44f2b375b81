"""Risk cases of the escort programme: cases, their history, deadlines, family and legal events.

Every SQL statement of the risk register lives here; `warning.risks` holds the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.case_rows import CASE_SELECT, decode_case
from warning.store.db import transaction
from warning.store.matches import BACKFILLED, decoded_evidence
from warning.store.scope import Scope, case_clause

CASE_FIELDS = (
    "publication_id",
    "family_id",
    "country",
    "enterprises",
    "watchlist",
    "severity",
    "severity_reason",
    "owner",
    "status",
    "action",
    "outcome",
    "opened_at",
    "opened_by",
    "closed_at",
    "updated_at",
    "org_id",  # the enterprise the case concerns (None: the programme's alone)
)


def insert_case(db: sqlite_utils.Database, case: dict[str, Any], who: str, note: str = "") -> int:
    """Store a new case and its 'opened' history entry in one transaction; returns its id."""
    row = {k: case.get(k) for k in CASE_FIELDS}
    row["enterprises"] = json.dumps(case.get("enterprises") or [], ensure_ascii=False)
    columns = ", ".join(CASE_FIELDS)
    marks = ", ".join("?" for _ in CASE_FIELDS)
    with transaction(db):
        cursor = db.execute(
            f"INSERT INTO risk_cases ({columns}) VALUES ({marks})", [row[k] for k in CASE_FIELDS]
        )
        case_id = int(cursor.lastrowid)
        _history(db, case_id, who, "opened", "", row["publication_id"], note, row["opened_at"])
    return case_id


def get_case(db: sqlite_utils.Database, case_id: int) -> dict[str, Any] | None:
    """One case with its enterprises decoded and its publication's title, or None."""
    rows = list(db.query(CASE_SELECT + " WHERE c.id = ?", [case_id]))
    return decode_case(rows[0]) if rows else None


def cases_for_publication(db: sqlite_utils.Database, publication_id: str) -> list[dict[str, Any]]:
    """Every case (any status) opened on this publication, oldest first."""
    return [
        decode_case(r)
        for r in db.query(CASE_SELECT + " WHERE c.publication_id = ? ORDER BY c.id", [publication_id])
    ]


def list_cases(
    db: sqlite_utils.Database,
    enterprise: str | None = None,
    status: str | None = None,
    country: str | None = None,
    due_from: str | None = None,
    due_to: str | None = None,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Cases matching every filter given; ``due_from``/``due_to`` select cases with a deadline in
    range; with ``scope``, only the cases it sees."""
    where, params = [], []
    if enterprise:
        where.append("EXISTS (SELECT 1 FROM json_each(c.enterprises) e WHERE lower(e.value) = lower(?))")
        params.append(enterprise)
    if status:
        where.append("c.status = ?")
        params.append(status)
    if country:
        where.append("c.country = ?")
        params.append(country.upper())
    if due_from or due_to:
        where.append(
            "EXISTS (SELECT 1 FROM risk_deadlines d WHERE d.case_id = c.id AND d.date >= ? AND d.date <= ?)"
        )
        params += [due_from or "0000-00-00", due_to or "9999-99-99"]
    seen, seen_params = case_clause(scope) if scope else ("", [])
    sql = CASE_SELECT + " WHERE 1 = 1" + "".join(f" AND {w}" for w in where) + seen + " ORDER BY c.id"
    return [decode_case(r) for r in db.query(sql, params + seen_params)]


def open_cases(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every case that is not closed."""
    return [decode_case(r) for r in db.query(CASE_SELECT + " WHERE c.status != 'closed' ORDER BY c.id")]


def update_case(
    db: sqlite_utils.Database, case_id: int, changes: dict[str, Any], who: str, note: str = ""
) -> list[dict[str, str]]:
    """Apply field changes and record each one (and the note) in the history, in one transaction.

    Returns the changes actually made as ``{"field", "old", "new"}``; unchanged fields are skipped.
    """
    current = get_case(db, case_id)
    if current is None:
        return []
    now = utcnow()
    made = []
    for name, value in changes.items():
        old = current.get(name)
        if value == old:
            continue
        made.append({"field": name, "old": _as_text(old), "new": _as_text(value)})
    with transaction(db):
        for change in made:
            value = changes[change["field"]]
            stored = json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value
            db.execute(f"UPDATE risk_cases SET {change['field']} = ? WHERE id = ?", [stored, case_id])
            _history(db, case_id, who, change["field"], change["old"], change["new"], "", now)
        if note:
            _history(db, case_id, who, "note", "", "", note, now)
        if made or note:
            db.execute("UPDATE risk_cases SET updated_at = ? WHERE id = ?", [now, case_id])
    return made


def add_history(
    db: sqlite_utils.Database,
    case_id: int,
    who: str,
    field: str,
    old: str = "",
    new: str = "",
    note: str = "",
) -> None:
    """Record one entry (a legal change, a recomputed deadline, a note) on a case's history."""
    with transaction(db):
        _history(db, case_id, who, field, old, new, note, utcnow())


def case_history(db: sqlite_utils.Database, case_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM risk_history WHERE case_id = ? ORDER BY id", [case_id]))


def _history(db, case_id, who, field, old, new, note, at) -> None:
    db.execute(
        "INSERT INTO risk_history (case_id, at, who, field, old, new, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [case_id, at, who, field, old, new, note],
    )


def share_case(db: sqlite_utils.Database, case_id: int, org_id: str, who: str = "") -> bool:
    """Let another organisation see a case; returns False if it could already."""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO risk_case_shares (case_id, org_id, shared_at, shared_by) VALUES (?, ?, ?, ?)",
            [case_id, org_id, utcnow(), who],
        )
    return cursor.rowcount > 0


def unshare_case(db: sqlite_utils.Database, case_id: int, org_id: str) -> bool:
    """Stop sharing a case with an organisation; returns whether it was shared."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM risk_case_shares WHERE case_id = ? AND org_id = ?", [case_id, org_id]
        )
    return cursor.rowcount > 0


def case_shares(db: sqlite_utils.Database, case_id: int) -> list[str]:
    """The organisations a case is shared with, sorted."""
    sql = "SELECT org_id FROM risk_case_shares WHERE case_id = ? ORDER BY org_id"
    return [r[0] for r in db.execute(sql, [case_id]).fetchall()]


# ------------------------------------------------------------------ deadlines


def replace_deadlines(
    db: sqlite_utils.Database, case_id: int, deadlines: list[dict[str, str]]
) -> dict[str, str]:
    """Store a case's freshly computed deadlines; returns the previous ``{kind: date}``."""
    previous = {d["kind"]: d["date"] for d in case_deadlines(db, case_id)}
    now = utcnow()
    with transaction(db):
        db.execute("DELETE FROM risk_deadlines WHERE case_id = ?", [case_id])
        db.conn.executemany(
            "INSERT INTO risk_deadlines (case_id, kind, date, basis, computed_at) VALUES (?, ?, ?, ?, ?)",
            [[case_id, d["kind"], d["date"], d["basis"], now] for d in deadlines],
        )
    return previous


def case_deadlines(db: sqlite_utils.Database, case_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM risk_deadlines WHERE case_id = ? ORDER BY date, kind", [case_id]))


def deadlines_by_case(db: sqlite_utils.Database, case_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Deadlines of many cases at once, keyed by case id."""
    found: dict[int, list[dict[str, Any]]] = {}
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        sql = f"SELECT * FROM risk_deadlines WHERE case_id IN ({marks}) ORDER BY date, kind"
        for row in db.query(sql, chunk):
            found.setdefault(row["case_id"], []).append(row)
    return found


def open_deadlines_between(
    db: sqlite_utils.Database, first: str, last: str, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """Deadlines of cases that are not closed (that ``scope`` sees), dated ``first`` to ``last``
    inclusive, with their case."""
    seen, params = case_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT d.case_id, d.kind, d.date, d.basis, c.publication_id, c.owner, c.severity, c.status,
               c.enterprises, c.watchlist, c.country
        FROM risk_deadlines d JOIN risk_cases c ON c.id = d.case_id
        WHERE c.status != 'closed' AND d.date >= ? AND d.date <= ?{seen}
        ORDER BY d.date, d.case_id, d.kind
    """
    rows = list(db.query(sql, [first, last, *params]))
    for row in rows:
        row["enterprises"] = json.loads(row["enterprises"] or "[]")
    return rows


# ------------------------------------------------------------------ reminders, auto-open


def cases_with_deadlines(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every case's id, publication and severity with its deadlines as one text (``kind date; ...``)."""
    sql = """
        SELECT c.id, c.publication_id, c.severity, group_concat(d.kind || ' ' || d.date, '; ') AS deadlines
        FROM risk_cases c LEFT JOIN risk_deadlines d ON d.case_id = c.id
        GROUP BY c.id ORDER BY c.id
    """
    return list(db.query(sql))


def kill_pending_reminders(db: sqlite_utils.Database, case_id: int, reason: str = "case closed") -> int:
    """Move a case's reminders that are still pending to dead letters with ``reason``; returns how many."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE alerts SET status = 'dead', last_error = ? WHERE case_id = ? AND kind = 'reminder' "
            "AND status = 'pending'",
            [reason, case_id],
        )
    return cursor.rowcount


def auto_open_candidates(db: sqlite_utils.Database, min_score: float) -> list[dict[str, Any]]:
    """Matches at or above ``min_score`` with their publication's country and evidence (decoded;
    None where not computed yet)."""
    sql = """
        SELECT m.publication_id, m.watchlist, m.score, m.evidence, m.model_version, p.country, p.family_id
        FROM matches m JOIN publications p ON p.id = m.publication_id
        WHERE m.score >= ? AND NOT {backfilled} ORDER BY m.created_at, m.publication_id, m.watchlist
    """.format(backfilled=BACKFILLED.format(column="m.publication_id"))
    rows = list(db.query(sql, [min_score]))
    for row in rows:
        row["evidence"] = decoded_evidence(row["evidence"])
    return rows


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
