"""Classification state: how far each watchlist has scored (its cursor), its matches, and reviewers' labels."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from warning.store.db import transaction, utcnow

_PUB_COLUMNS = "p.rowid AS rid, p.id, p.country, p.titles, p.abstracts, p.claims, p.ipc, p.cpc, p.applicants"


def publications_after(
    db: sqlite_utils.Database, after_rowid: int, upto_rowid: int, limit: int
) -> list[dict]:
    """The next publications (by rowid) with ``after_rowid < rowid <= upto_rowid``."""
    sql = f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.rowid > ? AND p.rowid <= ? ORDER BY p.rowid LIMIT ?"
    return _decode(db.execute(sql, [after_rowid, upto_rowid, limit]).fetchall())


def max_rowid(db: sqlite_utils.Database) -> int:
    """The highest publications rowid (0 for an empty store)."""
    return int(db.execute("SELECT coalesce(max(rowid), 0) FROM publications").fetchone()[0])


def get_cursors(db: sqlite_utils.Database, watchlists: list[str]) -> dict[str, int]:
    """The highest publications rowid each watchlist has scored (0: nothing yet)."""
    marks = ", ".join("?" for _ in watchlists)
    sql = f"SELECT watchlist, last_rowid FROM classify_cursor WHERE watchlist IN ({marks})"
    found = dict(db.execute(sql, watchlists).fetchall())
    return {name: int(found.get(name, 0)) for name in watchlists}


def reset_cursors(db: sqlite_utils.Database, watchlists: list[str]) -> None:
    """Make ``watchlists`` score every publication again."""
    with transaction(db):
        db.conn.executemany("DELETE FROM classify_cursor WHERE watchlist = ?", [(w,) for w in watchlists])


def record_batch(db: sqlite_utils.Database, matches: list[tuple], cursors: list[tuple]) -> None:
    """Store a batch's matches and move the watchlists' cursors past it, in one transaction.

    ``matches``: (publication_id, watchlist, score, threshold, evidence JSON, model_version,
    created_at); a pair already matched is updated in place and keeps its created_at.
    ``cursors``: (watchlist, last_rowid, model_version, updated_at).
    """
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO matches (publication_id, watchlist, score, threshold, evidence, model_version, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (publication_id, watchlist) DO UPDATE SET "
            "score = excluded.score, threshold = excluded.threshold, evidence = excluded.evidence, "
            "model_version = excluded.model_version",
            matches,
        )
        db.conn.executemany(
            "INSERT OR REPLACE INTO classify_cursor (watchlist, last_rowid, model_version, updated_at) "
            "VALUES (?, ?, ?, ?)",
            cursors,
        )


def count_matches(db: sqlite_utils.Database, watchlists: list[str]) -> int:
    """How many matches ``watchlists`` have."""
    marks = ", ".join("?" for _ in watchlists)
    sql = f"SELECT count(*) FROM matches WHERE watchlist IN ({marks})"
    return int(db.execute(sql, watchlists).fetchone()[0])


def get_matches(db: sqlite_utils.Database, watchlist: str | None = None) -> list[dict]:
    """Matches (evidence decoded), best first."""
    where, params = ("WHERE watchlist = ?", [watchlist]) if watchlist else ("", [])
    rows = db.query(f"SELECT * FROM matches {where} ORDER BY score DESC, publication_id", params)
    return [{**r, "evidence": json.loads(r["evidence"] or "{}")} for r in rows]


def save_label(
    db: sqlite_utils.Database,
    publication_id: str,
    watchlist: str,
    label: int,
    origin: str = "reviewer",
    weight: float = 3.0,
    who: str = "",
) -> None:
    """Record a judgement; a later judgement of the same pair replaces the earlier one."""
    db["labels"].upsert(
        {
            "publication_id": publication_id,
            "watchlist": watchlist,
            "label": int(label),
            "origin": origin,
            "weight": float(weight),
            "who": who,
            "created_at": utcnow(),
        },
        pk=("publication_id", "watchlist"),
    )


def get_labels(db: sqlite_utils.Database, watchlist: str) -> list[dict]:
    """Every label of a watchlist, oldest first."""
    sql = "SELECT * FROM labels WHERE watchlist = ? ORDER BY created_at, publication_id"
    return list(db.query(sql, [watchlist]))


def publication_rows(db: sqlite_utils.Database, ids: list[str]) -> list[dict]:
    """Publications by id (missing ones are left out), decoded like `publications_after` rows."""
    out = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.id IN ({', '.join('?' for _ in chunk)})"
        out += _decode(db.execute(sql, chunk).fetchall())
    return out


def sample_publications(db: sqlite_utils.Database, limit: int, seed: int = 0) -> list[dict]:
    """A reproducible pseudo-random sample of the store (the landscaping background)."""
    sql = f"SELECT {_PUB_COLUMNS} FROM publications p ORDER BY ((p.rowid * 2654435761 + ?) % 4294967296) LIMIT ?"
    return _decode(db.execute(sql, [seed, limit]).fetchall())


def iter_publication_rows(db: sqlite_utils.Database, batch: int = 2000) -> Iterable[list[dict]]:
    """The whole store in batches of decoded rows."""
    after = 0
    while True:
        sql = f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.rowid > ? ORDER BY p.rowid LIMIT ?"
        rows = _decode(db.execute(sql, [after, batch]).fetchall())
        if not rows:
            return
        yield rows
        after = rows[-1]["rid"]


def _decode(rows: list) -> list[dict]:
    names = ["rid", "id", "country", "titles", "abstracts", "claims", "ipc", "cpc", "applicants"]
    out = []
    for row in rows:
        item = dict(zip(names, row, strict=True))
        for key in ("titles", "abstracts", "claims"):
            item[key] = json.loads(item[key] or "{}")
        for key in ("ipc", "cpc", "applicants"):
            item[key] = json.loads(item[key] or "[]")
        out.append(item)
    return out
