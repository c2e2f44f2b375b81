"""Subscribers as delivery knows them (`SubscriberConfig`), read from the database's subscriptions,
and the scope each one receives with."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from warning.config.schema import SubscriberConfig
from warning.store.orgs import slugify
from warning.store.scope import Scope
from warning.store.subscriptions import active_subscriptions


def subscriber_scope(sub: SubscriberConfig) -> Scope:
    """What a subscriber may receive: what its organisation sees (read-only)."""
    org = sub.org or slugify(sub.name)
    return Scope(org_id=org, org_kind=sub.kind, user_id=None, role="viewer", language=sub.language)


def stored_subscribers(db: sqlite_utils.Database) -> tuple[SubscriberConfig, ...]:
    """Every active subscription of an active organisation, oldest first, as a subscriber."""
    return tuple(as_subscriber(row) for row in active_subscriptions(db))


def as_subscriber(row: dict[str, Any]) -> SubscriberConfig:
    """One stored subscription (with its organisation's ``kind``) as a `SubscriberConfig`."""
    return SubscriberConfig(
        name=row["name"],
        kind=row["kind"],
        language=row["language"],
        watchlists=tuple(row["watchlists"]),
        countries=tuple(row["countries"]),
        min_score=float(row["min_score"]),
        mode=row["mode"],
        batch=bool(row["batch"]),
        digest_period=row["digest_period"],
        channels={k: tuple(v) if isinstance(v, list) else v for k, v in row["channels"].items()},
        org=row["org_id"],
        origin="stored",
    )


def declared_fields(sub: SubscriberConfig, org_id: str) -> dict[str, Any]:
    """What a ``[[subscribers]]`` table declares of its subscription."""
    return {
        "org_id": org_id,
        "watchlists": list(sub.watchlists),
        "countries": list(sub.countries),
        "min_score": sub.min_score,
        "mode": sub.mode,
        "channels": {k: list(v) if isinstance(v, tuple) else v for k, v in sub.channels.items()},
        "language": sub.language,
        "digest_period": sub.digest_period,
        "batch": sub.batch,
        "origin": "config",
    }
