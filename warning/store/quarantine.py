"""Reading the quarantine: what was kept out of the store, why, and the bytes it was kept with.

`operations.quarantine` writes it; an operator reads it here (`warning quarantine`) to see which
kinds of problem a batch had, fix a file and ingest it again.
"""

from __future__ import annotations

import re
from collections import Counter

import sqlite_utils

# What varies between reasons of one kind: quoted values, file paths, numbers (rows, lines, sizes).
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_PATH = re.compile(r"(?:[A-Za-z]:)?[^\s:'\"]*[/\\][^\s:'\"]*")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def reason_kind(reason: str) -> str:
    """A reason with what varies between its occurrences written as ``…`` (a quoted value), ``FILE``
    and ``N``: ``row 1287: Patent Number 'DELHI' is not ...`` and ``row 9: Patent Number 'KOLKATA'
    is not ...`` are one kind."""
    text = _QUOTED.sub("'…'", reason)
    text = _PATH.sub("FILE", text)
    return _NUMBER.sub("N", text)


def quarantine_kinds(
    db: sqlite_utils.Database,
    source: str | None = None,
    contains: str | None = None,
    among: int | None = None,
) -> list[dict]:
    """Each kind of reason (`reason_kind`) with its source, count, newest date and one example,
    most frequent first; ``among``: counted over the newest that many items only (a page that
    must answer quickly whatever the quarantine holds). Reads the reasons one row at a time:
    memory follows the kinds, not the rows."""
    counts: Counter[tuple[str, str]] = Counter()
    newest: dict[tuple[str, str], tuple[str, int, str]] = {}
    where, params = _where(source, contains)
    sql = f"SELECT id, source, reason, created_at FROM quarantine {where} ORDER BY id DESC"
    if among is not None:
        sql, params = sql + " LIMIT ?", [*params, among]
    for row in db.query(sql, params):
        key = (row["source"], reason_kind(row["reason"]))
        counts[key] += 1
        if key not in newest:  # newest first: the first of a kind is its newest
            newest[key] = (row["created_at"], row["id"], row["reason"])
    return [
        {
            "source": src,
            "kind": kind,
            "count": n,
            "newest": newest[(src, kind)][0],
            "example_id": newest[(src, kind)][1],
            "example": newest[(src, kind)][2],
        }
        for (src, kind), n in counts.most_common()
    ]


def quarantined(
    db: sqlite_utils.Database, source: str | None = None, contains: str | None = None, limit: int = 20
) -> list[dict]:
    """The newest quarantined items (without their bytes): id, source, ref, reason, raw_size, created_at."""
    where, params = _where(source, contains)
    sql = (
        "SELECT id, source, ref, reason, raw_size, length(raw) AS kept, created_at FROM quarantine "
        f"{where} ORDER BY id DESC LIMIT ?"
    )
    return list(db.query(sql, [*params, limit]))


def quarantined_raw(db: sqlite_utils.Database, item_id: int) -> tuple[dict, bytes] | None:
    """One item and the bytes it was kept with (empty where they were over the size kept); None if unknown."""
    rows = list(
        db.query("SELECT id, source, ref, reason, raw, raw_size FROM quarantine WHERE id = ?", [item_id])
    )
    if not rows:
        return None
    row = rows[0]
    return {k: v for k, v in row.items() if k != "raw"}, bytes(row["raw"] or b"")


def _where(source: str | None, contains: str | None) -> tuple[str, list]:
    clauses, params = [], []
    if source:
        clauses.append("source = ?")
        params.append(source)
    if contains:
        clauses.append("(instr(lower(reason), lower(?)) > 0 OR instr(lower(ref), lower(?)) > 0)")
        params += [contains, contains]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params
