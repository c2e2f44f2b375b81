"""The Indian Patent Office journal's lists of granted patents, as CSV.

The IPO publishes its journal weekly as PDF only; its grant lists are read out of the PDFs into
CSV by tools such as Krat21/indian-patent-dataset, with the header ``Serial No., Patent Number,
Application Number, Date of Application, Date of Priority, Title of Invention, Patentee Name,
Date of Application Publication, Office, journal``. Dates read ``19/11/2008``; ``journal`` names
the issue and its date (``47/2019 Dated 22/11/2019``, sometimes without "Dated"), which is the
date the grant was published, the date India's one-year post-grant opposition runs from.

A grant is ``IN-<patent number>-B``, the kind code DOCDB gives Indian patents. Rows read out of
other tables of an issue (the addresses for service of journal 10/2018, a repeated header) carry
an office name or a column title where the patent number should be, and a few numbers lost a
digit: each such row is quarantined with its reason, and the rows after it go on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from warning.models import Publication, QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.exports.common import BadRow, csv_rows, export_date, export_publication
from warning.sources.reading import Reading

SOURCE = "ipo-journal"
NUMBER_COLUMN = "Patent Number"
# Patents granted since the journal went online (2005) carry six digits (seven from 1,000,000):
# a shorter number in a list is one the PDF extraction dropped a digit of (23445 among 293444 and
# 293447), which would be another patent's id.
_NUMBER = re.compile(r"\d{6,7}")
_ISSUE_DATE = re.compile(r"(\d\d/\d\d/\d{4})\s*$")
# What the PDF extraction left of the quotes around many titles: curly quotes decoded as cp1252
# ("â€œ"), or their remnants ("€", "œ", "•", "˜"); only at either end, where nothing else is.
_QUOTES = "(?:â€œ|â€•|â€|€•|[€œ•˜\"'“”‘’\\s])+"
_EDGE_QUOTES = re.compile(f"^{_QUOTES}|{_QUOTES}$")


def is_ipo_grants_head(head: bytes) -> bool:
    """A CSV whose header names the IPO journal grant list's columns."""
    first = head.lstrip(b"\xef\xbb\xbf").splitlines()[0] if head else b""
    return b"Patent Number" in first and b"Title of Invention" in first and b"Patentee Name" in first


def parse_ipo_grants_file(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Rows of an IPO journal grant list, streamed (`warning.sources.exports.common.csv_rows`)."""
    yield from parse_rows(csv_rows(path, reading or Reading()), str(path))


def parse_rows(rows: Iterable[list[str] | BadRow], ref: str) -> Iterator[ParsedItem]:
    """The header, then one grant (or quarantined row) per row."""
    header: list[str] | None = None
    for lineno, row in enumerate(rows, start=1):
        if isinstance(row, BadRow):
            yield QuarantinedDocument(SOURCE, row.reason, f"{ref}:{row.line}")
            continue
        cells = [c.strip() for c in row]
        if header is None:
            header = [c.lstrip("\ufeff") for c in cells]
            continue
        if not any(cells):
            continue
        try:
            yield grant(dict(zip(header, cells, strict=False)), f"{ref}:{lineno}")
        except ValueError as exc:
            raw = ",".join(cells).encode()
            yield QuarantinedDocument(SOURCE, f"row {lineno}: {exc}", f"{ref}:{lineno}", raw)


def grant(record: dict[str, str], ref: str) -> Publication:
    """One row to a granted Indian patent; ValueError where the row is not a grant."""
    number = record.get(NUMBER_COLUMN, "")
    if not _NUMBER.fullmatch(number):
        # A row of another table of the journal, shifted columns, or a digit lost.
        raise ValueError(f"{NUMBER_COLUMN} {number[:40]!r} is not an Indian patent number (6 or 7 digits)")
    title = _EDGE_QUOTES.sub("", " ".join(record.get("Title of Invention", "").split()))
    patentee = " ".join(record.get("Patentee Name", "").split())
    issue = _ISSUE_DATE.search(record.get("journal", ""))
    return export_publication(
        f"IN-{number}-B",
        SOURCE,
        ref,
        title=title,
        applicants=[patentee] if patentee else [],
        publication_date=export_date(issue.group(1)) if issue else None,
        filing_date=export_date(record.get("Date of Application")),
        priority_date=export_date(record.get("Date of Priority")),
        application_number=record.get("Application Number") or None,
    )
