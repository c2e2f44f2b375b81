"""Cut a USPTO weekly file into its documents, as a stream, straight from the zip.

A weekly file (``ipgYYMMDD.zip``) holds one XML file of thousands of documents written back
to back, each starting with its own ``<?xml ...?>`` declaration. Reading it whole would need
gigabytes; here the bytes are read in chunks and one document at a time is handed on, so
memory stays flat whatever the file size. A stream that breaks (a truncated zip member, a
bad CRC) hands on what it has with the reason, so the caller quarantines that tail only.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DOC_START = b"<?xml"
CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_LOCAL_SIGNATURE = b"PK\x03\x04"
_BLANK = b" \t\r\n\xef\xbb\xbf"  # whitespace and a byte-order mark between documents
_STREAM_ERRORS = (zlib.error, EOFError, zipfile.BadZipFile, OSError)


@dataclass(frozen=True)
class RawDocument:
    """One document's bytes; ``problem`` says why the stream ended inside it ('' when it did not)."""

    data: bytes
    index: int
    problem: str = ""


def iter_documents(stream: BinaryIO, chunk_size: int = CHUNK) -> Iterator[RawDocument]:
    """Documents of a (possibly concatenated) XML stream, one at a time, numbered from 1."""
    buf = bytearray()
    index = 0
    search_from = 1
    problem = ""
    while True:
        try:
            chunk = stream.read(chunk_size)
        except _STREAM_ERRORS as exc:
            problem = f"stream ended inside this document: {exc}"
            break
        if not chunk:
            break
        buf += chunk
        start = 0
        while True:
            pos = buf.find(DOC_START, max(search_from, start + 1))
            if pos < 0:
                break
            if buf[start:pos].strip(_BLANK):
                index += 1
                yield RawDocument(bytes(buf[start:pos]), index)
            start = pos
        del buf[:start]
        search_from = max(1, len(buf) - len(DOC_START) + 1)
    if buf.strip(_BLANK) or problem:
        yield RawDocument(bytes(buf), index + 1, problem)


def is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == _LOCAL_SIGNATURE


def iter_zip_documents(path: Path, chunk_size: int = CHUNK) -> Iterator[tuple[str, RawDocument]]:
    """(member name, document) for every XML member of a zip, read without extracting it.

    A zip whose central directory is missing (a download cut short) is read member by member
    from its local headers, so everything before the cut still comes out.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        yield from _iter_local_members(path, chunk_size)
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            with archive.open(info) as member:
                for doc in iter_documents(member, chunk_size):
                    yield info.filename, doc


def _iter_local_members(path: Path, chunk_size: int) -> Iterator[tuple[str, RawDocument]]:
    with path.open("rb") as fh:
        while True:
            header = fh.read(_LOCAL_HEADER.size)
            if len(header) < _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
                return
            _, _, flags, method, _, _, _, csize, _, name_len, extra_len = _LOCAL_HEADER.unpack(header)
            name = fh.read(name_len).decode("utf-8" if flags & 0x800 else "cp437", "replace")
            fh.read(extra_len)
            reader = _MemberReader(fh, method, csize, bool(flags & 0x08))
            for doc in iter_documents(reader, chunk_size):
                yield name, doc
            if not reader.finished():
                return
            reader.skip_to_next()


class _MemberReader:
    """A file-like view of one deflated (or stored) member, read from its local header on."""

    def __init__(self, fh: BinaryIO, method: int, csize: int, has_descriptor: bool) -> None:
        if method not in (0, 8):
            raise zipfile.BadZipFile(f"unsupported zip compression method {method}")
        self.fh, self.method, self.has_descriptor = fh, method, has_descriptor
        self.remaining = csize if (csize or not has_descriptor) else None
        self.inflater = zlib.decompressobj(-15) if method == 8 else None
        self.done = False

    def read(self, size: int) -> bytes:
        while not self.done:
            raw = self.fh.read(size if self.remaining is None else min(size, self.remaining))
            if self.remaining is not None:
                self.remaining -= len(raw)
            if self.inflater is None:
                if not raw:
                    raise EOFError("zip member truncated")
                self.done = self.remaining == 0
                return raw
            if not raw:
                raise EOFError("zip member truncated (compressed data ends early)")
            out = self.inflater.decompress(raw)
            if self.inflater.eof:
                self.done = True
            if out:
                return out
        return b""

    def finished(self) -> bool:
        return self.done

    def skip_to_next(self) -> None:
        if self.inflater is not None and self.inflater.unused_data:
            self.fh.seek(-len(self.inflater.unused_data), 1)
        if self.has_descriptor:
            head = self.fh.read(4)
            self.fh.read(12 if head == b"PK\x07\x08" else 8)
