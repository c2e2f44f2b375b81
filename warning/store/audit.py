"""The audit trail: who labelled, opened, changed, shared or closed what, and who changed a
subscription or a person. Append-only (triggers refuse UPDATE and DELETE, `m012_audit`)."""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from warning.clock import utcnow
from warning.store.db import transaction
from warning.store.scope import Scope, case_clause


def record(
    db: sqlite_utils.Database,
    scope: Scope,
    action: str,
    object_kind: str,
    object_id: str | int,
    **detail: Any,
) -> int:
    """Append one entry (``action`` such as ``label``, ``case.open``, ``subscription.disable``) on
    an object; returns its id. Inside an open transaction it lands with the change it records."""
    row = {
        "at": utcnow(),
        "user_id": scope.user_id,
        "org_id": scope.org_id,
        "action": action,
        "object_kind": object_kind,
        "object_id": str(object_id),
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
    }
    with transaction(db):
        return int(db["audit"].insert(row).last_pk)


def history(
    db: sqlite_utils.Database,
    scope: Scope,
    *,
    object_kind: str | None = None,
    object_id: str | int | None = None,
    action: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Entries the scope sees, oldest first, with the login of who acted and ``detail`` decoded.

    The programme sees every entry; an organisation sees what its own people did, what was done
    to it (entries whose ``detail`` names it as ``org``: the programme adding its people, changing
    its subscriptions), and what was done on a risk case it sees (so a case's history reads the
    same to everyone who may read the case).
    """
    where, params = ["1 = 1"], []
    for clause, value in (
        ("a.object_kind = ?", object_kind),
        ("a.object_id = ?", None if object_id is None else str(object_id)),
        ("a.action = ?", action),
        ("a.at >= ?", since),
    ):
        if value is not None:
            where.append(clause)
            params.append(value)
    if not scope.is_programme:
        seen, seen_params = case_clause(scope)
        where.append(
            "(a.org_id = ? OR json_extract(a.detail, '$.org') = ? OR (a.object_kind = 'case' AND EXISTS "
            f"(SELECT 1 FROM risk_cases c WHERE CAST(c.id AS TEXT) = a.object_id{seen})))"
        )
        params += [scope.org_id, scope.org_id, *seen_params]
    sql = (
        "SELECT a.*, coalesce(u.login, '') AS login FROM audit a LEFT JOIN users u ON u.id = a.user_id "
        f"WHERE {' AND '.join(where)} ORDER BY a.id" + (" LIMIT ?" if limit else "")
    )
    rows = db.query(sql, params + ([limit] if limit else []))
    return [{**r, "detail": json.loads(r["detail"] or "{}")} for r in rows]
