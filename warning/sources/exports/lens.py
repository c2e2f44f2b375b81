"""Lens.org exports: the CSV of a result list, and JSON Lines records.

CSV numbers read ``US 2013/0101709 A1``, dates ``25/04/13`` (older exports) or ISO, lists are
``;;``-separated. JSON Lines records carry ``publicationKey`` (``US_2009_0022735_A1``),
``jurisdiction``, ``kindCode``, ISO dates and lists as JSON arrays.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from warning.models import Publication, QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.exports.common import (
    BadRow,
    csv_rows,
    export_date,
    export_publication,
    split_list,
    symbols,
)
from warning.sources.jsonl import parse_json_file, string_list
from warning.sources.reading import Reading

SOURCE = "lens"


def is_lens_csv_head(head: bytes) -> bool:
    """A Lens CSV export: its header names Jurisdiction, Kind and Publication Number."""
    first = head.splitlines()[0] if head else b""
    return b"Jurisdiction" in first and b"Publication Number" in first and b"Kind" in first


def is_lens_jsonl_head(head: bytes) -> bool:
    """A Lens JSON Lines export: records keyed by ``publicationKey``/``lensId``."""
    return head.lstrip()[:1] == b"{" and (b'"lensId"' in head or b'"publicationKey"' in head)


def parse_lens_csv_file(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Rows of a Lens CSV export file, streamed (`warning.sources.exports.common.csv_rows`)."""
    yield from _csv_records(csv_rows(path, reading or Reading()), str(path))


def parse_lens_csv(data: bytes, ref: str) -> Iterator[ParsedItem]:
    """Pure: one publication (or quarantined row) per row of a Lens CSV export."""
    text = data.decode("utf-8-sig", errors="replace")
    yield from _csv_records(csv.reader(io.StringIO(text, newline="")), ref)


def _csv_records(rows: Iterable[list[str] | BadRow], ref: str) -> Iterator[ParsedItem]:
    header: list[str] | None = None
    lineno = 1
    for row in rows:
        if isinstance(row, BadRow):
            yield QuarantinedDocument(SOURCE, row.reason, f"{ref}:{row.line}")
            continue
        if header is None:
            header = row
            continue
        if not row:
            continue
        lineno += 1
        record = dict(zip(header, row, strict=False))
        try:
            yield _csv_publication(record, f"{ref}:{lineno}")
        except (ValueError, TypeError) as exc:
            raw = ",".join(str(v) for v in row).encode()
            yield QuarantinedDocument(SOURCE, f"row {lineno}: {exc}", f"{ref}:{lineno}", raw)


def _csv_publication(row: dict[str, str], ref: str) -> Publication:
    priorities = split_list(row.get("Priority Numbers"), ";;")
    return export_publication(
        row.get("Publication Number") or row.get("Display Key") or "",
        SOURCE,
        ref,
        kind=(row.get("Kind") or "").strip(),
        doc_label=row.get("Type") or row.get("Document Type") or "",
        title=" ".join((row.get("Title") or "").split()),
        abstract=" ".join((row.get("Abstract") or "").split()),
        applicants=split_list(row.get("Applicants"), ";;"),
        inventors=split_list(row.get("Inventors"), ";;"),
        ipc=symbols(row.get("IPCR Classifications"), ";;"),
        cpc=symbols(row.get("CPC Classifications"), ";;"),
        publication_date=export_date(row.get("Publication Date")),
        filing_date=export_date(row.get("Application Date")),
        application_number=_compact_priority(row.get("Application Number") or "") or None,
        priority_date=min(filter(None, (export_date(p.split()[-1]) for p in priorities)), default=None),
        priority_claims=[_compact_priority(p) for p in priorities],
    )


def _compact_priority(key: str) -> str:
    """``US 201161550506 P 20111024`` -> ``US201161550506``, as the other sources write priorities."""
    parts = key.split()
    return "".join(parts[:2]) if len(parts) >= 2 else key


def parse_lens_jsonl_file(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Records of a Lens JSON Lines (or JSON) export file, streamed with bounded lines."""
    yield from parse_json_file(path, reading or Reading(), lens_record, SOURCE)


def is_lens_record(obj: object) -> bool:
    """A Lens record (``lensId``/``publicationKey``) rather than the project's format."""
    return isinstance(obj, dict) and ("lensId" in obj or "publicationKey" in obj)


def parse_lens_jsonl(data: bytes, ref: str) -> Iterator[ParsedItem]:
    """Pure: one publication (or quarantined line) per line of a Lens JSON Lines export."""
    for lineno, line in enumerate(data.splitlines(), start=1):
        yield from _jsonl_line(line, f"{ref}:{lineno}")


def _jsonl_line(line: bytes, ref: str) -> Iterator[ParsedItem]:
    if not line.strip():
        return
    try:
        yield lens_record(json.loads(line), ref)
    except (ValueError, TypeError, AttributeError) as exc:
        yield QuarantinedDocument(SOURCE, f"{ref}: {exc}", ref, line)


def lens_record(obj: dict, ref: str) -> Publication:
    """One Lens JSON record to a `Publication`; ValueError/TypeError when it is unusable."""
    if not isinstance(obj, dict):
        raise TypeError("a line must be a JSON object")
    return export_publication(
        obj.get("publicationKey") or obj.get("displayKey") or "",
        SOURCE,
        ref,
        kind=obj.get("kindCode") or "",
        doc_label=obj.get("docType") or "",
        title=" ".join(str(obj.get("title") or "").split()),
        abstract=" ".join(str(obj.get("abstract") or "").split()),
        applicants=string_list(obj.get("applicants")),
        inventors=string_list(obj.get("inventors")),
        ipc=symbols(";".join(string_list(obj.get("ipcrClassifications"))), ";"),
        cpc=symbols(";".join(string_list(obj.get("cpcClassifications"))), ";"),
        publication_date=export_date(obj.get("publicationDate")),
        filing_date=export_date(obj.get("filingDate")),
        application_number=_compact_priority(str(obj.get("filingNumber") or "")) or None,
        priority_date=export_date(obj.get("earliestPriorityDate")),
        priority_claims=[_compact_priority(p) for p in string_list(obj.get("priorityFilingKeysActive"))],
    )
