"""EPO Open Patent Services 3.2 XML (``ops:world-patent-data``) to `Publication`.

Pure: bytes in, publications out. Every ``exchange-document`` a response holds becomes one
publication, wherever it sits: biblio, abstract and full-cycle retrievals
(``exchange-documents``), searches with ``constituent=biblio`` (``ops:biblio-search``) and
families with biblio (``ops:family-member``). Claims retrievals (``ftxt:fulltext-document``)
give publications holding only their claims, which merge with the biblio record in the store.
Responses that hold no patent document of their own (search hit lists of bare references,
INPADOC legal, register, number service, classification, descriptions, images) yield nothing.
An OPS error body (``<fault>`` or ``<error>``, e.g. 404 or 429) is quarantined as an error.

Parties: the ``epodoc`` data format is preferred (``9SOLUTIONS OY [FI]``, upper case, one
spelling per party, with the residence code stripped), because it stays the same across
offices and documents; the ``original`` spelling is used only where no epodoc one is given.
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
SOURCE = "epo_ops"
EX = "{http://www.epo.org/exchange}"
OPS = "{http://ops.epo.org}"
FT = "{http://www.epo.org/fulltext}"
_RESIDENCE = re.compile(r"\s*\[[A-Z]{2}\]\s*$")
# OPS tags a text in the document's own language "ol" (original language); name it by country.
_OFFICE_LANGUAGE = {
    "AT": "de",
    "BR": "pt",
    "CH": "de",
    "CN": "zh",
    "CZ": "cs",
    "DE": "de",
    "DK": "da",
    "ES": "es",
    "FI": "fi",
    "FR": "fr",
    "ID": "id",
    "IT": "it",
    "JP": "ja",
    "KR": "ko",
    "MX": "es",
    "NL": "nl",
    "NO": "no",
    "PL": "pl",
    "PT": "pt",
    "RU": "ru",
    "SE": "sv",
    "TH": "th",
    "TR": "tr",
    "TW": "zh",
    "VN": "vi",
}


def parse_ops_response(data: bytes, ref: str) -> Iterator[Publication | QuarantinedDocument]:
    """Publications held by one OPS response; an error body or broken XML is quarantined."""
    try:
        root = _parse(data, ref)
    except ParseError as exc:
        yield QuarantinedDocument(SOURCE, str(exc), ref, data)
        return
    for doc in root.iter(f"{EX}exchange-document"):
        item = _exchange_item(doc, ref)
        if item is not None:
            yield item
    for doc in root.iter(f"{FT}fulltext-document"):
        item = _fulltext_item(doc, ref)
        if item is not None:
            yield item


def ops_error(root: etree._Element) -> str | None:
    """``"404 Document not found: ..."`` when the element is an OPS fault/error body, else None."""
    if etree.QName(root).localname not in ("fault", "error"):
        return None
    parts = {etree.QName(el).localname: squash(el.text) for el in root}
    text = " ".join(p for p in (parts.get("code"), parts.get("message")) if p)
    return f"{text}: {parts['description']}" if parts.get("description") else text or "OPS error"


def require_not_found_fault(data: bytes, ref: str) -> str:
    """The reason of OPS's 404 fault (``Document not found``); ParseError for any other 404 body.

    OPS answers "no such document" and "no hits" with a ``<fault>`` document; a 404 page from a
    proxy or a wrong base URL is a failed request, not an empty answer.
    """
    if looks_like_html(data):
        raise ParseError(f"{ref}: HTTP 404 with an HTML page, not OPS's fault document")
    error = ops_error(parse_xml(data, ref))
    if error is None:
        raise ParseError(f"{ref}: HTTP 404 without OPS's fault document")
    return error


def biblio_items(data: bytes, ref: str) -> list[ParsedItem]:
    """The documents of a biblio retrieval reply, each a publication or quarantined alone.

    Raises ParseError when the reply is no biblio answer at all (cut off, an HTML page, an OPS
    fault, another kind of response): the request failed and is to be asked again, not kept.
    """
    root = _parse(data, ref)
    if root.find(f"{EX}exchange-documents") is None:
        raise ParseError(f"{ref}: not a biblio retrieval reply (no exchange-documents)")
    items = (_exchange_item(doc, ref) for doc in root.iter(f"{EX}exchange-document"))
    return [item for item in items if item is not None]


def search_references(data: bytes, ref: str = "") -> tuple[int, list[str]]:
    """A published-data search page: (``total-result-count``, docdb numbers ``CC.NUMBER.KIND``).

    Raises ParseError for an error body, broken XML, or a page that holds no hit although the
    total says it should (``ops:range`` begins within the total).
    """
    root = _parse(data, ref)
    found = root.find(f"{OPS}biblio-search")
    if found is None:
        raise ParseError(f"{ref}: not a published-data search response")
    numbers = []
    hits = list(found.iter(f"{OPS}publication-reference", f"{EX}exchange-document"))
    for pub in hits:
        if pub.tag == f"{EX}exchange-document":
            parts = (pub.get("country", ""), pub.get("doc-number", ""), pub.get("kind", ""))
        else:
            parts = _docdb_id(pub)[:3]
        if parts[0] and parts[1]:
            numbers.append(".".join(p for p in parts if p))
    total = _integer(found.get("total-result-count"), ref)
    begin = found.find(f"{OPS}range")
    if not hits and total >= _integer(begin.get("begin") if begin is not None else "1", ref):
        raise ParseError(f"{ref}: search page holds no hit of the {total} it reports")
    return total, numbers


def _integer(text: str | None, ref: str) -> int:
    try:
        return int(text or 0)
    except ValueError:
        raise ParseError(f"{ref}: {text!r} is not a number in a search response") from None


def _parse(data: bytes, ref: str) -> etree._Element:
    if looks_like_html(data):
        raise ParseError(f"{ref}: an HTML page where OPS XML was expected")
    root = parse_xml(data, ref)
    error = ops_error(root)
    if error:
        raise ParseError(f"{ref}: OPS error response, not a document: {error}")
    if etree.QName(root).localname != "world-patent-data":
        raise ParseError(f"{ref}: not an OPS response (root <{etree.QName(root).localname}>)")
    return root


def _exchange_item(doc: etree._Element, ref: str) -> ParsedItem | None:
    if doc.get("status"):  # e.g. status="not found" in a multiple retrieval
        log.info(
            "%s: OPS has no %s%s%s: %s",
            ref,
            doc.get("country"),
            doc.get("doc-number"),
            doc.get("kind"),
            doc.get("status"),
        )
        return None
    try:
        return exchange_document_to_publication(doc, ref)
    except ParseError as exc:
        return QuarantinedDocument(SOURCE, str(exc), ref, etree.tostring(doc))


def exchange_document_to_publication(doc: etree._Element, ref: str = "") -> Publication:
    """Map one ``exchange-document`` (biblio, abstract or full-cycle) to a `Publication`."""
    biblio = doc.find(f"{EX}bibliographic-data")
    pub_ref = biblio.find(f"{EX}publication-reference") if biblio is not None else None
    country, number, kind, pub_date = _docdb_id(pub_ref)
    country = country or doc.get("country", "")
    number = number or doc.get("doc-number", "")
    kind = kind or doc.get("kind", "")
    if not country or not number:
        raise ParseError(f"{ref}: exchange-document without a publication number")
    b = biblio if biblio is not None else etree.Element("empty")
    app_ref = b.find(f"{EX}application-reference")
    priorities = _priorities(b)
    return publication(
        country,
        number,
        kind,
        titles=_texts(b.iterfind(f"{EX}invention-title"), country),
        abstracts=_texts(doc.iterfind(f"{EX}abstract"), country),
        applicants=_parties(b, "applicant"),
        inventors=_parties(b, "inventor"),
        ipc=_ipc(b),
        cpc=_cpc(b),
        publication_date=pub_date,
        filing_date=_any_date(app_ref),
        application_number=_application_number(app_ref),
        priority_claims=[p for p, _ in priorities],
        priority_date=min((d for _, d in priorities if d), default=None),
        family_id=doc.get("family-id") or None,
        source=SOURCE,
        raw_ref=ref,
    )


def _fulltext_item(doc: etree._Element, ref: str) -> ParsedItem | None:
    claims = {}
    for el in doc.iter(f"{FT}claims"):
        lang = (el.get("lang") or "").lower()
        text = "\n".join(t for t in (squash("".join(c.itertext())) for c in el.iter(f"{FT}claim-text")) if t)
        if lang and text:
            claims[lang] = text
    if not claims:
        return None  # a description retrieval: nothing the publication model keeps
    country, number, kind, _ = _docdb_id(doc.find(f"{FT}bibliographic-data/{FT}publication-reference"), FT)
    if not country or not number:
        return QuarantinedDocument(
            SOURCE, f"{ref}: claims without a publication number", ref, etree.tostring(doc)
        )
    return publication(
        country,
        number,
        kind,
        claims=claims,
        source=SOURCE,
        raw_ref=ref,
    )


def _docdb_id(ref_el: etree._Element | None, ns: str = EX) -> tuple[str, str, str, str | None]:
    """(country, number, kind, ISO date) of the docdb ``document-id`` inside a reference."""
    if ref_el is None:
        return "", "", "", None
    ids = ref_el.findall(f"{ns}document-id")
    docdb = [i for i in ids if i.get("document-id-type") in ("docdb", None)]
    for el in docdb or ids:
        country = squash(el.findtext(f"{ns}country"))
        number = squash(el.findtext(f"{ns}doc-number"))
        if country and number:
            return country, number, squash(el.findtext(f"{ns}kind")), _any_date(ref_el)
    return "", "", "", None


def _any_date(ref_el: etree._Element | None) -> str | None:
    if ref_el is None:
        return None
    for el in ref_el.iter(f"{EX}date"):
        if iso_date(el.text):
            return iso_date(el.text)
    return None


def _application_number(app_ref: etree._Element | None) -> str | None:
    if app_ref is None:
        return None
    for kind in ("epodoc", "docdb", "original"):
        for el in app_ref.iterfind(f"{EX}document-id[@document-id-type='{kind}']"):
            number = squash(el.findtext(f"{EX}doc-number"))
            country = squash(el.findtext(f"{EX}country"))
            if number:
                return number if kind != "docdb" else f"{country}{number}"
    return None


def _texts(elements: Iterator[etree._Element], country: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    for el in elements:
        lang = (el.get("lang") or "").lower() or "und"
        if lang == "ol":
            lang = _OFFICE_LANGUAGE.get(country, "ol")
        paragraphs = el.findall(f"{EX}p")
        text = "\n".join(squash("".join(p.itertext())) for p in paragraphs) if paragraphs else ""
        text = text.strip() or squash("".join(el.itertext()))
        if text and lang not in texts:
            texts[lang] = text
    return texts


def _parties(b: etree._Element, role: str) -> list[str]:
    by_format: dict[str, list[str]] = {}
    for el in b.iterfind(f"{EX}parties/{EX}{role}s/{EX}{role}"):
        name = squash(el.findtext(f"{EX}{role}-name/{EX}name")).rstrip(", ").strip()
        fmt = el.get("data-format", "")
        if name:
            by_format.setdefault(fmt, []).append(_RESIDENCE.sub("", name) if fmt == "epodoc" else name)
    chosen = by_format.get("epodoc") or by_format.get("original") or next(iter(by_format.values()), [])
    return list(dict.fromkeys(chosen))


def _ipc(b: etree._Element) -> list[str]:
    texts = [el.text for el in b.iterfind(f"{EX}classifications-ipcr/{EX}classification-ipcr/{EX}text")]
    texts += [el.text for el in b.iterfind(f"{EX}classification-ipc/{EX}main-classification")]
    texts += [el.text for el in b.iterfind(f"{EX}classification-ipc/{EX}further-classification")]
    return list(dict.fromkeys(c for c in (normalise_symbol(t or "") for t in texts) if c))


def _cpc(b: etree._Element) -> list[str]:
    codes = []
    for el in b.iterfind(f"{EX}patent-classifications/{EX}patent-classification"):
        scheme = el.find(f"{EX}classification-scheme")
        if scheme is None or not (scheme.get("scheme") or "").upper().startswith("CPC"):
            continue
        parts = [squash(el.findtext(f"{EX}{tag}")) for tag in ("section", "class", "subclass")]
        group, subgroup = squash(el.findtext(f"{EX}main-group")), squash(el.findtext(f"{EX}subgroup"))
        if all(parts) and group and subgroup:
            codes.append(f"{''.join(parts)}{group}/{subgroup}")
    return list(dict.fromkeys(codes))


def _priorities(b: etree._Element) -> list[tuple[str, str | None]]:
    found = []
    for claim in b.iterfind(f"{EX}priority-claims/{EX}priority-claim"):
        ids = {el.get("document-id-type"): el for el in claim.iterfind(f"{EX}document-id")}
        el = next((ids[k] for k in ("epodoc", "docdb", "original") if k in ids), None)
        if el is None:
            continue
        number = squash(el.findtext(f"{EX}doc-number"))
        country = squash(el.findtext(f"{EX}country"))
        if number:
            found.append(
                (number if number[:2] == country or not country else country + number, _any_date(claim))
            )
    return found
