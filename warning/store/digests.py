"""Read-only queries behind the digests: matches in a window, their times, risk cases opened or closed."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from warning.store.matches import followed_matches, in_watchlists
from warning.store.scope import Scope, case_clause, watchlist_clause


def matches_between(
    db: sqlite_utils.Database,
    watchlists: list[str],
    min_score: float,
    start: str,
    end: str,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Matches created in [start, end) of these watchlists (empty: all) at or above ``min_score``,
    with their publication and watchlist titles, best first; with ``scope``, those it sees."""
    return followed_matches(db, watchlists, min_score, start, end, best_first=True, scope=scope)


def match_times(
    db: sqlite_utils.Database,
    watchlists: list[str],
    min_score: float,
    start: str,
    end: str,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Creation time and country of every match in [start, end) (that ``scope`` sees), for the trend chart."""
    seen, params = watchlist_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT m.created_at, p.country FROM matches m JOIN publications p ON p.id = m.publication_id
        WHERE {in_watchlists(watchlists)} m.score >= ? AND m.created_at >= ? AND m.created_at < ?{seen}
    """
    return list(db.query(sql, [*watchlists, min_score, start, end, *params]))


def cases_changed(
    db: sqlite_utils.Database, column: str, start: str, end: str, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """Risk cases whose ``opened_at`` or ``closed_at`` falls in [start, end) (that ``scope`` sees)."""
    if column not in ("opened_at", "closed_at"):
        raise ValueError(f"not a case date column: {column}")
    seen, params = case_clause(scope) if scope else ("", [])
    sql = f"SELECT * FROM risk_cases c WHERE {column} >= ? AND {column} < ?{seen} ORDER BY {column}, id"
    return list(db.query(sql, [start, end, *params]))
