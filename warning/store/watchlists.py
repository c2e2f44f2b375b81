"""The `watchlists` table: each watchlist's titles (zh, en), file and content hash, as last loaded.

Alerts and digests show a watchlist by its title in the reader's language; the files are the
truth, and this table is their copy in the store, so one SQL join gives a match its titles.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction


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
