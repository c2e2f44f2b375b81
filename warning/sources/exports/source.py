"""Files only: result-list exports people download (PATENTSCOPE, Lens), the Indian Patent Office
journal's grant lists, and the project's JSON Lines.

Nothing here is fetched: `warning ingest` reads these files, told apart by their content. The
project's JSON Lines (or a JSON array of records) is tried last: it accepts any file that starts
with ``{`` or ``[``, so every more particular format is asked first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warning.models import Publication
from warning.sources.base import FileFormat, ParsedItem, Source
from warning.sources.exports.ipo_india import is_ipo_grants_head, parse_ipo_grants_file
from warning.sources.exports.lens import (
    is_lens_csv_head,
    is_lens_jsonl_head,
    is_lens_record,
    lens_record,
    parse_lens_csv_file,
    parse_lens_jsonl_file,
)
from warning.sources.exports.patentscope import (
    is_patentscope_head,
    parse_patentscope_csv,
    parse_patentscope_xls,
)
from warning.sources.jsonl import parse_json_file, record_to_publication
from warning.sources.reading import Reading

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # how an Excel 97 workbook (a compound file) starts


def is_patentscope_xls(path: Path, head: bytes) -> bool:
    """An Excel 97 workbook (OLE2 compound file): PATENTSCOPE's result-list export."""
    return head[:8] == OLE2


def is_json(path: Path, head: bytes) -> bool:
    """JSON Lines or JSON: the first character is ``{`` or ``[``."""
    return head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"[")


def read_json(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    """The project's records, or Lens records where a record carries Lens's keys."""

    def to_publication(obj: dict, ref: str) -> Publication:
        return lens_record(obj, ref) if is_lens_record(obj) else record_to_publication(obj)

    yield from parse_json_file(path, reading, to_publication)


class Exports(Source):
    """PATENTSCOPE and Lens exports, IPO journal grant lists and JSON Lines: read from local files,
    never fetched."""

    formats = (
        FileFormat("patentscope-xls", is_patentscope_xls, parse_patentscope_xls),
        FileFormat("patentscope-csv", lambda path, head: is_patentscope_head(head), parse_patentscope_csv),
        FileFormat("lens-csv", lambda path, head: is_lens_csv_head(head), parse_lens_csv_file),
        FileFormat("ipo-journal-csv", lambda path, head: is_ipo_grants_head(head), parse_ipo_grants_file),
        FileFormat("lens-jsonl", lambda path, head: is_lens_jsonl_head(head), parse_lens_jsonl_file),
        FileFormat("jsonl", is_json, read_json),  # JSON Lines, or JSON (an array of records)
    )


SOURCE = Exports
