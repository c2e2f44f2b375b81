"""Open the database, switch on WAL, and apply pending migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from warning.clock import utcnow
from warning.errors import StoreError
from warning.store.migrations import MIGRATIONS


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """Writes that land together or not at all.

    The connection runs in autocommit mode (``isolation_level=None``), where ``with conn:`` opens
    no transaction: each statement would commit alone, and a crash halfway would leave half a
    batch. This opens one, ``BEGIN IMMEDIATE`` so the write lock is taken (waiting up to the busy
    timeout) before anything is read. Inside an open transaction it is a savepoint, through
    sqlite-utils' ``atomic``.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def open_db(path: Path | str, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the SQLite database at ``path`` and bring its schema up to date."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: cannot open database: {exc}") from None
    if migrate:
        apply_migrations(db)
    return db


def apply_migrations(db: sqlite_utils.Database) -> list[str]:
    """Apply, in order, every migration not yet recorded in ``_migrations``; return their names."""
    if not db["_migrations"].exists():
        db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    done = {row["name"] for row in db["_migrations"].rows}
    known = {fn.__name__ for fn in MIGRATIONS}
    unknown = done - known
    if unknown:
        raise StoreError(
            f"the database was written by a newer version of the service (migrations {sorted(unknown)})"
        )
    applied = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with transaction(db):
            fn(db)
            db["_migrations"].insert({"name": fn.__name__, "applied_at": utcnow()})
        applied.append(fn.__name__)
    return applied


def database_path(db: sqlite_utils.Database) -> Path | None:
    """The file a connection has open (None for an in-memory database)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    return Path(path) if path else None
