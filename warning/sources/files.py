"""Local files: detect each file's format and hand it to the right pure parser.

`warning ingest` and air-gapped users come through here. New formats register a detector and a
parser in `FORMATS`; the first detector that accepts a file wins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warning.errors import ParseError
from warning.models import QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.jsonl import parse_jsonl

HEAD_BYTES = 4096


@dataclass(frozen=True)
class FileFormat:
    name: str
    detect: Callable[[Path, bytes], bool]  # (path, first bytes) -> is it mine?
    parse: Callable[[Path], Iterator[ParsedItem]]


def _is_jsonl(path: Path, head: bytes) -> bool:
    return path.suffix.lower() in (".jsonl", ".ndjson") or head.lstrip()[:1] == b"{"


def _parse_jsonl_file(path: Path) -> Iterator[ParsedItem]:
    yield from parse_jsonl(path.read_bytes(), str(path))


def _builtin_formats() -> list[FileFormat]:
    from warning.sources import local_formats as f

    return [
        FileFormat("uspto-xml", f.is_uspto, f.parse_uspto),
        FileFormat("ep-xml", f.is_ep_xml, f.parse_ep_xml),
        FileFormat("ops-xml", f.is_ops_xml, f.parse_ops_xml),
        FileFormat("patentscope-xls", f.is_patentscope_xls, f.parse_patentscope_xls),
        FileFormat("patentscope-csv", f.is_patentscope_csv, f.parse_patentscope_csv),
        FileFormat("lens-csv", f.is_lens_csv, f.parse_lens_csv),
        FileFormat("lens-jsonl", f.is_lens_jsonl, f.parse_lens_jsonl),
    ]


FORMATS: list[FileFormat] = [*_builtin_formats(), FileFormat("jsonl", _is_jsonl, _parse_jsonl_file)]


def detect_format(path: Path) -> FileFormat:
    """The format of a local file, from its name and first bytes."""
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    for fmt in FORMATS:
        if fmt.detect(path, head):
            return fmt
    names = ", ".join(f.name for f in FORMATS)
    raise ParseError(f"{path}: not a format the service reads (supported: {names})")


def parse_file(path: Path) -> Iterator[ParsedItem]:
    """Publications (and quarantined documents) from one local file of any supported format."""
    try:
        fmt = detect_format(path)
    except ParseError as exc:
        yield QuarantinedDocument("files", str(exc), str(path), b"")
        return
    yield from fmt.parse(path)


def expand_paths(paths: list[Path]) -> list[Path]:
    """Files named, and files inside folders named (recursively, hidden files skipped), sorted."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        elif p.exists():
            files.append(p)
        else:
            raise ParseError(f"{p}: no such file or folder")
    return files
