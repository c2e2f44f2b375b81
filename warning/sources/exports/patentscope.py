"""PATENTSCOPE result-list exports: the ``.xls`` a user downloads, or the same list saved as CSV.

The sheet starts with a blank row and the query, then the header ``Publication Number,
Publication Date, Title, Priority Data, IPC, Applicants, Inventors, FP Image``. Numbers carry
no kind code (``US20050286606``), dates are ``29.12.2005``, lists are ``;``-separated and
priorities read ``[60582692 2004-06-24T23:59:59.000Z US, ...]``.
"""

from __future__ import annotations

import csv
import io
import re
import struct
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from warning.models import QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.exports.common import (
    BadRow,
    csv_rows,
    export_date,
    export_publication,
    split_list,
    symbols,
)
from warning.sources.reading import Reading, too_large

SOURCE = "patentscope"
NUMBER_COLUMN = "Publication Number"
_PRIORITY = re.compile(r"([^\s,\[\]]+)\s+(\d{4}-\d\d-\d\d)T[^\s,\]]*\s+([A-Za-z]{2})")
_HEADER_SEARCH_ROWS = 10


def is_patentscope_head(head: bytes) -> bool:
    """A CSV export whose header names PATENTSCOPE's columns."""
    return b"Publication Number" in head and b"Priority Data" in head and b"FP Image" in head


def parse_patentscope_xls(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Rows of every sheet of a PATENTSCOPE ``.xls`` export (read whole: up to ``max_document_mb``)."""
    import xlrd  # deferred for start-up time: only a PATENTSCOPE workbook needs it

    reading = reading or Reading()
    size, limit = path.stat().st_size, reading.limits.document_bytes
    if size > limit:
        reason = too_large("workbook", size, limit, "max_document_mb")
        yield QuarantinedDocument(SOURCE, f"{path}: {reason}", str(path))
        return
    # xlrd reports a damaged workbook not only as XLRDError: a cut compound document raises
    # CompDocError, and truncated records surface as IndexError, struct.error or AssertionError.
    damaged = (
        xlrd.XLRDError,
        xlrd.compdoc.CompDocError,
        IndexError,
        KeyError,
        ValueError,
        AssertionError,
        struct.error,
    )
    try:
        # xlrd writes its warnings to stdout unless given a log file: keep them out of the CLI's output.
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except damaged as exc:
        yield QuarantinedDocument(SOURCE, f"{path}: not a readable .xls workbook: {exc!r}", str(path))
        return
    try:
        for index in range(book.nsheets):
            try:
                sheet = book.sheet_by_index(index)
                rows = [sheet.row_values(i) for i in range(sheet.nrows)]
            except damaged as exc:
                # The sheets read before it are kept; this one and the rest are the damage.
                reason = f"{path}: sheet {index + 1} of the .xls workbook is damaged: {exc!r}"
                yield QuarantinedDocument(SOURCE, reason, f"{path}!{index + 1}")
                return
            yield from parse_rows(rows, f"{path}!{sheet.name}")
    finally:
        book.release_resources()
        reading.position = size


def parse_patentscope_csv(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Rows of a PATENTSCOPE list saved as CSV (extra leading columns are ignored), streamed."""
    yield from parse_rows(csv_rows(path, reading or Reading()), str(path))


def parse_patentscope_bytes(data: bytes, ref: str) -> Iterator[ParsedItem]:
    """Pure: the rows of a PATENTSCOPE CSV given as bytes."""
    text = data.decode("utf-8-sig", errors="replace")
    yield from parse_rows(csv.reader(io.StringIO(text, newline="")), ref)


def parse_rows(rows: Iterable[Sequence | BadRow], ref: str) -> Iterator[ParsedItem]:
    """Find the header row, then one publication (or quarantined row) per data row."""
    header: list[str] | None = None
    for lineno, row in enumerate(rows, start=1):
        if isinstance(row, BadRow):
            yield QuarantinedDocument(SOURCE, row.reason, f"{ref}:{row.line}")
            continue
        cells = [str(c).strip() if c is not None else "" for c in row]
        if header is None:
            if NUMBER_COLUMN in cells:
                header = cells
            elif lineno > _HEADER_SEARCH_ROWS:
                yield QuarantinedDocument(SOURCE, f"{ref}: no '{NUMBER_COLUMN}' header row", ref)
                return
            continue
        if not any(cells):
            continue
        record = dict(zip(header, cells, strict=False))
        try:
            yield _publication(record, f"{ref}:{lineno}")
        except ValueError as exc:
            raw = ",".join(cells).encode()
            yield QuarantinedDocument(SOURCE, f"row {lineno}: {exc}", f"{ref}:{lineno}", raw)


def _publication(record: dict[str, str], ref: str):
    priorities = _PRIORITY.findall(record.get("Priority Data", ""))
    return export_publication(
        record.get(NUMBER_COLUMN, ""),
        SOURCE,
        ref,
        title=" ".join(record.get("Title", "").split()),
        applicants=split_list(record.get("Applicants"), ";"),
        inventors=split_list(record.get("Inventors"), ";"),
        ipc=symbols(record.get("IPC"), ";"),
        publication_date=export_date(record.get("Publication Date")),
        priority_date=min((d for _, d, _ in priorities), default=None),
        priority_claims=[f"{c.upper()}{n}" for n, _, c in priorities],
    )
