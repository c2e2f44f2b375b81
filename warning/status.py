"""What an operator wants to know: counts, source health, recent runs."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from warning.store.operations import list_source_states, recent_runs


def _count(db: sqlite_utils.Database, sql: str, params: list | None = None) -> int:
    return int(db.execute(sql, params or []).fetchone()[0])


def collect_status(db: sqlite_utils.Database) -> dict[str, Any]:
    """A JSON-ready picture of the store; the top-level integer keys are part of the CLI contract."""
    by_country = {
        row["country"] or "?": row["n"]
        for row in db.query(
            "SELECT country, count(*) AS n FROM publications GROUP BY country ORDER BY n DESC"
        )
    }
    alerts = {
        row["status"]: row["n"]
        for row in db.query("SELECT status, count(*) AS n FROM alerts GROUP BY status")
    }
    matches_by_watchlist = {
        row["watchlist"]: row["n"]
        for row in db.query(
            "SELECT watchlist, count(*) AS n FROM matches GROUP BY watchlist ORDER BY watchlist"
        )
    }
    risk_by_status = {
        row["status"]: row["n"]
        for row in db.query("SELECT status, count(*) AS n FROM risk_cases GROUP BY status")
    }
    sources = [
        {
            "source": s.source,
            "country": s.country,
            "cursor": s.cursor,
            "last_success": s.last_success,
            "last_failure": s.last_failure,
            "last_error": s.last_error,
            "error_count": s.error_count,
        }
        for s in list_source_states(db)
    ]
    runs = [
        {
            **{k: r[k] for k in ("id", "job", "source", "started_at", "finished_at", "status", "error")},
            "counts": json.loads(r["counts"] or "{}"),
        }
        for r in recent_runs(db, 10)
    ]
    return {
        "publications": sum(by_country.values()),
        "quarantined": _count(db, "SELECT count(*) FROM quarantine"),
        "matches": sum(matches_by_watchlist.values()),
        "alerts_pending": alerts.get("pending", 0) + alerts.get("sending", 0),
        "alerts_sent": alerts.get("sent", 0),
        "alerts_dead": alerts.get("dead", 0),
        "labels": _count(db, "SELECT count(*) FROM labels"),
        "risk_cases_open": sum(n for s, n in risk_by_status.items() if s != "closed"),
        "publications_by_country": by_country,
        "matches_by_watchlist": matches_by_watchlist,
        "risk_cases_by_status": risk_by_status,
        "sources": sources,
        "recent_runs": runs,
    }
