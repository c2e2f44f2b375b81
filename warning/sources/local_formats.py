"""Detectors and file parsers that `warning.sources.files.FORMATS` registers, one per local format.

Parsers are imported when a file needs them: together they cost about 90 ms to import (lxml,
xlrd, openpyxl), which every `warning` command would otherwise pay before doing anything.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path

from warning.sources.base import ParsedItem

# Weekly USPTO names: ipgYYMMDD / ipaYYMMDD (2005 on), pgYYMMDD / paYYMMDD (2001-2004).
_USPTO_NAME = re.compile(r"^(ipg|ipa|pg|pa)\d{6}", re.IGNORECASE)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def is_uspto(path: Path, head: bytes) -> bool:
    """USPTO full-text XML, single or concatenated, or a zip of it (also by its weekly file name)."""
    from warning.sources.uspto_xml import looks_like_uspto

    if head[:4] == _ZIP:
        return bool(_USPTO_NAME.match(path.name)) or _zip_holds_uspto(path, head)
    return looks_like_uspto(head) or bool(_USPTO_NAME.match(path.name) and path.suffix.lower() == ".xml")


def _zip_holds_uspto(path: Path, head: bytes) -> bool:
    from warning.sources.uspto_xml import looks_like_uspto

    try:
        with zipfile.ZipFile(path) as archive:
            first = next((i for i in archive.infolist() if not i.is_dir()), None)
            if first is None:
                return False
            with archive.open(first) as member:
                return looks_like_uspto(member.read(4096))
    except (zipfile.BadZipFile, OSError, EOFError):
        # No central directory (a cut download): judge by the first member's name.
        name_len = struct.unpack_from("<H", head, 26)[0] if len(head) >= 30 else 0
        return bool(_USPTO_NAME.match(head[30 : 30 + name_len].decode("cp437", "replace")))


def parse_uspto(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.uspto_xml import parse_uspto_file

    yield from parse_uspto_file(path)


def is_patentscope_xls(path: Path, head: bytes) -> bool:
    """An Excel 97 workbook: PATENTSCOPE's result-list export."""
    return head[:8] == _OLE2 and path.suffix.lower() == ".xls"


def parse_patentscope_xls(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.patentscope import parse_patentscope_xls as parse

    yield from parse(path)


def is_patentscope_csv(path: Path, head: bytes) -> bool:
    from warning.sources.patentscope import is_patentscope_head

    return is_patentscope_head(head)


def parse_patentscope_csv(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.patentscope import parse_patentscope_csv as parse

    yield from parse(path)


def is_lens_csv(path: Path, head: bytes) -> bool:
    from warning.sources.lens import is_lens_csv_head

    return is_lens_csv_head(head)


def parse_lens_csv(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.lens import parse_lens_csv_file

    yield from parse_lens_csv_file(path)


def is_lens_jsonl(path: Path, head: bytes) -> bool:
    from warning.sources.lens import is_lens_jsonl_head

    return is_lens_jsonl_head(head)


def parse_lens_jsonl(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.lens import parse_lens_jsonl_file

    yield from parse_lens_jsonl_file(path)


def is_ep_xml(path: Path, head: bytes) -> bool:
    """An EP publication-server document (``ep-patent-document``)."""
    return b"<ep-patent-document" in head


def parse_ep_xml(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.ep_xml import parse_ep_document

    yield from parse_ep_document(path.read_bytes(), str(path))


def is_ops_xml(path: Path, head: bytes) -> bool:
    """A saved EPO OPS response (``ops:world-patent-data``)."""
    return b"world-patent-data" in head and b"<" in head[:200]


def parse_ops_xml(path: Path) -> Iterator[ParsedItem]:
    from warning.sources.ops_xml import parse_ops_response

    yield from parse_ops_response(path.read_bytes(), str(path))
