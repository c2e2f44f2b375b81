"""Publications: save (merging what two sources say of one publication) and read back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlite_utils

from warning.clock import utcnow
from warning.models import Publication
from warning.store.db import transaction
from warning.store.rows import (
    COLUMNS,
    DICT_FIELDS,
    LIST_FIELDS,
    ROW_COLUMNS,
    SCALAR_FIELDS,
    PublicationRow,
    decode_row,
    encode_row,
    publication_row,
    row_dict,
    with_text,
)
from warning.store.search import index_rows

_INSERT = (
    f"INSERT INTO publications ({', '.join((*ROW_COLUMNS, 'first_seen', 'updated_at'))}) "
    f"VALUES ({', '.join('?' for _ in range(len(ROW_COLUMNS) + 2))})"
)


@dataclass
class SaveResult:
    inserted: int = 0
    merged: int = 0
    unchanged: int = 0

    def add(self, other: SaveResult) -> None:
        self.inserted += other.inserted
        self.merged += other.merged
        self.unchanged += other.unchanged


def save_publications(
    db: sqlite_utils.Database, publications: Iterable[Publication | PublicationRow]
) -> SaveResult:
    """Insert new publications and merge known ones, in one transaction per call.

    Merging keeps every language and list entry either source gave and fills empty fields, so
    the same publication from USPTO and OPS is one row, and saving it again changes nothing.
    Every publication given is counted once: inserted, merged or unchanged, a repeat within
    the same call included (merged when it adds something, unchanged when it does not).
    A publication may come already encoded (`warning.store.rows.PublicationRow`, built in a
    parser process): a batch of only new ones is then written as it came, with no decoding.
    """
    items = list(publications)
    result = SaveResult()
    if not items:
        return result
    ids = list(dict.fromkeys(item.id for item in items))
    stored = _existing_rows(db, ids)
    if not stored and len(ids) == len(items):  # a big ingest's batches: all new, none repeated
        _insert_new(db, [p if isinstance(p, PublicationRow) else publication_row(p) for p in items])
        result.inserted = len(items)
        return result
    pending: dict[str, dict] = {}  # id -> the row to write
    for row in (decode_row(p.values) if isinstance(p, PublicationRow) else row_dict(p) for p in items):
        old = pending.get(row["id"]) or stored.get(row["id"])
        if old is None:
            pending[row["id"]] = row
            result.inserted += 1
            continue
        merged = _merge_rows(old, row)
        if all(merged[c] == old[c] for c in COLUMNS):
            result.unchanged += 1
        else:
            pending[row["id"]] = merged
            result.merged += 1
    _write(db, pending, stored)
    return result


def _insert_new(db: sqlite_utils.Database, rows: list[PublicationRow]) -> None:
    stamps = (utcnow(),) * 2  # first_seen, updated_at
    with transaction(db):
        db.conn.executemany(_INSERT, [row.values + stamps for row in rows])
        # The CJK-capable search index follows every write, in the same transaction.
        index_rows(db, [(row.id, row.grams) for row in rows if row.grams], replace=False)


def _write(db: sqlite_utils.Database, pending: dict[str, dict], stored: dict[str, dict]) -> None:
    now = utcnow()
    encoded = {pid: encode_row(row) for pid, row in pending.items()}
    inserts = [row.values + (now, now) for pid, row in encoded.items() if pid not in stored]
    updates = [row for pid, row in encoded.items() if pid in stored]
    with transaction(db):
        if inserts:
            db.conn.executemany(_INSERT, inserts)
        if updates:
            assignments = ", ".join(f"{c} = ?" for c in (*ROW_COLUMNS[1:], "updated_at"))
            db.conn.executemany(
                f"UPDATE publications SET {assignments} WHERE id = ?",
                [(*row.values[1:], now, row.id) for row in updates],
            )
        index_rows(db, [(row.id, row.grams) for row in encoded.values()], replace=bool(updates))


def oversized_field(pub: Publication, max_chars: int) -> str:
    """Which text field of ``pub`` is longer than ``max_chars`` characters, described ('' if none).

    A field is one language's title, abstract or claims, a list (applicants, classes ...) as a
    whole, or a scalar such as the id: what one stored value and every later step must hold.
    """
    if len(pub.id) > max_chars:
        return f"id has {len(pub.id):,} characters"
    for name in DICT_FIELDS:
        for lang, text in getattr(pub, name).items():
            if len(text) > max_chars:
                return f"{name} ({lang}) has {len(text):,} characters"
    for name in LIST_FIELDS:
        total = sum(len(v) for v in getattr(pub, name))
        if total > max_chars:
            return f"{name} has {total:,} characters"
    for name in SCALAR_FIELDS:
        value = getattr(pub, name)
        if isinstance(value, str) and len(value) > max_chars:
            return f"{name} has {len(value):,} characters"
    return ""


def get_publication(db: sqlite_utils.Database, publication_id: str) -> Publication | None:
    """The stored publication with this canonical id, or None."""
    rows = list(db.query("SELECT * FROM publications WHERE id = ?", [publication_id]))
    return row_to_publication(rows[0]) if rows else None


def iter_publications(
    db: sqlite_utils.Database, where: str = "", params: Iterable = (), order_by: str = "rowid"
) -> Iterator[Publication]:
    """Stored publications matching an optional SQL ``where`` clause."""
    sql = "SELECT * FROM publications" + (f" WHERE {where}" if where else "") + f" ORDER BY {order_by}"
    for row in db.query(sql, list(params)):
        yield row_to_publication(row)


def row_to_publication(row: dict) -> Publication:
    """A `Publication` from a row of the publications table."""
    kwargs = {c: row.get(c) for c in SCALAR_FIELDS}
    for c in DICT_FIELDS:
        kwargs[c] = json.loads(row.get(c) or "{}")
    for c in LIST_FIELDS:
        kwargs[c] = json.loads(row.get(c) or "[]")
    sources = json.loads(row.get("sources") or "[]")
    return Publication(id=row["id"], source=sources[0] if sources else None, **kwargs)


def _existing_rows(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT {', '.join(COLUMNS)} FROM publications WHERE id IN ({', '.join('?' for _ in chunk)})"
        for row in db.execute(sql, chunk).fetchall():
            decoded = dict(zip(COLUMNS, row, strict=True))
            for c in (*DICT_FIELDS, *LIST_FIELDS, "sources"):
                decoded[c] = json.loads(decoded[c] or ("{}" if c in DICT_FIELDS else "[]"))
            found[decoded["id"]] = decoded
    return found


def _merge_rows(old: dict, new: dict) -> dict:
    merged = dict(old)
    for c in SCALAR_FIELDS:
        if not merged.get(c) and new.get(c):
            merged[c] = new[c]
    for c in DICT_FIELDS:
        # Longer text wins: a full abstract beats a truncated one from a search listing.
        combined = dict(old.get(c) or {})
        for lang, text in (new.get(c) or {}).items():
            if len(text) > len(combined.get(lang, "")):
                combined[lang] = text
        merged[c] = combined
    for c in (*LIST_FIELDS, "sources"):
        merged[c] = list(dict.fromkeys([*(old.get(c) or []), *(new.get(c) or [])]))
    return with_text(merged)
