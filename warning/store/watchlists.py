"""The watchlists the store knows of: their titles and who owns each (NULL: shared by everyone)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction


def record_watchlists(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]]) -> int:
    """Record watchlists (``name``, ``title_zh``, ``title_en``, ``path``, ``hash``, ``owner``) as
    their files declare them; returns how many rows were added or changed."""
    changed = 0
    now = utcnow()
    with transaction(db):
        for row in rows:
            current = get_watchlist(db, row["name"])
            wanted = {k: row.get(k) for k in ("title_zh", "title_en", "path", "hash", "owner")}
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
