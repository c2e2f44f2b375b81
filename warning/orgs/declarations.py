"""The config file's ``[[subscribers]]`` and the watchlists' ``owner`` keys, read as declarations
and applied to the store idempotently: every config in use before organisations existed runs
unchanged, and applying the same file twice changes nothing.

A subscriber becomes a subscription (origin ``config``) of its organisation: ``org = "ID"`` when
the table names one, else one of its own named like it, of its ``kind``. An association's
``members`` that the store does not know yet are added as enterprises.
A subscription the file declared before and no longer does is switched off (not deleted: its
alerts stay); another file, or none, run on the same database switches off nothing of it (a
one-off `warning --db prod.db status` must not silence production). A watchlist's ``owner`` need not exist yet: until it does, only the programme sees
that watchlist. Organisations, people and CLI-made subscriptions are never changed by a file.
"""

from __future__ import annotations

import dataclasses
import logging

import sqlite_utils

from warning.classify.watchlists import load_watchlists
from warning.config.schema import Config, SubscriberConfig
from warning.errors import ConfigError
from warning.orgs.subscribers import declared_fields, stored_subscribers
from warning.store import audit, orgs, subscriptions
from warning.store.db import transaction
from warning.store.scope import Scope
from warning.store.watchlists import record_watchlists

log = logging.getLogger(__name__)


def apply_declarations(config: Config, db: sqlite_utils.Database) -> Config:
    """Apply the config's declarations to the store, in one transaction, and return the config
    whose ``subscribers`` are the store's active subscriptions (the file's and those made since)."""
    with transaction(db):
        _declare_subscribers(config, db)
        _declare_watchlists(config, db)
    return dataclasses.replace(config, subscribers=stored_subscribers(db))


def _declare_subscribers(config: Config, db: sqlite_utils.Database) -> None:
    if any(sub.origin == "stored" for sub in config.subscribers):
        return  # read back from the store (`App.effective_config`): declared already
    programme = Scope.programme()
    source = str(config.path.resolve()) if config.path else ""
    declared = list(config.subscribers)
    org_ids = [_declare_org(db, sub) for sub in declared]  # every one before members name them
    for sub, org_id in zip(declared, org_ids, strict=True):
        _declare_members(db, org_id, sub.members)
        fields = {**declared_fields(sub, org_id), "declared_in": source}
        _sub_id, changed = subscriptions.save_subscription(db, sub.name, **fields)
        if changed:
            audit.record(db, programme, "subscription.declare", "subscription", sub.name, org=org_id)
    names = {sub.name for sub in declared}
    for name in subscriptions.config_subscription_names(db, source):
        if name not in names:
            subscriptions.disable_subscription(db, name)
            audit.record(db, programme, "subscription.disable", "subscription", name, reason="not in config")


def _declare_org(db: sqlite_utils.Database, sub: SubscriberConfig) -> str:
    org_id = sub.org or orgs.slugify(sub.name)
    if orgs.get_org(db, org_id) is None:
        orgs.create_org(db, org_id, sub.name if not sub.org else sub.org, sub.kind)
        audit.record(db, Scope.programme(), "org.declare", "org", org_id, kind=sub.kind)
    return org_id


def _declare_members(db: sqlite_utils.Database, org_id: str, members: tuple[str, ...]) -> None:
    for member in members:
        _ensure_enterprise(db, member)
        if orgs.add_member(db, org_id, member):
            audit.record(db, Scope.programme(), "org.member.add", "org", org_id, member=member)


def _ensure_enterprise(db: sqlite_utils.Database, org_id: str) -> None:
    if orgs.get_org(db, org_id) is None:
        orgs.create_org(db, org_id, org_id, "enterprise")
        audit.record(db, Scope.programme(), "org.declare", "org", org_id, kind="enterprise")


def _declare_watchlists(config: Config, db: sqlite_utils.Database) -> None:
    """Record every watchlist file with its owner. A folder that does not load leaves the recorded
    owners as they were (classification refuses such a folder anyway), so nothing turns shared."""
    if not config.watchlists_dir.is_dir():
        return
    try:
        watchlists = load_watchlists(config.watchlists_dir)
    except ConfigError as exc:
        log.warning("watchlist owners not updated: %s", exc)
        return
    # Titles are left to what renders them; only who owns each file is declared here.
    rows = [{"name": wl.name, "path": str(wl.path or ""), "owner": wl.owner or None} for wl in watchlists]
    record_watchlists(db, rows)


def unseen_watchlists(config: Config) -> list[str]:
    """Subscribers of the file that follow another organisation's own watchlist: theirs receives
    nothing from it (check-config warns). Read from the files alone, no database."""
    try:
        owners = {wl.name: wl.owner for wl in load_watchlists(config.watchlists_dir) if wl.owner}
    except (ConfigError, OSError):
        return []  # check-config reports the folder's own problems
    found = []
    for sub in config.subscribers:
        org = sub.org or orgs.slugify(sub.name)
        for name in sub.watchlists:
            if name in owners and owners[name] != org and sub.kind != "programme":
                found.append(
                    f"subscriber {sub.name!r} follows watchlist {name!r}, {owners[name]}'s own: "
                    f"{org} does not see it, so nothing of it reaches {sub.name!r}"
                )
    return found
