"""The project's JSON Lines format: one publication per line (see DESIGN.md).

``{"id": "US-20240123456-A1", "title": "...", "abstract": "...", "claims": "...", "lang": "en",
"cpc": [...], "applicants": [...], "label": 1}``; every field but ``id`` may be missing. Richer
lines may carry ``titles``/``abstracts``/``claims`` as ``{lang: text}`` tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from warning.identity import normalise_id, split_id
from warning.models import Publication, QuarantinedDocument
from warning.sources.jsonstream import json_records
from warning.sources.reading import CountingReader, Piece, Reading, bounded_lines, too_large

SOURCE = "jsonl"
RecordParser = Callable[[dict, str], Publication]


def parse_jsonl(data: bytes, ref: str) -> Iterator[Publication | QuarantinedDocument]:
    """Parse JSON Lines bytes; a bad line is quarantined with its line number, the rest go on."""
    for lineno, line in enumerate(data.splitlines(), start=1):
        yield from _record(Piece(lineno, line, len(line)), f"{ref}:{lineno}", f"line {lineno}", _project)


def parse_json_file(
    path: Path, reading: Reading, to_publication: RecordParser | None = None, source: str = SOURCE
) -> Iterator[Publication | QuarantinedDocument]:
    """A JSON Lines file, or a JSON file (an array of records, or records one after another), streamed.

    Which of the two is told from the first line: a JSON file's first line opens its array or
    its first record (``[`` or ``{`` alone); a JSON Lines file's is a whole record. Each record
    over ``[ingest] max_document_mb`` is quarantined, the rest go on; ``to_publication`` maps a
    record (default: the project's format, below).
    """
    to_publication = to_publication or _project
    with path.open("rb") as raw:
        as_lines = _is_json_lines(raw)
        raw.seek(0)
        fh = CountingReader(raw, reading)
        limit = reading.limits.document_bytes
        if as_lines:
            for piece in bounded_lines(fh, limit):
                where = f"line {piece.number}"
                yield from _record(piece, f"{path}:{piece.number}", where, to_publication, limit, source)
        else:
            for piece in json_records(fh, limit):
                where = f"record {piece.number} (line {piece.line})"
                yield from _record(piece, f"{path}:{piece.line}", where, to_publication, limit, source)


def _is_json_lines(fh) -> bool:
    for line in iter(lambda: fh.readline(4096), b""):
        first = line.strip().removeprefix(b"\xef\xbb\xbf").strip()
        if first:
            return not (first.startswith(b"[") or first == b"{")
    return True


def _record(
    piece: Piece, ref: str, where: str, to_publication: RecordParser, limit: int = 0, source: str = SOURCE
) -> Iterator[Publication | QuarantinedDocument]:
    if not piece.data or piece.data.isspace():
        return
    if piece.too_large:
        reason = too_large("record", piece.size, limit, "max_document_mb")
        yield QuarantinedDocument(source, f"{where}: {reason}", ref, piece.data)
        return
    try:
        yield to_publication(json.loads(piece.data), ref)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        yield QuarantinedDocument(source, f"{where}: {exc}", ref, piece.data)


def _project(obj: dict, ref: str) -> Publication:
    return record_to_publication(obj)


def record_to_publication(obj: dict) -> Publication:
    """One JSON object to a `Publication`; ValueError/TypeError naming what is missing or wrong."""
    if not isinstance(obj, dict):
        raise TypeError(f"a record must be a JSON object, not {_json_type(obj)}")
    raw_id = obj.get("id")
    if raw_id is None:
        raise ValueError("no 'id' (every record needs the publication number, e.g. \"US-20240123456-A1\")")
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise TypeError(f"'id' must be a non-empty string, not {raw_id!r}")
    pid = normalise_id(raw_id)
    country, number, kind = split_id(pid)
    lang = obj.get("lang") or "en"
    return Publication(
        id=pid,
        country=obj.get("country") or country,
        number=number,
        kind=obj.get("kind") or kind,
        doc_type=obj.get("doc_type") or ("grant" if kind[:1] in ("B", "C") else "application"),
        titles=_texts(obj, "titles", "title", lang),
        abstracts=_texts(obj, "abstracts", "abstract", lang),
        claims=_texts(obj, "claims", "claims", lang),
        applicants=string_list(obj.get("applicants")),
        inventors=string_list(obj.get("inventors")),
        ipc=string_list(obj.get("ipc")),
        cpc=string_list(obj.get("cpc")),
        publication_date=obj.get("publication_date"),
        filing_date=obj.get("filing_date"),
        priority_date=obj.get("priority_date"),
        family_id=obj.get("family_id"),
        lang=lang,
        source=obj.get("source") or SOURCE,
    )


def _texts(obj: dict, plural: str, singular: str, lang: str) -> dict[str, str]:
    value = obj.get(plural) if isinstance(obj.get(plural), dict) else obj.get(singular)
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v}
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    return {lang: str(value)} if value else {}


def string_list(value: object) -> list[str]:
    """A JSON value that should be a list of strings (a lone string counts as one); TypeError else."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise TypeError(f"expected a list of strings, got {type(value).__name__}")
    return [str(v) for v in value if v]


def _json_type(value: object) -> str:
    names = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}
    return names.get(type(value), "a number")
