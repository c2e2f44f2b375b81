"""USPTO Red Book XML for the sample: weekly grant (v4.5) and application (v4.6) files.

Element for element as in the real ``ipg``/``ipa`` files (see ../shared/corpus/uspto-bulk-xml):
each document starts with its own XML declaration and DOCTYPE, and the documents of a week
are concatenated into one file.
"""

from __future__ import annotations

import re
from datetime import timedelta

from lxml import etree
from lxml.builder import E

from warning.demo.sample.documents import SampleDoc
from warning.demo.sample.texts import abstract, claims, title
from warning.demo.sample.xmlparts import ipc_of, serialise, split_symbol, ymd

GRANT_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE us-patent-grant SYSTEM "us-patent-grant-v45-2014-04-03.dtd" [ ]>\n'
)
APPLICATION_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE us-patent-application SYSTEM "us-patent-application-v46-2022-02-17.dtd" [ ]>\n'
)
_CLAIM_REF = re.compile(r"claim (\d)")


def grants_file(docs: list[SampleDoc]) -> bytes:
    """One weekly ``ipg`` file: every grant's document, concatenated."""
    return b"".join(serialise(grant(doc), GRANT_HEADER) for doc in docs)


def applications_file(docs: list[SampleDoc]) -> bytes:
    """One weekly ``ipa`` file: every application's document, concatenated."""
    return b"".join(serialise(application(doc), APPLICATION_HEADER) for doc in docs)


def grant(doc: SampleDoc) -> etree._Element:
    inv, day = doc.invention, ymd(doc.pub_date)
    biblio = E(
        "us-bibliographic-data-grant",
        _publication_reference(doc),
        _application_reference(doc),
        E("us-application-series-code", doc.app_number[:2]),
        *_priority_claims(doc),
        E("us-term-of-grant", E("us-term-extension", str(100 + int(doc.number) % 400))),
        _ipcr(doc),
        _cpc(doc),
        E("invention-title", {"id": "d2e43"}, title(inv, "en")),
        E("number-of-claims", "3"),
        E("us-exemplary-claim", "1"),
        E("us-field-of-classification-search", *(E("classification-cpc-text", s) for s in doc.family.cpc)),
        E("figures", E("number-of-drawing-sheets", "4"), E("number-of-figures", "6")),
        _parties(doc),
        _assignees(doc),
        E(
            "examiners",
            E(
                "primary-examiner",
                E("last-name", "Okafor"),
                E("first-name", "Grace"),
                E("department", "3618"),
            ),
        ),
    )
    attrs = _root_attrs(doc, "us-patent-grant", "v4.5 2014-04-03", f"US{doc.number}-{day}.XML")
    return E("us-patent-grant", attrs, biblio, *_body(doc))


def application(doc: SampleDoc) -> etree._Element:
    inv, day = doc.invention, ymd(doc.pub_date)
    biblio = E(
        "us-bibliographic-data-application",
        {"lang": "EN", "country": "US"},
        _publication_reference(doc),
        _application_reference(doc),
        E("us-application-series-code", doc.app_number[:2]),
        *_priority_claims(doc),
        _ipcr(doc),
        _cpc(doc),
        E("invention-title", {"id": "d2e43"}, title(inv, "en").upper()),
        _parties(doc),
        _assignees(doc),
    )
    attrs = _root_attrs(
        doc, "us-patent-application", "v4.6 2022-02-17", f"US{doc.number}{doc.kind}-{day}.XML"
    )
    return E("us-patent-application", attrs, biblio, *_body(doc))


def _root_attrs(doc: SampleDoc, root_id: str, version: str, file: str) -> dict[str, str]:
    produced = ymd(doc.pub_date - timedelta(days=15))
    return {
        "lang": "EN",
        "dtd-version": version,
        "file": file,
        "status": "PRODUCTION",
        "id": root_id,
        "country": "US",
        "date-produced": produced,
        "date-publ": ymd(doc.pub_date),
    }


def _publication_reference(doc: SampleDoc) -> etree._Element:
    return E(
        "publication-reference",
        E(
            "document-id",
            E("country", "US"),
            E("doc-number", doc.number),
            E("kind", doc.kind),
            E("date", ymd(doc.pub_date)),
        ),
    )


def _application_reference(doc: SampleDoc) -> etree._Element:
    return E(
        "application-reference",
        {"appl-type": "utility"},
        E(
            "document-id",
            E("country", "US"),
            E("doc-number", doc.app_number),
            E("date", ymd(doc.filing_date)),
        ),
    )


def _priority_claims(doc: SampleDoc) -> list[etree._Element]:
    prio = doc.priority
    if prio is None:
        return []
    claim = E(
        "priority-claim",
        {"sequence": "01", "kind": "national"},
        E("country", prio.country),
        E("doc-number", prio.number),
        E("date", ymd(prio.date)),
    )
    return [E("priority-claims", claim)]


def _classification_fields(symbol: str) -> list[etree._Element]:
    section, klass, subclass, main, sub = split_symbol(symbol)
    return [
        E("section", section),
        E("class", klass),
        E("subclass", subclass),
        E("main-group", main),
        E("subgroup", sub),
    ]


def _ipcr(doc: SampleDoc) -> etree._Element:
    day = ymd(doc.pub_date)
    entries = []
    for i, symbol in enumerate(ipc_of(doc.family.cpc)):
        entries.append(
            E(
                "classification-ipcr",
                E("ipc-version-indicator", E("date", "20060101")),
                E("classification-level", "A"),
                *_classification_fields(symbol),
                E("symbol-position", "F" if i == 0 else "L"),
                E("classification-value", "I"),
                E("action-date", E("date", day)),
                E("generating-office", E("country", "US")),
                E("classification-status", "B"),
                E("classification-data-source", "H"),
            )
        )
    return E("classifications-ipcr", *entries)


def _cpc_entry(symbol: str, first: bool, day: str) -> etree._Element:
    return E(
        "classification-cpc",
        E("cpc-version-indicator", E("date", "20130101")),
        *_classification_fields(symbol),
        E("symbol-position", "F" if first else "L"),
        E("classification-value", "A" if int(split_symbol(symbol)[3]) >= 2000 else "I"),
        E("action-date", E("date", day)),
        E("generating-office", E("country", "US")),
        E("classification-status", "B"),
        E("classification-data-source", "H"),
        E("scheme-origination-code", "C"),
    )


def _cpc(doc: SampleDoc) -> etree._Element:
    day = ymd(doc.pub_date)
    main, *further = doc.family.cpc
    parts = [E("main-cpc", _cpc_entry(main, True, day))]
    if further:
        parts.append(E("further-cpc", *(_cpc_entry(s, False, day) for s in further)))
    return E("classifications-cpc", *parts)


def _address(city: str, country: str) -> etree._Element:
    return E("address", E("city", city), E("country", country))


def _parties(doc: SampleDoc) -> etree._Element:
    applicant = doc.family.applicant
    us_applicant = E(
        "us-applicant",
        {
            "sequence": "00",
            "app-type": "applicant",
            "designation": "us-only",
            "applicant-authority-category": "assignee",
        },
        E("addressbook", E("orgname", applicant.name), _address(applicant.city, applicant.country)),
        E("residence", E("country", applicant.country)),
    )
    inventors = [
        E(
            "inventor",
            {"sequence": f"{i:02d}", "designation": "us-only"},
            E(
                "addressbook",
                E("last-name", family.title()),
                E("first-name", given),
                _address(applicant.city, applicant.country),
            ),
        )
        for i, (family, given) in enumerate(doc.family.inventors)
    ]
    return E("us-parties", E("us-applicants", us_applicant), E("inventors", *inventors))


def _assignees(doc: SampleDoc) -> etree._Element:
    applicant = doc.family.applicant
    role = "02" if applicant.country == "US" else "03"
    book = E(
        "addressbook",
        E("orgname", applicant.name),
        E("role", role),
        _address(applicant.city, applicant.country),
    )
    return E("assignees", E("assignee", book))


def _body(doc: SampleDoc) -> list[etree._Element]:
    inv = doc.invention
    text = abstract(inv, "en")
    figure = E(
        "figure",
        {"id": "Fig-EMI-D00000", "num": "00000"},
        E(
            "img",
            {
                "id": "EMI-D00000",
                "he": "200.00mm",
                "wi": "150.00mm",
                "file": f"US{doc.number}{'' if doc.is_grant else doc.kind}-{ymd(doc.pub_date)}-D00000.TIF",
                "alt": "embedded image",
                "img-content": "drawing",
                "img-format": "tif",
            },
        ),
    )
    description = E(
        "description",
        {"id": "description"},
        E("heading", {"id": "h-0001", "level": "1"}, "BACKGROUND"),
        E("p", {"id": "p-0002", "num": "0001"}, f"The present disclosure relates to {inv.component['en']}."),
        E("heading", {"id": "h-0002", "level": "1"}, "SUMMARY"),
        E("p", {"id": "p-0003", "num": "0002"}, text),
    )
    return [
        E("abstract", {"id": "abstract"}, E("p", {"id": "p-0001", "num": "0000"}, text)),
        E("drawings", {"id": "DRAWINGS"}, figure),
        description,
        E("us-claim-statement", "What is claimed is:"),
        _claims(claims(inv, "en")),
    ]


def _claims(texts: list[str]) -> etree._Element:
    result = E("claims", {"id": "claims"})
    for num, text in enumerate(texts, start=1):
        claim = E("claim", {"id": f"CLM-{num:05d}", "num": f"{num:05d}"})
        claim.append(_claim_text(f"{num}. {text}", num == 1))
        result.append(claim)
    return result


def _claim_text(text: str, independent: bool) -> etree._Element:
    """A claim's text: an independent claim's elements nested, references to claims as claim-ref."""
    if independent and ": " in text:
        head, body = text.split(": ", 1)
        items = body.split("; ")
        node = E("claim-text", head + ":\n")  # the real files break the line before each element
        for i, item in enumerate(items):
            part = E("claim-text", item + (";" if i < len(items) - 1 else ""))
            part.tail = "\n"
            node.append(part)
        return node
    node = E("claim-text")
    pieces = _CLAIM_REF.split(text)
    node.text = pieces[0]
    for i in range(1, len(pieces), 2):
        ref = E("claim-ref", {"idref": f"CLM-{int(pieces[i]):05d}"}, f"claim {pieces[i]}")
        ref.tail = pieces[i + 1]
        node.append(ref)
    return node
