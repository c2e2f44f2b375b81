"""USPTO full text before ST.36: applications in ``pap`` v1.5/v1.6 (2001-2004) and grants in ST.32 v2.5 ``PATDOC``.

ST.32 names elements by INID code: ``B110`` is the publication number, ``B140`` its date,
``B220`` the filing date, ``B300`` a priority claim, ``B511`` the main IPC, ``B540`` the title,
``B721`` an inventor and ``B731`` an assignee; text sits in ``PDAT`` leaves.
"""

from __future__ import annotations

from lxml import etree

from warning.identity import make_id, split_id
from warning.models import APPLICATION, DESIGN, GRANT, PLANT, REISSUE, Publication
from warning.sources.classification import normalise_symbol
from warning.sources.uspto.text import paragraphs, person_name, raw_text, text
from warning.sources.xml.text import iso_date

SOURCE = "uspto_bulk"


def parse_pap(root: etree._Element, ref: str) -> Publication:
    """A `Publication` from a ``patent-application-publication`` (pap v1.5/v1.6) root."""
    bib = root.find("subdoc-bibliographic-information")
    if bib is None:
        raise ValueError("no subdoc-bibliographic-information")
    number = (bib.findtext("document-id/doc-number") or "").strip()
    if not number:
        raise ValueError("document-id has no doc-number")
    canonical = make_id("US", number, bib.findtext("document-id/kind-code") or "A1")
    _, number, kind = split_id(canonical)
    filing_data = bib.find("domestic-filing-data")
    filing = iso_date(filing_data.findtext("filing-date")) if filing_data is not None else None
    app_number = filing_data.findtext("application-number/doc-number") if filing_data is not None else ""
    priorities = [
        (p.findtext("country-code") or "", " ".join((p.findtext("priority-application-number/doc-number") or "").split()),
         iso_date(p.findtext("filing-date")))
        for p in bib.iterfind("foreign-priority-data")
    ]  # fmt: skip
    tech = bib.find("technical-information")
    ipc = [normalise_symbol(e.text or "") for e in tech.iter("ipc")] if tech is not None else []
    inventors = [
        person_name(
            " ".join(filter(None, (text(n.find("given-name")), text(n.find("middle-name"))))),
            text(n.find("family-name")),
        )
        for n in bib.iterfind("inventors/*/name")
    ]
    assignees = [text(a.find("organization-name")) or text(a.find("name")) for a in bib.iterfind("assignee")]
    return _publication(
        canonical, number, kind, APPLICATION, ref,
        title=text(tech.find("title-of-invention")) if tech is not None else "",
        abstract=paragraphs(root.find("subdoc-abstract"), ("paragraph",)),
        claims=paragraphs(root.find("subdoc-claims"), ("claim",)),
        applicants=assignees, inventors=inventors, ipc=ipc,
        publication_date=iso_date(bib.findtext("document-id/document-date")),
        filing=filing, application_number=f"US{app_number.strip()}" if app_number else None,
        priorities=priorities,
    )  # fmt: skip


def parse_patdoc(root: etree._Element, ref: str) -> Publication:
    """A `Publication` from an ST.32 v2.5 ``PATDOC`` grant root (2001-2004)."""
    bib = root.find("SDOBI")
    if bib is None:
        raise ValueError("no SDOBI bibliographic data")
    number = _pdat(bib.find("B100/B110"))
    if not number:
        raise ValueError("B110 has no document number")
    country = _pdat(bib.find("B100/B190")) or "US"
    canonical = make_id(country, number, _pdat(bib.find("B100/B130")))
    _, number, kind = split_id(canonical)
    priorities = [
        (_pdat(p.find("B330")), " ".join(_pdat(p.find("B310")).split()), iso_date(_pdat(p.find("B320"))))
        for p in bib.iterfind("B300")
    ]
    inventors = [_party(p) for p in bib.iterfind("B700/B720/B721")]
    assignees = [_party(p) for p in bib.iterfind("B700/B730/B731")]
    app_number = _pdat(bib.find("B200/B210"))
    return _publication(
        canonical, number, kind, _grant_type(number), ref,
        title=text(bib.find("B500/B540")),
        abstract=paragraphs(root.find("SDOAB"), ("PARA",)),
        claims=paragraphs(root.find("SDOCL"), ("CLM",)),
        applicants=assignees or inventors, inventors=inventors,
        ipc=[normalise_symbol(_pdat(e, squash=False)) for e in bib.iterfind("B500/B510/*") if e.tag in ("B511", "B512")],
        publication_date=iso_date(_pdat(bib.find("B100/B140"))),
        filing=iso_date(_pdat(bib.find("B200/B220"))),
        application_number=f"US{app_number}" if app_number else None,
        priorities=priorities,
    )  # fmt: skip


def _publication(
    canonical: str, number: str, kind: str, doc_type: str, ref: str, *, title: str, abstract: str,
    claims: str, applicants: list[str], inventors: list[str], ipc: list[str], publication_date: str | None,
    filing: str | None, application_number: str | None, priorities: list[tuple[str, str, str | None]],
) -> Publication:  # fmt: skip
    priorities = [p for p in priorities if p[1]]
    return Publication(
        id=canonical,
        country=canonical.split("-", 1)[0],
        number=number,
        kind=kind,
        doc_type=doc_type,
        titles={"en": title} if title else {},
        abstracts={"en": abstract} if abstract else {},
        claims={"en": claims} if claims else {},
        applicants=list(dict.fromkeys(a for a in applicants if a)),
        inventors=list(dict.fromkeys(i for i in inventors if i)),
        ipc=list(dict.fromkeys(c for c in ipc if c)),
        publication_date=publication_date,
        filing_date=filing,
        priority_date=min([d for _, _, d in priorities if d] + ([filing] if filing else []), default=None),
        application_number=application_number,
        priority_claims=[f"{country}{number.replace(' ', '')}" for country, number, _ in priorities],
        lang="en",
        source=SOURCE,
        raw_ref=ref,
    )


def _pdat(el: etree._Element | None, squash: bool = True) -> str:
    """The text of the ``PDAT`` leaves under an ST.32 element (fixed-width IPC needs ``squash=False``)."""
    if el is None:
        return ""
    joined = " ".join(raw_text(p) for p in el.iter("PDAT"))
    return " ".join(joined.split()) if squash else joined


def _party(el: etree._Element) -> str:
    org = _pdat(el.find("PARTY-US/NAM/ONM"))
    if org:
        return org
    return person_name(_pdat(el.find("PARTY-US/NAM/FNM")), _pdat(el.find("PARTY-US/NAM/SNM")))


def _grant_type(number: str) -> str:
    for prefix, doc_type in (("RE", REISSUE), ("PP", PLANT), ("D", DESIGN)):
        if number.startswith(prefix):
            return doc_type
    return GRANT
