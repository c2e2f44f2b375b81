"""The records of a JSON file (not JSON Lines), cut out one at a time from a stream.

A pretty-printed export is one array of records (or one record, or several written one after
another). Loading it whole costs its size in memory; here a small scanner follows strings and
brackets chunk by chunk and hands on each record's bytes, so memory stays at one record, and a
record over the limit is read past and handed on as its head only (`warning.sources.reading`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import BinaryIO

from warning.sources.reading import HEAD_KEPT, Piece

CHUNK = 1 << 20
_BRACKET_OR_QUOTE = re.compile(rb'["\[\]{}]')
_QUOTE_OR_ESCAPE = re.compile(rb'["\\]')
_SCALAR_END = re.compile(rb"[\s,\]}]")
_BOM = b"\xef\xbb\xbf"


def json_records(fh: BinaryIO, limit: int, chunk_size: int = CHUNK) -> Iterator[Piece]:
    """Each record of a JSON text: the elements of a top-level array, else each top-level value.

    ``Piece.number`` counts records from 1 and ``Piece.line`` is the line a record starts on.
    A file that ends inside a record hands that record on cut short (it will not parse).
    """
    scanner = _Scanner(limit)
    first = True
    while chunk := fh.read(chunk_size):
        if first:
            chunk, first = chunk.removeprefix(_BOM), False
        yield from scanner.feed(chunk)
    yield from scanner.finish()


class _Scanner:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.depth = 0  # brackets open at the scan position, the top-level array's included
        self.in_array = False  # inside a top-level array: its elements are the records
        self.in_string = self.escaped = False
        self.record: _Record | None = None
        self.number = 0
        self.lines = 1  # the line the current chunk starts on

    def feed(self, chunk: bytes) -> Iterator[Piece]:
        pos = 0
        while pos < len(chunk):
            if self.record is None:
                pos = self._between(chunk, pos)
                continue
            end = self._scan(chunk, pos)
            if end < 0:
                break
            self.record.add(chunk, end)
            yield self._done()
            pos = end
        if self.record is not None:
            self.record.add(chunk, len(chunk))
            self.record.start = 0  # the record goes on at the start of the next chunk
        self.lines += chunk.count(b"\n")

    def finish(self) -> Iterator[Piece]:
        if self.record is not None:
            yield self._done()

    def _done(self) -> Piece:
        record, self.record = self.record, None
        assert record is not None
        return record.piece(self.number)

    def _between(self, chunk: bytes, pos: int) -> int:
        """Skip what lies between records; open a record (or the top-level array) where one starts."""
        byte = chunk[pos : pos + 1]
        if byte in (b" ", b"\t", b"\r", b"\n", b","):
            return pos + 1
        if self.depth == 0 and byte == b"[" and not self.in_array:
            self.in_array, self.depth = True, 1
            return pos + 1
        if self.in_array and self.depth == 1 and byte == b"]":
            self.in_array, self.depth = False, 0
            return pos + 1
        self.number += 1
        line = self.lines + chunk.count(b"\n", 0, pos)
        self.record = _Record(self.limit, pos, line, self.depth, byte)
        if byte in (b"{", b"["):
            self.depth += 1
        elif byte == b'"':
            self.in_string = True
        return pos + 1

    def _scan(self, chunk: bytes, pos: int) -> int:
        """Where the open record ends in this chunk (the position after it), or -1."""
        record = self.record
        assert record is not None
        while pos < len(chunk):
            if self.in_string:
                if self.escaped:
                    self.escaped, pos = False, pos + 1
                    continue
                m = _QUOTE_OR_ESCAPE.search(chunk, pos)
                if m is None:
                    return -1
                pos = m.end()
                if m.group() == b"\\":
                    self.escaped = True
                    continue
                self.in_string = False
                if record.kind == b'"' and self.depth == record.depth:
                    return pos
            elif record.kind not in (b"{", b"[", b'"'):  # a bare number or word: not a record
                m = _SCALAR_END.search(chunk, pos)
                return -1 if m is None else m.start()
            else:
                m = _BRACKET_OR_QUOTE.search(chunk, pos)
                if m is None:
                    return -1
                pos, found = m.end(), m.group()
                if found == b'"':
                    self.in_string = True
                elif found in (b"{", b"["):
                    self.depth += 1
                else:
                    self.depth -= 1
                    if self.depth == record.depth:
                        return pos
        return -1


class _Record:
    """The bytes of one record so far (its head only once it is over the limit)."""

    def __init__(self, limit: int, start: int, line: int, depth: int, kind: bytes) -> None:
        self.limit, self.start, self.line, self.depth, self.kind = limit, start, line, depth, kind
        self.parts: list[bytes] = []
        self.size = 0
        self.too_large = False

    def add(self, chunk: bytes, end: int) -> None:
        part = chunk[self.start : end]
        self.size += len(part)
        if self.size > self.limit and not self.too_large:
            self.too_large = True
            self.parts = [b"".join([*self.parts, part])[:HEAD_KEPT]]
        elif not self.too_large:
            self.parts.append(part)

    def piece(self, number: int) -> Piece:
        return Piece(number, b"".join(self.parts), self.size, self.too_large, self.line)
