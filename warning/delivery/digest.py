"""Digests for associations and the escort programme: a period's matches, competitors, risks.

`build_digest` renders one (HTML with an embedded trend chart, text, markdown);
`send_due_digests` queues each association's digest for the period that just ended, once per
subscriber and period, and sends it through the subscriber's channels.
"""

from __future__ import annotations

import base64
import io
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from warning import clock
from warning.app import App
from warning.classify.evidence_on_read import with_evidence
from warning.config.schema import SubscriberConfig
from warning.delivery import digest_stats as stats_of
from warning.delivery import periods
from warning.delivery.dispatch import dispatch
from warning.delivery.payload import match_payload
from warning.delivery.queue import check_config, enqueue, subscriber_addresses
from warning.delivery.render import language, match_item, render
from warning.orgs.subscribers import subscriber_scope
from warning.store import digests as store
from warning.store import risks as risk_store
from warning.store.families import family_members, index_priorities
from warning.store.outbox import key_exists
from warning.store.scope import Scope

PERIODS = periods.PERIODS
TREND_PERIODS = 12
TOP_MATCHES = 10
DIGEST_KINDS = ("association", "programme")


@dataclass
class Digest:
    subscriber: str
    period: str
    start: datetime
    end: datetime
    subject: str
    text: str
    html: str
    markdown: str
    stats: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    chart: str = ""  # the trend chart, a base64 PNG
    rows: list[dict[str, Any]] = field(default_factory=list)  # the period's matches, for a spreadsheet
    attach_xlsx: bool = False  # e-mail carries ``rows`` as an .xlsx attachment

    def payload(self) -> dict[str, Any]:
        keys = ("subject", "text", "html", "markdown", "stats", "rows", "label", "attach_xlsx")
        return {k: getattr(self, k) for k in keys}


def _subscriber(app: App, subscriber: SubscriberConfig | str) -> SubscriberConfig:
    return subscriber if isinstance(subscriber, SubscriberConfig) else app.subscriber(subscriber)


def zone_of(app: App) -> tzinfo:
    """Where a digest's days, weeks and months begin: the ``[schedule]`` time zone."""
    return clock.local_zone(app.config.schedule.timezone)


def build_digest(
    app: App,
    subscriber: SubscriberConfig | str,
    period: str | None = None,
    now: datetime | None = None,
    window: periods.Window | None = None,
) -> Digest:
    """The digest of ``window``; without one, of the ``period`` (default: the subscriber's) so far
    at ``now`` (`warning.delivery.periods.current_window`)."""
    sub = _subscriber(app, subscriber)
    zone = zone_of(app)
    window = window or periods.current_window(period or sub.digest_period, clock.now(now), zone)
    lang = language(sub.language)
    rows = _matches(app, sub, window)
    index_priorities(app.db, [r["publication_id"] for r in rows])
    items = [
        {**match_item(match_payload(r, family_members(app.db, r["publication_id"])), lang), "kind": "match"}
        for r in rows
    ]
    stats = _stats(app, sub, items, window)
    chart = trend_chart_png(stats["trend"])
    context = {
        "lang": lang,
        "period": window.period,
        "start": window.start,
        "end": window.end,
        "last_day": (window.end - timedelta(seconds=1)),
        "subscriber": sub,
        "stats": stats,
        "chart": chart,
    }
    return Digest(
        subscriber=sub.name,
        period=window.period,
        start=window.start,
        end=window.end,
        subject=render("digest.subject.j2", **context).strip(),
        text=render("digest.txt.j2", **context),
        html=render("digest.html.j2", **context),
        markdown=render("digest.md.j2", **context),
        stats=stats,
        label=window.label,
        chart=chart,
        rows=[sheet_row(i) for i in items],
        attach_xlsx=app.config.digests.attach_xlsx,
    )


def _matches(app: App, sub: SubscriberConfig, window: periods.Window) -> list[dict[str, Any]]:
    rows = store.matches_between(
        app.db,
        list(sub.watchlists),
        sub.min_score,
        clock.iso(window.start),
        clock.iso(window.end),
        subscriber_scope(sub),
    )
    return with_evidence(app, [r for r in rows if not sub.countries or r.get("country") in sub.countries])


def _trend(app: App, sub: SubscriberConfig, window: periods.Window) -> list[tuple[str, int]]:
    """Matched publications per period by their publication date, over `TREND_PERIODS` periods."""
    spans = periods.trend_periods(window, TREND_PERIODS, zone_of(app))
    found = store.matched_publication_dates(
        app.db,
        list(sub.watchlists),
        sub.min_score,
        spans[0][1].isoformat(),
        spans[-1][2].isoformat(),
        subscriber_scope(sub),
    )
    return stats_of.trend_counts(
        spans, [r for r in found if not sub.countries or r["country"] in sub.countries]
    )


def _stats(app: App, sub: SubscriberConfig, items: list[dict], window: periods.Window) -> dict[str, Any]:
    groups = stats_of.inventions(items)
    scope = subscriber_scope(sub)
    start, end = clock.iso(window.start), clock.iso(window.end)
    days = (window.start.date().isoformat(), window.end.date().isoformat())
    wanted = (list(sub.watchlists), sub.min_score)
    earlier = store.applicants_before(app.db, *wanted, start, scope)
    legal = store.legal_changes(app.db, *wanted, *days, stats_of.LEGAL_CATEGORIES, scope)
    ahead = (
        window.end + periods.period_delta("week" if window.period == periods.CUSTOM else window.period)
    ).date()
    return {
        "total": len(items),
        "inventions": len(groups),
        "by_country": Counter(i["country"] for i in items).most_common(),
        "by_watchlist": Counter(g["lead"]["watchlist_name"] for g in groups).most_common(),
        "by_applicant": stats_of.applicant_groups(groups),
        "competitors": [_competitor_brief(c) for c in stats_of.competitor_groups(groups)],
        "new_entrants": stats_of.new_entrants(groups, earlier),
        "legal_changes": legal,
        "top_inventions": [_invention_brief(g) for g in groups[:TOP_MATCHES]],
        "trend": _trend(app, sub, window),
        "cases_opened": store.cases_changed(app.db, "opened_at", start, end, scope),
        "cases_closed": store.cases_changed(app.db, "closed_at", start, end, scope),
        "deadlines": _deadlines(app, window.end.date(), ahead, scope),
    }


_DEADLINE_KEYS = ("case_id", "kind", "date", "publication_id", "watchlist", "severity", "owner", "status")


def _deadlines(app: App, first: date, ahead: date, scope: Scope) -> list[dict[str, Any]]:
    """Deadlines of open cases (that ``scope`` sees) from ``first`` up to (not including) ``ahead``,
    soonest first."""
    rows = risk_store.open_deadlines_between(
        app.db, first.isoformat(), (ahead - timedelta(days=1)).isoformat(), scope
    )
    return [{k: row[k] for k in _DEADLINE_KEYS} for row in rows]


def _brief(item: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "publication_id",
        "country",
        "title_original",
        "title_en",
        "applicants",
        "watchlist_name",
        "score",
        "links",
    )
    brief = {k: item.get(k) for k in keys}
    brief["competitors"] = (item.get("rules") or {}).get("competitors", [])
    return brief


def _invention_brief(group: dict[str, Any]) -> dict[str, Any]:
    """An invention as the digest shows it: its best-scored publication and every member known."""
    return {**_brief(group["lead"]), "members": group["members"], "countries": group["countries"]}


def _competitor_brief(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry["name"],
        "count": entry["count"],
        "countries": entry["countries"],
        "inventions": [_brief(i) for i in entry["inventions"]],
    }


def sheet_row(item: dict[str, Any]) -> dict[str, Any]:
    """One match as a spreadsheet row (`warning.delivery.sheets`)."""
    return {
        "publication": item["publication_id"],
        "country": item.get("country") or "",
        "published": item.get("publication_date") or "",
        "title": item.get("title_original") or "",
        "title_en": item.get("title_en") or "",
        "applicants": "; ".join(item.get("applicants") or []),
        "watchlist": item.get("watchlist_name") or "",
        "score": round(float(item.get("score") or 0), 4),
        "family": "; ".join(item.get("family_members") or []),
        "link": item["links"][0]["url"] if item.get("links") else "",
    }


def trend_chart_png(trend: list[tuple[str, int]]) -> str:
    """The trend as a bar chart, a base64 PNG for an ``<img src="data:...">`` (Agg backend)."""
    # Deferred for start-up time: matplotlib takes a third of a second to import and only the
    # digest's chart needs it.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # after use("Agg"): the backend is chosen first

    fig = Figure(figsize=(7, 2.6), dpi=96)
    ax = fig.subplots()
    labels = [label for label, _ in trend]
    ax.bar(range(len(trend)), [n for _, n in trend], color="#d9822b")
    ax.set_xticks(range(len(trend)), labels, rotation=45, fontsize=8)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def digest_rows(sub: SubscriberConfig, digest: Digest, label: str) -> list[dict[str, Any]]:
    """Outbox rows for a digest, one per address, keyed per subscriber and period."""
    return [
        {
            "key": f"digest:{sub.name}:{digest.period}:{label}:{channel}:{address}",
            "kind": "digest",
            "subscriber": sub.name,
            "channel": channel,
            "address": address,
            "payload": digest.payload(),
        }
        for channel, address in subscriber_addresses(sub)
    ]


def send_due_digests(
    app: App, now: datetime | None = None, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """Queue and send each association's (and programme's) digest of the period that just ended,
    once per subscriber and period, through its channels; a period with nothing new is a short
    note, or nothing with ``[digests] empty = "skip"``."""
    check_config(app.config)
    moment = clock.now(now)
    counts: dict[str, Any] = {"digests": 0, "queued": 0, "skipped": 0}
    for sub in app.subscribers:
        if sub.kind not in DIGEST_KINDS or not subscriber_addresses(sub):
            continue
        window = periods.previous_window(sub.digest_period, moment, zone_of(app))
        if key_exists(app.db, f"digest:{sub.name}:{sub.digest_period}:{window.label}:"):
            continue
        digest = build_digest(app, sub, window=window)
        if not digest.stats["total"] and app.config.digests.empty == "skip":
            counts["skipped"] += 1
            continue
        counts["digests"] += 1
        counts["queued"] += enqueue(app.db, digest_rows(sub, digest, window.label), now=moment)
    sent = dispatch(app, now=moment, sleep=sleep, kinds=["digest"])
    counts.update({k: sent[k] for k in ("sent", "failed", "dead")})
    return counts
