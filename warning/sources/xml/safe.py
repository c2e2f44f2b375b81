"""Safe XML parsing for every office format.

No external entity or DTD is ever resolved or fetched, and a document that declares a parsed
entity (XXE, "billion laughs") is refused. Office documents reference their DTD and at most
declare unparsed image entities (``<!ENTITY x SYSTEM "x.TIF" NDATA TIF>`` in USPTO v2.5 and
v1.5), which are never expanded; any other declaration is a hostile or broken file, not data.

The decision is taken on the parsed document (the internal DTD subset as libxml2 read it), not
on its text: comments, ``]>`` inside them, a keyword inside a quoted literal or an encoding
other than UTF-8 (UTF-16, UTF-32, ISO-8859-1, EBCDIC ...) cannot hide a declaration from it.
"""

from __future__ import annotations

from lxml import etree

from warning.errors import ParseError


class EntityRefused(ParseError):
    """The document declares an XML entity other than an unparsed (NDATA) one."""


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
# libxml2's errors for entities that loop or expand beyond its limits (amplification is reported
# as a resource limit).
_ENTITY_ABUSE = frozenset({etree.ErrorTypes.ERR_ENTITY_LOOP, etree.ErrorTypes.ERR_RESOURCE_LIMIT})


def parse_xml(data: bytes, ref: str = "") -> etree._Element:
    """Parse one XML document safely; ParseError with a readable reason when it cannot be trusted.

    `EntityRefused` (a ParseError) when its internal DTD subset declares a parsed entity.
    """
    if not data[:256].strip() and not data.strip():
        raise ParseError(f"{ref}: empty document")
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        if exc.code in _ENTITY_ABUSE:  # libxml2 stopped an expansion ("billion laughs") itself
            raise EntityRefused(
                f"{ref}: document declares XML entities (entity expansion: {exc}); refused"
            ) from None
        raise ParseError(f"{ref}: malformed XML: {exc}") from None
    refuse_entity_declarations(root, ref)
    return root


def refuse_entity_declarations(root: etree._Element, ref: str = "") -> None:
    """Raise `EntityRefused` when the parsed document declares any entity but an unparsed one."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return
    for decl in dtd.iterentities():
        if not _is_unparsed(decl):
            raise EntityRefused(
                f"{ref}: document declares XML entities (possible XXE or entity expansion: "
                f"<!ENTITY {decl.name} ...>); refused"
            )


def _is_unparsed(decl: etree._DTDEntityDecl) -> bool:
    # libxml2 keeps an unparsed entity's notation (NDATA TIF) in `content` and has no original
    # text for it; an internal entity has its text in both, an external parsed one no content.
    return decl.system_url is not None and decl.content is not None and decl.orig is None


def looks_like_html(data: bytes) -> bool:
    """An HTML error page where XML was expected (proxies and office outages answer so)."""
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<!doctype html") or head.startswith(b"<html")
