"""Matches -> outbox rows, exactly once per (publication, watchlist, subscriber, channel, address).

`queue_alerts` turns new matches into outbox rows; `enqueue` lets other areas (risk reminders,
legal-status changes) add rows with their own keys; `dispatch` (in `warning.delivery.dispatch`) sends them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote

import sqlite_utils

from warning import clock
from warning.app import App
from warning.classify.evidence_on_read import with_evidence
from warning.classify.watchlists import load_watchlists, watchlist_record
from warning.config.schema import Config, SubscriberConfig
from warning.delivery.channels import address_keys, channel_classes
from warning.delivery.feedback_links import feedback_links
from warning.delivery.inventions import Inventions
from warning.delivery.payload import match_payload
from warning.delivery.render import espacenet_url, language
from warning.errors import ConfigError, WarningError
from warning.orgs.subscribers import subscriber_scope
from warning.store import outbox as store
from warning.store.families import index_priorities
from warning.store.watchlists import sync_watchlists

__all__ = [
    "KINDS",
    "batch_time",
    "config_problems",
    "config_warnings",
    "enqueue",
    "notice_rows",
    "queue_alerts",
    "subscriber_addresses",
]

log = logging.getLogger(__name__)

KINDS = ("match", "reminder", "legal", "digest", "test")


def config_problems(config: Config) -> list[str]:
    """Addresses that are wrong as they stand now (a variable holding no URL): each channel says
    (`Channel.address_problem`). Everything written in the file was checked when it was loaded."""
    channels = channel_classes()
    return [
        f"subscriber {sub.name}: {problem}"
        for sub in config.subscribers
        for channel, address in subscriber_addresses(sub)
        if (problem := channels[channel].address_problem(address))
    ]


def config_warnings(config: Config) -> list[str]:
    """What works but should change, as each channel's keys advise (robot URLs with their tokens
    written in the config file)."""
    keys = address_keys()
    return [
        f"subscriber {sub.name}: {keys[name].warning}"
        for sub in config.subscribers
        for name, value in sub.channels.items()
        if value and keys[name].warning
    ]


def check_config(config: Config) -> None:
    """Raise ConfigError listing every problem `config_problems` finds."""
    problems = config_problems(config)
    if problems:
        raise ConfigError("; ".join(problems))


def subscriber_addresses(sub: SubscriberConfig) -> list[tuple[str, str]]:
    """Every (channel, address) a subscriber is reached at, in the channels' order."""
    return [(name, a) for name, cls in channel_classes().items() for a in cls.addresses(sub.channels)]


def batch_time(mode: str, now: datetime, zone: tzinfo = UTC) -> datetime:
    """When an alert queued at ``now`` is due: at once, or at the subscriber's next period.

    ``daily``: the next midnight; ``weekly``: the next Monday midnight, both in ``zone``.
    """
    midnight = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if mode == "daily":
        return clock.now(midnight + timedelta(days=1))
    if mode == "weekly":
        return clock.now(midnight + timedelta(days=7 - midnight.weekday()))
    return now


def match_rows(
    sub: SubscriberConfig,
    match: dict[str, Any],
    due: str,
    payload: dict[str, Any] | None = None,
    web_url: str = "",
) -> list[dict[str, Any]]:
    """One outbox row per address of the subscriber for one match; with the web app's ``web_url``
    (and its key in the environment), each carries its recipient's own feedback links."""
    payload = payload if payload is not None else match_payload(match)
    pub, watchlist = match["publication_id"], match["watchlist"]
    return [
        {
            "key": f"match:{pub}:{watchlist}:{sub.name}:{channel}:{address}",
            "kind": "match",
            "subscriber": sub.name,
            "channel": channel,
            "address": address,
            "publication_id": pub,
            "watchlist": watchlist,
            "payload": _with_feedback(payload, web_url, pub, watchlist, sub.name, address),
            "next_attempt_at": due,
        }
        for channel, address in subscriber_addresses(sub)
    ]


def _with_feedback(
    payload: dict[str, Any], web_url: str, pub: str, watchlist: str, subscriber: str, address: str
) -> dict[str, Any]:
    # A link is bound to its recipient (a forwarded message labels as the one it was sent to), so
    # each address gets its own; without the web app's key there are none (`feedback_links`).
    links = feedback_links(web_url, pub, watchlist, subscriber, address) if web_url else {}
    if not links:
        return payload
    return {**payload, "feedback": {k: links[k] for k in ("relevant", "irrelevant")}}


def notice_rows(
    sub: SubscriberConfig, key_prefix: str, kind: str, payload: dict[str, Any], **row: Any
) -> list[dict[str, Any]]:
    """One outbox row per channel and address of ``sub`` for a notice (a risk reminder, a legal
    change), keyed ``{key_prefix}:{subscriber}:{channel}:{address}``; ``row`` adds the row's
    ``publication_id``, ``watchlist`` and ``case_id``.

    ``payload`` carries ``subject`` and ``text`` as {zh, en}; the row's ``title`` and ``body`` (what
    the alert templates show) are those in the subscriber's language, ``url`` the publication's page.
    """
    lang = language(sub.language)
    shown = {
        "title": (payload.get("subject") or {}).get(lang, ""),
        "body": (payload.get("text") or {}).get(lang, ""),
        "url": espacenet_url(row.get("publication_id") or ""),
        "language": lang,
    }
    return [
        {
            **row,
            "key": f"{key_prefix}:{sub.name}:{channel}:{address}",
            "kind": kind,
            "subscriber": sub.name,
            "channel": channel,
            "address": address,
            "payload": {**payload, **shown},
        }
        for channel, address in subscriber_addresses(sub)
    ]


def queue_alerts(app: App, now: datetime | None = None) -> dict[str, int]:
    """Queue an outbox row for every new match each subscriber follows (watchlists, countries,
    min_score); a match already queued for a subscriber is never queued again. A later member
    of an invention already alerted is queued as an update to that alert (`Inventions`)."""
    check_config(app.config)
    now, zone = clock.now(now), clock.local_zone(app.config.schedule.timezone)
    lookback = app.config.alerts.lookback_days
    since = clock.iso(now - timedelta(days=lookback)) if lookback > 0 else ""
    counts = {"subscribers": 0, "matches": 0, "queued": 0, "updates": 0}
    _sync_titles(app)
    for sub in app.subscribers:
        addresses = subscriber_addresses(sub)
        if not addresses:
            continue
        counts["subscribers"] += 1
        scope = subscriber_scope(sub)
        found = store.matches_to_queue(app.db, sub.name, list(sub.watchlists), sub.min_score, since, scope)
        wanted = [m for m in found if not sub.countries or m.get("country") in sub.countries]
        # the earliest publication of an invention is its alert, the later ones its updates
        wanted.sort(key=lambda m: (m.get("publication_date") or "", m["publication_id"]))
        with_evidence(app, wanted)  # the new matches' evidence, computed for them all at once
        index_priorities(app.db, [m["publication_id"] for m in wanted])
        inventions = Inventions(app.db, sub.name, app.config.alerts.per, app.config.alerts.web_url)
        due = clock.iso(batch_time(sub.mode, now, zone))
        rows = []
        for match in wanted:
            payload = _invention_payload(inventions, match, counts, now.date())
            rows += match_rows(sub, match, due, payload, app.config.alerts.web_url)
        counts["matches"] += len(wanted)
        counts["queued"] += store.insert_alerts(app.db, rows, clock.iso(now))
    return counts


def _sync_titles(app: App) -> None:
    """Copy the watchlist files' titles into the store for the alerts to show. A file being edited
    into an invalid state must not stop delivery: the titles stored last time are used, and said so."""
    try:
        watchlists = load_watchlists(app.config.watchlists_dir)
    except ConfigError as exc:
        log.warning("watchlist titles not refreshed (the alerts show those stored before): %s", exc)
        return
    sync_watchlists(app.db, [watchlist_record(w) for w in watchlists])


def _invention_payload(
    inventions: Inventions, match: dict[str, Any], counts: dict[str, int], today: date
) -> dict[str, Any]:
    """The match's payload with its family; for a later member, marked as an update to the first
    alert, and linked to the open risk cases on the invention."""
    family = inventions.family(match["publication_id"])
    payload = match_payload(match, family, today)
    if inventions.web_url:
        payload["app_url"] = f"{inventions.web_url.rstrip('/')}/publications/{quote(match['publication_id'])}"
    update = inventions.update_of(match, family)
    if update:
        payload["family_update"] = update
        inventions.join_open_cases(match, family)
        counts["updates"] += 1
    return payload


def enqueue(db: sqlite_utils.Database, rows: Iterable[dict[str, Any]], now: datetime | None = None) -> int:
    """Add outbox rows from any area; a key already present is ignored. Returns rows added.

    Each row needs ``key`` (unique, e.g. ``reminder:{case}:{kind}:{date}:{recipient}:{channel}:{address}``),
    ``kind`` (one of `KINDS`), ``channel`` and ``address``; optional ``subscriber`` (whose
    language is used), ``publication_id``, ``watchlist``, ``case_id``, ``next_attempt_at`` and
    ``payload``: a dict; for kinds other than ``match`` the templates show its ``title``,
    ``body`` and ``url``.
    """
    rows = list(rows)
    for row in rows:
        missing = [k for k in ("key", "kind", "channel") if not row.get(k)]
        if missing:
            raise WarningError(f"outbox row is missing {', '.join(missing)}: {row!r}")
        if row["kind"] not in KINDS:
            raise WarningError(f"outbox row kind must be one of {', '.join(KINDS)}, not {row['kind']!r}")
    return store.insert_alerts(db, rows, clock.iso(clock.now(now)))
