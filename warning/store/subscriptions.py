"""Subscriptions: which watchlists, countries, minimum score, mode and channels an organisation
(or one of its people) receives. The name is what alert rows call the subscriber."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.errors import NotFound, WarningError
from warning.store.db import transaction
from warning.store.listing import active_where
from warning.store.orgs import require_org

MODES = ("immediate", "daily", "weekly")
PERIODS = ("day", "week", "month")
ORIGINS = ("config", "cli", "web")
_JSON_COLUMNS = {"watchlists": "[]", "countries": "[]", "channels": "{}"}
_FIELDS = (
    "org_id",
    "user_id",
    "watchlists",
    "countries",
    "min_score",
    "mode",
    "channels",
    "language",
    "digest_period",
    "batch",
    "origin",
    "declared_in",  # the config file that declared it (origin config)
)


def save_subscription(db: sqlite_utils.Database, name: str, **fields: Any) -> tuple[int, bool]:
    """Create the subscription ``name`` or update it to ``fields`` (re-enabling it); returns its id
    and whether anything changed, so declaring the same subscription twice changes nothing."""
    row = _row(db, fields)
    current = get_subscription(db, name)
    now = utcnow()
    with transaction(db):
        if current is None:
            row.setdefault("origin", "cli")
            cursor = db["subscriptions"].insert({"name": name, **row, "created_at": now, "updated_at": now})
            return int(cursor.last_pk), True
        stored = next(db.query("SELECT * FROM subscriptions WHERE id = ?", [current["id"]]))
        changed = {k: v for k, v in row.items() if stored.get(k) != v}
        if stored["disabled_at"]:
            changed["disabled_at"] = None
        if changed:
            db["subscriptions"].update(current["id"], {**changed, "updated_at": now})
    return int(current["id"]), bool(changed)


def _row(db: sqlite_utils.Database, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(_FIELDS)
    if unknown:
        raise WarningError(f"unknown subscription fields: {', '.join(sorted(unknown))}")
    if "org_id" in fields:
        require_org(db, fields["org_id"])
    for key, allowed in (("mode", MODES), ("digest_period", PERIODS), ("origin", ORIGINS)):
        if key in fields and fields[key] not in allowed:
            raise WarningError(f"subscription {key} {fields[key]!r}: expected one of {', '.join(allowed)}")
    row = dict(fields)
    for key in _JSON_COLUMNS:
        if key in row:
            value = row[key]
            row[key] = json.dumps(
                list(value) if key != "channels" else dict(value), ensure_ascii=False, sort_keys=True
            )
    if "batch" in row:
        row["batch"] = int(bool(row["batch"]))
    if "min_score" in row:
        row["min_score"] = float(row["min_score"])
    return row


def get_subscription(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """One subscription by name, its lists decoded, or None."""
    rows = list(db.query("SELECT * FROM subscriptions WHERE name = ?", [name]))
    return _decode(rows[0]) if rows else None


def require_subscription(db: sqlite_utils.Database, name: str) -> dict[str, Any]:
    found = get_subscription(db, name)
    if found is None:
        raise NotFound(f"no subscription {name!r}")
    return found


def list_subscriptions(
    db: sqlite_utils.Database, org_id: str | None = None, *, include_disabled: bool = False
) -> list[dict[str, Any]]:
    """Subscriptions (of one organisation), by organisation then name, lists decoded."""
    where, params = active_where({"org_id": org_id}, include_disabled=include_disabled)
    sql = f"SELECT * FROM subscriptions WHERE {where} ORDER BY org_id, name"
    return [_decode(r) for r in db.query(sql, params)]


def active_subscriptions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Subscriptions that are on, of organisations that are on, oldest first, each with its
    organisation's ``kind``: who delivery sends to."""
    sql = (
        "SELECT s.*, o.kind FROM subscriptions s JOIN orgs o ON o.id = s.org_id "
        "WHERE s.disabled_at IS NULL AND o.disabled_at IS NULL ORDER BY s.id"
    )
    return [_decode(r) for r in db.query(sql)]


def config_subscription_names(db: sqlite_utils.Database, declared_in: str) -> list[str]:
    """Names of the active subscriptions the config file ``declared_in`` declared."""
    sql = (
        "SELECT name FROM subscriptions WHERE origin = 'config' AND disabled_at IS NULL "
        "AND coalesce(declared_in, '') = ? ORDER BY id"
    )
    return [r[0] for r in db.execute(sql, [declared_in]).fetchall()]


def disable_subscription(db: sqlite_utils.Database, name: str) -> bool:
    """Stop a subscription (its rows and past alerts stay); returns False if it was off already."""
    require_subscription(db, name)
    with transaction(db):
        cursor = db.execute(
            "UPDATE subscriptions SET disabled_at = ?, updated_at = ? WHERE name = ? AND disabled_at IS NULL",
            [utcnow(), utcnow(), name],
        )
    return cursor.rowcount > 0


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for key, empty in _JSON_COLUMNS.items():
        row[key] = json.loads(row.get(key) or empty)
    row["batch"] = bool(row.get("batch"))
    return row
