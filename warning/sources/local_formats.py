"""Detectors and file parsers that `warning.sources.files.FORMATS` registers, one per local format.

Every detector judges the content (the first bytes, or the first member of a zip), never the
file's name: a weekly zip saved as ``download.zip`` is read like ``ipg240102.zip``, and an
error page saved as ``ipg240102.xml`` is not taken for XML.

Parsers are imported when a file needs them: together they cost about 90 ms to import (lxml,
xlrd, openpyxl), which every `warning` command would otherwise pay before doing anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warning.models import QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.reading import Reading, too_large

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


def is_uspto(path: Path, head: bytes) -> bool:
    """USPTO full-text XML, single or concatenated, or a zip whose first member is."""
    from warning.sources.uspto.parser import looks_like_uspto
    from warning.sources.uspto.stream import zip_head

    if head[:4] == ZIP:
        return looks_like_uspto(zip_head(path)[1])
    return looks_like_uspto(head)


def parse_uspto(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.uspto.parser import parse_uspto_file

    yield from parse_uspto_file(path, reading=reading)


def is_patentscope_xls(path: Path, head: bytes) -> bool:
    """An Excel 97 workbook (OLE2 compound file): PATENTSCOPE's result-list export."""
    return head[:8] == OLE2


def parse_patentscope_xls(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.exports.patentscope import parse_patentscope_xls as parse

    yield from parse(path, reading)


def is_patentscope_csv(path: Path, head: bytes) -> bool:
    from warning.sources.exports.patentscope import is_patentscope_head

    return is_patentscope_head(head)


def parse_patentscope_csv(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.exports.patentscope import parse_patentscope_csv as parse

    yield from parse(path, reading)


def is_lens_csv(path: Path, head: bytes) -> bool:
    from warning.sources.exports.lens import is_lens_csv_head

    return is_lens_csv_head(head)


def parse_lens_csv(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.exports.lens import parse_lens_csv_file

    yield from parse_lens_csv_file(path, reading)


def is_lens_jsonl(path: Path, head: bytes) -> bool:
    from warning.sources.exports.lens import is_lens_jsonl_head

    return is_lens_jsonl_head(head)


def parse_lens_jsonl(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.exports.lens import parse_lens_jsonl_file

    yield from parse_lens_jsonl_file(path, reading)


def is_json(path: Path, head: bytes) -> bool:
    """JSON Lines or JSON: the first character is ``{`` or ``[``."""
    return head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"[")


def parse_json(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    """The project's records, or Lens records where a record carries Lens's keys."""
    from warning.sources.exports.lens import is_lens_record, lens_record
    from warning.sources.jsonl import parse_json_file, record_to_publication

    def to_publication(obj: dict, ref: str):
        return lens_record(obj, ref) if is_lens_record(obj) else record_to_publication(obj)

    yield from parse_json_file(path, reading, to_publication)


def is_ep_xml(path: Path, head: bytes) -> bool:
    """An EP publication-server document (``ep-patent-document``)."""
    return b"<ep-patent-document" in head


def parse_ep_xml(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.ep_server.parser import SOURCE, parse_ep_document

    data = _whole_document(path, reading, SOURCE)
    if isinstance(data, QuarantinedDocument):
        yield data
        return
    yield from parse_ep_document(data, str(path))


def is_ops_xml(path: Path, head: bytes) -> bool:
    """A saved EPO OPS response (``ops:world-patent-data``)."""
    return b"world-patent-data" in head and b"<" in head[:200]


def parse_ops_xml(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    from warning.sources.epo_ops.parser import parse_ops_response

    data = _whole_document(path, reading, "epo_ops")
    if isinstance(data, QuarantinedDocument):
        yield data
        return
    yield from parse_ops_response(data, str(path))


def _whole_document(path: Path, reading: Reading, source: str) -> bytes | QuarantinedDocument:
    """The bytes of a file that is one document, or its quarantine when over ``max_document_mb``."""
    size, limit = path.stat().st_size, reading.limits.document_bytes
    reading.position = size
    if size > limit:
        return QuarantinedDocument(
            source, f"{path}: {too_large('file', size, limit, 'max_document_mb')}", str(path)
        )
    return path.read_bytes()
