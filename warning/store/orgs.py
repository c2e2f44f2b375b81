"""Organisations (enterprises, associations, the programme) and an association's member enterprises."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.errors import NotFound, WarningError
from warning.store.db import transaction
from warning.store.listing import active_where
from warning.store.scope import KINDS


def slugify(name: str) -> str:
    """An organisation id from a name: lower-case ASCII letters, digits and '-' (``Acme Motors`` ->
    ``acme-motors``); a name with no such letters (``浙江摩托``) keeps its characters, spaces as '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
    return slug[:64] if slug else re.sub(r"\s+", "-", name.strip().lower())[:64]


def create_org(
    db: sqlite_utils.Database, org_id: str, name: str, kind: str, *, name_zh: str = ""
) -> dict[str, Any]:
    """Add an organisation; an id in use is an error (use `ensure_org` to declare one idempotently)."""
    _check(org_id, kind)
    if get_org(db, org_id) is not None:
        raise WarningError(f"organisation {org_id!r} exists already")
    row = {
        "id": org_id,
        "name": name,
        "name_zh": name_zh,
        "kind": kind,
        "created_at": utcnow(),
        "disabled_at": None,
    }
    with transaction(db):
        db["orgs"].insert(row)
    return row


def ensure_org(db: sqlite_utils.Database, org_id: str, name: str, kind: str, *, name_zh: str = "") -> bool:
    """Make the organisation exist with this name and kind; returns whether anything changed."""
    _check(org_id, kind)
    current = get_org(db, org_id)
    if current is None:
        create_org(db, org_id, name, kind, name_zh=name_zh)
        return True
    wanted = {"name": name, "kind": kind, **({"name_zh": name_zh} if name_zh else {})}
    if all(current[k] == v for k, v in wanted.items()):
        return False
    with transaction(db):
        db["orgs"].update(org_id, wanted)
    return True


def _check(org_id: str, kind: str) -> None:
    if kind not in KINDS:
        raise WarningError(f"organisation kind {kind!r}: expected one of {', '.join(KINDS)}")
    if not org_id or org_id != org_id.strip() or len(org_id) > 64:
        raise WarningError(f"organisation id {org_id!r}: expected a short slug such as 'acme-motors'")


def get_org(db: sqlite_utils.Database, org_id: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM orgs WHERE id = ?", [org_id]))
    return rows[0] if rows else None


def require_org(db: sqlite_utils.Database, org_id: str) -> dict[str, Any]:
    """The organisation, or NotFound."""
    org = get_org(db, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id!r}")
    return org


def list_orgs(
    db: sqlite_utils.Database, kind: str | None = None, *, include_disabled: bool = False
) -> list[dict]:
    """Organisations (of one kind), by kind then id, each with its people count."""
    where, params = active_where({"kind": kind}, include_disabled=include_disabled, alias="o")
    sql = (
        "SELECT o.*, (SELECT count(*) FROM users u WHERE u.org_id = o.id AND u.disabled_at IS NULL) AS people "
        f"FROM orgs o WHERE {where} ORDER BY o.kind, o.id"
    )
    return list(db.query(sql, params))


def disable_org(db: sqlite_utils.Database, org_id: str) -> None:
    """Switch an organisation off: its people can no longer sign in (their scopes fail)."""
    require_org(db, org_id)
    with transaction(db):
        db.execute("UPDATE orgs SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", [utcnow(), org_id])


def add_member(db: sqlite_utils.Database, association_id: str, enterprise_id: str) -> bool:
    """Make an enterprise a member of an association; returns False if it was one already."""
    if require_org(db, association_id)["kind"] != "association":
        raise WarningError(f"{association_id!r} is not an association")
    if require_org(db, enterprise_id)["kind"] != "enterprise":
        raise WarningError(f"{enterprise_id!r} is not an enterprise")
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO org_members (association_id, enterprise_id) VALUES (?, ?)",
            [association_id, enterprise_id],
        )
    return cursor.rowcount > 0


def remove_member(db: sqlite_utils.Database, association_id: str, enterprise_id: str) -> bool:
    """End a membership; returns whether there was one. Cases shared before stay shared."""
    with transaction(db):
        cursor = db.execute(
            "DELETE FROM org_members WHERE association_id = ? AND enterprise_id = ?",
            [association_id, enterprise_id],
        )
    return cursor.rowcount > 0


def members(db: sqlite_utils.Database, association_id: str) -> list[str]:
    """The ids of an association's member enterprises, sorted."""
    sql = "SELECT enterprise_id FROM org_members WHERE association_id = ? ORDER BY enterprise_id"
    return [r[0] for r in db.execute(sql, [association_id]).fetchall()]


def associations_of(db: sqlite_utils.Database, enterprise_id: str) -> list[str]:
    """The ids of the associations an enterprise is a member of, sorted."""
    sql = "SELECT association_id FROM org_members WHERE enterprise_id = ? ORDER BY association_id"
    return [r[0] for r in db.execute(sql, [enterprise_id]).fetchall()]


def find_org(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    """An organisation by id, or else by name or Chinese name (case-insensitive), or None."""
    found = get_org(db, name)
    if found is not None:
        return found
    sql = "SELECT * FROM orgs WHERE lower(name) = lower(?) OR name_zh = ? ORDER BY id LIMIT 1"
    rows = list(db.query(sql, [name.strip(), name.strip()]))
    return rows[0] if rows else None
