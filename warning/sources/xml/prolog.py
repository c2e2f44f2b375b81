"""The name of an XML document's root element, read from its prolog without parsing it.

A weekly USPTO file holds patents, sequence listings and the odd error document; the root's
name decides which parser (if any) takes a document, before the expensive parse. This is a
fast path, not a security decision: what a document declares is judged on its parsed tree
(`warning.sources.xml.safe`). The scan is linear (no backtracking regular expression): each
construct is skipped with one ``find`` for its end, and an unclosed one ends the scan.
"""

from __future__ import annotations

import re

_NAME = re.compile(rb"[A-Za-z_][\w.:-]*")
_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_DOCTYPE = b"<!DOCTYPE"
# What can hide a ']' or '>' inside a DOCTYPE: quoted literals, comments, processing instructions.
_DTD_TOKEN = re.compile(rb"[\"'\[\]>]|<!--|<\?")


def prolog_root_name(data: bytes, window: int = 262144) -> str | None:
    """The root element's name when the prolog (declaration, comments, DOCTYPE) ends within ``window``.

    None when it cannot be told from the text (not ASCII-compatible, no root within the window,
    a construct that never closes): the caller parses the document instead.
    """
    pos = root_start(data, window)
    match = None if pos is None else _NAME.match(data, pos + 1)
    return match.group().decode("ascii") if match else None


def root_start(data: bytes, window: int = 262144) -> int | None:
    """Where the root element's start tag begins, past the prolog; None as for `prolog_root_name`."""
    pos = _skip_blank(data, len(_BOM) if data.startswith(_BOM) else 0)
    while pos < window:
        if data.startswith(b"<?", pos):
            pos = _after(data, b"?>", pos + 2)
        elif data.startswith(b"<!--", pos):
            pos = _after(data, b"-->", pos + 4)
        elif data.startswith(_DOCTYPE, pos):
            pos = _after_doctype(data, pos + len(_DOCTYPE))
        elif data.startswith(b"<", pos):
            return pos
        else:
            return None
        if pos < 0:
            return None
        pos = _skip_blank(data, pos)
    return None


def _skip_blank(data: bytes, pos: int) -> int:
    while pos < len(data) and data[pos] in _BLANK:
        pos += 1
    return pos


def _after(data: bytes, end: bytes, pos: int) -> int:
    found = data.find(end, pos)
    return -1 if found < 0 else found + len(end)


def _after_doctype(data: bytes, pos: int) -> int:
    """The position after ``<!DOCTYPE ... [ subset ]>``, or -1 when it never closes."""
    depth = 0  # 1 inside the internal subset
    while (token := _DTD_TOKEN.search(data, pos)) is not None:
        kind = token.group()
        if kind in (b'"', b"'"):
            pos = _after(data, kind, token.end())
        elif kind == b"<!--":
            pos = _after(data, b"-->", token.end())
        elif kind == b"<?":
            pos = _after(data, b"?>", token.end())
        elif kind == b"[":
            depth, pos = 1, token.end()
        elif kind == b"]":
            depth, pos = 0, token.end()
        elif depth == 0:  # '>' outside the subset closes the DOCTYPE
            return token.end()
        else:
            pos = token.end()  # the end of a declaration inside the subset
        if pos < 0:
            return -1
    return -1
