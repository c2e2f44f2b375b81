"""Local files: detect each file's format by its content and hand it to the right parser.

`warning ingest` and air-gapped users come through here. Each office declares the formats it
reads (`warning.sources.base.FileFormat`, listed by `warning.sources.registry.file_formats`); the
first detector that accepts a file wins. Detectors judge the content (the first bytes, a zip's
first member for zips), never the file's name: a weekly zip saved as ``download.zip`` is read
like ``ipg240102.zip``, and an error page saved as ``ipg240102.xml`` is not taken for XML.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from warning.errors import ParseError
from warning.models import QuarantinedDocument
from warning.sources.base import FileFormat, ParsedItem
from warning.sources.reading import Reading
from warning.sources.registry import file_formats, iter_file_formats
from warning.sources.uspto.stream import ZIP_SIGNATURE, zip_head
from warning.sources.xml.prolog import root_start
from warning.sources.xml.safe import looks_like_html

HEAD_BYTES = 65536
PROLOG_BYTES = 4 << 20  # how far an XML file's root element is looked for (1 MB of UTF-32)
# How a file in an encoding that is not ASCII-compatible starts: its byte-order mark, or for XML
# without one, ``<?`` in that encoding (XML 1.0, appendix F). Longest first.
_WIDE_STARTS = (  # (first bytes, encoding, bytes to drop)
    (codecs.BOM_UTF32_LE, "utf-32-le", 4),
    (codecs.BOM_UTF32_BE, "utf-32-be", 4),
    (b"<\0\0\0?\0\0\0", "utf-32-le", 0),
    (b"\0\0\0<\0\0\0?", "utf-32-be", 0),
    (codecs.BOM_UTF16_LE, "utf-16-le", 2),
    (codecs.BOM_UTF16_BE, "utf-16-be", 2),
    (b"<\0?\0", "utf-16-le", 0),
    (b"\0<\0?", "utf-16-be", 0),
)


def detect_format(path: Path) -> FileFormat:
    """The format of a local file, from its content; ParseError saying what it is otherwise."""
    with path.open("rb") as fh:
        head = sniffable(fh.read(HEAD_BYTES))
        fmt = _detect(path, head)
        if fmt is None and head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] == b"<":
            # XML whose prolog (comments, an internal DTD subset) hides the root: look past it.
            fh.seek(0)
            prolog = sniffable(fh.read(PROLOG_BYTES))
            start = root_start(prolog, PROLOG_BYTES)
            fmt = _detect(path, prolog[start : start + HEAD_BYTES]) if start else None
    if fmt is not None:
        return fmt
    what = _what_it_is(path, head)
    names = ", ".join(fmt.name for fmt in file_formats())
    raise ParseError(
        f"{path}: {what + ', ' if what else ''}not a format the service reads (it reads: {names})"
    )


def _detect(path: Path, head: bytes) -> FileFormat | None:
    return next((fmt for fmt in iter_file_formats() if fmt.detect(path, head)), None)


def sniffable(head: bytes) -> bytes:
    """The first bytes as UTF-8 when they are UTF-16 or UTF-32 (with or without a byte-order mark).

    Detectors look for ASCII markers (``<ep-patent-document``); an XML file may be in any
    encoding XML allows, and its parser (lxml) reads them all.
    """
    for start, encoding, bom in _WIDE_STARTS:
        if head.startswith(start):
            width = 4 if "32" in encoding else 2
            usable = head[bom : len(head) - (len(head) - bom) % width]
            return usable.decode(encoding, errors="replace").encode("utf-8")
    return head


def _what_it_is(path: Path, head: bytes) -> str:
    if not head.strip():
        return "an empty file"
    if looks_like_html(head):
        return "an HTML page (an error page saved in place of the file?)"
    if head[:4] == ZIP_SIGNATURE:
        member, _ = zip_head(path)
        return f"a zip archive whose first member ({member or 'unreadable'}) holds no USPTO XML"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.lstrip()[:1] == b"<":
        return "XML of no patent format the service knows"
    return ""


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
