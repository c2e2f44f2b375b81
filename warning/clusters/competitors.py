"""Competitor tracking: each competitor's filings in a cluster's target countries and their legal status.

A filing is one application in one office (its A1 and B1 are the same filing), found in the
cluster's database by its applicants (`Cluster.competitor_of`). Its status is derived from the
INPADOC legal events OPS holds for it (`derive_status`). A refresh (`track_competitors`, the
``clusters`` schedule job) asks OPS for the events of the filings checked longest ago first,
within the cluster's quota share; when a status differs from the one stored, one ``legal``
alert per address of each of the cluster's subscribers is queued under a key made of the filing
and its new status, then the status and a history entry on any risk case of that publication
are written together. A crash between the two re-finds the same change and queues nothing twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from warning.clusters.definitions import Cluster, load_cluster, load_clusters
from warning.clusters.ops import connect
from warning.clusters.visibility import can_see_cluster
from warning.delivery.queue import enqueue, notice_rows
from warning.errors import WarningError
from warning.identity import split_id
from warning.models import LegalEvent
from warning.orgs.subscribers import stored_subscribers, subscriber_scope
from warning.sources.base import SourceExhausted
from warning.sources.epo_ops.source import fetch_legal_events
from warning.store import clusters as store
from warning.store import legal_events as legal_store

log = logging.getLogger(__name__)

STATUSES = ("pending", "granted", "opposed", "lapsed", "withdrawn", "revoked")
STATUS_LABELS = {
    "pending": ("审查中", "pending"),
    "granted": ("已授权", "granted"),
    "opposed": ("异议/复审中", "opposed"),
    "lapsed": ("已失效", "lapsed"),
    "withdrawn": ("已撤回/驳回", "withdrawn or refused"),
    "revoked": ("已撤销/无效", "revoked"),
}
# What each event category makes of a filing (None: leaves it as it is). A refusal ends the
# application as a withdrawal does; a lapse counts only in the filing's own office (an EP's PG25
# lapses are national, in one designated state each).
_EFFECT = {
    "grant": "granted",
    "opposition": "opposed",
    "revocation": "revoked",
    "withdrawal": "withdrawn",
    "refusal": "withdrawn",
    "lapse": "lapsed",
}

Fetch = Callable[[str], list[LegalEvent]]


def derive_status(
    publication_id: str, events: list[LegalEvent], granted_kind: bool = False
) -> tuple[str, str]:
    """(status, date of the event that set it) of a filing from its office's legal events, in date order.

    ``granted_kind``: a grant of the filing is in the store (its B publication), though no event says so.
    """
    country, number, _ = split_id(publication_id)
    status, since = ("granted" if granted_kind else "pending"), ""
    own = [e for e in events if split_id(e.publication_id)[:2] == (country, number)]
    for event in sorted(own, key=lambda e: (e.date, e.code)):
        effect = _EFFECT.get(event.category)
        if event.category == "no-opposition" and status == "opposed":
            effect = "granted"
        if effect == "lapsed" and event.country not in (country, ""):
            effect = None
        if effect == "opposed" and status != "granted":
            effect = None  # an opposition is against a granted patent
        if effect:
            status, since = effect, event.date
    return status, since


def discover_filings(app: Any, cluster: Cluster) -> int:
    """Start tracking every competitor filing in the cluster's database and target countries."""
    ids = store.cluster_publication_ids(
        app.db, cluster.name, list(cluster.watchlists), list(cluster.countries)
    )
    seen: set[tuple[str, str]] = set()
    found = []
    for row in store.publication_rows(app.db, ids):
        if cluster.countries and row["country"] not in cluster.countries:
            continue
        competitor = next((c for c in map(cluster.competitor_of, row["applicants"]) if c), "")
        key = (row["country"], row["application_number"] or row["number"])
        if competitor and key not in seen:
            seen.add(key)
            found.append((row["id"], competitor, row["country"]))
    return store.track_filings(app.db, cluster.name, found)


def track_competitors(
    app: Any,
    name: str | None = None,
    *,
    fetch: Fetch | None = None,
    session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Refresh the legal status of every cluster's (or cluster ``name``'s) tracked filings."""
    clusters = [load_cluster(app.config, name)] if name else load_clusters(app.config)
    results = {c.name: _track(app, c, fetch, session, sleep) for c in clusters}
    totals = {
        k: sum(r[k] for r in results.values()) for k in ("filings", "checked", "changed", "queued", "failed")
    }
    failed = any(r["status"] == "failed" for r in results.values())
    return {**totals, "clusters": results, "status": "failed" if failed else "ok"}


def _track(app: Any, cluster: Cluster, fetch: Fetch | None, session: Any, sleep) -> dict[str, Any]:
    discover_filings(app, cluster)
    conn = connect(app, cluster, "track", session=session, sleep=sleep)
    source = app.config.sources[conn.source]
    fetch = fetch or (lambda pid: fetch_legal_events(source, pid, client=conn.client))
    conn.counts.update(filings=0, checked=0, changed=0, queued=0, failed=0)
    status, error = "ok", ""
    try:
        for filing in store.filings(app.db, cluster.name, oldest_checked_first=True):
            conn.counts["filings"] += 1
            _check(app, cluster, filing, fetch, conn.counts)
            conn.save_counts(app.db)
    except SourceExhausted as exc:
        status, error = "paused", str(exc)
        log.warning("cluster %s: tracking paused: %s", cluster.name, exc)
    if conn.counts["failed"] and not conn.counts["checked"]:
        status, error = "failed", error or "no filing's legal events could be fetched"
    return {"status": status, "error": error, **conn.finish(app.db, status, error)}


def _check(app: Any, cluster: Cluster, filing: dict[str, Any], fetch: Fetch, counts: dict[str, int]) -> None:
    pid = filing["publication_id"]
    try:
        events = fetch(pid)
    except SourceExhausted:
        raise
    except WarningError as exc:
        counts["failed"] += 1
        log.warning("cluster %s: legal events of %s not fetched: %s", cluster.name, pid, exc)
        return
    legal_store.save_legal_events(app.db, legal_store.unknown_legal_events(app.db, events))
    country, number, _ = split_id(pid)
    granted_kind = any(
        r["doc_type"] == "grant" for r in legal_store.same_number_publications(app.db, country, number)
    )
    status, since = derive_status(pid, events, granted_kind)
    counts["checked"] += 1
    old = filing["status"]
    changed = bool(old) and status != old
    if changed:
        counts["changed"] += 1
        counts["queued"] += _notify(app, cluster, filing, status, since)
    cases = store.cases_of_number(app.db, country, number) if changed else []
    note = f"{filing['competitor']} {pid} ({filing['country']}): {old} -> {status} {since}".strip()
    store.record_status(
        app.db, cluster.name, pid, status, since, changed, cases, f"cluster:{cluster.name}", note
    )


def _notify(app: Any, cluster: Cluster, filing: dict[str, Any], status: str, since: str) -> int:
    """One alert per address of each cluster subscriber; the key makes it once across re-runs."""
    pid, old = filing["publication_id"], filing["status"]
    zh_old, en_old = STATUS_LABELS.get(old, (old, old))
    zh_new, en_new = STATUS_LABELS[status]
    payload = {
        "cluster": cluster.name,
        "competitor": filing["competitor"],
        "country": filing["country"],
        "publication_id": pid,
        "old_status": old,
        "status": status,
        "status_date": since,
        "subject": {
            "zh": f"{cluster.label('zh')}：竞争对手 {filing['competitor']} 的 {pid} {zh_new}",
            "en": f"{cluster.label('en')}: {filing['competitor']}'s {pid} {en_new}",
        },
        "text": {
            "zh": f"{pid}（{filing['country']}）法律状态：{zh_old} → {zh_new}（{since or '日期不详'}）",
            "en": f"{pid} ({filing['country']}) legal status: {en_old} -> {en_new} ({since or 'date unknown'})",
        },
    }
    rows = []
    for sub in _recipients(app, cluster):
        key = f"cluster:{cluster.name}:{pid}:{status}:{since}"
        rows += notice_rows(sub, key, "legal", payload, publication_id=pid, watchlist="")
    return enqueue(app.db, rows)


def _recipients(app: Any, cluster: Cluster) -> list:
    """The cluster's subscribers (the config's, else the stored subscriptions of that name) whose
    organisation sees the cluster: a rival named by mistake hears nothing of an owned cluster."""
    known = {s.name: s for s in (*stored_subscribers(app.db), *app.config.subscribers)}
    found = []
    for name in cluster.subscribers:
        sub = known.get(name)
        if sub is None:
            log.warning("cluster %s: subscriber %r is neither configured nor stored", cluster.name, name)
        elif not can_see_cluster(app.db, subscriber_scope(sub), cluster):
            log.warning("cluster %s: subscriber %r may not see the cluster; not told", cluster.name, name)
        else:
            found.append(sub)
    return found
