"""Safe XML parsing for every office format.

No external entity or DTD is ever resolved or fetched, and a document that declares a parsed
entity (XXE, "billion laughs") is refused. Office documents reference their DTD and at most
declare unparsed image entities (``<!ENTITY x SYSTEM "x.TIF" NDATA TIF>`` in USPTO v2.5 and
v1.5), which are never expanded; any other declaration is a hostile or broken file, not data.
"""

from __future__ import annotations

import re

from lxml import etree

from warning.errors import ParseError

_ENTITY_DECL = re.compile(rb"<!ENTITY\b[^>]*>", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)


def safe_parser(recover: bool = False) -> etree.XMLParser:
    """An lxml parser that never loads a DTD, resolves an entity or touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        recover=recover,
    )


_PARSER = safe_parser()


def check_no_entity_declarations(data: bytes, ref: str = "") -> None:
    """Raise ParseError when the document declares entities in an internal DTD subset."""
    head = data[:262144]
    if not _DOCTYPE_SUBSET.search(head):
        return
    subset_end = head.find(b"]>")
    subset = head if subset_end < 0 else head[: subset_end + 2]
    if any(b"NDATA" not in decl for decl in _ENTITY_DECL.findall(subset)):
        raise ParseError(f"{ref}: document declares XML entities (possible XXE or entity expansion); refused")


def parse_xml(data: bytes, ref: str = "") -> etree._Element:
    """Parse one XML document safely; ParseError with a readable reason when it cannot be trusted."""
    if not data.strip():
        raise ParseError(f"{ref}: empty document")
    check_no_entity_declarations(data, ref)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"{ref}: malformed XML: {exc}") from None


def looks_like_html(data: bytes) -> bool:
    """An HTML error page where XML was expected (proxies and office outages answer so)."""
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")
