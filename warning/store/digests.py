"""Read-only queries behind the digests: matches in a window, risk cases and deadlines."""

from __future__ import annotations

from typing import Any

import sqlite_utils


def matches_between(
    db: sqlite_utils.Database, watchlists: list[str], min_score: float, start: str, end: str
) -> list[dict[str, Any]]:
    """Matches created in [start, end) of these watchlists (empty: all) at or above ``min_score``,
    with their publication and watchlist titles, best first."""
    in_watchlists = f"m.watchlist IN ({', '.join('?' for _ in watchlists)}) AND" if watchlists else ""
    sql = f"""
        SELECT m.publication_id, m.watchlist, m.score, m.threshold, m.evidence, m.model_version,
               m.created_at AS matched_at, p.*, w.title_zh, w.title_en
        FROM matches m
        JOIN publications p ON p.id = m.publication_id
        LEFT JOIN watchlists w ON w.name = m.watchlist
        WHERE {in_watchlists} m.score >= ? AND m.created_at >= ? AND m.created_at < ?
        ORDER BY m.score DESC, m.publication_id
    """
    return list(db.query(sql, [*watchlists, min_score, start, end]))


def match_times(
    db: sqlite_utils.Database, watchlists: list[str], min_score: float, start: str, end: str
) -> list[dict[str, Any]]:
    """Creation time and country of every match in [start, end), for the trend chart."""
    in_watchlists = f"m.watchlist IN ({', '.join('?' for _ in watchlists)}) AND" if watchlists else ""
    sql = f"""
        SELECT m.created_at, p.country FROM matches m JOIN publications p ON p.id = m.publication_id
        WHERE {in_watchlists} m.score >= ? AND m.created_at >= ? AND m.created_at < ?
    """
    return list(db.query(sql, [*watchlists, min_score, start, end]))


def cases_changed(db: sqlite_utils.Database, column: str, start: str, end: str) -> list[dict[str, Any]]:
    """Risk cases whose ``opened_at`` or ``closed_at`` falls in [start, end)."""
    if column not in ("opened_at", "closed_at"):
        raise ValueError(f"not a case date column: {column}")
    sql = f"SELECT * FROM risk_cases WHERE {column} >= ? AND {column} < ? ORDER BY {column}, id"
    return list(db.query(sql, [start, end]))


def deadlines_between(db: sqlite_utils.Database, start: str, end: str) -> list[dict[str, Any]]:
    """Deadlines of open cases dated in [start, end) (dates as YYYY-MM-DD), soonest first."""
    sql = """
        SELECT d.case_id, d.kind, d.date, c.publication_id, c.watchlist, c.severity, c.owner, c.status
        FROM risk_deadlines d JOIN risk_cases c ON c.id = d.case_id
        WHERE c.status != 'closed' AND d.date >= ? AND d.date < ?
        ORDER BY d.date, d.case_id
    """
    return list(db.query(sql, [start, end]))
