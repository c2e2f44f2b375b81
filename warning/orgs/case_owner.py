"""Whose a new risk case is: the enterprise it concerns, found from what opening it names."""

from __future__ import annotations

from collections.abc import Iterable

import sqlite_utils

from warning.config.schema import SubscriberConfig
from warning.store import orgs
from warning.store.watchlists import watchlist_owner


def org_for_case(
    db: sqlite_utils.Database,
    *,
    watchlist: str | None = None,
    owner: str = "",
    enterprises: Iterable[str] = (),
    subscribers: Iterable[SubscriberConfig] = (),
) -> str | None:
    """The enterprise a new case concerns, as the programme opens it: the owner of the product
    line's own watchlist; else the enterprise whose subscription owns the case; else an enterprise
    named like an affected one; else None (the programme's alone)."""
    owned = watchlist_owner(db, watchlist) if watchlist else None
    if owned:
        return owned
    for sub in subscribers:
        if owner and sub.name == owner and sub.kind == "enterprise" and sub.org:
            return sub.org
    for name in enterprises:
        found = orgs.find_org(db, name)
        if found is not None and found["kind"] == "enterprise":
            return found["id"]
    return None
