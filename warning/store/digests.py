"""Read-only queries behind the digests: matches in a window, publication dates for the trend,\nearlier applicants, legal changes, risk cases opened or closed."""

from __future__ import annotations

import json
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


def matched_publication_dates(
    db: sqlite_utils.Database,
    watchlists: list[str],
    min_score: float,
    first: str,
    end: str,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Publication date, id and country of every publication matched by these watchlists at or
    above ``min_score`` and published on a day in [first, end) (``YYYY-MM-DD``), once each (of
    the watchlists ``scope`` sees)."""
    seen, params = watchlist_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT DISTINCT p.id, p.publication_date, p.country
        FROM matches m JOIN publications p ON p.id = m.publication_id
        WHERE {in_watchlists(watchlists)} m.score >= ? AND p.publication_date >= ? AND p.publication_date < ?{seen}
    """
    return list(db.query(sql, [*watchlists, min_score, first, end, *params]))


def applicants_before(
    db: sqlite_utils.Database, watchlists: list[str], min_score: float, start: str, scope: Scope | None = None
) -> list[list[str]]:
    """The applicants of every publication these watchlists matched before ``start`` (for telling
    new entrants from known applicants)."""
    seen, params = watchlist_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT DISTINCT p.applicants FROM matches m JOIN publications p ON p.id = m.publication_id
        WHERE {in_watchlists(watchlists)} m.score >= ? AND m.created_at < ?{seen}
    """
    rows = db.query(sql, [*watchlists, min_score, start, *params])
    return [json.loads(r["applicants"] or "[]") for r in rows]


def legal_changes(
    db: sqlite_utils.Database,
    watchlists: list[str],
    min_score: float,
    first: str,
    end: str,
    categories: tuple,
    scope: Scope | None = None,
) -> list[dict[str, Any]]:
    """Legal events of these ``categories`` dated in [first, end) on publications these watchlists
    matched (or on another kind of the same number: the B1 of a matched A1), oldest first."""
    marks = ", ".join("?" for _ in categories)
    seen, params = watchlist_clause(scope) if scope else ("", [])
    sql = f"""
        SELECT DISTINCT e.publication_id, e.date, e.code, e.description, e.category, e.country
        FROM legal_events e
        WHERE e.date >= ? AND e.date < ? AND e.category IN ({marks}) AND e.publication_id IN (
            SELECT o.id FROM matches m JOIN publications p ON p.id = m.publication_id
            JOIN publications o ON o.country = p.country AND o.number = p.number
            WHERE {in_watchlists(watchlists)} m.score >= ?{seen})
        ORDER BY e.date, e.publication_id, e.code
    """
    return list(db.query(sql, [first, end, *categories, *watchlists, min_score, *params]))


def cases_changed(
    db: sqlite_utils.Database, column: str, start: str, end: str, scope: Scope | None = None
) -> list[dict[str, Any]]:
    """Risk cases whose ``opened_at`` or ``closed_at`` falls in [start, end) (that ``scope`` sees)."""
    if column not in ("opened_at", "closed_at"):
        raise ValueError(f"not a case date column: {column}")
    seen, params = case_clause(scope) if scope else ("", [])
    sql = f"SELECT * FROM risk_cases c WHERE {column} >= ? AND {column} < ?{seen} ORDER BY {column}, id"
    return list(db.query(sql, [start, end, *params]))
