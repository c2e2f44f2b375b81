"""Feedback links used once: each signed link's nonce is recorded when its label is recorded."""

from __future__ import annotations

import sqlite3

import sqlite_utils

from warning.clock import utcnow


def use_nonce(db: sqlite_utils.Database, nonce: str, recipient: str) -> bool:
    """Record a link's nonce as used; False if it was used before (the link then does nothing)."""
    try:
        db.execute(
            "INSERT INTO feedback_used (nonce, recipient, used_at) VALUES (?, ?, ?)",
            [nonce, recipient, utcnow()],
        )
    except sqlite3.IntegrityError:
        return False
    return True


def org_of_subscriber(db: sqlite_utils.Database, subscriber: str) -> dict | None:
    """The organisation (id, kind) a subscription belongs to, or None."""
    sql = (
        "SELECT o.id, o.kind FROM subscriptions s JOIN orgs o ON o.id = s.org_id "
        "WHERE s.name = ? AND s.disabled_at IS NULL AND o.disabled_at IS NULL"
    )
    rows = list(db.query(sql, [subscriber]))
    return rows[0] if rows else None
