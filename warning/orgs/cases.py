"""Risk cases as a person acts on them: whose a new case is, who may open, change, close and
share one, and the audit entry each action leaves. The visibility rules themselves are the
store's (`warning.store.scope`); this module only asks them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlite_utils

from warning.config.schema import SubscriberConfig
from warning.errors import AccessDenied, NotFound, WarningError
from warning.orgs.case_owner import org_for_case
from warning.risks.cases import close_case, open_case, update_case
from warning.store import audit, orgs, subscriptions
from warning.store import risks as risk_store
from warning.store.db import transaction
from warning.store.scope import Scope, can_see_case, require_case


def open_case_as(
    db: sqlite_utils.Database,
    scope: Scope,
    publication: str,
    enterprises: list[str],
    *,
    org: str | None = None,
    subscribers: Iterable[SubscriberConfig] = (),
    **fields: Any,
) -> int:
    """Open (or join) a case as ``scope``: an enterprise's reviewers open their own enterprise's
    cases; the programme opens any (``org``, else `org_for_case`). Associations do not open cases:
    their members share theirs."""
    _require_reviewer(scope)
    _check_owner(db, scope, fields.get("owner"))
    if scope.is_programme:
        org_id = org or org_for_case(
            db, watchlist=fields.get("watchlist"), owner=fields.get("owner", ""), enterprises=enterprises,
            subscribers=subscribers,
        )  # fmt: skip
    elif scope.org_kind == "enterprise":
        if org and org != scope.org_id:
            raise AccessDenied(f"{scope.org_id} opens its own cases, not {org}'s")
        org_id = scope.org_id
    else:
        raise AccessDenied("an association does not open cases; its member enterprises share theirs with it")
    if org_id is not None:
        orgs.require_org(db, org_id)
    with transaction(db):
        case_id = open_case(db, publication, enterprises, org_id=org_id, **fields)
        audit.record(db, scope, "case.open", "case", case_id, org=org_id, enterprises=enterprises)
    return case_id


def update_case_as(db: sqlite_utils.Database, scope: Scope, case_id: int, **fields: Any) -> list[dict]:
    """Change a case the scope sees and may work on; each change is audited."""
    _require_reviewer(scope)
    require_case(db, scope, case_id)
    _check_owner(db, scope, fields.get("owner"))
    with transaction(db):
        made = update_case(db, case_id, **fields)
        if made or fields.get("note"):
            audit.record(db, scope, "case.update", "case", case_id, changes=made, note=fields.get("note", ""))
    return made


def close_case_as(
    db: sqlite_utils.Database, scope: Scope, case_id: int, outcome: str, who: str = "", note: str = ""
) -> list[dict]:
    """Close a case the scope sees and may work on; audited."""
    _require_reviewer(scope)
    require_case(db, scope, case_id)
    with transaction(db):
        made = close_case(db, case_id, outcome, who=who, note=note)
        audit.record(db, scope, "case.close", "case", case_id, outcome=outcome)
    return made


def share_case_as(db: sqlite_utils.Database, scope: Scope, case_id: int, org_id: str) -> bool:
    """Share a case with an association: its enterprise shares with the associations it is a
    member of, the programme with any association. Returns False if it was shared already."""
    require_case(db, scope, case_id)
    target = orgs.require_org(db, org_id)
    if target["kind"] != "association":
        raise WarningError(f"cases are shared with associations; {org_id} is an {target['kind']}")
    case = risk_store.get_case(db, case_id) or {}
    if not scope.is_programme:
        if not scope.can_review or case.get("org_id") != scope.org_id:
            raise AccessDenied(
                "only the enterprise concerned (a reviewer or admin) or the programme shares a case"
            )
        if org_id not in orgs.associations_of(db, scope.org_id or ""):
            raise AccessDenied(f"{scope.org_id} is not a member of {org_id}")
    with transaction(db):
        added = risk_store.share_case(db, case_id, org_id, str(scope.user_id or "programme"))
        if added:
            audit.record(db, scope, "case.share", "case", case_id, shared_with=org_id)
    return added


def _check_owner(db: sqlite_utils.Database, scope: Scope, owner: str | None) -> None:
    """A case's owner receives its reminders: an organisation names one of its own subscriptions
    (another's would carry the case to it); the programme names any."""
    if not owner or scope.is_programme:
        return
    sub = subscriptions.get_subscription(db, owner)
    if sub is None or sub["org_id"] != scope.org_id:
        raise NotFound(f"no subscriber named {owner!r}")


def _require_reviewer(scope: Scope) -> None:
    if not scope.can_review:
        raise AccessDenied("working on risk cases needs the reviewer or admin role")


def case_or_not_found(db: sqlite_utils.Database, scope: Scope, case_id: int) -> dict[str, Any]:
    """A case the scope sees, or NotFound (the same answer whether it does not exist or is another's)."""
    case = risk_store.get_case(db, case_id) if can_see_case(db, scope, case_id) else None
    if case is None:
        raise NotFound(f"no risk case {case_id}")
    return case
