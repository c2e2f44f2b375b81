"""A person to log into the web app with, on the demo's database: the programme's admin ``demo``
with a fresh random password (printed once at the end of `warning demo`)."""

from __future__ import annotations

import secrets

import sqlite_utils

from warning.store import orgs, users

DEMO_LOGIN = "demo"


def demo_login(db: sqlite_utils.Database) -> tuple[str, str]:
    """Make the programme and its admin ``demo`` exist, with a new password; returns (login, password)."""
    orgs.ensure_org(db, "programme", "Overseas escort programme", "programme", name_zh="海外知识产权护航项目")
    password = secrets.token_urlsafe(9)
    user = users.find_user(db, DEMO_LOGIN)
    if user is None:
        users.create_user(db, DEMO_LOGIN, "programme", "admin", language="zh", password=password)
    else:
        users.set_password(db, int(user["id"]), password)
    return DEMO_LOGIN, password
