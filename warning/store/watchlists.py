"""The watchlists the store knows of: their titles and who owns each (NULL: shared by everyone).

Alerts and digests show a watchlist by its title in the reader's language; the files are the
truth, and `sync_watchlists` keeps their titles, path and hash here (never the owner), so one SQL
join gives a match its titles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction


def record_watchlists(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Record watchlists as their files declare them: ``name`` with any of ``path``, ``owner``,
    ``title_zh``, ``title_en``, ``hash`` (a key left out keeps its stored value); returns how
    many rows were added or changed."""
    changed = 0
    now = utcnow()
    with transaction(db):
        for row in rows:
            current = get_watchlist(db, row["name"])
            wanted = {k: row[k] for k in ("title_zh", "title_en", "path", "hash", "owner") if k in row}
            if current is not None and all(current.get(k) == v for k, v in wanted.items()):
                continue
            db["watchlists"].upsert({"name": row["name"], **wanted, "updated_at": now}, pk="name")
            changed += 1
    return changed


def get_watchlist(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM watchlists WHERE name = ?", [name]))
    return rows[0] if rows else None


def watchlist_owner(db: sqlite_utils.Database, name: str) -> str | None:
    """The organisation that owns a watchlist; None for a shared (or unrecorded) one."""
    row = db.execute("SELECT owner FROM watchlists WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def set_owner(db: sqlite_utils.Database, name: str, owner: str | None) -> None:
    """Give a watchlist to an organisation (None: share it), recording it if it was not yet."""
    with transaction(db):
        if get_watchlist(db, name) is None:
            db["watchlists"].insert({"name": name, "owner": owner, "updated_at": utcnow()})
        else:
            db.execute(
                "UPDATE watchlists SET owner = ?, updated_at = ? WHERE name = ?", [owner, utcnow(), name]
            )


def sync_watchlists(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Write each row's ``name``, ``title_zh``, ``title_en``, ``path`` and ``hash``; a row whose
    values are already stored is left alone (its ``updated_at`` too). Columns other areas add to
    the table (ownership) are never touched. Returns rows written."""
    rows = list(rows)
    if not rows:
        return 0
    names = [r["name"] for r in rows]
    marks = ", ".join("?" for _ in names)
    stored = {
        r["name"]: r
        for r in db.query(
            f"SELECT name, title_zh, title_en, path, hash FROM watchlists WHERE name IN ({marks})", names
        )
    }
    keys = ("name", "title_zh", "title_en", "path", "hash")
    changed = [
        r for r in rows if {k: stored.get(r["name"], {}).get(k) for k in keys} != {k: r[k] for k in keys}
    ]
    now = utcnow()
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO watchlists (name, title_zh, title_en, path, hash, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET title_zh = excluded.title_zh, title_en = excluded.title_en, "
            "path = excluded.path, hash = excluded.hash, updated_at = excluded.updated_at",
            [(r["name"], r["title_zh"], r["title_en"], r["path"], r["hash"], now) for r in changed],
        )
    return len(changed)


def watchlist_titles(db: sqlite_utils.Database) -> dict[str, dict[str, str]]:
    """Every stored watchlist's titles: ``{name: {"zh": ..., "en": ...}}``."""
    return {
        r["name"]: {"zh": r["title_zh"] or "", "en": r["title_en"] or ""}
        for r in db.query("SELECT name, title_zh, title_en FROM watchlists")
    }
