"""What a file parser is told and tells back while it reads one local file.

Told: the size limits of ``[ingest]`` (`warning.config.schema.IngestConfig`). Tells back: how many
bytes of the file it has read so far (the progress bar moves within a big file) and its counts
(documents, skipped non-patent documents ...). The helpers read a file in bounded pieces, so
one huge line or document costs at most its limit in memory, never its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from warning.config.schema import IngestConfig
from warning.models import QuarantinedDocument

MB = 1024 * 1024
# Bytes of an over-limit document kept (in quarantine, and to see what it was), not the whole.
HEAD_KEPT = 64 * 1024
_DRAIN = 1 << 20


@dataclass
class Reading:
    """One file's reading: its limits, its counts and the bytes of it read so far."""

    limits: IngestConfig = field(default_factory=IngestConfig)
    counts: dict[str, int] = field(default_factory=dict)
    position: int = 0
    # What the consumer turns each parsed item into (`warning.sources.ingest.prepare_item`: the
    # encoded row it stores), applied by a parser that runs in another process or thread, so this
    # share of the consumer's work is done beside the parsing; None: the items as parsed.
    prepare: Callable[[Any], Any] | None = None

    def prepared(self, items: Iterable[Any]) -> Iterable[Any]:
        """``items`` as the consumer wants them (see ``prepare``)."""
        return items if self.prepare is None else map(self.prepare, items)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def advance_to(self, position: object) -> None:
        """A forked parser's word on how far it has read (`warning.sources.readahead`)."""
        if isinstance(position, int):
            self.position = position


class CountingReader:
    """A binary file whose read position is reported to a `Reading` after every read."""

    def __init__(self, raw: BinaryIO, reading: Reading) -> None:
        self.raw, self.reading = raw, reading

    def read(self, size: int = -1) -> bytes:
        return self._seen(self.raw.read(size))

    def readline(self, size: int = -1) -> bytes:
        return self._seen(self.raw.readline(size))

    def _seen(self, data: bytes) -> bytes:
        self.reading.position = self.raw.tell()
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.raw.close()

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.readline, b"")


@dataclass(frozen=True)
class Piece:
    """One line (or one record) of a file: its bytes, or only its head when over the limit."""

    number: int
    data: bytes
    size: int
    too_large: bool = False
    line: int = 0  # the line it starts on, where that differs from ``number``


def bounded_lines(fh: BinaryIO, limit: int) -> Iterator[Piece]:
    """The lines of a binary file, numbered from 1; a line over ``limit`` bytes comes as its head only.

    Such a line is read past in pieces, so memory stays at ``limit`` whatever its length.
    """
    number = 0
    while line := fh.readline(limit + 1):
        number += 1
        if len(line) <= limit or (len(line) == limit + 1 and line.endswith(b"\n")):
            yield Piece(number, line, len(line))
            continue
        head, size = line[:HEAD_KEPT], len(line)
        del line
        while rest := fh.readline(_DRAIN):
            size += len(rest)
            if rest.endswith(b"\n"):
                break
        yield Piece(number, head, size, too_large=True)


def too_large(what: str, size: int, limit: int, key: str, at_least: bool = False) -> str:
    """The quarantine reason of something over a ``[ingest]`` limit, with both sizes."""
    amount = f"at least {_mb(size)}" if at_least else _mb(size)
    return f"{what} of {amount} is larger than the limit, {_mb(limit)} ([ingest] {key})"


def _mb(size: int) -> str:
    return f"{size / MB:,.1f} MB" if size < 100 * MB else f"{size / MB:,.0f} MB"


def read_whole(
    path: Path, reading: Reading, *, source: str, parse: Callable[[bytes, str], Iterator[Any]]
) -> Iterator[Any]:
    """``parse``'s items of a file that is one document (EP XML, a saved OPS reply), or the file's
    quarantine when it is over ``max_document_mb``."""
    data = whole_document(path, reading, source)
    if isinstance(data, QuarantinedDocument):
        yield data
        return
    yield from parse(data, str(path))


def whole_document(path: Path, reading: Reading, source: str) -> bytes | QuarantinedDocument:
    """The bytes of a file that is one document, or its quarantine when over ``max_document_mb``."""
    size, limit = path.stat().st_size, reading.limits.document_bytes
    reading.position = size
    if size > limit:
        return QuarantinedDocument(
            source, f"{path}: {too_large('file', size, limit, 'max_document_mb')}", str(path)
        )
    return path.read_bytes()
