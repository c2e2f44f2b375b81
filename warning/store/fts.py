"""The full-text index of publications, built in bulk for big ingests instead of row by row.

Normally three triggers keep ``publications_fts`` (FTS5, external content) in step with
``publications``. Indexing a weekly file of 7,000 grants through the insert trigger costs about
three times indexing the same rows once at the end, so a big ingest switches to bulk mode:

- `begin_bulk_index` records the highest rowid indexed so far in ``fts_bulk`` and drops the
  insert trigger; the update and delete triggers are replaced by ones that touch the index only
  for rows at or below that mark (a row above it is not in the index yet: deleting its old
  text from FTS5 would corrupt it);
- `catch_up_bulk_index`, after each batch the ingest stores, indexes the rows above the mark in
  one ``INSERT ... SELECT`` and moves the mark past them, in one transaction;
- `finish_bulk_index` indexes every row still above the mark and puts the normal triggers back,
  in one transaction.

Both steps are transactions, and the mark says which rows are missing from the index, so a
process killed in between (kill -9) leaves a consistent state: the next ingest, or the service
at start-up (`heal_bulk_index`), finishes the job. Rowids grow: publications are never deleted
by the service, so a new row is always above the mark.
"""

from __future__ import annotations

import os

import sqlite_utils

from warning.store.db import transaction

_COLUMNS = ("title_text", "abstract_text", "claims_text")
_NEW = ", ".join(f'new."{c}"' for c in _COLUMNS)
_OLD = ", ".join(f'old."{c}"' for c in _COLUMNS)
_NAMES = ", ".join(f'"{c}"' for c in _COLUMNS)
_INDEX_NEW = f'INSERT INTO "publications_fts" (rowid, {_NAMES}) VALUES (new.rowid, {_NEW});'
_DELETE_OLD = (
    f'INSERT INTO "publications_fts" ("publications_fts", rowid, {_NAMES}) '
    f"VALUES('delete', old.rowid, {_OLD});"
)
_MARK = "(SELECT indexed_through FROM fts_bulk LIMIT 1)"
# The triggers sqlite-utils' enable_fts(create_triggers=True) creates, as it writes them.
NORMAL_TRIGGERS = (
    f'CREATE TRIGGER "publications_ai" AFTER INSERT ON "publications" BEGIN\n  {_INDEX_NEW}\nEND',
    f'CREATE TRIGGER "publications_ad" AFTER DELETE ON "publications" BEGIN\n  {_DELETE_OLD}\nEND',
    f'CREATE TRIGGER "publications_au" AFTER UPDATE ON "publications" BEGIN\n  {_DELETE_OLD}\n  {_INDEX_NEW}\nEND',
)
BULK_TRIGGERS = (
    f'CREATE TRIGGER "publications_ad" AFTER DELETE ON "publications" '
    f"WHEN old.rowid <= {_MARK} BEGIN\n  {_DELETE_OLD}\nEND",
    f'CREATE TRIGGER "publications_au" AFTER UPDATE ON "publications" '
    f"WHEN old.rowid <= {_MARK} BEGIN\n  {_DELETE_OLD}\n  {_INDEX_NEW}\nEND",
)


def begin_bulk_index(db: sqlite_utils.Database) -> None:
    """Stop indexing inserted rows one by one until `finish_bulk_index` (a bulk already begun,
    by a run killed or still going, keeps its mark)."""
    with transaction(db):
        if db.execute("SELECT 1 FROM fts_bulk").fetchone():
            db.execute("UPDATE fts_bulk SET pid = ?", [os.getpid()])
            return
        mark = db.execute("SELECT coalesce(max(rowid), 0) FROM publications").fetchone()[0]
        db.execute("INSERT INTO fts_bulk (indexed_through, pid) VALUES (?, ?)", [mark, os.getpid()])
        _replace_triggers(db, BULK_TRIGGERS)


def finish_bulk_index(db: sqlite_utils.Database) -> int:
    """Index every row a bulk left out and restore the per-row triggers; how many rows were indexed."""
    with transaction(db):
        row = db.execute("SELECT indexed_through FROM fts_bulk").fetchone()
        if row is None:
            return 0
        cursor = db.execute(
            f'INSERT INTO "publications_fts" (rowid, {_NAMES}) '
            f"SELECT rowid, {', '.join(_COLUMNS)} FROM publications WHERE rowid > ?",
            [row[0]],
        )
        _replace_triggers(db, NORMAL_TRIGGERS)
        db.execute("DELETE FROM fts_bulk")
        return cursor.rowcount


def catch_up_bulk_index(db: sqlite_utils.Database) -> int:
    """Index the rows stored since the mark and move the mark past them, the bulk going on; rows indexed.

    One ``INSERT ... SELECT`` per batch of a big ingest costs what the single one at the end would
    (each row is tokenised once either way), but it runs while the parser processes work, where
    the one at the end keeps the whole ingest waiting. The rows and the mark move in one
    transaction: a kill at any point leaves the mark true.
    """
    with transaction(db):
        row = db.execute("SELECT indexed_through FROM fts_bulk").fetchone()
        top = db.execute("SELECT max(rowid) FROM publications").fetchone()[0]
        if row is None or top is None or top <= row[0]:
            return 0
        cursor = db.execute(
            f'INSERT INTO "publications_fts" (rowid, {_NAMES}) '
            f"SELECT rowid, {', '.join(_COLUMNS)} FROM publications WHERE rowid > ? AND rowid <= ?",
            [row[0], top],
        )
        db.execute("UPDATE fts_bulk SET indexed_through = ?", [top])
        return cursor.rowcount


def heal_bulk_index(db: sqlite_utils.Database) -> int:
    """Finish a bulk whose process is gone (killed halfway); rows indexed (0: none pending)."""
    row = db.execute("SELECT pid FROM fts_bulk").fetchone()
    if row is None or (row[0] and _alive(int(row[0]))):
        return 0
    return finish_bulk_index(db)


def bulk_pending(db: sqlite_utils.Database) -> bool:
    """Whether rows are waiting to be indexed (a bulk ingest running, or killed)."""
    return db.execute("SELECT 1 FROM fts_bulk").fetchone() is not None


def _replace_triggers(db: sqlite_utils.Database, triggers: tuple[str, ...]) -> None:
    for name in ("publications_ai", "publications_ad", "publications_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    for sql in triggers:
        db.execute(sql)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this very process is healing: the bulk that left the mark is over
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
