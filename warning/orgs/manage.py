"""Managing organisations, people and tokens as a person: who may do it, and the audit entry
each change leaves. The programme's admins administer the instance; an organisation's admins
manage its own people."""

from __future__ import annotations

import sqlite_utils

from warning.errors import AccessDenied, NotFound
from warning.store import audit, orgs, users
from warning.store.db import transaction
from warning.store.scope import Scope


def require_admin_of(scope: Scope, org_id: str) -> None:
    """AccessDenied unless the scope administers the instance or this organisation."""
    if scope.is_instance_admin or (scope.can_admin and scope.org_id == org_id):
        return
    raise AccessDenied(f"managing {org_id} needs an admin of {org_id} or of the programme")


def require_instance_admin(scope: Scope, what: str) -> None:
    if not scope.is_instance_admin:
        raise AccessDenied(f"{what} needs an admin of the programme")


def require_visible_org(db: sqlite_utils.Database, scope: Scope, org_id: str) -> dict:
    """The organisation, if the scope may see it (the programme: any; others: their own, an
    association its members, an enterprise the associations it is a member of); NotFound otherwise."""
    org = orgs.get_org(db, org_id)
    if org is None or not (scope.is_programme or org_id in _related(db, scope)):
        raise NotFound(f"no organisation {org_id!r}")
    return org


def _related(db: sqlite_utils.Database, scope: Scope) -> set[str]:
    own = scope.org_id or ""
    if scope.org_kind == "association":
        return {own, *orgs.members(db, own)}
    return {own, *orgs.associations_of(db, own)}


def visible_orgs(db: sqlite_utils.Database, scope: Scope, kind: str | None = None) -> list[dict]:
    """Organisations the scope sees, as `require_visible_org` decides."""
    if scope.is_programme:
        return orgs.list_orgs(db, kind)
    related = _related(db, scope)
    return [o for o in orgs.list_orgs(db, kind) if o["id"] in related]


def add_org_as(
    db: sqlite_utils.Database, scope: Scope, org_id: str, name: str, kind: str, name_zh: str = ""
) -> dict:
    require_instance_admin(scope, "adding an organisation")
    with transaction(db):
        org = orgs.create_org(db, org_id, name, kind, name_zh=name_zh)
        audit.record(db, scope, "org.add", "org", org_id, kind=kind, name=name)
    return org


def set_member_as(
    db: sqlite_utils.Database, scope: Scope, association: str, enterprise: str, member: bool
) -> bool:
    """Add (or remove) an association's member enterprise; returns whether anything changed."""
    require_instance_admin(scope, "changing an association's members")
    with transaction(db):
        changed = (orgs.add_member if member else orgs.remove_member)(db, association, enterprise)
        if changed:
            action = "org.member.add" if member else "org.member.remove"
            audit.record(db, scope, action, "org", association, member=enterprise)
    return changed


def add_user_as(
    db: sqlite_utils.Database, scope: Scope, login: str, org_id: str, role: str, **fields: str | None
) -> int:
    """Add a person to an organisation the scope administers (``fields``: language, display_name,
    email, password)."""
    require_admin_of(scope, org_id)
    with transaction(db):
        user_id = users.create_user(
            db, login, org_id, role, **{k: v for k, v in fields.items() if v is not None}
        )
        audit.record(db, scope, "user.add", "user", login, org=org_id, role=role)
    return user_id


def _managed_user(db: sqlite_utils.Database, scope: Scope, login: str, *, self_ok: bool = False) -> dict:
    user = users.find_user(db, login)
    if user is None or not (scope.is_programme or user["org_id"] == scope.org_id):
        raise NotFound(f"no person with login {login!r}")
    if not (self_ok and user["id"] == scope.user_id):
        require_admin_of(scope, user["org_id"])
    return user


def disable_user_as(db: sqlite_utils.Database, scope: Scope, login: str) -> int:
    """Disable a person and revoke their tokens; returns how many tokens were revoked."""
    user = _managed_user(db, scope, login)
    with transaction(db):
        revoked = users.disable_user(db, user["id"])
        audit.record(db, scope, "user.disable", "user", login, org=user["org_id"], tokens_revoked=revoked)
    return revoked


def set_password_as(db: sqlite_utils.Database, scope: Scope, login: str, password: str) -> None:
    """Set a person's password: their own, or as an admin of their organisation."""
    user = _managed_user(db, scope, login, self_ok=True)
    with transaction(db):
        users.set_password(db, user["id"], password)
        audit.record(db, scope, "user.password", "user", login, org=user["org_id"])


def visible_users(db: sqlite_utils.Database, scope: Scope, org_id: str | None = None) -> list[dict]:
    """People the scope may list: everyone for the programme, else their own organisation's."""
    if not scope.is_programme:
        if org_id and org_id != scope.org_id:
            raise NotFound(f"no organisation {org_id!r}")
        org_id = scope.org_id
    return users.list_users(db, org_id, include_disabled=True)


def create_token_as(db: sqlite_utils.Database, scope: Scope, login: str, name: str) -> str:
    """A new API token for oneself, or for a person of an organisation one administers; the plain
    token is returned once."""
    user = _managed_user(db, scope, login, self_ok=True)
    with transaction(db):
        token = users.create_token(db, user["id"], name)
        audit.record(db, scope, "token.create", "user", login, org=user["org_id"], name=name)
    return token


def visible_tokens(db: sqlite_utils.Database, scope: Scope, login: str | None = None) -> list[dict]:
    """Tokens (never their hashes): the programme's admins see all, an organisation's admins their
    organisation's, anyone else their own."""
    user_id = _managed_user(db, scope, login, self_ok=True)["id"] if login else None
    if scope.is_instance_admin:
        return users.list_tokens(db, user_id)
    if scope.can_admin:
        return users.list_tokens(db, user_id, scope.org_id)
    return users.list_tokens(db, user_id if user_id is not None else scope.user_id or -1)


def revoke_token_as(db: sqlite_utils.Database, scope: Scope, token_id: int) -> bool:
    """Revoke a token the scope may see (its own, or as an admin); NotFound otherwise."""
    token = users.get_token(db, token_id)
    if token is None or token["id"] not in {t["id"] for t in visible_tokens(db, scope)}:
        raise NotFound(f"no token {token_id}")
    with transaction(db):
        revoked = users.revoke_token(db, token_id)
        audit.record(db, scope, "token.revoke", "user", token["login"], org=token["org_id"], token=token_id)
    return revoked
