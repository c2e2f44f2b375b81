"""What the store holds, counted: the figures of ``warning status``."""

from __future__ import annotations

import sqlite_utils

from warning.store.scope import Scope, alert_clause, case_clause, label_clause, watchlist_clause


def _grouped(
    db: sqlite_utils.Database, table: str, column: str, order: str = "", seen: tuple[str, list] = ("", [])
) -> dict[str, int]:
    sql = f"SELECT {column} AS key, count(*) AS n FROM {table} WHERE 1 = 1{seen[0]} GROUP BY {column} {order}"
    return {row["key"]: row["n"] for row in db.query(sql, seen[1])}


def _count(db: sqlite_utils.Database, table: str, seen: tuple[str, list] = ("", [])) -> int:
    return int(db.execute(f"SELECT count(*) FROM {table} WHERE 1 = 1{seen[0]}", seen[1]).fetchone()[0])


def store_counts(db: sqlite_utils.Database, scope: Scope | None = None) -> dict[str, dict[str, int] | int]:
    """Publications by country (most first), alerts by status, matches by watchlist, risk cases by
    status, and the quarantined documents and labels; with ``scope``, of what it sees (publications
    and quarantine are the instance's, the same for everyone)."""
    scope = scope or Scope.programme()
    by_country = _grouped(db, "publications", "country", "ORDER BY n DESC")
    return {
        "publications_by_country": {country or "?": n for country, n in by_country.items()},
        "alerts_by_status": _grouped(db, "alerts a", "status", seen=alert_clause(scope)),
        "matches_by_watchlist": _grouped(
            db, "matches m", "watchlist", "ORDER BY watchlist", watchlist_clause(scope)
        ),
        "risk_cases_by_status": _grouped(db, "risk_cases c", "status", seen=case_clause(scope)),
        "quarantined": _count(db, "quarantine"),
        "labels": _count(db, "labels l", label_clause(scope)),
    }
