"""The project's JSON Lines format: one publication per line (see DESIGN.md).

``{"id": "US-20240123456-A1", "title": "...", "abstract": "...", "claims": "...", "lang": "en",
"cpc": [...], "applicants": [...], "label": 1}``; every field but ``id`` may be missing. Richer
lines may carry ``titles``/``abstracts``/``claims`` as ``{lang: text}`` tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from warning.identity import normalise_id, split_id
from warning.models import Publication, QuarantinedDocument

SOURCE = "jsonl"


def parse_jsonl(data: bytes, ref: str) -> Iterator[Publication | QuarantinedDocument]:
    """Parse JSON Lines bytes; a bad line is quarantined with its line number, the rest go on."""
    for lineno, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            yield record_to_publication(obj)
        except (ValueError, TypeError, KeyError) as exc:
            yield QuarantinedDocument(SOURCE, f"line {lineno}: {exc}", f"{ref}:{lineno}", line)


def record_to_publication(obj: dict) -> Publication:
    """One JSON object to a `Publication`; raises KeyError/TypeError on a malformed record."""
    if not isinstance(obj, dict):
        raise TypeError("a line must be a JSON object")
    raw_id = obj["id"]
    if not isinstance(raw_id, str) or not raw_id.strip():
        raise TypeError("'id' must be a non-empty string")
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
