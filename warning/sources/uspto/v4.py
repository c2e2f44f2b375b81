"""USPTO Red Book ST.36 documents, DTD v4.0 to v4.7: ``us-patent-grant`` and ``us-patent-application``.

The versions differ in where the parties live (``parties/applicants`` with applicant-inventors
up to v4.3, ``us-parties/us-applicants`` plus ``inventors`` later), in IPC (``classification-ipc``
strings up to v4.1, ``classifications-ipcr`` elements after) and in CPC (from 2013 on).
"""

from __future__ import annotations

from lxml import etree

from warning.identity import make_id, split_id
from warning.models import APPLICATION, DESIGN, GRANT, PLANT, REISSUE, Publication
from warning.sources.classification import normalise_symbol, symbol_from_parts
from warning.sources.uspto.text import paragraphs, person_name, text
from warning.sources.xml.text import iso_date

SOURCE = "uspto_bulk"
_APPL_TYPES = {"design": DESIGN, "plant": PLANT, "reissue": REISSUE}
_PREFIX_TYPES = (("RE", REISSUE), ("PP", PLANT), ("D", DESIGN))


def parse_v4(root: etree._Element, ref: str, entities: bool = True) -> Publication:
    """A `Publication` from a parsed ``us-patent-grant`` or ``us-patent-application`` root.

    ``entities=False``: the document holds no entity node (`warning.sources.uspto.text.
    may_hold_entities`, the common case), so each text is read in one call.
    """
    is_grant = root.tag == "us-patent-grant"
    biblio = _child(root, "us-bibliographic-data-grant" if is_grant else "us-bibliographic-data-application")
    if biblio is None:
        raise ValueError("no bibliographic data element")
    pub_ids = _below(biblio, "publication-reference", "document-id")
    if not pub_ids:
        raise ValueError("no publication-reference")
    published = _first_texts(pub_ids[0], _DOCUMENT_ID_PARTS, None)
    country = published["country"] or "US"
    number = (published["doc-number"] or "").strip()
    if not number:
        raise ValueError("publication-reference has no doc-number")
    canonical = make_id(country, number, published["kind"] or "")
    app_ref = _child(biblio, "application-reference")
    app_id = next(app_ref.iterchildren("document-id"), None) if app_ref is not None else None
    applied = _first_texts(app_id, _DOCUMENT_ID_PARTS, None) if app_id is not None else {}
    filing = iso_date(applied.get("date"))
    priorities = _priority_claims(biblio)
    applicants, inventors = _parties(biblio)
    title = text(_child(biblio, "invention-title"), entities)
    abstract = paragraphs(_child(root, "abstract"), ("p",), entities)
    claims = paragraphs(_child(root, "claims"), ("claim",), entities)
    _, canonical_number, kind = split_id(canonical)
    return Publication(
        id=canonical,
        country=country.strip().upper(),
        number=canonical_number,
        kind=kind,
        doc_type=_doc_type(is_grant, app_ref, canonical_number, kind),
        titles={"en": title} if title else {},
        abstracts={"en": abstract} if abstract else {},
        claims={"en": claims} if claims else {},
        applicants=applicants,
        inventors=inventors,
        ipc=_ipc(biblio),
        cpc=_cpc(biblio),
        publication_date=iso_date(published["date"]),
        filing_date=filing,
        priority_date=min([d for _, _, d in priorities if d] + ([filing] if filing else []), default=None),
        application_number=_application_number(applied),
        priority_claims=[f"{country}{number.replace(' ', '')}" for country, number, _ in priorities],
        lang="en",
        source=SOURCE,
        raw_ref=ref,
    )


def _doc_type(is_grant: bool, app_ref: etree._Element | None, number: str, kind: str) -> str:
    if not is_grant:
        return APPLICATION
    appl_type = app_ref.get("appl-type", "") if app_ref is not None else ""
    if appl_type in _APPL_TYPES:
        return _APPL_TYPES[appl_type]
    for prefix, doc_type in _PREFIX_TYPES:
        if number.startswith(prefix):
            return doc_type
    return GRANT


def _application_number(applied: dict[str, str | None]) -> str | None:
    number = (applied.get("doc-number") or "").strip()
    country = (applied.get("country") or "US").strip()
    return f"{country}{number}" if number else None


def _priority_claims(biblio: etree._Element) -> list[tuple[str, str, str | None]]:
    claims = []
    for claim in _below(biblio, "priority-claims", "priority-claim"):
        parts = _first_texts(claim, _DOCUMENT_ID_PARTS, None)
        number = " ".join((parts["doc-number"] or "").split())
        country = (parts["country"] or "").strip()
        if number:
            claims.append((country, number, iso_date(parts["date"])))
    return claims


def _parties(biblio: etree._Element) -> tuple[list[str], list[str]]:
    """(applicants and assignees, inventors); before v4.4 the applicant-inventors are the inventors."""
    parties = next(biblio.iterchildren("us-parties"), None)
    if parties is None:
        parties = next(biblio.iterchildren("parties"), None)
    applicants: list[str] = [_name(a) for a in _below(biblio, "assignees", "assignee")]
    inventors: list[str] = []
    if parties is not None:
        for applicant in _below(parties, None, "us-applicant"):
            _sort_applicant(applicant, applicants, inventors)
        for applicant in _below(parties, "applicants", "applicant"):
            _sort_applicant(applicant, applicants, inventors)
        inventors += [_name(i) for i in _below(parties, "inventors", "inventor")]
    if not any(applicants):
        applicants = list(inventors)
    return _unique(applicants), _unique(inventors)


def _child(el: etree._Element, tag: str) -> etree._Element | None:
    """``el.find(tag)``: the first child of that tag, without an element path."""
    return next(el.iterchildren(tag), None)


def _below(el: etree._Element, *steps: str | None) -> list[etree._Element]:
    """What ``el.findall("a/b/c")`` finds, in its order, one step per tag (``None``: any child,
    ``*``), child by child without an element path."""
    found = [el]
    for step in steps:
        tag = step or etree.Element
        found = [child for parent in found for child in parent.iterchildren(tag)]
    return found


def _sort_applicant(applicant: etree._Element, applicants: list[str], inventors: list[str]) -> None:
    name = _name(applicant)
    if applicant.get("app-type") == "applicant-inventor":
        inventors.append(name)
    else:
        applicants.append(name)


_NAME_PARTS = ("orgname", "first-name", "last-name")
_DOCUMENT_ID_PARTS = ("country", "doc-number", "kind", "date")
_SYMBOL_PARTS = ("section", "class", "subclass", "main-group", "subgroup")


def _name(party: etree._Element) -> str:
    book = next(party.iterchildren("addressbook"), party)
    # Name parts are leaves holding plain text: the first child of each name, as findtext reads it.
    # Read in one pass over the children, without a dict per name (a grant has several names).
    org = first = last = None
    for child in book.iterchildren(*_NAME_PARTS):
        tag = child.tag
        if tag == "orgname":
            if org is None:
                org = child.text or ""
        elif tag == "first-name":
            if first is None:
                first = child.text or ""
        elif last is None:
            last = child.text or ""
    if org and not org.isspace():
        return " ".join(org.split())
    return person_name(first or "", last or "")


def _first_texts(el: etree._Element, tags: tuple[str, ...], missing: str | None = "") -> dict:
    """What ``findtext`` gives for each tag (the first such child's text, '' when it has none;
    ``missing`` when there is no such child), in one pass over the children."""
    found: dict = {}
    for child in el.iterchildren(*tags):
        tag = child.tag
        if tag not in found:
            found[tag] = child.text or ""
    if len(found) == len(tags):
        return found
    return {tag: found.get(tag, missing) for tag in tags}


def _symbol(classification: etree._Element) -> str:
    parts = _first_texts(classification, _SYMBOL_PARTS)
    return symbol_from_parts(*[parts[tag] for tag in _SYMBOL_PARTS])


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(n for n in names if n))


def _ipc(biblio: etree._Element) -> list[str]:
    codes = [_symbol(c) for c in _below(biblio, "classifications-ipcr", "classification-ipcr")]
    for old in biblio.iterchildren("classification-ipc"):
        codes += [
            normalise_symbol(e.text or "")
            for e in old
            if e.tag in ("main-classification", "further-classification")
        ]
    return _unique(codes)


def _cpc(biblio: etree._Element) -> list[str]:
    return _unique([_symbol(c) for c in _below(biblio, "classifications-cpc", None, "classification-cpc")])
