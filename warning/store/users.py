"""People and their credentials: passwords (argon2id) and API tokens (shown once, stored hashed).

A password is low-entropy, so it is kept only as an argon2id hash (argon2-cffi's PasswordHasher:
salted, slow, memory-hard). A token is 32 random bytes, far beyond guessing, so a plain SHA-256 of
it is enough to store (and lets a request find its token by hash in one indexed lookup).
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from typing import Any

import sqlite_utils
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from warning.clock import utcnow
from warning.errors import NotFound, WarningError
from warning.store.db import transaction
from warning.store.listing import active_where
from warning.store.orgs import require_org
from warning.store.scope import ROLES

TOKEN_PREFIX = "wpt_"  # says what a leaked string is (a warning-service personal token)
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified when the login is unknown, so a wrong login costs as long as a wrong password.
    Made on first use: hashing costs about half a second, which every command would pay at start."""
    return _HASHER.hash("not a password of anyone")


_PUBLIC_COLUMNS = "id, login, org_id, role, language, display_name, email, created_at, disabled_at"


def create_user(
    db: sqlite_utils.Database,
    login: str,
    org_id: str,
    role: str,
    *,
    language: str = "zh",
    display_name: str = "",
    email: str = "",
    password: str | None = None,
) -> int:
    """Add a person to an organisation; returns their id. A login in use is an error."""
    _check_role(role)
    if language not in ("zh", "en"):
        raise WarningError(f"language {language!r}: expected zh or en")
    if not login or login != login.strip():
        raise WarningError(f"login {login!r}: expected a name without spaces around it")
    require_org(db, org_id)
    if find_user(db, login) is not None:
        raise WarningError(f"login {login!r} is taken")
    row = {
        "login": login,
        "org_id": org_id,
        "role": role,
        "language": language,
        "display_name": display_name,
        "email": email,
        "password_hash": _HASHER.hash(password) if password else None,
        "created_at": utcnow(),
    }
    with transaction(db):
        return int(db["users"].insert(row).last_pk)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise WarningError(f"role {role!r}: expected one of {', '.join(ROLES)}")


def find_user(db: sqlite_utils.Database, login: str) -> dict[str, Any] | None:
    """A person by login (without their password hash), or None."""
    rows = list(db.query(f"SELECT {_PUBLIC_COLUMNS} FROM users WHERE login = ?", [login]))
    return rows[0] if rows else None


def get_user(db: sqlite_utils.Database, user_id: int) -> dict[str, Any] | None:
    """A person by id (without their password hash), or None."""
    rows = list(db.query(f"SELECT {_PUBLIC_COLUMNS} FROM users WHERE id = ?", [user_id]))
    return rows[0] if rows else None


def require_user(db: sqlite_utils.Database, login: str) -> dict[str, Any]:
    """A person by login, or NotFound."""
    user = find_user(db, login)
    if user is None:
        raise NotFound(f"no person with login {login!r}")
    return user


def list_users(
    db: sqlite_utils.Database, org_id: str | None = None, *, include_disabled: bool = False
) -> list[dict[str, Any]]:
    """People (of one organisation), by organisation then login."""
    where, params = active_where({"org_id": org_id}, include_disabled=include_disabled)
    sql = f"SELECT {_PUBLIC_COLUMNS} FROM users WHERE {where} ORDER BY org_id, login"
    return list(db.query(sql, params))


def set_language(db: sqlite_utils.Database, user_id: int, language: str) -> None:
    """A person's language for pages and messages: zh or en."""
    if language not in ("zh", "en"):
        raise WarningError(f"language {language!r}: expected zh or en")
    with transaction(db):
        db.execute("UPDATE users SET language = ? WHERE id = ?", [language, user_id])


def set_role(db: sqlite_utils.Database, user_id: int, role: str) -> None:
    _check_role(role)
    with transaction(db):
        db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def set_password(db: sqlite_utils.Database, user_id: int, password: str) -> None:
    """Replace a person's password (stored as an argon2id hash only)."""
    if not password:
        raise WarningError("an empty password is not a password")
    with transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_HASHER.hash(password), user_id])


def authenticate(db: sqlite_utils.Database, login: str, password: str) -> int | None:
    """The id of the active person with this login and password; None if either is wrong, the person
    or their organisation is disabled, or they have no password."""
    row = db.execute(
        "SELECT u.id, u.password_hash FROM users u JOIN orgs o ON o.id = u.org_id "
        "WHERE u.login = ? AND u.disabled_at IS NULL AND o.disabled_at IS NULL",
        [login],
    ).fetchone()
    stored = row[1] if row and row[1] else _dummy_hash()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row[1]:
        return None
    if _HASHER.check_needs_rehash(stored):
        set_password(db, int(row[0]), password)
    return int(row[0])


def disable_user(db: sqlite_utils.Database, user_id: int) -> int:
    """Disable a person and revoke every token of theirs in one transaction; returns tokens revoked."""
    now = utcnow()
    with transaction(db):
        db.execute("UPDATE users SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL", [now, user_id])
        cursor = db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", [now, user_id]
        )
    return cursor.rowcount


# ------------------------------------------------------------------ API tokens


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: sqlite_utils.Database, user_id: int, name: str) -> str:
    """A new API token for an active person; the plain token is returned once and never stored."""
    user = get_user(db, user_id)
    if user is None or user["disabled_at"]:
        raise NotFound(f"no active person with id {user_id}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = {
        "user_id": user_id,
        "name": name,
        "token_hash": _token_hash(token),
        "prefix": token[: len(TOKEN_PREFIX) + 6],
        "created_at": utcnow(),
    }
    with transaction(db):
        db["api_tokens"].insert(row)
    return token


def verify_token(db: sqlite_utils.Database, token: str) -> int | None:
    """The id of the active person a live token belongs to (and note its use); None otherwise."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = db.execute(
        "SELECT t.id, t.user_id FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN orgs o ON o.id = u.org_id "
        "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL AND o.disabled_at IS NULL",
        [_token_hash(token)],
    ).fetchone()
    if row is None:
        return None
    with transaction(db):
        db.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [utcnow(), row[0]])
    return int(row[1])


def list_tokens(
    db: sqlite_utils.Database,
    user_id: int | None = None,
    org_id: str | None = None,
    *,
    token_id: int | None = None,
) -> list[dict]:
    """Tokens (never their hashes) with their person's login, newest first."""
    where, params = ["1 = 1"], []
    if token_id is not None:
        where.append("t.id = ?")
        params.append(token_id)
    if user_id is not None:
        where.append("t.user_id = ?")
        params.append(user_id)
    if org_id:
        where.append("u.org_id = ?")
        params.append(org_id)
    sql = (
        "SELECT t.id, t.user_id, u.login, u.org_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at "
        f"FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE {' AND '.join(where)} ORDER BY t.id DESC"
    )
    return list(db.query(sql, params))


def get_token(db: sqlite_utils.Database, token_id: int) -> dict[str, Any] | None:
    rows = list_tokens(db, token_id=token_id)
    return rows[0] if rows else None


def revoke_token(db: sqlite_utils.Database, token_id: int) -> bool:
    """Revoke a token; returns False if it was revoked already or does not exist."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [utcnow(), token_id]
        )
    return cursor.rowcount > 0
