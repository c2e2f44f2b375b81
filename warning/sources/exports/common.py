"""Shared pieces of the result-list exports users download from patent services (PATENTSCOPE, Lens)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from warning.identity import normalise_id, split_id
from warning.models import APPLICATION, DESIGN, GRANT, PLANT, Publication, doc_type_of_kind
from warning.sources.classification import normalise_symbol
from warning.sources.reading import HEAD_KEPT, Reading, too_large

_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d\d)-(\d\d)"), ("y", "m", "d")),
    (re.compile(r"^(\d\d)[./](\d\d)[./](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d\d)/(\d\d)/(\d\d)$"), ("d", "m", "yy")),
    (re.compile(r"^(\d{4})(\d\d)(\d\d)$"), ("y", "m", "d")),
)


def export_date(value: str | None) -> str | None:
    """ISO ``YYYY-MM-DD`` from ``2013-04-25``, ``25.04.2013``, ``25/04/2013``, ``25/04/13`` or ``20130425``."""
    v = (value or "").strip()
    for pattern, order in _DATE_FORMATS:
        m = pattern.match(v)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        if "yy" in parts:
            yy = int(parts["yy"])
            parts["y"] = str((2000 if yy <= date.today().year % 100 + 1 else 1900) + yy)
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"])).isoformat()
        except ValueError:
            return None
    return None


def split_list(value: str | None, separator: str) -> list[str]:
    """Non-empty, stripped, de-duplicated items of a ``;``- or ``;;``-separated cell."""
    if not value:
        return []
    return list(dict.fromkeys(" ".join(p.split()) for p in str(value).split(separator) if p.strip()))


def symbols(value: str | None, separator: str) -> list[str]:
    """IPC/CPC symbols of a cell, in the store's compact spelling (`warning.sources.classification`)."""
    return list(dict.fromkeys(s for s in (normalise_symbol(p) for p in split_list(value, separator)) if s))


def doc_type_from(kind: str, label: str = "") -> str:
    """The document type from a service's label ("Granted Patent") or, failing that, the kind code."""
    text = label.lower()
    if "design" in text:
        return DESIGN
    if "plant" in text:
        return PLANT
    if "grant" in text:
        return GRANT
    if "application" in text:
        return APPLICATION
    return doc_type_of_kind(kind)


def export_publication(raw_number: str, source: str, ref: str, **fields) -> Publication:
    """A `Publication` for one export row; ValueError when the row has no publication number."""
    if not raw_number or not raw_number.strip():
        raise ValueError("no publication number")
    pid = normalise_id(raw_number)
    country, number, kind = split_id(pid)
    kind = fields.pop("kind", "") or kind
    if kind and not pid.endswith(f"-{kind}") and country:
        pid = normalise_id(f"{country}-{number}-{kind}")
        country, number, kind = split_id(pid)
    title = fields.pop("title", "")
    abstract = fields.pop("abstract", "")
    return Publication(
        id=pid,
        country=country,
        number=number,
        kind=kind,
        doc_type=doc_type_from(kind, fields.pop("doc_label", "")),
        titles={"en": title} if title else {},
        abstracts={"en": abstract} if abstract else {},
        lang="en",
        source=source,
        raw_ref=ref,
        **fields,
    )


@dataclass(frozen=True)
class BadRow:
    """A row of an export file that cannot be read (over a limit, a broken quote), with the reason."""

    reason: str
    line: int  # the line of the file it ends on


def csv_rows(path: Path, reading: Reading) -> Iterator[list[str] | BadRow]:
    """The rows of a CSV export, streamed: memory stays at one line whatever the file's size.

    A line over ``[ingest] max_document_mb`` is read past and a field over ``max_field_chars``
    refused by the csv module; each becomes a `BadRow` and the rows after it go on.
    """
    # The csv module's own cap on a field (131,072 characters by default) is process-wide: it is set
    # to this reading's limit each time, never left at an earlier reading's larger one.
    csv.field_size_limit(reading.limits.max_field_chars)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
        lines = _TextLines(text, raw, reading)
        reader = csv.reader(lines)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield BadRow(f"row {reader.line_num}: {exc}", reader.line_num)
                continue
            while lines.refused:
                yield lines.refused.pop(0)
            yield row


class _TextLines:
    """Lines for the csv module (any of CR, LF, CRLF ends one), each read up to the limit.

    A line over the limit is read past in pieces, refused with its size and handed on as an
    empty line; ``reading`` hears the bytes read so far.
    """

    def __init__(self, text: io.TextIOWrapper, raw, reading: Reading) -> None:
        self.text, self.raw, self.reading = text, raw, reading
        self.limit = reading.limits.document_bytes
        self.refused: list[BadRow] = []
        self.number = 0

    def __iter__(self) -> _TextLines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit + 1)
        self.reading.position = self.raw.tell()
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) <= self.limit or line.endswith(("\n", "\r")):
            return line
        size = len(line.encode("utf-8", errors="replace"))
        del line
        while (rest := self.text.readline(HEAD_KEPT)) and not rest.endswith(("\n", "\r")):
            size += len(rest)
        size += len(rest)
        reason = too_large("line", size, self.limit, "max_document_mb")
        self.refused.append(BadRow(f"line {self.number}: {reason}", self.number))
        return "\n"
