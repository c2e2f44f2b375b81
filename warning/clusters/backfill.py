"""Backfill a cluster's history through EPO OPS, resumably, within its share of the weekly quota.

The plan is one window per (target country, CQL filter) over the cluster's history window (and,
on later runs, the days since the last one). A window OPS answers with more than 2,000 hits is
split in halves by date until each part fits. Every window keeps its own cursor, the next hit to
ask for, in ``cluster_windows``; for each page of hits the publications are first marked as the
cluster's (``backfill`` for those the store did not hold: they are classified but raise no
alert), then stored, then the cursor moves. A crash (even kill -9) between two of these steps is
resumed by the next run at the page it was on: the marks stay, the re-stored publications merge,
so nothing is lost nor duplicated. When the quota share is used up the run stops (``paused``)
and the next one goes on where it stopped.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from warning import clock
from warning.clusters.definitions import Cluster, load_cluster
from warning.clusters.ops import ClusterConnection, connect
from warning.clusters.queries import cluster_filters, window_query
from warning.errors import ConfigError
from warning.identity import make_id
from warning.models import Publication
from warning.sources.base import SourceExhausted
from warning.sources.epo_ops.source import SEARCH_CAP
from warning.sources.ingest import IngestResult, store_items
from warning.store import clusters as store
from warning.store.fetch_usage import bytes_of_job

log = logging.getLogger(__name__)
# Measured on the corpus's recorded OPS replies: a biblio exchange-document is 12 KB (median of the
# 13 real ones), a search hit 350 bytes (search__response.xml: 2,226 bytes for 5 hits).
BIBLIO_BYTES_PER_HIT = 12_000
SEARCH_BYTES_PER_HIT = 350
REPLY_OVERHEAD_BYTES = 600

Progress = Callable[[int, int], None]  # (hits just stored, hits of a window just learnt of)


@dataclass(frozen=True)
class Estimate:
    """What the rest of a backfill will cost, from the hits OPS reports for each open window."""

    hits: int
    requests: int
    bytes: int
    probe_requests: int  # what the estimate itself asked (one search hit per window)
    # hits and bytes are an upper bound where filters overlap: a publication two filters find is
    # fetched once (the second finds it held), but counted in both windows' hits
    probe_bytes: int


def backfill(
    app: Any,
    name: str,
    *,
    dry_run: bool = False,
    session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """Fill cluster ``name``'s history (see module doc); ``dry_run``: only estimate what it would take.

    Returns counts: windows done and split, publications inserted and merged, requests, bytes, and
    ``status`` ``ok`` (all windows done), ``paused`` (quota share used up) or ``failed``.
    """
    cluster = load_cluster(app.config, name)
    if not cluster.countries:
        raise ConfigError(f"{cluster.path}: a backfill searches by country; give the cluster `countries`")
    first, last = cluster.window(today or clock.today())
    series = [(country, f) for country in cluster.countries for f in cluster_filters(app.config, cluster)]
    if dry_run:
        return _dry_run(app, cluster, series, first, last, session, sleep)
    store.plan_windows(app.db, cluster.name, series, first.isoformat(), last.isoformat())
    conn = connect(app, cluster, "backfill", session=session, sleep=sleep)
    conn.counts.update(inserted=0, merged=0, unchanged=0, quarantined=0, marked=0, splits=0)
    status, error = "ok", ""
    try:
        _run_windows(app, cluster, conn, progress)
    except SourceExhausted as exc:
        status, error = "paused", str(exc)
        log.warning("cluster %s: backfill paused: %s", cluster.name, exc)
    except BaseException as exc:
        conn.finish(app.db, "interrupted" if not isinstance(exc, Exception) else "failed", repr(exc))
        raise
    counts = conn.finish(app.db, status, error)
    return {
        "cluster": cluster.name,
        "status": status,
        "error": error,
        **counts,
        **store.window_counts(app.db, cluster.name),
    }


def _run_windows(app: Any, cluster: Cluster, conn: ClusterConnection, progress: Progress | None) -> None:
    while windows := store.open_windows(app.db, cluster.name):
        for window in windows:
            _run_window(app, conn, window, progress)


def _run_window(app: Any, conn: ClusterConnection, window: store.Window, progress: Progress | None) -> None:
    first, last = date.fromisoformat(window.first), date.fromisoformat(window.last)
    query = window_query(window.country, first, last, window.query)
    page = conn.plugin.options.page_size
    begin = window.next_begin
    total, numbers = conn.plugin.search_page(conn.client, query, begin)
    if total > SEARCH_CAP and first < last:
        middle = first + (last - first) // 2
        halves = [
            (first.isoformat(), middle.isoformat()),
            ((middle + timedelta(days=1)).isoformat(), last.isoformat()),
        ]
        store.split_window(app.db, window, halves, total)
        conn.counts["splits"] += 1
        conn.save_counts(app.db)
        return
    if total > SEARCH_CAP:
        log.warning("OPS %s: %d hits on one day; only the first %d are reachable", query, total, SEARCH_CAP)
    reachable = min(total, SEARCH_CAP)
    announced = max(0, reachable - (begin - 1))  # hits of this window the progress bar learns of
    while True:
        _store_page(app, conn, window.cluster, numbers)
        begin += page
        done = begin > reachable or not numbers
        store.advance_window(app.db, window, total, begin, done)
        conn.save_counts(app.db)
        if progress:
            progress(len(numbers), announced)
            announced = 0
        if done:
            return
        _, numbers = conn.plugin.search_page(conn.client, query, begin)


def _store_page(app: Any, conn: ClusterConnection, cluster: str, numbers: list[str]) -> None:
    held = store.held_ids(app.db, cluster, [make_id(*n.split(".", 2)) for n in numbers])
    numbers = [n for n in numbers if make_id(*n.split(".", 2)) not in held]  # found by another filter
    conn.counts["already_held"] = conn.counts.get("already_held", 0) + len(held)
    if not numbers:
        return
    items = list(conn.plugin.biblio(conn.client, numbers))
    ids = [item.id for item in items if isinstance(item, Publication)]
    conn.counts["marked"] += store.mark_publications(app.db, cluster, ids)  # before they are stored
    result = IngestResult()
    store_items(app.db, items, result, limits=app.config.ingest)
    for key, value in (
        ("inserted", result.saved.inserted),
        ("merged", result.saved.merged),
        ("unchanged", result.saved.unchanged),
        ("quarantined", result.quarantined),
    ):
        conn.counts[key] += value


def _dry_run(app, cluster, series, first, last, session, sleep) -> dict[str, Any]:
    """Ask OPS for one hit of each open window (or of each new one) and estimate the rest."""
    windows = store.open_windows(app.db, cluster.name)
    windows += store.new_windows(app.db, cluster.name, series, first.isoformat(), last.isoformat())
    conn = connect(app, cluster, "estimate", session=session, sleep=sleep)
    hits = requests = 0
    status, error = "ok", ""
    try:
        for w in windows:
            query = window_query(w.country, date.fromisoformat(w.first), date.fromisoformat(w.last), w.query)
            total = _count_hits(conn, query)
            left = max(0, total - (w.next_begin - 1)) if w.total >= 0 else total
            hits += left
            requests += requests_for(left)
    except SourceExhausted as exc:
        status, error = "paused", str(exc)
    counts = conn.finish(app.db, status, error)
    plugin = counts["plugin"]
    estimate = Estimate(
        hits=hits,
        requests=requests,
        bytes=int(hits * _bytes_per_hit(app, cluster) + requests * REPLY_OVERHEAD_BYTES),
        probe_requests=plugin.get("requests", 0),
        probe_bytes=plugin.get("bytes", 0),
    )
    budget = conn.client.quota_bytes - max(conn.client.earlier_bytes, 0)
    return {
        "cluster": cluster.name,
        "status": status,
        "error": error,
        "windows": len(windows),
        "window": [first.isoformat(), last.isoformat()],
        "estimate": estimate.__dict__,
        "quota_left_bytes": int(max(0, budget)),
    }


def _bytes_per_hit(app: Any, cluster: Cluster) -> float:
    """What a hit has cost this cluster's backfill so far, else the corpus's measured sizes."""
    done = store.window_counts(app.db, cluster.name).get("hits_done", 0)
    spent = bytes_of_job(app.db, f"clusters:backfill:{cluster.name}")
    if done >= 100 and spent:
        return spent / done
    return BIBLIO_BYTES_PER_HIT + SEARCH_BYTES_PER_HIT


def _count_hits(conn: ClusterConnection, query: str) -> int:
    """The hits OPS reports for a query, asking for a single one (the cheapest search)."""
    return conn.plugin.search_page(conn.client, query, 1, size=1)[0]


def requests_for(hits: int, page: int = 100, batch: int = 100) -> int:
    """Search and biblio requests to fetch ``hits``: windows over the cap are split in halves (each
    half searched once more), each part paged ``page`` hits at a time, biblio ``batch`` at a time."""
    if hits <= 0:
        return 1
    parts = 1 if hits <= SEARCH_CAP else 2 ** math.ceil(math.log2(hits / SEARCH_CAP))
    searches = (2 * parts - 1) + max(0, math.ceil(hits / page) - parts)
    return searches + math.ceil(hits / batch)
