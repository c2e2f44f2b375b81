"""EP publication-server XML (``ep-patent-document``, DTD v1.0 to v1.5.1) to `Publication`.

Pure: bytes in, publications out. The bibliographic part is the INID-coded ``SDOBI`` block
(B110 number, B130 kind, B140 date, B210/B220 application, B300 priorities, B510/B510EP IPC,
B540 titles in de/en/fr, B711/B731 applicants or proprietors, B721 inventors); abstracts and
claims follow as ``abstract`` and ``claims`` elements with a ``lang`` attribute.

Some real files are not well-formed (a raw ``&`` in an agent's name, ``<First Embodiment``
in a heading). Such text-level faults are repaired, the document is stored and a warning
logged; a document that still does not parse (truncated: its root never closes) is quarantined.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from lxml import etree

from warning.errors import ParseError
from warning.models import Publication, QuarantinedDocument, publication
from warning.sources.base import ParsedItem
from warning.sources.classification import normalise_symbol
from warning.sources.xml.safe import looks_like_html, parse_xml
from warning.sources.xml.text import iso_date, squash

log = logging.getLogger(__name__)
SOURCE = "ep_publication_server"

# A '&' that does not start a character or entity reference.
_RAW_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);)")
# A '<' that starts no tag, comment, processing instruction, CDATA section or doctype.
_RAW_LT = re.compile(
    rb"<(?!(?:/?[A-Za-z_][\w.:-]*(?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*/?>"
    rb"|!--|\?|!\[CDATA\[|!DOCTYPE))"
)


def parse_ep_document(data: bytes, ref: str) -> Iterator[ParsedItem]:
    """One ``ep-patent-document`` file: a `Publication`, or a `QuarantinedDocument` with its reason."""
    try:
        root = _parse_repairing(data, ref)
        if etree.QName(root).localname != "ep-patent-document":
            raise ParseError(f"{ref}: not an ep-patent-document (root <{etree.QName(root).localname}>)")
        yield document_to_publication(root, ref)
    except ParseError as exc:
        yield QuarantinedDocument(SOURCE, str(exc), ref, data)


def repair_text_faults(data: bytes) -> bytes:
    """Escape raw ``&`` and ``<`` that cannot be markup; well-formed markup is left as it is."""
    return _RAW_LT.sub(b"&lt;", _RAW_AMP.sub(b"&amp;", data))


def _parse_repairing(data: bytes, ref: str) -> etree._Element:
    if looks_like_html(data):
        raise ParseError(f"{ref}: an HTML page where EP XML was expected")
    try:
        return parse_xml(data, ref)
    except ParseError as first:
        if "malformed XML" not in str(first):
            raise
        repaired = repair_text_faults(data)
        if repaired == data:
            raise
        try:
            root = parse_xml(repaired, ref)
        except ParseError:
            raise first from None
        detail = str(first).removeprefix(f"{ref}: ")
        log.warning("%s: repaired text-level XML faults (raw '&' or '<' in text; %s)", ref, detail)
        return root


def document_to_publication(root: etree._Element, ref: str = "") -> Publication:
    """Map a parsed ``ep-patent-document`` to a `Publication`."""
    number = squash(root.findtext("SDOBI/B100/B110")) or root.get("doc-number", "")
    kind = squash(root.findtext("SDOBI/B100/B130")) or root.get("kind", "")
    country = squash(root.findtext("SDOBI/B100/B190")) or root.get("country") or "EP"
    if not number or not kind:
        raise ParseError(f"{ref}: ep-patent-document without publication number or kind")
    sdobi = root.find("SDOBI")
    b = sdobi if sdobi is not None else root
    priorities = _priorities(b)
    return publication(
        country,
        number,
        kind,
        titles=_titles(b),
        abstracts=_texts_by_lang(root, "abstract"),
        claims=_texts_by_lang(root, "claims"),
        applicants=_names(b, ("B700/B710/B711", "B700/B730/B731")),
        inventors=_names(b, ("B700/B720/B721",)),
        ipc=_ipc(b),
        cpc=_cpc(b),
        publication_date=iso_date(b.findtext("B100/B140/date")) or iso_date(root.get("date-publ")),
        filing_date=iso_date(b.findtext("B200/B220/date")),
        application_number=squash(b.findtext("B200/B210")) or None,
        priority_claims=[p for p, _ in priorities],
        priority_date=min((d for _, d in priorities if d), default=None),
        lang=squash(b.findtext("B200/B260")) or root.get("lang") or None,
        source=SOURCE,
        raw_ref=ref,
    )


def _titles(b: etree._Element) -> dict[str, str]:
    titles: dict[str, str] = {}
    lang = ""
    for el in b.iterfind("B500/B540/*"):
        if el.tag == "B541":
            lang = squash(el.text).lower()
        elif el.tag == "B542" and lang:
            titles[lang] = squash("".join(el.itertext()))
    return {k: v for k, v in titles.items() if v}


def _texts_by_lang(root: etree._Element, tag: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for el in root.iterfind(tag):
        lang = (el.get("lang") or root.get("lang") or "").lower()
        text = _block_text(el)
        if lang and text:
            texts[lang] = f"{texts[lang]}\n{text}" if lang in texts else text
    return texts


def _block_text(el: etree._Element) -> str:
    """Paragraphs and claims one per line, inline markup (b, i, sub, sup) flattened."""
    blocks = el.findall(".//p") + el.findall(".//claim")
    if not blocks:
        return squash("".join(el.itertext()))
    return "\n".join(t for t in (squash("".join(x.itertext())) for x in blocks) if t)


def _names(b: etree._Element, paths: tuple[str, ...]) -> list[str]:
    names = []
    for path in paths:
        for party in b.iterfind(path):
            given = squash(party.findtext("fnm"))
            family = squash(party.findtext("snm")) or squash(party.findtext("name"))
            name = f"{given} {family}".strip() if given else family
            if name:
                names.append(name)
    return list(dict.fromkeys(names))


def _ipc(b: etree._Element) -> list[str]:
    codes = [normalise_symbol(t.text or "") for t in b.iterfind("B500/B510EP/classification-ipcr/text")]
    for tag in ("B511", "B512", "B513", "B514"):
        codes += [normalise_symbol(el.text or "") for el in b.iterfind(f"B500/B510/{tag}")]
    return list(dict.fromkeys(c for c in codes if c))


def _cpc(b: etree._Element) -> list[str]:
    # v1.5+ documents carry CPC beside IPC (B520EP); older ones have none.
    texts = b.iterfind("B500/B520EP/classifications-cpc/classification-cpc/text")
    return list(dict.fromkeys(c for c in (normalise_symbol(t.text or "") for t in texts) if c))


def _priorities(b: etree._Element) -> list[tuple[str, str | None]]:
    found, number, day = [], "", None
    for el in b.iterfind("B300/*"):
        if el.tag == "B310":
            number, day = squash(el.text).replace(" ", ""), None
        elif el.tag == "B320":
            day = iso_date(el.findtext("date"))
        elif el.tag == "B330" and number:
            found.append((squash(el.findtext("ctry")) + number, day))
            number = ""
    if number:
        found.append((number, day))
    return found
