"""Publications: save (merging what two sources say of one publication) and read back."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import sqlite_utils

from warning.clock import utcnow
from warning.models import Publication
from warning.store.db import transaction
from warning.store.search import index_publications

_DICT_FIELDS = ("titles", "abstracts", "claims")
_LIST_FIELDS = ("applicants", "inventors", "ipc", "cpc", "priority_claims")
_SCALAR_FIELDS = (
    "country",
    "number",
    "kind",
    "doc_type",
    "publication_date",
    "filing_date",
    "priority_date",
    "application_number",
    "family_id",
    "lang",
    "raw_ref",
)
_COLUMNS = ("id", *_SCALAR_FIELDS, *_DICT_FIELDS, *_LIST_FIELDS, "sources")
_TEXT_COLUMNS = ("title_text", "abstract_text", "claims_text")


@dataclass
class SaveResult:
    inserted: int = 0
    merged: int = 0
    unchanged: int = 0

    def add(self, other: SaveResult) -> None:
        self.inserted += other.inserted
        self.merged += other.merged
        self.unchanged += other.unchanged


def save_publications(db: sqlite_utils.Database, publications: Iterable[Publication]) -> SaveResult:
    """Insert new publications and merge known ones, in one transaction per call.

    Merging keeps every language and list entry either source gave and fills empty fields, so
    the same publication from USPTO and OPS is one row, and saving it again changes nothing.
    Every publication given is counted once: inserted, merged or unchanged, a repeat within
    the same call included (merged when it adds something, unchanged when it does not).
    """
    rows = [_to_row(pub) for pub in publications]
    result = SaveResult()
    if not rows:
        return result
    stored = _existing_rows(db, list(dict.fromkeys(row["id"] for row in rows)))
    pending: dict[str, dict] = {}  # id -> the row to write
    for row in rows:
        old = pending.get(row["id"]) or stored.get(row["id"])
        if old is None:
            pending[row["id"]] = row
            result.inserted += 1
            continue
        merged = _merge_rows(old, row)
        if all(merged[c] == old[c] for c in _COLUMNS):
            result.unchanged += 1
        else:
            pending[row["id"]] = merged
            result.merged += 1
    _write(db, pending, stored)
    return result


def _write(db: sqlite_utils.Database, pending: dict[str, dict], stored: dict[str, dict]) -> None:
    now = utcnow()
    inserts = [
        {**row, "first_seen": now, "updated_at": now} for pid, row in pending.items() if pid not in stored
    ]
    updates = [{**row, "updated_at": now} for pid, row in pending.items() if pid in stored]
    columns = (*_COLUMNS, *_TEXT_COLUMNS, "first_seen", "updated_at")
    with transaction(db):
        if inserts:
            placeholders = ", ".join("?" for _ in columns)
            db.conn.executemany(
                f"INSERT INTO publications ({', '.join(columns)}) VALUES ({placeholders})",
                [[_encode(r, c) for c in columns] for r in inserts],
            )
        if updates:
            cols = [c for c in columns if c not in ("id", "first_seen")]
            assignments = ", ".join(f"{c} = ?" for c in cols)
            db.conn.executemany(
                f"UPDATE publications SET {assignments} WHERE id = ?",
                [[_encode(r, c) for c in cols] + [r["id"]] for r in updates],
            )
        # The CJK-capable search index follows every write, in the same transaction.
        index_publications(db, list(pending))


def oversized_field(pub: Publication, max_chars: int) -> str:
    """Which text field of ``pub`` is longer than ``max_chars`` characters, described ('' if none).

    A field is one language's title, abstract or claims, a list (applicants, classes ...) as a
    whole, or a scalar such as the id: what one stored value and every later step must hold.
    """
    if len(pub.id) > max_chars:
        return f"id has {len(pub.id):,} characters"
    for name in _DICT_FIELDS:
        for lang, text in getattr(pub, name).items():
            if len(text) > max_chars:
                return f"{name} ({lang}) has {len(text):,} characters"
    for name in _LIST_FIELDS:
        total = sum(len(v) for v in getattr(pub, name))
        if total > max_chars:
            return f"{name} has {total:,} characters"
    for name in _SCALAR_FIELDS:
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
    kwargs = {c: row.get(c) for c in _SCALAR_FIELDS}
    for c in _DICT_FIELDS:
        kwargs[c] = json.loads(row.get(c) or "{}")
    for c in _LIST_FIELDS:
        kwargs[c] = json.loads(row.get(c) or "[]")
    sources = json.loads(row.get("sources") or "[]")
    return Publication(id=row["id"], source=sources[0] if sources else None, **kwargs)


def _to_row(pub: Publication) -> dict:
    row = {c: getattr(pub, c) for c in ("id", *_SCALAR_FIELDS)}
    for c in _DICT_FIELDS:
        row[c] = {k: v for k, v in getattr(pub, c).items() if v}
    for c in _LIST_FIELDS:
        row[c] = list(dict.fromkeys(v for v in getattr(pub, c) if v))
    row["sources"] = [pub.source] if pub.source else []
    return _with_text(row)


def _existing_rows(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict]:
    found = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        sql = f"SELECT {', '.join(_COLUMNS)} FROM publications WHERE id IN ({', '.join('?' for _ in chunk)})"
        for row in db.execute(sql, chunk).fetchall():
            decoded = dict(zip(_COLUMNS, row, strict=True))
            for c in (*_DICT_FIELDS, *_LIST_FIELDS, "sources"):
                decoded[c] = json.loads(decoded[c] or ("{}" if c in _DICT_FIELDS else "[]"))
            found[decoded["id"]] = decoded
    return found


def _merge_rows(old: dict, new: dict) -> dict:
    merged = dict(old)
    for c in _SCALAR_FIELDS:
        if not merged.get(c) and new.get(c):
            merged[c] = new[c]
    for c in _DICT_FIELDS:
        # Longer text wins: a full abstract beats a truncated one from a search listing.
        combined = dict(old.get(c) or {})
        for lang, text in (new.get(c) or {}).items():
            if len(text) > len(combined.get(lang, "")):
                combined[lang] = text
        merged[c] = combined
    for c in (*_LIST_FIELDS, "sources"):
        merged[c] = list(dict.fromkeys([*(old.get(c) or []), *(new.get(c) or [])]))
    return _with_text(merged)


def _with_text(row: dict) -> dict:
    row["title_text"] = "\n".join(row["titles"].values())
    row["abstract_text"] = "\n".join(row["abstracts"].values())
    row["claims_text"] = "\n".join(row["claims"].values())
    return row


# What json.dumps(value, ensure_ascii=False) builds on every call, built once (the ingest hot path).
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def _encode(row: dict, column: str):
    value = row.get(column)
    if isinstance(value, dict | list):
        return _JSON(value)
    return value
