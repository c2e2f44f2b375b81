"""Cut a USPTO weekly file into its documents, as a stream, straight from the zip.

A weekly file (``ipgYYMMDD.zip``) holds one XML file of thousands of documents written back
to back, each starting with its own ``<?xml ...?>`` declaration. Reading it whole would need
gigabytes; here the bytes are read in chunks and one document at a time is handed on, so
memory stays flat whatever the file size. A stream that breaks (a truncated zip member, a
bad CRC) hands on what it has with the reason, so the caller quarantines that tail only.
"""

from __future__ import annotations

import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warning.sources.reading import HEAD_KEPT, CountingReader, Reading, too_large

DOC_START = b"<?xml"
_DECLARATION_SPACE = b" \t\r\n"
_LT = ord("<")
_TAIL = len(DOC_START) + 1  # bytes kept between chunks: a document start and the byte after it
CHUNK = 1 << 20
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
ZIP_SIGNATURE = b"PK\x03\x04"  # how a zip file (its first local header) starts
_BLANK = b" \t\r\n\xef\xbb\xbf"  # whitespace and a byte-order mark between documents
_NOT_BLANK = re.compile(rb"[^ \t\r\n\xef\xbb\xbf]")  # found in place, where strip() copies
NOT_WANTED = "not read: another reader's share of the stream"
_STREAM_ERRORS = (zlib.error, EOFError, zipfile.BadZipFile, OSError)


@dataclass(frozen=True)
class RawDocument:
    """One document's bytes; ``problem`` says why it is not whole ('' when it is).

    ``too_large``: it was over the document limit, ``data`` holds only its head and ``problem``
    its size; the stream went on after it.
    """

    data: bytes
    index: int
    problem: str = ""
    too_large: bool = False


class MemberTooLarge(OSError):
    """A zip member decompresses to more than the member limit: the rest of it is not read."""


def iter_documents(
    stream: BinaryIO,
    chunk_size: int = CHUNK,
    max_bytes: int | None = None,
    wanted: Callable[[int], bool] | None = None,
) -> Iterator[RawDocument]:
    """Documents of a (possibly concatenated) XML stream, one at a time, numbered from 1.

    A document over ``max_bytes`` comes as its head with the reason; its bytes are read past,
    not kept, so memory stays at the limit whatever the document's size. ``wanted(index)``
    false: a whole document comes without its bytes (problem `NOT_WANTED`), not copied out of
    the stream (a parser process reads every document but parses only its share of them); the
    stream's last document comes whole all the same.
    """
    limit = max_bytes or sys.maxsize
    buf = bytearray()
    index, search_from = 0, 1
    problem = ""
    dropped, head = 0, b""  # an over-limit document: bytes read past so far, its first bytes
    while True:
        try:
            chunk = stream.read(chunk_size)
        except MemberTooLarge as exc:
            problem = str(exc)
            break
        except _STREAM_ERRORS as exc:
            problem = f"truncated: stream ended inside this document: {exc}"
            break
        if not chunk:
            break
        buf += chunk
        start = 0
        while (pos := _find_start(buf, max(search_from, start + 1))) >= 0:
            if dropped:
                index += 1
                yield _over_limit(head, index, dropped + pos, limit)
                dropped = 0
            elif _NOT_BLANK.search(buf, start, pos):
                index += 1
                if wanted is None or wanted(index):
                    yield RawDocument(_copy(buf, start, pos), index)
                else:
                    yield RawDocument(b"", index, NOT_WANTED)
            start = pos
        del buf[:start]
        if dropped or len(buf) > limit:
            head = head if dropped else bytes(buf[:HEAD_KEPT])
            dropped += len(buf) - _TAIL
            del buf[:-_TAIL]  # the tail may hold the start of the next document
        search_from = max(1, len(buf) - _TAIL + 1)
    if dropped:
        yield _over_limit(head, index + 1, dropped + len(buf), limit, problem)
    elif buf.strip(_BLANK) or problem:
        yield RawDocument(bytes(buf), index + 1, problem)


def _copy(buf: bytearray, start: int, end: int) -> bytes:
    """``bytes(buf[start:end])`` copied once, not twice: a weekly file's every byte passes here."""
    with memoryview(buf) as view:
        return view[start:end].tobytes()


def _find_start(buf: bytearray, pos: int) -> int:
    """Where the next document starts (``<?xml`` and a space), from ``pos``; -1 if not in ``buf``.

    ``<?xml-stylesheet ...?>`` is a processing instruction inside a document, not a new one;
    a ``<?xml`` at the very end waits for the next chunk to tell which it is. The scan looks for
    the ``?``, rare in XML, where ``<`` (the first byte of every tag) would stop it at each tag.
    """
    while (mark := buf.find(b"?", pos + 1)) >= 0:
        found = mark - 1
        if buf[found] != _LT or buf[mark + 1 : mark + 4] != b"xml":
            pos = mark
            continue
        after = found + len(DOC_START)
        if after >= len(buf):
            return -1
        if buf[after] in _DECLARATION_SPACE:
            return found
        pos = mark
    return -1


def _over_limit(head: bytes, index: int, size: int, limit: int, problem: str = "") -> RawDocument:
    reason = too_large("document", size, limit, "max_document_mb", at_least=bool(problem))
    return RawDocument(head, index, f"{reason}; {problem}" if problem else reason, too_large=True)


def is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == ZIP_SIGNATURE


def iter_zip_documents(
    path: Path, chunk_size: int = CHUNK, reading: Reading | None = None
) -> Iterator[tuple[str, RawDocument]]:
    """(member name, document) for every XML member of a zip, read without extracting it.

    A zip whose central directory is missing (a download cut short) is read member by member
    from its local headers, so everything before the cut still comes out. ``reading`` gives
    the limits (a member over ``max_member_mb`` ends there, with the reason) and hears how far
    into the file the reading is.
    """
    reading = reading or Reading()
    with path.open("rb") as raw:
        try:
            archive = zipfile.ZipFile(raw)
        except zipfile.BadZipFile:
            raw.seek(0)
            yield from _iter_local_members(CountingReader(raw, reading), chunk_size, reading)
            return
        with archive:
            for info in archive.infolist():
                if not info.is_dir():
                    yield from _member_documents(archive, info, chunk_size, reading)


def _member_documents(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, chunk_size: int, reading: Reading
) -> Iterator[tuple[str, RawDocument]]:
    def progress(given: int) -> None:
        # Where in the file the reading stands: the compressed share of what has been inflated.
        reading.position = info.header_offset + info.compress_size * given // max(info.file_size, 1)

    with archive.open(info) as member:
        stream = _Capped(member, info.filename, reading.limits.member_bytes, progress)
        for doc in iter_documents(stream, chunk_size, reading.limits.document_bytes):
            yield info.filename, doc


class _Capped:
    """A member's stream that raises `MemberTooLarge` once it has given ``limit`` bytes.

    ``progress`` hears the bytes given so far after every read.
    """

    def __init__(
        self,
        stream: BinaryIO | _MemberReader,
        name: str,
        limit: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.stream, self.name, self.limit, self.given = stream, name, limit, 0
        self.progress = progress

    def read(self, size: int) -> bytes:
        if self.given >= self.limit:
            if not self.stream.read(1):
                return b""
            what = f"zip member {self.name}"
            reason = too_large(what, self.given + 1, self.limit, "max_member_mb", at_least=True)
            raise MemberTooLarge(f"{reason}; the rest of the member was not read")
        data = self.stream.read(min(size, self.limit - self.given))
        self.given += len(data)
        if self.progress is not None:
            self.progress(self.given)
        return data


def _iter_local_members(fh: BinaryIO, chunk_size: int, reading: Reading) -> Iterator[tuple[str, RawDocument]]:
    limits = reading.limits
    while (member := _next_local_member(fh)) is not None:
        name, reader = member
        stream = _Capped(reader, name, limits.member_bytes)
        for doc in iter_documents(stream, chunk_size, limits.document_bytes):
            yield name, doc
        if not reader.finished() and not (stream.given >= stream.limit and reader.skip_rest()):
            return
        reader.skip_to_next()


def _next_local_member(fh: BinaryIO) -> tuple[str, _MemberReader] | None:
    """The next member's name and a reader of its data, from its local header (None at the end)."""
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != ZIP_SIGNATURE:
        return None
    _, _, flags, method, _, _, _, csize, _, name_len, extra_len = _LOCAL_HEADER.unpack(header)
    name = fh.read(name_len).decode("utf-8" if flags & 0x800 else "cp437", "replace")
    fh.read(extra_len)
    return name, _MemberReader(fh, method, csize, bool(flags & 0x08))


def zip_head(path: Path, size: int = 4096) -> tuple[str, bytes]:
    """The first file member's name and first ``size`` bytes, from the local headers.

    Works on a zip cut short too (no central directory needed): content detection uses it.
    """
    try:
        with path.open("rb") as fh:
            while (member := _next_local_member(fh)) is not None:
                name, reader = member
                head = b""
                while len(head) < size and (more := reader.read(size)):
                    head += more
                if not name.endswith("/"):
                    return name, head[:size]
                reader.skip_to_next()
    except _STREAM_ERRORS:
        pass
    return "", b""


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
            if self.inflater is None:
                return self._read_stored(size)
            raw = self.inflater.unconsumed_tail or self._read_raw(size)
            if not raw:
                raise EOFError("zip member truncated (compressed data ends early)")
            # At most ``size`` bytes out: a zip bomb's megabyte must not become a gigabyte at once.
            out = self.inflater.decompress(raw, size)
            if self.inflater.eof:
                self.done = True
            if out:
                return out
        return b""

    def _read_stored(self, size: int) -> bytes:
        if self.remaining == 0:
            self.done = True
            return b""
        raw = self._read_raw(size)
        if not raw:
            raise EOFError("zip member truncated")
        self.done = self.remaining == 0
        return raw

    def _read_raw(self, size: int) -> bytes:
        raw = self.fh.read(size if self.remaining is None else min(size, self.remaining))
        if self.remaining is not None:
            self.remaining -= len(raw)
        return raw

    def finished(self) -> bool:
        return self.done

    def skip_rest(self) -> bool:
        """Read past the rest of the member's data (inflating it if its size is unknown); False if cut."""
        try:
            while not self.done:
                self.read(CHUNK)
        except _STREAM_ERRORS:
            return False
        return True

    def skip_to_next(self) -> None:
        if self.inflater is not None and self.inflater.unused_data:
            self.fh.seek(-len(self.inflater.unused_data), 1)
        if self.has_descriptor:
            head = self.fh.read(4)
            self.fh.read(12 if head == b"PK\x07\x08" else 8)
