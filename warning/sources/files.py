"""Local files: detect each file's format by its content and hand it to the right parser.

`warning ingest` and air-gapped users come through here. New formats register a detector and a
parser in `FORMATS`; the first detector that accepts a file wins. Detectors look at the first
bytes (a zip's first member for zips), never at the file's name.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warning.errors import ParseError
from warning.models import QuarantinedDocument
from warning.sources import local_formats as lf
from warning.sources.base import ParsedItem
from warning.sources.reading import Reading

HEAD_BYTES = 65536
# Byte-order marks of the encodings that are not ASCII-compatible, longest first.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class FileFormat:
    name: str
    detect: Callable[[Path, bytes], bool]  # (path, first bytes as UTF-8) -> is it mine?
    parse: Callable[[Path, Reading], Iterator[ParsedItem]]


FORMATS: list[FileFormat] = [
    FileFormat("uspto-xml", lf.is_uspto, lf.parse_uspto),
    FileFormat("ep-xml", lf.is_ep_xml, lf.parse_ep_xml),
    FileFormat("ops-xml", lf.is_ops_xml, lf.parse_ops_xml),
    FileFormat("patentscope-xls", lf.is_patentscope_xls, lf.parse_patentscope_xls),
    FileFormat("patentscope-csv", lf.is_patentscope_csv, lf.parse_patentscope_csv),
    FileFormat("lens-csv", lf.is_lens_csv, lf.parse_lens_csv),
    FileFormat("lens-jsonl", lf.is_lens_jsonl, lf.parse_lens_jsonl),
    FileFormat("jsonl", lf.is_json, lf.parse_json),  # JSON Lines, or JSON (an array of records)
]


def detect_format(path: Path) -> FileFormat:
    """The format of a local file, from its content; ParseError saying what it is otherwise."""
    with path.open("rb") as fh:
        head = sniffable(fh.read(HEAD_BYTES))
    for fmt in FORMATS:
        if fmt.detect(path, head):
            return fmt
    names = ", ".join(fmt.name for fmt in FORMATS)
    raise ParseError(
        f"{path}: {_what_it_is(path, head)}, not a format the service reads (supported: {names})"
    )


def sniffable(head: bytes) -> bytes:
    """The first bytes as UTF-8 when they start with a UTF-16 or UTF-32 byte-order mark.

    Detectors look for ASCII markers (``<ep-patent-document``); an XML file may be in any
    encoding XML allows, and its parser (lxml) reads them all.
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            usable = len(head) - len(head) % (4 if "32" in encoding else 2)
            return head[len(bom) : usable].decode(encoding, errors="replace").encode("utf-8")
    return head


def _what_it_is(path: Path, head: bytes) -> str:
    from warning.sources.uspto_stream import zip_head
    from warning.sources.xmlsafe import looks_like_html

    if not head.strip():
        return "an empty file"
    if looks_like_html(head):
        return "an HTML page (an error page saved in place of the file?)"
    if head[:4] == lf.ZIP:
        member, _ = zip_head(path)
        return f"a zip archive whose first member ({member or 'unreadable'}) holds no USPTO XML"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.lstrip()[:1] == b"<":
        return "XML of no known patent format"
    return "a file of no known patent format"


def parse_file(path: Path, reading: Reading | None = None) -> Iterator[ParsedItem]:
    """Publications (and quarantined documents) from one local file of any supported format.

    ``reading`` gives the ``[ingest]`` limits and hears how far the file is read (default limits).
    """
    reading = reading or Reading()
    try:
        fmt = detect_format(path)
    except ParseError as exc:
        yield QuarantinedDocument("files", str(exc), str(path), b"")
        return
    yield from fmt.parse(path, reading)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and files inside folders named (recursively, hidden files skipped), sorted."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(x for x in p.rglob("*") if x.is_file() and not x.name.startswith("."))
        elif p.exists():
            files.append(p)
        else:
            raise ParseError(f"{p}: no such file or folder")
    return files
