"""OPS 3.2 XML: every real response in the corpus, with field-level checks on several of each kind."""

from __future__ import annotations

import pytest

from warning.models import Publication, QuarantinedDocument
from warning.sources.epo_ops.parser import parse_ops_response, search_references

DEV = "epo-ops-patent-dev"
PC = "epo-ops-patent_client"

# Every real OPS file and the publications it holds (None: quarantined as an error / not XML).
EXPECTED = {
    (DEV, "get_abstract__response.xml"): ["EP-2400812-A1"],
    (DEV, "get_abstract_multiple__response.xml"): ["EP-2400812-A1", "EP-2533477-A1", "EP-2533477-B1"],
    (DEV, "get_biblio__response.xml"): ["EP-2400812-A1"],
    (DEV, "get_biblio_multiple__response.xml"): ["EP-2400812-A1", "EP-2533477-A1", "EP-2533477-B1"],
    (DEV, "get_claims__response.xml"): ["EP-2400812-A1"],
    (DEV, "get_claims_multiple__response.xml"): ["EP-2400812-A1"],
    (DEV, "get_family_with_biblio__response.xml"): [
        "EP-2400812-A1",
        "EP-2400812-B1",
        "CA-2744162-A1",
        "US-20120057518-A1",
        "US-9648662-B2",
    ],
    (DEV, "get_full_cycle_multiple__response.xml"): [
        "EP-2400812-A1",
        "EP-2400812-B1",
        "EP-2533477-A1",
        "EP-2533477-B1",
    ],
    (DEV, "search_with_constituent__response.xml"): ["AU-2024270787-A1", "AU-2024265697-A1", "DK-3740998-T3"],
    (DEV, "testdata__abstract.xml"): ["EP-2400812-A1"],
    (DEV, "testdata__biblio.xml"): ["EP-2400812-A1"],
    (DEV, "testdata__claims.xml"): ["EP-2400812-A1"],
    (DEV, "testdata__search.xml"): ["EP-2400812-A1", "EP-2400813-A1"],
    (DEV, "testdata__error_404.xml"): None,
    (DEV, "testdata__error_429.xml"): None,
    (DEV, "get_classification_schema_multiple__response.xml"): None,
    (PC, "cassette_responses/TestFullTextAsyncApi.test_claims__00.xml"): ["EP-1000000-A1"],
    (PC, "cassette_responses/TestPublished.test_can_handle_single_item_ipc_classes__00.xml"): [
        "WO-2020081771-A1"
    ],
    (PC, "cassette_responses/TestPublished.test_document_downloading__00.xml"): ["WO-2010050748-A2"],
    (PC, "cassette_responses/TestPublished.test_get_biblio_from_result__01.xml"): ["CA-3237996-A1"],
    (PC, "cassette_responses/TestPublished.test_get_biblio_from_wo__00.xml"): ["WO-2009085664-A2"],
    (PC, "cassette_responses/TestPublished.test_get_claims_from_result__01.xml"): ["WO-2009085664-A2"],
    (PC, "cassette_responses/TestPublished.test_issue_41__00.xml"): ["JP-2005533465-A"],
    (PC, "cassette_responses/TestPublishedBiblioApi.test_doc_example_abstract__00.xml"): ["EP-1000000-A1"],
    (PC, "cassette_responses/TestPublishedBiblioApi.test_doc_example_biblio__00.xml"): ["EP-1000000-A1"],
    (PC, "cassette_responses/TestPublishedBiblioApi.test_doc_example_full_cycle__00.xml"): [
        "EP-1000000-A1",
        "EP-1000000-B1",
    ],
    (PC, "cassette_responses/test_api__00.xml"): None,
    (PC, "fixtures/published__fixtures__ep1000000_abstract_result.xml"): ["EP-1000000-A1"],
    (PC, "fixtures/published__fixtures__ep1000000_full_cycle_result.xml"): ["EP-1000000-A1", "EP-1000000-B1"],
    (PC, "fixtures/published__test__biblio_example.xml"): ["US-20060142694-A1"],
    (PC, "fixtures/published__test__biblio_example_2.xml"): ["JP-2005533465-A"],
    (PC, "fixtures/published__test__biblio_example_3.xml"): ["AU-2013290010-A1"],
    (PC, "fixtures/published__test__biblio_example_4.xml"): ["US-20120116137-A1"],
    (PC, "fixtures/published__test__claims_example.xml"): ["EP-1000000-A1"],
    (PC, "fixtures/published__test__claims_example_2.xml"): ["WO-2009085664-A2"],
    (PC, "fixtures/published__test__full_cycle_example.xml"): ["EP-1000000-A1", "EP-1000000-B1"],
}


def _all_ops_files():
    from tests.conftest import CORPUS

    for folder in (DEV, PC):
        for path in sorted((CORPUS / folder).rglob("*.xml")):
            yield folder, str(path.relative_to(CORPUS / folder))


def parse(corpus, folder: str, name: str) -> list:
    path = corpus(folder, name)
    return list(parse_ops_response(path.read_bytes(), str(path)))


def pubs(corpus, folder: str, name: str) -> dict[str, Publication]:
    return {p.id: p for p in parse(corpus, folder, name) if isinstance(p, Publication)}


@pytest.mark.parametrize(("folder", "name"), sorted(EXPECTED))
def test_each_file_yields_exactly_its_documents(corpus, folder, name):
    items = parse(corpus, folder, name)
    expected = EXPECTED[(folder, name)]
    if expected is None:
        assert len(items) == 1 and isinstance(items[0], QuarantinedDocument)
        assert items[0].source == "epo_ops"
    else:
        assert [i.id for i in items] == expected


def test_every_other_ops_file_holds_no_publication(corpus):
    """Legal, register, number service, classification, description, image and bare search hit lists."""
    corpus(DEV, "get_legal__response.xml")
    others = [(f, n) for f, n in _all_ops_files() if (f, n) not in EXPECTED]
    assert len(others) >= 45
    for folder, name in others:
        assert parse(corpus, folder, name) == [], name


def test_biblio_fields_titles_in_three_languages(corpus):
    pub = pubs(corpus, DEV, "get_biblio__response.xml")["EP-2400812-A1"]
    assert (pub.country, pub.number, pub.kind, pub.doc_type) == ("EP", "2400812", "A1", "application")
    assert pub.titles == {
        "de": "BLUETOOTH-VERNETZUNG",
        "fr": "MISE EN RÉSEAU BLUETOOTH",
        "en": "BLUETOOTH NETWORKING",
    }
    assert pub.abstracts["en"].startswith("An apparatus enabling establishment of a Bluetooth mesh network")
    assert pub.publication_date == "2011-12-28"
    assert pub.filing_date == "2010-06-24"
    assert pub.application_number == "EP20100167109"
    assert pub.priority_claims == ["EP20100167109"] and pub.priority_date == "2010-06-24"
    assert pub.family_id == "43088294"
    assert pub.ipc == ["H04W84/20"]
    assert pub.cpc == ["H04W84/20", "H04W88/04"]
    # epodoc spelling, residence code stripped, preferred over the "original" spellings
    assert pub.applicants == ["9SOLUTIONS OY"]
    assert pub.inventors == ["HERRALA SAMI", "KYLMAENEN JARI", "NIEMI JAAKKO"]
    assert pub.source == "epo_ops"


def test_family_with_biblio_us_pregrant_number_gets_canonical_id(corpus):
    family = pubs(corpus, DEV, "get_family_with_biblio__response.xml")
    us = family["US-20120057518-A1"]  # DOCDB writes 2012057518
    assert us.number == "2012057518" and us.publication_date == "2012-03-08"
    assert us.titles == {"en": "BLUETOOTH NETWORKING"}
    grant = family["US-9648662-B2"]
    assert grant.doc_type == "grant" and grant.titles == {"en": "Bluetooth networking"}
    ca = family["CA-2744162-A1"]
    assert set(ca.titles) == {"en", "fr"} and ca.ipc[:2] == ["H04W84/18", "H04L12/56"]
    assert {p.family_id for p in family.values()} == {"43088294"}


def test_search_with_biblio_constituent(corpus):
    found = pubs(corpus, DEV, "search_with_constituent__response.xml")
    au = found["AU-2024265697-A1"]
    assert au.titles["en"].startswith("A STEAM TURBINE ROTOR FLY")
    assert au.abstracts["en"].startswith("A method of providing a flywhe")
    assert au.applicants == ["SIEMENS ENERGY GLOBAL GMBH & CO KG"]
    assert au.publication_date == "2025-10-23"
    dk = found["DK-3740998-T3"]
    assert dk.titles == {"da": "ENERGILAGRINGSSYSTEM"}  # OPS says lang="ol": Danish, by the office
    assert "H01M10/613" in dk.ipc and "H01M10/613" in dk.cpc


def test_wo_biblio_abstracts_in_english_and_french(corpus):
    pub = pubs(corpus, PC, "cassette_responses/TestPublished.test_get_biblio_from_wo__00.xml")[
        "WO-2009085664-A2"
    ]
    assert set(pub.abstracts) == {"en", "fr"}
    assert pub.abstracts["fr"].startswith("Divers modes de réalisation")
    assert pub.titles["en"].startswith("RELEVANCY SORTING OF USER")
    assert pub.applicants == ["MICROSOFT CORP"]
    assert pub.cpc[:2] == ["G06F16/24578", "G06F16/248"]
    assert pub.publication_date == "2009-07-09" and pub.family_id == "40799763"


def test_full_cycle_keeps_a_and_b_publications(corpus):
    cycle = pubs(corpus, PC, "fixtures/published__test__full_cycle_example.xml")
    a1, b1 = cycle["EP-1000000-A1"], cycle["EP-1000000-B1"]
    assert a1.publication_date == "2000-05-17" and b1.publication_date == "2003-02-12"
    assert b1.doc_type == "grant" and a1.doc_type == "application"
    assert a1.titles["de"].startswith("Vorrichtung zur Herstellu")
    assert a1.abstracts["en"].startswith("The invention relates to an ap")
    assert b1.applicants == ["BEHEERMIJ DE BOER NIJMEGEN BV"]


def test_us_biblio_examples(corpus):
    pub = pubs(corpus, PC, "fixtures/published__test__biblio_example.xml")["US-20060142694-A1"]
    assert pub.titles["en"].startswith("Bi-directional steerable")
    assert pub.abstracts["en"].startswith("The present invention is a han")
    assert pub.ipc == ["A61M31/00"] and pub.cpc[:2] == ["A61B5/283", "A61B5/287"]
    assert pub.filing_date == "2004-12-28"


def test_claims_response_gives_claims_only(corpus):
    pub = pubs(corpus, DEV, "get_claims__response.xml")["EP-2400812-A1"]
    assert pub.claims["en"].startswith("1. A communication device (100) comprising:")
    assert pub.titles == {} and pub.publication_date is None


def test_abstract_multiple_keeps_document_without_abstract(corpus):
    found = pubs(corpus, DEV, "get_abstract_multiple__response.xml")
    assert found["EP-2533477-A1"].abstracts["en"].startswith("A method, apparatus, and computer program")
    assert found["EP-2533477-B1"].abstracts == {}


def test_error_bodies_are_errors_not_documents(corpus):
    (item,) = parse(corpus, DEV, "testdata__error_404.xml")
    assert "OPS error response" in item.reason and "404 Document not found" in item.reason
    (item,) = parse(corpus, DEV, "testdata__error_429.xml")
    assert "429 Fair use limit exceeded" in item.reason
    (item,) = parse(corpus, PC, "cassette_responses/test_api__00.xml")
    assert "400 invalid_access_token" in item.reason


def test_search_references_of_a_hit_list(corpus):
    path = corpus(PC, "cassette_responses/TestSearchApi.test_search__00.xml")
    total, numbers = search_references(path.read_bytes())
    assert total == 10000 and len(numbers) == 100
    assert numbers[:3] == ["CA.3237865.A1", "CA.3215798.A1", "PL.3398771.T3"]


def test_html_and_truncated_bodies_are_quarantined():
    (html,) = parse_ops_response(b"<!DOCTYPE html><html><body>Bad gateway</body></html>", "proxy")
    assert "HTML" in html.reason
    (cut,) = parse_ops_response(
        b'<ops:world-patent-data xmlns:ops="http://ops.epo.org"><exchange-documents>', "cut"
    )
    assert "malformed XML" in cut.reason
