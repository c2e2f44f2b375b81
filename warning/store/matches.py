"""Classification state: how far each watchlist has scored (its cursor), its matches, and reviewers' labels."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction
from warning.store.scope import Scope, watchlist_clause

log = logging.getLogger(__name__)

# What classification reads of a publication, never more, however big the stored row: each text
# column cut to :chars characters by SQLite (so Python never decodes a huge field whole), claims only
# where there is neither title nor abstract (the only case classification uses them), and each list
# column as stored unless longer than :chars, then its first LIST_ENTRIES entries, each cut short.
# A list column comes out as valid JSON always ('null' for a corrupt one, '[]' for none), so a
# batch's lists are decoded by one `json.loads` per column, not one per row (`_decode`).
LIST_ENTRIES = 1000
ENTRY_CHARS = 500


def _capped_list(column: str) -> str:
    return (
        f"CASE WHEN {column} IS NULL THEN '[]' WHEN NOT json_valid({column}) THEN 'null' "
        f"WHEN length({column}) <= :chars THEN {column} ELSE "
        f"(SELECT json_group_array(substr(value, 1, {ENTRY_CHARS})) FROM "
        f"(SELECT value FROM json_each({column}) LIMIT {LIST_ENTRIES})) END"
    )


_PUB_COLUMNS = (
    "p.rowid AS rid, p.id, p.country, substr(coalesce(p.title_text, ''), 1, :chars), "
    "substr(coalesce(p.abstract_text, ''), 1, :chars), "
    "CASE WHEN coalesce(p.title_text, '') = '' AND coalesce(p.abstract_text, '') = '' "
    "THEN substr(coalesce(p.claims_text, ''), 1, :chars) ELSE '' END, "
    + ", ".join(_capped_list(f"p.{c}") for c in ("ipc", "cpc", "applicants"))
)


def followed_matches(
    db: sqlite_utils.Database,
    watchlists: list[str],
    min_score: float,
    start: str,
    end: str = "",
    *,
    not_alerted_for: str = "",
    best_first: bool = False,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Matches of these watchlists (empty: every watchlist) at or above ``min_score``, created in
    [start, end) (no ``end``: up to now), with their publication and watchlist titles; with
    ``not_alerted_for``, only those without an alert row for that subscriber yet; with ``scope``,
    only those it sees. Oldest first, or ``best_first``."""
    seen, seen_params = watchlist_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT m.publication_id, m.watchlist, m.score, m.threshold, m.evidence, m.model_version,
               m.created_at AS matched_at, p.*, w.title_zh, w.title_en
        FROM matches m
        JOIN publications p ON p.id = m.publication_id
        LEFT JOIN watchlists w ON w.name = m.watchlist
        WHERE {in_watchlists(watchlists)} m.score >= ? AND m.created_at >= ?
          {"AND m.created_at < ?" if end else ""}
          {_NOT_ALERTED if not_alerted_for else ""}{seen}
        ORDER BY {"m.score DESC, m.publication_id" if best_first else "m.created_at, m.publication_id"}
    """
    params = [
        *watchlists,
        min_score,
        start,
        *([end] if end else []),
        *([not_alerted_for] if not_alerted_for else []),
        *seen_params,
    ]
    return list(db.query(sql, params))


# A publication a cluster's backfill brought is history, not news: classified, never alerted.
BACKFILLED = "EXISTS (SELECT 1 FROM cluster_publications b WHERE b.publication_id = {column} AND b.origin = 'backfill')"
_NOT_ALERTED = f"""AND NOT EXISTS (
    SELECT 1 FROM alerts a
    WHERE a.subscriber = ? AND a.publication_id = m.publication_id AND a.watchlist = m.watchlist
) AND NOT {BACKFILLED.format(column="m.publication_id")}"""


def best_matches(db: sqlite_utils.Database, limit: int) -> list[dict[str, Any]]:
    """The highest-scored matches with their publication's titles, country and text (title and
    abstract, for reasons in its words), evidence decoded (None where not computed yet)."""
    sql = """
        SELECT m.publication_id, m.watchlist, m.score, m.evidence, m.model_version, p.titles, p.country,
               p.title_text, p.abstract_text
        FROM matches m JOIN publications p ON p.id = m.publication_id
        ORDER BY m.score DESC, m.publication_id LIMIT ?
    """
    return [
        {**r, "titles": json.loads(r["titles"] or "{}"), "evidence": decoded_evidence(r["evidence"])}
        for r in db.query(sql, [limit])
    ]


def in_watchlists(watchlists: list[str]) -> str:
    """``m.watchlist IN (?, ...) AND`` for these watchlists; "" for all of them."""
    return f"m.watchlist IN ({', '.join('?' for _ in watchlists)}) AND" if watchlists else ""


def publications_after(
    db: sqlite_utils.Database, after_rowid: int, upto_rowid: int, limit: int, *, text_chars: int
) -> list[dict]:
    """The next publications (by rowid) with ``after_rowid < rowid <= upto_rowid``, as read for
    classification: ``title_text``, ``abstract_text``, ``claims_text`` of at most ``text_chars``
    characters each (claims empty where there is a title or an abstract), ``ipc``, ``cpc``,
    ``applicants`` lists (the first entries of a huge one)."""
    sql = (
        f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.rowid > :after AND p.rowid <= :upto "
        "ORDER BY p.rowid LIMIT :limit"
    )
    params = {"after": after_rowid, "upto": upto_rowid, "limit": limit, "chars": text_chars}
    return _decode(db.execute(sql, params).fetchall())


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


_UPSERT_MATCH = (
    "INSERT INTO matches (publication_id, watchlist, score, threshold, evidence, model_version, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (publication_id, watchlist) DO UPDATE SET "
    "score = excluded.score, threshold = excluded.threshold, evidence = excluded.evidence, "
    "model_version = excluded.model_version WHERE matches.score IS NOT excluded.score "
    "OR matches.threshold IS NOT excluded.threshold OR matches.model_version IS NOT excluded.model_version "
    "OR (excluded.evidence IS NOT NULL AND matches.evidence IS NOT excluded.evidence)"
)


def record_batch(db: sqlite_utils.Database, matches: list[tuple], cursors: list[tuple]) -> None:
    """Store a batch's matches and move the watchlists' cursors past it, in one transaction.

    ``matches``: (publication_id, watchlist, score, threshold, evidence JSON or None (computed
    where read), model_version, created_at); a pair already matched is updated in place and keeps
    its created_at, and one scored again exactly as before (a rescore that changed nothing for it)
    is not written again. An update without evidence clears the evidence cached in the row (it
    explained the old score); an unchanged pair keeps it.
    ``cursors``: (watchlist, last_rowid, model_version, updated_at).
    """
    with transaction(db):
        db.conn.executemany(_UPSERT_MATCH, matches)
        db.conn.executemany(
            "INSERT OR REPLACE INTO classify_cursor (watchlist, last_rowid, model_version, updated_at) "
            "VALUES (?, ?, ?, ?)",
            cursors,
        )


SAVE_EVIDENCE = (
    "UPDATE matches SET evidence = ? WHERE publication_id = ? AND watchlist = ? "
    "AND evidence IS NULL AND score IS ? AND model_version IS ?"
)


def save_evidence(db: sqlite_utils.Database, rows: list[tuple]) -> int:
    """Cache computed evidence in match rows, in one transaction; returns how many were written.

    ``rows``: (evidence JSON, publication_id, watchlist, score, model_version). A row is written
    only while it still has no evidence and the score and model version it was computed for: a
    rescore in between (the daemon) wins, and its match is explained again when next read.
    """
    before = db.conn.total_changes
    with transaction(db):
        db.conn.executemany(SAVE_EVIDENCE, rows)
    return db.conn.total_changes - before


def decoded_evidence(text: str | None) -> dict | None:
    """A match row's evidence column decoded; None where it is not computed yet (NULL), or is
    not JSON (a hand edit, a bad restore): then it is computed again where read."""
    try:
        value = json.loads(text) if text else None
    except ValueError:
        log.warning("a match's stored evidence is not JSON; it is computed again")
        return None
    return value if isinstance(value, dict) else None


def count_matches(db: sqlite_utils.Database, watchlists: list[str]) -> int:
    """How many matches ``watchlists`` have."""
    marks = ", ".join("?" for _ in watchlists)
    sql = f"SELECT count(*) FROM matches WHERE watchlist IN ({marks})"
    return int(db.execute(sql, watchlists).fetchone()[0])


def get_matches(db: sqlite_utils.Database, watchlist: str | None = None) -> list[dict]:
    """Matches (evidence decoded; None where not computed yet), best first."""
    where, params = ("WHERE watchlist = ?", [watchlist]) if watchlist else ("", [])
    rows = db.query(f"SELECT * FROM matches {where} ORDER BY score DESC, publication_id", params)
    return [{**r, "evidence": decoded_evidence(r["evidence"])} for r in rows]


def save_label(
    db: sqlite_utils.Database,
    publication_id: str,
    watchlist: str,
    label: int,
    origin: str = "reviewer",
    weight: float = 3.0,
    who: str = "",
    *,
    org_id: str = "",
    shared: bool | None = None,
) -> None:
    """Record an organisation's judgement (``org_id`` '' is the programme's); a later judgement of
    the same pair by the same organisation replaces the earlier one. ``shared`` None: the
    programme's labels are shared, an organisation's are kept to itself."""
    db["labels"].upsert(
        {
            "publication_id": publication_id,
            "watchlist": watchlist,
            "org_id": org_id,
            "label": int(label),
            "origin": origin,
            "weight": float(weight),
            "who": who,
            "created_at": utcnow(),
            "shared": int(org_id == "" if shared is None else shared),
        },
        pk=("publication_id", "watchlist", "org_id"),
    )


def share_labels(db: sqlite_utils.Database, org_id: str, watchlist: str, shared: bool = True) -> int:
    """Share (or stop sharing) an organisation's labels of a watchlist; returns how many changed."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE labels SET shared = ? WHERE org_id = ? AND watchlist = ? AND shared != ?",
            [int(shared), org_id, watchlist, int(shared)],
        )
    return cursor.rowcount


def get_labels(db: sqlite_utils.Database, watchlist: str, owner: str | None = None) -> list[dict]:
    """The labels a watchlist's model learns from, one per publication, oldest first: the shared
    ones, and those of the watchlist's ``owner`` (an enterprise's own watchlist). Where several
    organisations judged one publication, the owner's judgement wins, then the programme's, then
    the latest."""
    sql = """
        SELECT * FROM (
            SELECT l.*, row_number() OVER (PARTITION BY l.publication_id ORDER BY
                (l.org_id = :owner) DESC, (l.org_id = '') DESC, l.created_at DESC) AS rank
            FROM labels l WHERE l.watchlist = :watchlist AND (l.shared = 1 OR l.org_id = :owner)
        ) WHERE rank = 1 ORDER BY created_at, publication_id
    """
    rows = db.query(sql, {"watchlist": watchlist, "owner": owner or ""})
    return [{k: v for k, v in r.items() if k != "rank"} for r in rows]


def publication_rows(db: sqlite_utils.Database, ids: list[str], *, text_chars: int) -> list[dict]:
    """Publications by id (missing ones are left out), read like `publications_after` rows."""
    out = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join(f":id{i}" for i in range(len(chunk)))
        params = {"chars": text_chars, **{f"id{i}": pid for i, pid in enumerate(chunk)}}
        sql = f"SELECT {_PUB_COLUMNS} FROM publications p WHERE p.id IN ({marks})"
        out += _decode(db.execute(sql, params).fetchall())
    return out


def sample_publications(
    db: sqlite_utils.Database, limit: int, seed: int = 0, *, text_chars: int
) -> list[dict]:
    """A reproducible pseudo-random sample of the store (the landscaping background)."""
    sql = (
        f"SELECT {_PUB_COLUMNS} FROM publications p "
        "ORDER BY ((p.rowid * 2654435761 + :seed) % 4294967296) LIMIT :limit"
    )
    return _decode(db.execute(sql, {"seed": seed, "limit": limit, "chars": text_chars}).fetchall())


def iter_publication_rows(
    db: sqlite_utils.Database, batch: int = 2000, *, text_chars: int, newest: int | None = None
) -> Iterable[list[dict]]:
    """The whole store in batches of rows read like `publications_after` rows, oldest first;
    ``newest``: only the publications among the last that many rowids."""
    top = max_rowid(db)
    after = 0 if newest is None else max(0, top - newest)
    while rows := publications_after(db, after, top, batch, text_chars=text_chars):
        yield rows
        after = rows[-1]["rid"]


_ROW_KEYS = ("rid", "id", "country", "title_text", "abstract_text", "claims_text", "ipc", "cpc", "applicants")


def _decode(rows: list) -> list[dict]:
    """Rows of `_PUB_COLUMNS` as dicts, each list column of the batch decoded at once."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    ids = columns[1]
    lists = [_json_lists(columns[k], ids, _ROW_KEYS[k]) for k in (6, 7, 8)]
    return [
        dict(zip(_ROW_KEYS, (*row[:6], ipc, cpc, applicants), strict=True))
        for row, ipc, cpc, applicants in zip(rows, *lists, strict=True)
    ]


def _json_lists(texts: tuple, ids: tuple, column: str) -> list[list]:
    """One column's JSON texts (valid JSON each, see `_capped_list`) decoded in one pass."""
    try:
        values = json.loads(f"[{','.join(texts)}]")
    except (TypeError, ValueError):  # not as `_capped_list` writes them: one by one
        return [_json_list(t, i, column) for t, i in zip(texts, ids, strict=True)]
    if len(values) != len(texts):
        return [_json_list(t, i, column) for t, i in zip(texts, ids, strict=True)]
    for k, value in enumerate(values):
        if type(value) is not list:
            values[k] = _json_list(texts[k], ids[k], column)
    return values


def _json_list(text: str | None, publication_id: str, column: str) -> list:
    """A stored JSON list; a corrupt one is read as empty (and said so), not a failed batch."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        value = None
    if not isinstance(value, list):
        log.warning("publication %s: the stored %s is not a JSON list; read as empty", publication_id, column)
        return []
    return value
