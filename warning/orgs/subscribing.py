"""Subscriptions made by people (CLI, web app): checked as a ``[[subscribers]]`` table is, limited
to what the subscribing organisation may see, and audited."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from warning.config.loading import bind_subscriber
from warning.errors import NotFound
from warning.orgs.manage import require_admin_of
from warning.orgs.subscribers import declared_fields
from warning.store import audit, orgs, subscriptions, users
from warning.store.db import transaction
from warning.store.scope import Scope, can_see_watchlist


def add_subscription_as(
    db: sqlite_utils.Database,
    scope: Scope,
    name: str,
    org_id: str,
    table: dict[str, Any],
    *,
    login: str | None = None,
    origin: str = "cli",
) -> int:
    """Create (or change) the subscription ``name`` of an organisation the scope administers.

    ``table``: the keys of a ``[[subscribers]]`` table (watchlists, countries, min_score, mode,
    digest_period, language, batch and channel keys such as ``email``, ``dingtalk_env``);
    ``login``: a person of that organisation it is for. A watchlist the organisation does not
    see is refused as unknown."""
    require_admin_of(scope, org_id)
    org = orgs.require_org(db, org_id)
    sub = bind_subscriber({**table, "name": name, "kind": org["kind"]}, f"subscription {name}")
    reader = Scope(org_id, org["kind"], None, "viewer")
    for watchlist in sub.watchlists:
        if not can_see_watchlist(db, reader, watchlist):
            raise NotFound(f"no watchlist {watchlist!r}")
    current = subscriptions.get_subscription(db, name)
    if current is not None and current["org_id"] != org_id:
        require_admin_of(scope, current["org_id"])
    fields = {**declared_fields(sub, org_id), "origin": origin}
    if login:
        user = users.require_user(db, login)
        if user["org_id"] != org_id:
            raise NotFound(f"no person with login {login!r} in {org_id}")
        fields["user_id"] = user["id"]
    with transaction(db):
        sub_id, changed = subscriptions.save_subscription(db, name, **fields)
        if changed:
            audit.record(db, scope, "subscription.save", "subscription", name, org=org_id, **table)
    return sub_id


def visible_subscriptions(
    db: sqlite_utils.Database, scope: Scope, org_id: str | None = None, *, include_disabled: bool = False
) -> list[dict[str, Any]]:
    """Subscriptions the scope sees: all for the programme, else its own organisation's, each
    naming only the watchlists the scope sees (a config file may name another's, to no effect)."""
    if scope.is_programme:
        return subscriptions.list_subscriptions(db, org_id, include_disabled=include_disabled)
    if org_id and org_id != scope.org_id:
        raise NotFound(f"no organisation {org_id!r}")
    found = subscriptions.list_subscriptions(db, scope.org_id, include_disabled=include_disabled)
    return [
        {**s, "watchlists": [w for w in s["watchlists"] if can_see_watchlist(db, scope, w)]} for s in found
    ]


def disable_subscription_as(db: sqlite_utils.Database, scope: Scope, name: str) -> bool:
    """Switch a subscription off (its past alerts stay); returns False if it was off already."""
    current = subscriptions.get_subscription(db, name)
    if current is None or not (scope.is_programme or current["org_id"] == scope.org_id):
        raise NotFound(f"no subscription {name!r}")
    require_admin_of(scope, current["org_id"])
    with transaction(db):
        changed = subscriptions.disable_subscription(db, name)
        if changed:
            audit.record(db, scope, "subscription.disable", "subscription", name, org=current["org_id"])
    return changed
