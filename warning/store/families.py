"""Inventions: publications grouped by DOCDB family where a source gave one, else by shared
priority claims.

OPS and the EP publication server give the DOCDB family id; USPTO full text and the exports give
priority claims. Two publications belong to one invention when they share a family id or a
priority claim (normalised: `priority_key`), and transitively so, a few links deep: an EP member
with a family id and a US member with only its priority claim meet through that priority.
Priority claims are indexed in `publication_priorities` (incrementally, by rowid; a publication
looked at is indexed again, as a merge may have added claims).
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlite_utils

from warning.store.db import transaction

HOPS = 3  # links followed from a publication: enough for EP <- priority -> US -> priority -> CN
MAX_MEMBERS = 200  # a family is seldom above 100; a priority key shared by thousands is noise
_NOT_KEY = re.compile(r"[^0-9A-Z]")
_MEMBER_COLUMNS = "id, country, kind, doc_type, publication_date, family_id"


MIN_DIGITS = 6  # an application number has more; an export's truncated "US758" would join strangers


def priority_key(claim: str) -> str:
    """A priority claim compared without spaces, dashes, slashes or dots: ``KR10-2022-0061857``
    -> ``KR1020220061857``; "" for one with fewer than `MIN_DIGITS` digits."""
    key = _NOT_KEY.sub("", (claim or "").upper())
    return key if sum(c.isdigit() for c in key) >= MIN_DIGITS else ""


def index_priorities(db: sqlite_utils.Database, ids: list[str] | None = None, batch: int = 20_000) -> int:
    """Index the priority claims of publications stored since the last call (and of ``ids``),
    ``batch`` publications a transaction, so a first call on a big store keeps its memory small
    and a crash keeps what was indexed. Returns the (priority, publication) pairs written."""
    written = 0
    while True:
        last = db.execute("SELECT coalesce(max(last_rowid), 0) FROM family_cursor").fetchone()[0]
        rows = db.execute(
            "SELECT rowid, id, priority_claims FROM publications WHERE rowid > ? ORDER BY rowid LIMIT ?",
            [last, batch],
        ).fetchall()
        if not rows:
            break
        written += _index(db, rows, rows[-1][0])
    for start in range(0, len(ids or []), 500):
        chunk = (ids or [])[start : start + 500]
        sql = f"SELECT rowid, id, priority_claims FROM publications WHERE id IN ({', '.join('?' for _ in chunk)})"
        written += _index(db, db.execute(sql, chunk).fetchall(), None)
    return written


def _index(db: sqlite_utils.Database, rows: list, upto: int | None) -> int:
    """Write the priority keys of ``rows``; with ``upto``, move the cursor there in the same transaction."""
    pairs = sorted(
        {(key, pid) for _, pid, claims in rows for claim in _claims(claims) if (key := priority_key(claim))}
    )
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO publication_priorities (priority, publication_id) VALUES (?, ?)", pairs
        )
        if upto is not None:
            db.execute(
                "INSERT OR REPLACE INTO family_cursor (name, last_rowid) VALUES ('priorities', ?)", [upto]
            )
    return len(pairs)


def _claims(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def family_members(db: sqlite_utils.Database, publication_id: str) -> list[dict[str, Any]]:
    """The publications of the invention ``publication_id`` belongs to (itself included), known so
    far, oldest publication first: id, country, kind, doc_type, publication_date, family_id."""
    known: set[str] = {publication_id}
    frontier = [publication_id]
    for _ in range(HOPS):
        if not frontier or len(known) >= MAX_MEMBERS:
            break
        found = _linked(db, frontier) - known
        known |= found
        frontier = sorted(found)
    return _members(db, sorted(known)[:MAX_MEMBERS])


def _linked(db: sqlite_utils.Database, ids: list[str]) -> set[str]:
    marks = ", ".join("?" for _ in ids)
    sql = f"""
        SELECT o.id FROM publications p JOIN publications o ON o.family_id = p.family_id
        WHERE p.id IN ({marks}) AND coalesce(p.family_id, '') != ''
        UNION
        SELECT o.publication_id FROM publication_priorities k
        JOIN publication_priorities o ON o.priority = k.priority
        WHERE k.publication_id IN ({marks})
        LIMIT {MAX_MEMBERS}
    """
    return {r[0] for r in db.execute(sql, [*ids, *ids]).fetchall()}


def _members(db: sqlite_utils.Database, ids: list[str]) -> list[dict[str, Any]]:
    marks = ", ".join("?" for _ in ids)
    sql = (
        f"SELECT {_MEMBER_COLUMNS} FROM publications WHERE id IN ({marks}) "
        "ORDER BY coalesce(publication_date, ''), id"
    )
    return list(db.query(sql, ids))


def first_alerted(
    db: sqlite_utils.Database, subscriber: str, watchlist: str, publication_ids: list[str]
) -> str:
    """Of ``publication_ids``, the one whose match alert reached ``subscriber`` for ``watchlist``
    first (queued first), or "" when none has an alert yet."""
    if not publication_ids:
        return ""
    marks = ", ".join("?" for _ in publication_ids)
    sql = f"""
        SELECT publication_id FROM alerts
        WHERE kind = 'match' AND subscriber = ? AND watchlist = ? AND publication_id IN ({marks})
        ORDER BY created_at, id LIMIT 1
    """
    row = db.execute(sql, [subscriber, watchlist, *publication_ids]).fetchone()
    return row[0] if row else ""


def open_cases_of(db: sqlite_utils.Database, publication_ids: list[str]) -> list[int]:
    """Open risk cases on any of ``publication_ids`` (the case's publication or a linked member)."""
    return cases_of(db, publication_ids, open_only=True)


def cases_of(db: sqlite_utils.Database, publication_ids: list[str], open_only: bool = False) -> list[int]:
    """Risk cases (oldest first) on any of ``publication_ids``: the case's own publication or a
    member linked to it; ``open_only`` leaves closed ones out."""
    if not publication_ids:
        return []
    marks = ", ".join("?" for _ in publication_ids)
    status = "AND c.status != 'closed'" if open_only else ""
    sql = f"""
        SELECT c.id FROM risk_cases c WHERE c.publication_id IN ({marks}) {status}
        UNION
        SELECT c.id FROM risk_cases c JOIN risk_family f ON f.case_id = c.id
        WHERE f.publication_id IN ({marks}) {status}
        ORDER BY 1
    """
    return [r[0] for r in db.execute(sql, [*publication_ids, *publication_ids]).fetchall()]
