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
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from dateutil.relativedelta import relativedelta

from warning import clock
from warning.app import App
from warning.config.schema import SubscriberConfig
from warning.delivery.dispatch import dispatch
from warning.delivery.payload import match_payload
from warning.delivery.queue import check_config, enqueue, subscriber_addresses
from warning.delivery.render import language, match_item, render
from warning.errors import ConfigError
from warning.store import digests as store
from warning.store import risks as risk_store
from warning.store.outbox import key_exists

PERIODS = ("day", "week", "month")
TREND_PERIODS = 12
TOP_MATCHES = 10
TOP_APPLICANTS = 10
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

    def payload(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("subject", "text", "html", "markdown", "stats")}


def period_delta(period: str) -> relativedelta:
    if period not in PERIODS:
        raise ConfigError(f"digest period must be day, week or month, not {period!r}")
    return {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1)}[
        period
    ]


def period_start(moment: datetime, period: str, zone: tzinfo = UTC) -> datetime:
    """The start (midnight in ``zone``) of the day, ISO week or month that contains ``moment``."""
    midnight = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    return midnight


def period_label(start: datetime, period: str) -> str:
    """``2026-11-23``, ``2026-W48`` or ``2026-11`` for the period starting at ``start``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m") if period == "month" else start.strftime("%Y-%m-%d")


def _subscriber(app: App, subscriber: SubscriberConfig | str) -> SubscriberConfig:
    return subscriber if isinstance(subscriber, SubscriberConfig) else app.config.subscriber(subscriber)


def build_digest(
    app: App, subscriber: SubscriberConfig | str, period: str, now: datetime | None = None
) -> Digest:
    """The digest of the ``period`` (day, week or month) that ends at ``now``."""
    sub = _subscriber(app, subscriber)
    end = clock.now(now).astimezone(clock.local_zone(app.config.schedule.timezone))
    start = end - period_delta(period)
    rows = _matches(app, sub, start, end)
    items = [{**match_item(match_payload(r), language(sub.language)), "kind": "match"} for r in rows]
    trend = _trend(app, sub, period, end)
    stats = _stats(items, trend, app, start, end, period)
    context = {
        "lang": language(sub.language),
        "period": period,
        "start": start,
        "end": end,
        "subscriber": sub,
        "stats": stats,
        "top": items[:TOP_MATCHES],
        "chart": trend_chart_png(trend),
    }
    return Digest(
        subscriber=sub.name,
        period=period,
        start=start,
        end=end,
        subject=render("digest.subject.j2", **context).strip(),
        text=render("digest.txt.j2", **context),
        html=render("digest.html.j2", **context),
        markdown=render("digest.md.j2", **context),
        stats=stats,
    )


def _matches(app: App, sub: SubscriberConfig, start: datetime, end: datetime) -> list[dict[str, Any]]:
    rows = store.matches_between(
        app.db, list(sub.watchlists), sub.min_score, clock.iso(start), clock.iso(end)
    )
    return [r for r in rows if not sub.countries or r.get("country") in sub.countries]


def _trend(app: App, sub: SubscriberConfig, period: str, end: datetime) -> list[tuple[str, int]]:
    delta = period_delta(period)
    starts = [end - delta * (TREND_PERIODS - i) for i in range(TREND_PERIODS)]
    rows = store.match_times(
        app.db, list(sub.watchlists), sub.min_score, clock.iso(starts[0]), clock.iso(end)
    )
    times = sorted(r["created_at"] for r in rows if not sub.countries or r["country"] in sub.countries)
    bounds = [clock.iso(s) for s in starts] + [clock.iso(end)]
    counts = [sum(1 for t in times if bounds[i] <= t < bounds[i + 1]) for i in range(TREND_PERIODS)]
    return [
        (s.strftime("%m-%d") if period != "month" else s.strftime("%Y-%m"), n)
        for s, n in zip(starts, counts, strict=True)
    ]


def _stats(
    items: list[dict], trend: list, app: App, start: datetime, end: datetime, period: str
) -> dict[str, Any]:
    applicants = Counter(a for item in items for a in dict.fromkeys(item.get("applicants") or []))
    competitors = [i for i in items if (i.get("rules") or {}).get("competitors")]
    ahead = (end + period_delta(period)).date()
    return {
        "total": len(items),
        "by_country": Counter(i["country"] for i in items).most_common(),
        "by_watchlist": Counter(i["watchlist_name"] for i in items).most_common(),
        "by_applicant": applicants.most_common(TOP_APPLICANTS),
        "competitor_filings": [_brief(i) for i in competitors],
        "top_matches": [_brief(i) for i in items[:TOP_MATCHES]],
        "trend": trend,
        "cases_opened": store.cases_changed(app.db, "opened_at", clock.iso(start), clock.iso(end)),
        "cases_closed": store.cases_changed(app.db, "closed_at", clock.iso(start), clock.iso(end)),
        "deadlines": _deadlines(app, end.date(), ahead),
    }


_DEADLINE_KEYS = ("case_id", "kind", "date", "publication_id", "watchlist", "severity", "owner", "status")


def _deadlines(app: App, first: date, ahead: date) -> list[dict[str, Any]]:
    """Deadlines of open cases from ``first`` up to (not including) ``ahead``, soonest first."""
    rows = risk_store.open_deadlines_between(
        app.db, first.isoformat(), (ahead - timedelta(days=1)).isoformat()
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
    once per subscriber and period, through its channels."""
    check_config(app.config)
    moment = clock.now(now)
    counts: dict[str, Any] = {"digests": 0, "queued": 0}
    for sub in app.config.subscribers:
        if sub.kind not in DIGEST_KINDS or not subscriber_addresses(sub):
            continue
        boundary = period_start(moment, sub.digest_period, clock.local_zone(app.config.schedule.timezone))
        label = period_label(boundary - period_delta(sub.digest_period), sub.digest_period)
        if key_exists(app.db, f"digest:{sub.name}:{sub.digest_period}:{label}:"):
            continue
        digest = build_digest(app, sub, sub.digest_period, now=boundary)
        counts["digests"] += 1
        counts["queued"] += enqueue(app.db, digest_rows(sub, digest, label), now=moment)
    sent = dispatch(app, now=moment, sleep=sleep, kinds=["digest"])
    counts.update({k: sent[k] for k in ("sent", "failed", "dead")})
    return counts
