"""EP publication server ``ep-patent-document`` XML (DTD v1.5 / v1.5.1) for the sample.

As the real files in ../shared/corpus/epo-eps-xml: the SDOBI bibliography (B-tags), titles in
de/en/fr, an English abstract and claims for A documents, and claims in en/de/fr for B1
specifications, whose grant date (B450) starts the nine-month opposition period.
"""

from __future__ import annotations

from datetime import date, timedelta

from lxml import etree
from lxml.builder import E

from warning.demo.sample.documents import SampleDoc
from warning.demo.sample.texts import abstract, claims, title
from warning.demo.sample.xmlparts import ipc_of, padded, serialise, ymd

_STATES = "AL AT BE BG CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MC MK MT NL NO PL PT RO RS SE SI SK SM TR"
_EPTAGS = (
    "ATBECHDEDKESFRGBGRITLILUNLSEMCPTIESILTLVFIROMKCYALTRBGCZEEHUPLSKBAHRIS..MTNORSMESMMAKHTNMD.........."
)
_BDM = "BDM Ver 2.0.30 (4th of September 2026) -  {code}/0"


def header(version: str) -> str:
    """Declaration, DOCTYPE and the EPO comment for DTD ``1.5`` or ``1.5.1``."""
    dtd = "ep-patent-document-v" + version.replace(".", "-") + ".dtd"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE ep-patent-document PUBLIC "-//EPO//EP PATENT DOCUMENT {version}//EN" "{dtd}">\n'
        "<!-- This XML data has been generated under the supervision of the European Patent Office -->\n"
    )


def file_name(doc: SampleDoc) -> str:
    """The sample file's name: ``EP<number><kind>.xml``."""
    return f"EP{doc.number}{doc.kind}.xml"


def ep_document(doc: SampleDoc, version: str = "1.5.1") -> bytes:
    """One EP A1, A2 or B1 publication as the publication server delivers it."""
    app = doc.app_docdb
    root = E(
        "ep-patent-document",
        {
            "id": f"EP{app}{doc.kind}",
            "file": f"EP{app}NW{doc.kind}.xml",
            "lang": "en",
            "country": "EP",
            "doc-number": doc.number,
            "kind": doc.kind,
            "date-publ": ymd(doc.pub_date),
            "status": "n",
            "dtd-version": "ep-patent-document-v" + version.replace(".", "-"),
        },
        _sdobi(doc),
    )
    for part in _texts(doc):
        root.append(part)
    return serialise(root, header(version))


def _bnum(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}{week:02d}"


def _sdobi(doc: SampleDoc) -> etree._Element:
    grant = doc.is_grant
    b100 = E(
        "B100",
        E("B110", doc.number),
        E("B120", E("B121", "EUROPEAN PATENT SPECIFICATION" if grant else "EUROPEAN PATENT APPLICATION")),
        E("B130", doc.kind),
        E("B140", E("date", ymd(doc.pub_date))),
        E("B190", "EP"),
    )
    b200 = E(
        "B200",
        E("B210", doc.app_number),
        E("B220", E("date", ymd(doc.filing_date))),
        E("B250", "en"),
        E("B251EP", "en"),
        E("B260", "en"),
    )
    parts = [E("B000", _eptags(grant)), b100, b200]
    prio = doc.priority
    if prio is not None:
        parts.append(
            E(
                "B300",
                E("B310", prio.number),
                E("B320", E("date", ymd(prio.date))),
                E("B330", E("ctry", prio.country)),
            )
        )
    parts += [
        _b400(doc),
        _b500(doc),
        _b700(doc),
        E("B800", E("B840", *(E("ctry", c) for c in _STATES.split()))),
    ]
    return E("SDOBI", {"lang": "en"}, *parts)


def _eptags(grant: bool) -> etree._Element:
    code = "2100000" if grant else "1100000"
    return E("eptags", E("B001EP", _EPTAGS), E("B005EP", "J"), E("B007EP", _BDM.format(code=code)))


def _b400(doc: SampleDoc) -> etree._Element:
    day = ymd(doc.pub_date)
    if not doc.is_grant:
        return E(
            "B400",
            E("B405", E("date", day), E("bnum", _bnum(doc.pub_date))),
            E("B430", E("date", day), E("bnum", _bnum(doc.pub_date))),
        )
    first_published = doc.filing_date + timedelta(days=540)
    return E(
        "B400",
        E("B405", E("date", day), E("bnum", _bnum(doc.pub_date))),
        E("B430", E("date", ymd(first_published)), E("bnum", _bnum(first_published))),
        E("B450", E("date", day), E("bnum", _bnum(doc.pub_date))),
        E("B452EP", E("date", ymd(doc.pub_date - timedelta(days=120)))),
    )


def _b500(doc: SampleDoc) -> etree._Element:
    stamp = ymd(doc.filing_date + timedelta(days=90))
    ipcr = [
        E(
            "classification-ipcr",
            {"sequence": str(i)},
            E("text", f"{padded(s)}20060101A{'F' if i == 1 else 'L'}I{stamp}BHEP        "),
        )
        for i, s in enumerate(ipc_of(doc.family.cpc), start=1)
    ]
    cpc = [
        E(
            "classification-cpc",
            {"sequence": str(i)},
            E("text", f"{padded(s)}20130101 {'F' if i == 1 else 'L'}I{stamp}BHEP        "),
        )
        for i, s in enumerate(doc.family.cpc, start=1)
    ]
    titles = []
    for lang in ("de", "en", "fr"):
        titles += [E("B541", lang), E("B542", title(doc.invention, lang).upper())]
    return E("B500", E("B510EP", *ipcr), E("B520EP", E("classifications-cpc", *cpc)), E("B540", *titles))


def _b700(doc: SampleDoc) -> etree._Element:
    applicant = doc.family.applicant
    address = E("adr", E("city", applicant.city), E("ctry", applicant.country))
    party = (
        E("snm", applicant.name),
        E("iid", f"10{int(doc.family.family_id) % 10000000:07d}"),
        E("irf", f"P{doc.app_docdb[-5:]}EP"),
        address,
    )
    owner = E("B730", E("B731", *party)) if doc.is_grant else E("B710", E("B711", *party))
    inventors = [
        E(
            "B721",
            E("snm", f"{family}, {given}"),
            E("adr", E("city", applicant.city), E("ctry", applicant.country)),
        )
        for family, given in doc.family.inventors
    ]
    agent = E(
        "B741",
        E("snm", "Hoffmann & Partner Patentanwälte mbB"),
        E("iid", "101987654"),
        E("adr", E("str", "Theresienstraße 12"), E("city", "80333 München"), E("ctry", "DE")),
    )
    ordered = [E("B720", *inventors), owner] if doc.is_grant else [owner, E("B720", *inventors)]
    return E("B700", *ordered, E("B740", agent))


def _texts(doc: SampleDoc) -> list[etree._Element]:
    inv = doc.invention
    parts = []
    if not doc.is_grant:
        parts.append(
            E(
                "abstract",
                {"id": "abst", "lang": "en"},
                E("p", {"id": "pa01", "num": "0001"}, abstract(inv, "en")),
            )
        )
    parts.append(
        E(
            "description",
            {"id": "desc", "lang": "en"},
            E("heading", {"id": "h0001"}, "TECHNICAL FIELD"),
            E(
                "p",
                {"id": "p0001", "num": "0001"},
                f"The present invention relates to {inv.component['en']}.",
            ),
            E("heading", {"id": "h0002"}, "SUMMARY OF THE INVENTION"),
            E("p", {"id": "p0002", "num": "0002"}, abstract(inv, "en")),
        )
    )
    languages = ("en", "de", "fr") if doc.is_grant else ("en",)
    for index, lang in enumerate(languages, start=1):
        parts.append(_claims(claims(inv, lang), lang, index, doc.is_grant))
    return parts


def _claims(texts: list[str], lang: str, index: int, grant: bool) -> etree._Element:
    block = E("claims", {"id": f"claims{index:02d}", "lang": lang})
    for num, text in enumerate(texts, start=1):
        claim_id = f"c-{lang}-01-{num:04d}" if grant else f"c-{lang}-{num:04d}"
        block.append(E("claim", {"id": claim_id, "num": f"{num:04d}"}, E("claim-text", text)))
    return block
