"""Full-text search of the store that works for Chinese, Japanese and Korean as well as Latin text.

The first full-text index (``publications_fts``, tokenised with ``unicode61``) reads a run of Han
characters as one token, so 电池 inside 一种锂离子电池 is never found. ``search_index`` holds the
same titles, abstracts and claims with every CJK run written as its overlapping two-character
grams plus its last character (一种锂 -> 一种 种锂 锂), the way Lucene's CJK analyser does: a
query of two or more CJK characters becomes the phrase of its grams, and a single character the
prefix of a gram, so one index answers every length without a table scan. Latin text goes through
as it is (unicode61 with diacritics removed).

The store keeps it in step: `index_publications` runs inside the transaction that writes the
publications (`warning.store.publications`), and migration m023 fills it for an existing store.
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
    """The text as the index stores it: NFKC-normalised, each CJK run spelt as its bigrams."""
    text = unicodedata.normalize("NFKC", (text or "")[:MAX_INDEXED_CHARS])
    return CJK_RUN.sub(lambda m: f" {_run_grams(m.group())} ", text)


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


def index_publications(db: sqlite_utils.Database, ids: list[str]) -> None:
    """(Re)index these publications as stored now; call inside the transaction that wrote them."""
    if not ids or not db["search_index"].exists():
        return
    register_functions(db)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ", ".join("?" for _ in chunk)
        db.execute(
            f"DELETE FROM search_index WHERE rowid IN (SELECT rowid FROM publications WHERE id IN ({marks}))",
            chunk,
        )
        db.execute(_FILL_SQL + f" FROM publications WHERE id IN ({marks})", chunk)


def match_expression(query: str) -> str:
    """The FTS5 query for what a person typed: every whitespace-separated term must occur, each as
    the phrase of its tokens; a lone CJK character as a prefix (it may start a gram). '' when the
    query holds nothing searchable."""
    parts = []
    for term in unicodedata.normalize("NFKC", query).split():
        tokens: list[str] = []
        singles: list[str] = []
        for piece in re.finditer(f"[{_CJK}]+|{_WORD.pattern}", term):
            text = piece.group()
            if not CJK_RUN.fullmatch(text):
                tokens.append(text)
            elif len(text) == 1:
                singles.append(text)
            else:
                tokens += [text[i : i + 2] for i in range(len(text) - 1)]
        if tokens:
            parts.append(_quoted(" ".join(tokens)))
        parts += [_quoted(s) + "*" for s in singles]
    return " AND ".join(parts)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def search_publications(
    db: sqlite_utils.Database, query: str, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Publications matching ``query``, best first (title hits count most, then abstracts, then
    claims), with titles and abstracts decoded."""
    expression = match_expression(query)
    if not expression:
        return []
    return _publications(db, _ranked_rowids(db, expression, limit, offset))


def search_visible(
    db: sqlite_utils.Database, scope: Scope, query: str, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """`search_publications` narrowed to what the scope may see: for anyone but the programme,
    publications reached through a match of a visible watchlist or a visible risk case.

    The best hits are ranked by the index alone, then checked for visibility, in windows that
    grow fourfold until the page is full: checking every hit of a common word first costs a
    lookup per hit (14,000 for 电池 in 100,000 publications)."""
    expression = match_expression(query)
    if scope.is_programme or not expression:
        return search_publications(db, query, limit=limit, offset=offset)
    wanted, window = offset + limit, max(4 * (offset + limit), 200)
    while True:
        ranked = _ranked_rowids(db, expression, window, 0)
        visible = _visible_rowids(db, scope, ranked)
        if len(visible) >= wanted or len(ranked) < window:
            return _publications(db, visible[offset:wanted])
        window *= 4


def _ranked_rowids(db: sqlite_utils.Database, expression: str, limit: int, offset: int) -> list[int]:
    sql = "SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rank LIMIT ? OFFSET ?"
    return [row[0] for row in db.execute(sql, [expression, limit, offset]).fetchall()]


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
    expression = match_expression(query)
    if not expression:
        return 0
    sql = "SELECT count(*) FROM search_index WHERE search_index MATCH ?"
    return int(db.execute(sql, [expression]).fetchone()[0])


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key, empty in (("titles", "{}"), ("abstracts", "{}"), ("applicants", "[]")):
        row[key] = json.loads(row[key] or empty)
    return row
