"""EPO OPS 3.2 biblio responses (``ops:world-patent-data``) for the sample.

How publications from CN, JP, KR, VN, TH, IN, BR, MX, RU, TR and WO arrive: docdb/epodoc/original
document ids, the IPCR text layout, CPC as ``patent-classification`` parts, applicants and
inventors in epodoc and original format, titles and abstracts in the office's language (an
English title beside it where OPS gives one), and the DOCDB family id. A country's first file is
a search response (``constituent=biblio``, one ``exchange-documents`` per hit), later ones are
published-data biblio responses, as in ../shared/corpus/epo-ops-patent-dev.
"""

from __future__ import annotations

from lxml import etree
from lxml.builder import ElementMaker

from warning.demo.sample.documents import SampleDoc
from warning.demo.sample.texts import abstract, title
from warning.demo.sample.xmlparts import ipc_of, serialise, split_symbol, ymd

EXCHANGE = "http://www.epo.org/exchange"
OPS = "http://ops.epo.org"
XLINK = "http://www.w3.org/1999/xlink"
_NSMAP = {None: EXCHANGE, "ops": OPS, "xlink": XLINK}
X = ElementMaker(namespace=EXCHANGE, nsmap=_NSMAP)
O = ElementMaker(namespace=OPS, nsmap=_NSMAP)  # noqa: E741 - OPS's own prefix, as in the responses
HEADER = '<?xml version="1.0" encoding="UTF-8"?><?xml-stylesheet type="text/xsl" href="/3.2/style/exchange.xsl"?>\n'

# The office's own language first; OPS adds an English title for most of these offices.
LANGUAGES = {
    "CN": ("zh", "en"),
    "JP": ("ja", "en"),
    "KR": ("ko", "en"),
    "RU": ("ru", "en"),
    "VN": ("vi", "en"),
    "BR": ("pt",),
}


def search_response(docs: list[SampleDoc], query: str, total: int) -> bytes:
    """The first page of a search with ``constituent=biblio`` (``total`` hits in all): one hit per document."""
    hits = [X("exchange-documents", exchange_document(d)) for d in docs]
    search = O(
        "biblio-search",
        {"total-result-count": str(total), "publications-count": str(len(docs))},
        O("query", {"syntax": "CQL"}, query),
        O("range", {"begin": "1", "end": str(len(docs))}),
        O("search-result", *hits),
    )
    return serialise(O("world-patent-data", search), HEADER)


def biblio_response(docs: list[SampleDoc]) -> bytes:
    """A published-data biblio response for several publications (docdb format)."""
    return serialise(
        O("world-patent-data", X("exchange-documents", *(exchange_document(d) for d in docs))), HEADER
    )


def exchange_document(doc: SampleDoc) -> etree._Element:
    langs = LANGUAGES.get(doc.country, ("en",))
    titles = [
        X("invention-title", {"lang": lang}, _title(doc, lang))
        for lang in sorted(langs, key=lambda g: g != "en")
    ]
    biblio = X(
        "bibliographic-data",
        _publication_reference(doc),
        _ipcr(doc),
        _cpc(doc),
        _application_reference(doc),
        *_priority_claims(doc),
        _parties(doc),
        *titles,
    )
    abstracts = [
        X("abstract", {"lang": lang}, X("p", abstract(doc.invention, lang)))
        for lang in _abstract_langs(doc, langs)
    ]
    attrs = {
        "system": "ops.epo.org",
        "family-id": doc.family.family_id,
        "country": doc.country,
        "doc-number": doc.number,
        "kind": doc.kind,
    }
    return X("exchange-document", attrs, biblio, *abstracts)


def _title(doc: SampleDoc, lang: str) -> str:
    text = title(doc.invention, lang)
    return text.upper() if lang in ("en", "pt") else text


def _abstract_langs(doc: SampleDoc, langs: tuple[str, ...]) -> list[str]:
    """The office's language always; an English abstract too for every other document."""
    if langs[0] == "en" or int(doc.number[-1]) % 2:
        return [langs[0]]
    return ["en", langs[0]]


def _publication_reference(doc: SampleDoc) -> etree._Element:
    day = ymd(doc.pub_date)
    return X(
        "publication-reference",
        X(
            "document-id",
            {"document-id-type": "docdb"},
            X("country", doc.country),
            X("doc-number", doc.number),
            X("kind", doc.kind),
            X("date", day),
        ),
        X(
            "document-id",
            {"document-id-type": "epodoc"},
            X("doc-number", f"{doc.country}{doc.number}"),
            X("date", day),
        ),
    )


def _ipcr(doc: SampleDoc) -> etree._Element:
    entries = []
    for i, symbol in enumerate(ipc_of(doc.family.cpc), start=1):
        section, klass, subclass, main, sub = split_symbol(symbol)
        text = f"{section}{klass}{subclass}{main:>4}/{sub:>6}            A I                    "
        entries.append(X("classification-ipcr", {"sequence": str(i)}, X("text", text)))
    return X("classifications-ipcr", *entries)


def _cpc(doc: SampleDoc) -> etree._Element:
    entries = []
    for i, symbol in enumerate(doc.family.cpc, start=1):
        section, klass, subclass, main, sub = split_symbol(symbol)
        entries.append(
            X(
                "patent-classification",
                {"sequence": str(i)},
                X("classification-scheme", {"office": "EP", "scheme": "CPCI"}),
                X("section", section),
                X("class", klass),
                X("subclass", subclass),
                X("main-group", main),
                X("subgroup", sub),
                X("classification-value", "A" if int(main) >= 2000 else "I"),
                X("generating-office", doc.country),
            )
        )
    return X("patent-classifications", *entries)


def _application_reference(doc: SampleDoc) -> etree._Element:
    return X(
        "application-reference",
        {"doc-id": str(600000000 + int(doc.family.family_id) % 99999999)},
        X(
            "document-id",
            {"document-id-type": "docdb"},
            X("country", doc.country),
            X("doc-number", doc.app_docdb),
            X("kind", doc.kind[0]),
        ),
        X(
            "document-id",
            {"document-id-type": "epodoc"},
            X("doc-number", f"{doc.country}{doc.app_docdb}"),
            X("date", ymd(doc.filing_date)),
        ),
        X("document-id", {"document-id-type": "original"}, X("doc-number", doc.app_number)),
    )


def _priority_claims(doc: SampleDoc) -> list[etree._Element]:
    prio = doc.priority
    if prio is None:
        return []
    claim = X(
        "priority-claim",
        {"sequence": "1", "kind": "national"},
        X(
            "document-id",
            {"document-id-type": "epodoc"},
            X("doc-number", prio.epodoc),
            X("date", ymd(prio.date)),
        ),
        X("document-id", {"document-id-type": "original"}, X("doc-number", prio.number)),
    )
    return [X("priority-claims", claim)]


def _parties(doc: SampleDoc) -> etree._Element:
    applicant = doc.family.applicant
    applicants = [
        X(
            "applicant",
            {"sequence": "1", "data-format": "epodoc"},
            X("applicant-name", X("name", applicant.epodoc())),
        ),
        X(
            "applicant",
            {"sequence": "1", "data-format": "original"},
            X("applicant-name", X("name", applicant.native or applicant.name)),
        ),
    ]
    people = doc.family.inventors
    inventors = [
        X(
            "inventor",
            {"sequence": str(i), "data-format": "epodoc"},
            X("inventor-name", X("name", f"{family} {given.upper()} [{applicant.country}]")),
        )
        for i, (family, given) in enumerate(people, start=1)
    ] + [
        X(
            "inventor",
            {"sequence": str(i), "data-format": "original"},
            X("inventor-name", X("name", f"{family}, {given}")),
        )
        for i, (family, given) in enumerate(people, start=1)
    ]
    return X("parties", X("applicants", *applicants), X("inventors", *inventors))
