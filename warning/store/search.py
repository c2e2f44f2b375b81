"""Full-text search of the store that works for Chinese, Japanese and Korean as well as Latin text.

The first full-text index (``publications_fts``, tokenised with ``unicode61``) reads a run of Han
characters as one token, so 电池 inside 一种锂离子电池 is never found; for Latin words it is right.
``search_index`` holds the CJK text of the same titles, abstracts and claims, every CJK run written
as its overlapping two-character grams plus its last character (一种锂 -> 一种 种锂 锂), the way
Lucene's CJK analyser does: a query of two or more CJK characters becomes the phrase of its grams,
and a single character the prefix of a gram, so every length is answered from the index, without a
table scan. Latin words of a query go to ``publications_fts``; a query of both kinds needs both.
Holding only CJK text keeps the second index nearly free for the English, German, French ...
publications most offices send (indexing their claims twice doubled the cost of storing them).

The store keeps it in step: `index_rows` runs inside the transaction that writes the publications
(`warning.store.publications`), with the grams computed where the rows were built (for a big
ingest, in its parser processes: `warning.store.rows`); a publication without CJK text gets no row
at all, so the English grants of a weekly file cost it nothing. Migration m023 fills it for an
existing store.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import sqlite_utils

from warning.store.scope import Scope, case_clause, watchlist_clause

# Hangul Jamo, CJK radicals and punctuation-free scripts: kana, bopomofo, Hangul compatibility
# jamo, CJK unified ideographs (extension A and the main block), Hangul syllables, compatibility
# ideographs, and the supplementary ideograph planes.
_CJK = (
    "\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(rf"[^\W{_CJK}]+")
# Enough of any one field to find a publication by; a hostile megabyte of claims is not indexed whole.
MAX_INDEXED_CHARS = 100_000
GRAMS_FUNCTION = "search_grams"


def grams(text: str | None) -> str:
    """What the index stores of a text: its CJK runs (NFKC-normalised), each spelt as its bigrams."""
    text = (text or "")[:MAX_INDEXED_CHARS]
    if text.isascii() or not CJK_RUN.search(text):
        return ""  # the ordinary English claims: nothing to normalise or index
    return " ".join(_run_grams(m.group()) for m in CJK_RUN.finditer(unicodedata.normalize("NFKC", text)))


def _run_grams(run: str) -> str:
    if len(run) == 1:
        return run
    return " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " " + run[-1]


def register_functions(db: sqlite_utils.Database) -> None:
    """Make ``search_grams(text)`` callable in this connection's SQL (idempotent, cheap)."""
    db.conn.create_function(GRAMS_FUNCTION, 1, grams, deterministic=True)


def create_index(db: sqlite_utils.Database) -> None:
    """Create ``search_index`` (rowid = the publication's rowid) and fill it from the store."""
    register_functions(db)
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5("
        "title, abstract, claims, tokenize = 'unicode61 remove_diacritics 2')"
    )
    # Titles weigh most, then abstracts, then claims: the index's own `rank` orders by it.
    db.execute("INSERT INTO search_index (search_index, rank) VALUES ('rank', 'bm25(10.0, 3.0, 1.0)')")
    db.execute("DELETE FROM search_index")
    db.execute(_FILL_SQL + " FROM publications")


_FILL_SQL = (
    f"INSERT INTO search_index (rowid, title, abstract, claims) SELECT rowid, {GRAMS_FUNCTION}(title_text), "
    f"{GRAMS_FUNCTION}(abstract_text), {GRAMS_FUNCTION}(claims_text)"
)


def text_grams(title: str, abstract: str, claims: str) -> tuple[str, str, str] | None:
    """The index's three columns for these texts; None when none holds CJK text (nothing to index)."""
    spelt = (grams(title), grams(abstract), grams(claims))
    return spelt if any(spelt) else None


def index_rows(
    db: sqlite_utils.Database, rows: list[tuple[str, tuple[str, str, str] | None]], replace: bool
) -> None:
    """Index publications (id, `text_grams`) as stored now; call inside the transaction that wrote them.

    ``replace``: some of them were indexed before (an update), so their old entries go first.
    Rows without grams are only removed (a publication without CJK text has no entry).
    """
    if not rows or not db["search_index"].exists():
        return
    if replace:
        ids = [pid for pid, _ in rows]
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            db.execute(
                f"DELETE FROM search_index WHERE rowid IN (SELECT rowid FROM publications WHERE id IN ({marks}))",
                chunk,
            )
    db.conn.executemany(
        "INSERT INTO search_index (rowid, title, abstract, claims) "
        "SELECT rowid, ?, ?, ? FROM publications WHERE id = ?",
        [(*spelt, pid) for pid, spelt in rows if spelt],
    )


def match_expressions(query: str) -> tuple[str, str]:
    """The FTS5 queries for what a person typed: (CJK part for ``search_index``, Latin part for
    ``publications_fts``). Every whitespace-separated term must occur: its CJK runs each as the
    phrase of their grams (a lone character as a prefix: it may start a gram), its other words
    as one phrase. ('', '') when the query holds nothing searchable."""
    cjk: list[str] = []
    latin: list[str] = []
    for term in unicodedata.normalize("NFKC", query).split():
        words = []
        for piece in re.finditer(f"[{_CJK}]+|{_WORD.pattern}", term):
            text = piece.group()
            if not CJK_RUN.fullmatch(text):
                words.append(text)
            elif len(text) == 1:
                cjk.append(_quoted(text) + "*")
            else:
                cjk.append(_quoted(" ".join(text[i : i + 2] for i in range(len(text) - 1))))
        if words:
            latin.append(_quoted(" ".join(words)))
    return " AND ".join(cjk), " AND ".join(latin)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search_publications(
    db: sqlite_utils.Database, query: str, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Publications matching ``query``, best first (title hits count most, then abstracts, then
    claims), with titles and abstracts decoded."""
    expressions = match_expressions(query)
    if not any(expressions):
        return []
    return _publications(db, _ranked_rowids(db, expressions, limit, offset))


def search_visible(
    db: sqlite_utils.Database, scope: Scope, query: str, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """`search_publications` narrowed to what the scope may see: for anyone but the programme,
    publications reached through a match of a visible watchlist or a visible risk case.

    The best hits are ranked by the index alone, then checked for visibility, in windows that
    grow fourfold until the page is full: checking every hit of a common word first costs a
    lookup per hit (14,000 for 电池 in 100,000 publications)."""
    expressions = match_expressions(query)
    if scope.is_programme or not any(expressions):
        return search_publications(db, query, limit=limit, offset=offset)
    wanted, window = offset + limit, max(4 * (offset + limit), 200)
    while True:
        ranked = _ranked_rowids(db, expressions, window, 0)
        visible = _visible_rowids(db, scope, ranked)
        if len(visible) >= wanted or len(ranked) < window:
            return _publications(db, visible[offset:wanted])
        window *= 4


def search_among(db: sqlite_utils.Database, query: str, ids: list[str], limit: int) -> list[str]:
    """Ids among ``ids`` matching ``query``, best first (a cluster's search of its publications)."""
    expressions = match_expressions(query)
    if not any(expressions):
        return []
    rowids = _ranked_rowids(db, expressions, limit, 0, among=ids)
    return [row["id"] for row in _publications(db, rowids)]


def _ranked_rowids(
    db: sqlite_utils.Database,
    expressions: tuple[str, str],
    limit: int,
    offset: int,
    among: list[str] | None = None,
) -> list[int]:
    """Publication rowids matching both parts of the query (and among these ids), best first
    (titles weigh most)."""
    cjk, latin = expressions
    narrowed, extra = "", []
    if among is not None:
        narrowed = (
            " AND rowid IN (SELECT rowid FROM publications WHERE id IN (SELECT value FROM json_each(?)))"
        )
        extra = [json.dumps(among)]
    if cjk and latin:
        sql = (
            "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid IN "
            f"(SELECT rowid FROM publications_fts WHERE publications_fts MATCH ?){narrowed} "
            "ORDER BY rank LIMIT ? OFFSET ?"
        )
        params = [cjk, latin, *extra, limit, offset]
    elif cjk:
        sql = f"SELECT rowid FROM search_index WHERE search_index MATCH ?{narrowed} ORDER BY rank LIMIT ? OFFSET ?"
        params = [cjk, *extra, limit, offset]
    else:
        sql = (
            f"SELECT rowid FROM publications_fts WHERE publications_fts MATCH ?{narrowed} "
            "ORDER BY bm25(publications_fts, 10.0, 3.0, 1.0) LIMIT ? OFFSET ?"
        )
        params = [latin, *extra, limit, offset]
    return [row[0] for row in db.execute(sql, params).fetchall()]


def _visible_rowids(db: sqlite_utils.Database, scope: Scope, rowids: list[int]) -> list[int]:
    """Of these publication rowids, those the scope sees, in the order given."""
    seen, seen_params = watchlist_clause(scope)
    cased, case_params = case_clause(scope)
    found: set[int] = set()
    for start in range(0, len(rowids), 500):
        chunk = rowids[start : start + 500]
        sql = f"""
            SELECT p.rowid FROM publications p WHERE p.rowid IN ({", ".join("?" for _ in chunk)})
            AND (EXISTS (SELECT 1 FROM matches m WHERE m.publication_id = p.id{seen})
                 OR EXISTS (SELECT 1 FROM risk_cases c WHERE c.publication_id = p.id{cased}))
        """
        found.update(row[0] for row in db.execute(sql, [*chunk, *seen_params, *case_params]).fetchall())
    return [rowid for rowid in rowids if rowid in found]


def _publications(db: sqlite_utils.Database, rowids: list[int]) -> list[dict[str, Any]]:
    """The publications of these rowids, decoded, in the order given."""
    if not rowids:
        return []
    sql = f"""
        SELECT p.rowid AS rid, p.id, p.country, p.kind, p.publication_date, p.titles, p.abstracts, p.applicants
        FROM publications p WHERE p.rowid IN ({", ".join("?" for _ in rowids)})
    """
    rows = {row["rid"]: row for row in db.query(sql, rowids)}
    return [_decoded(rows[r]) for r in rowids if r in rows]


def count_hits(db: sqlite_utils.Database, query: str) -> int:
    """How many publications match ``query`` (before any scope)."""
    expressions = match_expressions(query)
    if not any(expressions):
        return 0
    return len(_ranked_rowids(db, expressions, -1, 0))


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key, empty in (("titles", "{}"), ("abstracts", "{}"), ("applicants", "[]")):
        row[key] = json.loads(row[key] or empty)
    return row
