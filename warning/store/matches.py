"""Classification state: what each watchlist has scored, its matches, and reviewers' labels."""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlite_utils

from warning.store.db import utcnow

_PUB_COLUMNS = "p.rowid AS rid, p.id, p.country, p.titles, p.abstracts, p.claims, p.ipc, p.cpc, p.applicants"


def unscored_batch(
    db: sqlite_utils.Database, watchlists: list[str], after_rowid: int, limit: int
) -> list[dict]:
    """The next publications (by rowid) that at least one of ``watchlists`` has not scored yet."""
    marks = ", ".join("?" for _ in watchlists)
    sql = (
        f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.rowid > ? AND "
        f"(SELECT count(*) FROM scored s WHERE s.publication_id = p.id AND s.watchlist IN ({marks})) < ? "
        "ORDER BY p.rowid LIMIT ?"
    )
    return _decode(db.execute(sql, [after_rowid, *watchlists, len(watchlists), limit]).fetchall())


def scored_pairs(db: sqlite_utils.Database, publication_ids: list[str]) -> set[tuple[str, str]]:
    """(publication_id, watchlist) pairs already scored among ``publication_ids``."""
    found: set[tuple[str, str]] = set()
    for start in range(0, len(publication_ids), 500):
        chunk = publication_ids[start : start + 500]
        sql = f"SELECT publication_id, watchlist FROM scored WHERE publication_id IN ({', '.join('?' for _ in chunk)})"
        found.update((a, b) for a, b in db.execute(sql, chunk).fetchall())
    return found


def record_scores(db: sqlite_utils.Database, scored: Iterable[tuple], matches: Iterable[dict]) -> None:
    """Store a batch's scores (publication_id, watchlist, score, model_version) and its matches, atomically."""
    now = utcnow()
    with db.conn:
        db.conn.executemany(
            "INSERT OR IGNORE INTO scored (publication_id, watchlist, score, model_version, scored_at) "
            "VALUES (?, ?, ?, ?, ?)",
            [(*row, now) for row in scored],
        )
        db.conn.executemany(
            "INSERT OR IGNORE INTO matches (publication_id, watchlist, score, threshold, evidence, "
            "model_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m["publication_id"],
                    m["watchlist"],
                    m["score"],
                    m["threshold"],
                    m["evidence"]
                    if isinstance(m["evidence"], str)
                    else json.dumps(m["evidence"], ensure_ascii=False),
                    m["model_version"],
                    now,
                )
                for m in matches
            ],
        )


def get_matches(db: sqlite_utils.Database, watchlist: str | None = None) -> list[dict]:
    """Matches (evidence decoded), best first."""
    where, params = ("WHERE watchlist = ?", [watchlist]) if watchlist else ("", [])
    rows = db.query(f"SELECT * FROM matches {where} ORDER BY score DESC, publication_id", params)
    return [{**r, "evidence": json.loads(r["evidence"] or "{}")} for r in rows]


def count_scored(db: sqlite_utils.Database, watchlist: str) -> int:
    return int(db.execute("SELECT count(*) FROM scored WHERE watchlist = ?", [watchlist]).fetchone()[0])


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
    """Publications by id (missing ones are left out), decoded like `unscored_batch` rows."""
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
