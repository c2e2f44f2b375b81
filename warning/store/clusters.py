"""Industry clusters: backfill windows with their cursors, the cluster's publications, tracked filings."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction
from warning.store.risks import add_history
from warning.store.search import search_among


@dataclass(frozen=True)
class Window:
    """One (country, CQL filter, date window) of a cluster's backfill and how far it has got."""

    cluster: str
    country: str
    query: str
    first: str
    last: str
    status: str = "pending"
    total: int = -1
    next_begin: int = 1

    @property
    def key(self) -> list[str]:
        return [self.cluster, self.country, self.query, self.first, self.last]


_KEY = "cluster = ? AND country = ? AND query = ? AND first = ? AND last = ?"


def planned_until(db: sqlite_utils.Database, cluster: str) -> dict[tuple[str, str], str]:
    """The last day planned of each (country, query) series of a cluster's backfill."""
    sql = "SELECT country, query, max(last) FROM cluster_windows WHERE cluster = ? GROUP BY country, query"
    return {(country, query): last for country, query, last in db.execute(sql, [cluster]).fetchall()}


def new_windows(
    db: sqlite_utils.Database, cluster: str, series: Iterable[tuple[str, str]], first: str, last: str
) -> list[Window]:
    """What planning would add: the whole history for a new series, else the days after its last
    planned window up to ``last``."""
    until = planned_until(db, cluster)
    windows = []
    for country, query in series:
        start = _next_day(until[(country, query)]) if (country, query) in until else first
        if start <= last:
            windows.append(Window(cluster, country, query, start, last))
    return windows


def plan_windows(
    db: sqlite_utils.Database, cluster: str, series: Iterable[tuple[str, str]], first: str, last: str
) -> int:
    """Add the `new_windows` to the plan. Returns how many were added."""
    now = utcnow()
    windows = new_windows(db, cluster, series, first, last)
    with transaction(db):
        for w in windows:
            db.execute(
                "INSERT OR IGNORE INTO cluster_windows VALUES (?, ?, ?, ?, ?, 'pending', -1, 1, ?)",
                [w.cluster, w.country, w.query, w.first, w.last, now],
            )
    return len(windows)


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def open_windows(db: sqlite_utils.Database, cluster: str) -> list[Window]:
    """The windows not yet done, in country, query and date order."""
    sql = (
        "SELECT cluster, country, query, first, last, status, total, next_begin FROM cluster_windows "
        "WHERE cluster = ? AND status = 'pending' ORDER BY country, query, first"
    )
    return [Window(*row) for row in db.execute(sql, [cluster]).fetchall()]


def split_window(
    db: sqlite_utils.Database, window: Window, halves: list[tuple[str, str]], total: int
) -> None:
    """Replace a window OPS answers with too many hits by its halves, in one transaction."""
    now = utcnow()
    with transaction(db):
        db.execute(
            f"UPDATE cluster_windows SET status = 'split', total = ?, updated_at = ? WHERE {_KEY}",
            [total, now, *window.key],
        )
        for first, last in halves:
            db.execute(
                "INSERT OR IGNORE INTO cluster_windows VALUES (?, ?, ?, ?, ?, 'pending', -1, 1, ?)",
                [window.cluster, window.country, window.query, first, last, now],
            )


def advance_window(
    db: sqlite_utils.Database, window: Window, total: int, next_begin: int, done: bool
) -> None:
    """Move a window's cursor past the hits just stored (and close it when none are left)."""
    with transaction(db):
        db.execute(
            f"UPDATE cluster_windows SET total = ?, next_begin = ?, status = ?, updated_at = ? WHERE {_KEY}",
            [total, next_begin, "done" if done else "pending", utcnow(), *window.key],
        )


def window_counts(db: sqlite_utils.Database, cluster: str) -> dict[str, int]:
    """Windows by status, and the hits the done ones reported."""
    rows = db.execute(
        "SELECT status, count(*), sum(max(total, 0)) FROM cluster_windows WHERE cluster = ? GROUP BY status",
        [cluster],
    ).fetchall()
    counts = {f"windows_{status}": n for status, n, _ in rows}
    counts["hits_done"] = sum(hits for status, _, hits in rows if status == "done")
    return counts


def mark_publications(db: sqlite_utils.Database, cluster: str, ids: list[str]) -> int:
    """Add publications to a cluster before they are stored: one not yet in the store is marked
    ``backfill`` (it raises no alert), one already there ``store``. A publication keeps the origin
    it was first given, so a re-run after a crash marks nothing twice. Returns rows added."""
    now = utcnow()
    before = db.conn.total_changes
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO cluster_publications (cluster, publication_id, origin, added_at) "
            "SELECT ?, ?, CASE WHEN EXISTS (SELECT 1 FROM publications WHERE id = ?) THEN 'store' "
            "ELSE 'backfill' END, ?",
            [[cluster, pid, pid, now] for pid in dict.fromkeys(ids)],
        )
    return db.conn.total_changes - before


def cluster_publication_ids(
    db: sqlite_utils.Database, cluster: str, watchlists: list[str], countries: list[str]
) -> list[str]:
    """The cluster's database: what its backfill brought, and its watchlists' matches in its countries."""
    sql = (
        "SELECT publication_id FROM cluster_publications WHERE cluster = :cluster UNION "
        "SELECT m.publication_id FROM matches m JOIN publications p ON p.id = m.publication_id "
        "WHERE m.watchlist IN (SELECT value FROM json_each(:watchlists)) "
        "AND (json_array_length(:countries) = 0 OR p.country IN (SELECT value FROM json_each(:countries)))"
    )
    params = {"cluster": cluster, "watchlists": json.dumps(watchlists), "countries": json.dumps(countries)}
    return sorted(r[0] for r in db.execute(sql, params).fetchall())


def publication_rows(db: sqlite_utils.Database, ids: list[str]) -> list[dict[str, Any]]:
    """Rows of these publications with their lists decoded."""
    rows = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = (
            "SELECT id, country, number, kind, doc_type, titles, applicants, cpc, ipc, publication_date, "
            "filing_date, application_number, family_id "
            f"FROM publications WHERE id IN ({', '.join('?' for _ in chunk)})"
        )
        for row in db.query(sql, chunk):
            for key in ("titles",):
                row[key] = json.loads(row[key] or "{}")
            for key in ("applicants", "cpc", "ipc"):
                row[key] = json.loads(row[key] or "[]")
            rows.append(row)
    return sorted(rows, key=lambda r: r["id"])


def search_cluster(db: sqlite_utils.Database, ids: list[str], query: str, limit: int) -> list[str]:
    """Ids among ``ids`` matching ``query``, best first: the web app's search (`warning.store.search`:
    Chinese, Japanese and Korean too), narrowed to the cluster."""
    return search_among(db, query, ids, limit)


# ---------------------------------------------------------------- tracked filings


def track_filings(db: sqlite_utils.Database, cluster: str, filings: list[tuple[str, str, str]]) -> int:
    """Start tracking (publication id, competitor, country) filings; known ones are kept as they are."""
    before = db.conn.total_changes
    with transaction(db):
        db.conn.executemany(
            "INSERT OR IGNORE INTO cluster_filings (cluster, publication_id, competitor, country, status, "
            "status_date, checked_at, changed_at) VALUES (?, ?, ?, ?, '', '', '', '')",
            [[cluster, pid, competitor, country] for pid, competitor, country in filings],
        )
    return db.conn.total_changes - before


def filings(
    db: sqlite_utils.Database, cluster: str, oldest_checked_first: bool = False
) -> list[dict[str, Any]]:
    """A cluster's tracked filings (by competitor and id, or the longest unchecked first)."""
    order = "checked_at, publication_id" if oldest_checked_first else "competitor, country, publication_id"
    return list(db.query(f"SELECT * FROM cluster_filings WHERE cluster = ? ORDER BY {order}", [cluster]))


def record_status(
    db: sqlite_utils.Database,
    cluster: str,
    publication_id: str,
    status: str,
    status_date: str,
    changed: bool,
    case_ids: list[int] = (),
    who: str = "",
    note: str = "",
) -> None:
    """A filing's status as just derived and, when it ``changed``, a history entry on each of
    ``case_ids``: together, so a crash leaves both or neither."""
    now = utcnow()
    with transaction(db):
        db.execute(
            "UPDATE cluster_filings SET status = ?, status_date = ?, checked_at = ?, "
            "changed_at = CASE WHEN ? THEN ? ELSE changed_at END WHERE cluster = ? AND publication_id = ?",
            [status, status_date, now, int(changed), now, cluster, publication_id],
        )
        for case_id in case_ids if changed else ():
            add_history(db, case_id, who, "legal:cluster-status", "", status, note)


def cases_of_number(db: sqlite_utils.Database, country: str, number: str) -> list[int]:
    """Ids of risk cases (open or closed) on a publication of this office and number."""
    sql = "SELECT id FROM risk_cases WHERE publication_id = ? OR publication_id LIKE ? ORDER BY id"
    prefix = f"{country}-{number}"
    return [r[0] for r in db.execute(sql, [prefix, prefix + "-%"]).fetchall()]


def origins(db: sqlite_utils.Database, cluster: str) -> dict[str, str]:
    """How each of the cluster's own publications came: ``backfill`` or ``store``."""
    sql = "SELECT publication_id, origin FROM cluster_publications WHERE cluster = ?"
    return dict(db.execute(sql, [cluster]).fetchall())


def held_ids(db: sqlite_utils.Database, cluster: str, ids: list[str]) -> set[str]:
    """Which of ``ids`` the cluster already holds, marked and stored (another filter found them)."""
    sql = (
        "SELECT cp.publication_id FROM cluster_publications cp JOIN publications p ON p.id = cp.publication_id "
        "WHERE cp.cluster = ? AND cp.publication_id IN (SELECT value FROM json_each(?))"
    )
    return {r[0] for r in db.execute(sql, [cluster, json.dumps(ids)]).fetchall()}


def cluster_counts(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    """Per cluster: backfill windows by status, its own publications (backfilled of them), and its
    tracked filings by legal status, for ``warning status``."""
    counts: dict[str, dict[str, Any]] = {}

    def entry(name: str) -> dict[str, Any]:
        return counts.setdefault(name, {"windows": {}, "publications": 0, "backfilled": 0, "filings": {}})

    for name, status, n in db.execute("SELECT cluster, status, count(*) FROM cluster_windows GROUP BY 1, 2"):
        entry(name)["windows"][status] = n
    sql = "SELECT cluster, count(*), sum(origin = 'backfill') FROM cluster_publications GROUP BY 1"
    for name, n, backfilled in db.execute(sql):
        entry(name).update(publications=n, backfilled=backfilled or 0)
    for name, status, n in db.execute("SELECT cluster, status, count(*) FROM cluster_filings GROUP BY 1, 2"):
        entry(name)["filings"][status or "unchecked"] = n
    return dict(sorted(counts.items()))
