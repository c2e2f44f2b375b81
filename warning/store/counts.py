"""What the store holds, counted: the figures of ``warning status``."""

from __future__ import annotations

import sqlite_utils


def _grouped(db: sqlite_utils.Database, table: str, column: str, order: str = "") -> dict[str, int]:
    sql = f"SELECT {column} AS key, count(*) AS n FROM {table} GROUP BY {column} {order}"
    return {row["key"]: row["n"] for row in db.query(sql)}


def _count(db: sqlite_utils.Database, table: str) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def store_counts(db: sqlite_utils.Database) -> dict[str, dict[str, int] | int]:
    """Publications by country (most first), alerts by status, matches by watchlist, risk cases by
    status, and the quarantined documents and labels."""
    by_country = _grouped(db, "publications", "country", "ORDER BY n DESC")
    return {
        "publications_by_country": {country or "?": n for country, n in by_country.items()},
        "alerts_by_status": _grouped(db, "alerts", "status"),
        "matches_by_watchlist": _grouped(db, "matches", "watchlist", "ORDER BY watchlist"),
        "risk_cases_by_status": _grouped(db, "risk_cases", "status"),
        "quarantined": _count(db, "quarantine"),
        "labels": _count(db, "labels"),
    }
