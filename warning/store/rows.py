"""A publication as the row the store writes: its columns already encoded, in the order of the INSERT.

A big ingest parses in forked child processes (`warning.sources.readahead`) and stores in one
process, whose SQLite writes are the critical path. Encoding a `Publication` as its row (eight
JSON columns, the joined texts, the CJK grams of the search index) is pure Python work that can
be done beside the parsing: the child builds a `PublicationRow`, a tuple that pickles compactly,
and the storing process only hands ``values`` to ``executemany``. The encoding is the one
`warning.store.publications` always wrote (``json.dumps(value, ensure_ascii=False)``), so a row
built here and a row built there are byte for byte the same.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from warning.models import Publication
from warning.store.search import text_grams

DICT_FIELDS = ("titles", "abstracts", "claims")
LIST_FIELDS = ("applicants", "inventors", "ipc", "cpc", "priority_claims")
SCALAR_FIELDS = (
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
COLUMNS = ("id", *SCALAR_FIELDS, *DICT_FIELDS, *LIST_FIELDS, "sources")
TEXT_COLUMNS = ("title_text", "abstract_text", "claims_text")
ROW_COLUMNS = (*COLUMNS, *TEXT_COLUMNS)  # what ``PublicationRow.values`` holds, in this order
JSON_COLUMNS = frozenset((*DICT_FIELDS, *LIST_FIELDS, "sources"))

# What json.dumps(value, ensure_ascii=False) builds on every call, built once (the ingest hot path).
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_STRING = json.encoder.encode_basestring  # the C function json.dumps(ensure_ascii=False) quotes with


class PublicationRow(NamedTuple):
    """One publication's row, encoded: ``values`` in `ROW_COLUMNS` order, and its search-index grams
    (title, abstract, claims; None when it has no CJK text, the common case)."""

    id: str
    values: tuple
    grams: tuple[str, str, str] | None


def publication_row(pub: Publication) -> PublicationRow:
    """The encoded row of ``pub``: empty texts and repeated list entries dropped, as always stored
    (`encode_row` of `row_dict`, without the dict between)."""
    texts = [_kept(getattr(pub, c)) for c in DICT_FIELDS]
    joined = ["\n".join(t.values()) for t in texts]
    values = (
        pub.id,
        *[getattr(pub, c) for c in SCALAR_FIELDS],
        *map(_encode_dict, texts),
        *[_encode_list(list(dict.fromkeys(filter(None, getattr(pub, c))))) for c in LIST_FIELDS],
        _encode_list([pub.source] if pub.source else []),
        *joined,
    )
    return PublicationRow(pub.id, values, text_grams(*joined))


def _kept(texts: dict) -> dict:
    """The non-empty texts (``texts`` itself when none is empty, the common case)."""
    return texts if all(texts.values()) else {k: v for k, v in texts.items() if v}


def row_dict(pub: Publication) -> dict:
    """The row of ``pub`` decoded (dicts and lists, not JSON), with its joined texts."""
    row = {c: getattr(pub, c) for c in ("id", *SCALAR_FIELDS)}
    for c in DICT_FIELDS:
        row[c] = {k: v for k, v in getattr(pub, c).items() if v}
    for c in LIST_FIELDS:
        row[c] = list(dict.fromkeys(v for v in getattr(pub, c) if v))
    row["sources"] = [pub.source] if pub.source else []
    return with_text(row)


def with_text(row: dict) -> dict:
    row["title_text"] = "\n".join(row["titles"].values())
    row["abstract_text"] = "\n".join(row["abstracts"].values())
    row["claims_text"] = "\n".join(row["claims"].values())
    return row


def encode_row(row: dict) -> PublicationRow:
    """A decoded row as its `PublicationRow`."""
    values = tuple(encode(row.get(c)) for c in ROW_COLUMNS)
    return PublicationRow(row["id"], values, text_grams(*(row[c] for c in TEXT_COLUMNS)))


def decode_row(values: tuple) -> dict:
    """The decoded row of encoded ``values`` (for merging with what the store holds)."""
    row = dict(zip(ROW_COLUMNS, values, strict=True))
    for c in JSON_COLUMNS:
        row[c] = json.loads(row[c] or ("{}" if c in DICT_FIELDS else "[]"))
    return row


def encode(value: object) -> object:
    """A column's value as stored: dicts and lists as JSON, the rest as it is."""
    if isinstance(value, list):
        return _encode_list(value)
    if isinstance(value, dict):
        return _encode_dict(value)
    return value


def _encode_list(value: list) -> str:
    try:  # json.dumps' own output for strings, without its per-call set-up
        return "[" + ", ".join(map(_STRING, value)) + "]"
    except TypeError:  # not only strings
        return _JSON(value)


def _encode_dict(value: dict) -> str:
    try:
        return "{" + ", ".join([f"{_STRING(k)}: {_STRING(v)}" for k, v in value.items()]) + "}"
    except TypeError:
        return _JSON(value)
