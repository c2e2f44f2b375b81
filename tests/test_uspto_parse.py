"""USPTO bulk XML on every real file of the corpus: counts per file and fields per DTD version."""

from __future__ import annotations

import pytest

from warning.models import Publication
from warning.sources.uspto.parser import parse_uspto, parse_uspto_file

FOLDER = "uspto-bulk-xml"
# file -> (patent documents, skipped non-patent documents: sequence listings)
COUNTS = {
    "PatentsView-DB/ipg050104.small.xml": (25, 0),
    "PatentsView-DB/ipg060103.small.xml": (25, 2),
    "PatentsView-DB/ipg070102.small.xml": (25, 1),
    "PatentsView-DB/ipg080101.small.xml": (25, 0),
    "PatentsView-DB/ipg090106.small.xml": (25, 0),
    "PatentsView-DB/ipg100105.small.xml": (25, 0),
    "PatentsView-DB/ipg110104.small.xml": (25, 0),
    "PatentsView-DB/ipg120103.small.xml": (25, 0),
    "PatentsView-DB/ipg130416.small.xml": (25, 2),
    "PatentsView-DB/ipg120327.196.xml": (196, 0),
    "PatentsView-DB/ipg120327.18.xml": (18, 0),
    "PatentsView-DB/ipg120327.one.xml": (1, 0),
    "PatentsView-DB/ipg120327.two.xml": (2, 0),
    "PatentsView-DB/ipg100824-hyphenated.xml": (1, 0),
    "PatentsView-DB/ipa061228.one.xml": (1, 0),
    "PatentsView-DB/ipa130117.one.xml": (2, 0),
    "PatentsView-DB/pa040101.two.xml": (1, 0),
    "PatentPublicData/xml2004/US06859910.xml": (1, 0),
    "PatentPublicData/xml2004/US06970935.xml": (1, 0),
    "PatentPublicData/xml2006/US07272630B2.xml": (1, 0),
    "PatentPublicData/xml2014/US08926509.xml": (1, 0),
    "PatentPublicData/xml2014/US08927118.xml": (1, 0),
    "PatentPublicData/xml2014/US08930553.xml": (1, 0),
    "PatentPublicData/xmlApp2004/US20050004437A1.xml": (1, 0),
    "PatentPublicData/xmlApp2004/US20050004974A1.xml": (1, 0),
    "go-uspto/application__v1-5-A1_1.xml": (1, 0),
    "go-uspto/application__v1-5-A1_2.xml": (1, 0),
    "go-uspto/application__v4-0-A1.xml": (1, 0),
    "go-uspto/application__v4-0-A2_1.xml": (1, 0),
    "go-uspto/application__v4-4-A1.xml": (1, 0),
    "go-uspto/application__v4-4-A2.xml": (1, 0),
    "go-uspto/application__v4-5-A1.xml": (1, 0),
    "go-uspto/application__v4-5-A2.xml": (1, 0),
    "go-uspto/grant__v2-5-B1.xml": (1, 0),
    "go-uspto/grant__v2-5-B2.xml": (1, 0),
    "go-uspto/grant__v2-5-S1.xml": (1, 0),
    "go-uspto/grant__v4-0-B2.xml": (1, 0),
    "go-uspto/grant__v4-5-B1.xml": (1, 0),
    "go-uspto/grant__v4-5-B2.xml": (1, 0),
    "go-uspto/test.xml": (2, 0),
    "patent-scraper/ipa20251002_fragment_2docs.xml": (2, 0),
}


def publications(corpus, name: str) -> dict[str, Publication]:
    items = list(parse_uspto_file(corpus(FOLDER, *name.split("/"))))
    assert all(isinstance(i, Publication) for i in items), [
        i for i in items if not isinstance(i, Publication)
    ]
    return {p.id: p for p in items}


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_every_corpus_file_parses_with_its_document_count(corpus, name):
    counts: dict[str, int] = {}
    items = list(parse_uspto_file(corpus(FOLDER, *name.split("/")), counts))
    patents, skipped = COUNTS[name]
    assert len(items) == patents
    assert all(isinstance(i, Publication) and i.source == "uspto_bulk" for i in items)
    assert counts.get("skipped", 0) == skipped
    assert counts.get("quarantined", 0) == 0
    assert counts["documents"] == patents + skipped
    assert len({p.id for p in items}) == patents
    for p in items:
        assert p.publication_date and p.publication_date[4] == "-"
        assert p.titles["en"]
        assert p.raw_ref.startswith(str(corpus(FOLDER)))


def test_every_corpus_file_is_covered(corpus):
    folder = corpus(FOLDER)
    on_disk = {str(p.relative_to(folder)) for p in folder.rglob("*.xml")}
    assert on_disk == set(COUNTS)


def test_v40_concatenated_grants(corpus):
    pubs = publications(corpus, "PatentsView-DB/ipg050104.small.xml")
    p = pubs["US-6836899-B1"]
    assert (p.kind, p.doc_type, p.publication_date, p.filing_date) == (
        "B1",
        "grant",
        "2005-01-04",
        "2003-01-09",
    )
    assert p.title() == "Device for detachably holding an absorbent napkin across the torso"
    assert p.ipc == ["A45F5/04"]  # fixed-width "A45F  504"
    assert p.abstract().startswith("A napkin holder formed of two pairs of magnetic securing dev")
    assert p.application_number == "US10339710"
    assert pubs["US-6838391-B2"].ipc == ["H01L21/302", "H01L21/461"]
    assert pubs["US-6838578-B2"].ipc == ["C07C249/00"]
    assert pubs["US-6837197-B2"].title() == "Dual valve lift and valve deactivation"


def test_v40_single_grant_and_application(corpus):
    p = publications(corpus, "PatentPublicData/xml2004/US06970935.xml")["US-6970935-B1"]
    assert p.publication_date == "2005-11-29" and p.ipc == ["G06F15/16"]
    assert p.applicants == ["International Business Machines Corporation"]
    assert p.inventors[0] == "Stephane H. Maes"
    assert p.abstract().startswith("Conversational protocols for implementing distributed conver")
    a = publications(corpus, "PatentPublicData/xmlApp2004/US20050004437A1.xml")["US-20050004437-A1"]
    assert (a.doc_type, a.filing_date, a.priority_date) == ("application", "2004-04-23", "2001-10-26")
    assert a.priority_claims == ["CH1974/01"]
    assert a.title() == "Simulation device for playful evaluation and display of blood sugar levels"
    assert a.claims["en"].startswith(
        "1. A simulation device for displaying and evaluating blood sugar readings"
    )


def test_v41_grants_skip_sequence_listings(corpus):
    pubs = publications(corpus, "PatentsView-DB/ipg060103.small.xml")
    assert pubs["US-6982130-B2"].ipc == ["H01M8/10"]
    assert pubs["US-6982130-B2"].title() == "Fused zirconia-based solid oxide fuel cell"
    assert pubs["US-H2140-H1"].doc_type == "grant"  # statutory invention registration
    assert pubs["US-D513425-S"].doc_type == "design" and pubs["US-D513425-S"].title() == "Skateboard"
    app = publications(corpus, "PatentsView-DB/ipa061228.one.xml")["US-20060288462-A1"]
    assert app.ipc == ["A41D31/00", "A23G1/50"]
    assert app.applicants == ["AMERICAN EXPRESS TRAVEL RELATED SERVICES COMPANY, INC."]


def test_v42_plant_design_and_utility(corpus):
    pubs = publications(corpus, "PatentsView-DB/ipg080101.small.xml")
    plant = pubs["US-PP18398-P2"]
    assert plant.doc_type == "plant" and plant.ipc == ["A01H5/00"]
    assert plant.title() == "Sedum telephium plant named ‘Beka’"
    g = publications(corpus, "PatentsView-DB/ipg090106.small.xml")["US-7473205-B2"]
    assert (g.title(), g.ipc, g.publication_date) == (
        "Hybrid vehicle and control method of hybrid vehicle",
        ["B60K1/02"],
        "2009-01-06",
    )
    assert g.abstract().startswith("In the case where a start command of an ")


def test_design_patents_ipg120327(corpus):
    pubs = publications(corpus, "PatentsView-DB/ipg120327.196.xml")
    assert {p.doc_type for p in pubs.values()} == {"design"}
    assert {p.kind for p in pubs.values()} == {"S"}
    d = pubs["US-D656296-S"]
    assert (d.title(), d.publication_date, d.filing_date) == (
        "Ready to eat snack piece",
        "2012-03-27",
        "2010-12-16",
    )
    assert d.applicants == ["Frito-Lay North America, Inc."] and d.ipc == [] and d.abstracts == {}


def test_v43_grants_and_applications(corpus):
    g = publications(corpus, "PatentsView-DB/ipg130416.small.xml")["US-8421353-B2"]
    assert g.title().startswith("Organic light emitting diode display")
    assert g.ipc[:2] == ["H01L51/00", "H01L51/10"]
    assert g.abstract().startswith("Embodiments may include an OLED display")
    d = publications(corpus, "PatentsView-DB/ipg130416.small.xml")["US-D680087-S"]
    assert d.priority_claims == ["JP2011-015204"] and d.priority_date == "2011-07-04"
    a = publications(corpus, "PatentsView-DB/ipa130117.one.xml")["US-20130014308-A1"]
    assert a.title() == "TYPING-MATE" and a.ipc == ["A41D13/08"]


def test_v44_applications_with_cpc(corpus):
    a = publications(corpus, "go-uspto/application__v4-4-A1.xml")["US-20210267109-A1"]
    assert a.publication_date == "2021-09-02" and a.filing_date == "2021-02-11"
    assert a.cpc[:3] == ["A01B1/04", "A01D11/06", "B08B13/00"]
    assert a.ipc[:3] == ["A01B1/04", "B08B1/00", "B08B13/00"]
    assert a.abstract().startswith("Methods and apparatus for improved yard and garden maintenan")
    a2 = publications(corpus, "go-uspto/application__v4-4-A2.xml")["US-20150075015-A2"]
    assert a2.kind == "A2" and a2.cpc == ["B26B21/521"]


def test_v45_grants_and_applications(corpus):
    g = publications(corpus, "PatentPublicData/xml2014/US08927118.xml")["US-8927118-B2"]
    assert g.priority_claims == ["JP2008-148514"] and g.priority_date == "2008-06-05"
    assert g.applicants[0] == "Idemitsu Kosan Co., Ltd."
    assert "H01L51/0072" in g.cpc and "C07D495/04" in g.ipc
    assert "π-conjugated" in g.claims["en"]  # numeric character references decoded
    g2 = publications(corpus, "go-uspto/grant__v4-5-B1.xml")["US-9358892-B1"]
    assert g2.applicants == ["Toyota Motor Engineering & Manufacturing North America, Inc."]
    assert g2.cpc[0] == "B60L11/1809"
    a = publications(corpus, "go-uspto/application__v4-5-A2.xml")["US-20220160114-A2"]
    assert a.cpc == ["A45F3/047", "A45F3/02"] and a.applicants == ["BEVIS GEAR INC."]
    t = publications(corpus, "go-uspto/test.xml")
    assert set(t) == {"US-11147202-B2", "US-11147203-B2"}
    assert t["US-11147202-B2"].title() == "Wheeled hand truck"


def test_v46_application_fragment_2025(corpus):
    pubs = publications(corpus, "patent-scraper/ipa20251002_fragment_2docs.xml")
    a = pubs["US-20250301933-A1"]
    assert (a.title(), a.publication_date, a.filing_date) == (
        "SPRING ACTION SHOVEL",
        "2025-10-02",
        "2024-03-26",
    )
    assert a.cpc == ["A01B1/02", "B25G1/01"] and a.ipc == ["A01B1/02", "B25G1/01"]
    assert a.inventors == ["TITUS LOGAN"] and a.application_number == "US18616324"
    assert a.abstract().startswith("The spring action shovel includes a hand grip")


def test_pap_v15_and_v16_applications(corpus):
    a = publications(corpus, "go-uspto/application__v1-5-A1_2.xml")["US-20010000002-A1"]
    assert (a.publication_date, a.filing_date, a.priority_date) == ("2001-03-15", "2000-12-01", "1997-08-02")
    assert a.ipc == ["D21C11/12"] and a.priority_claims == ["DE19733454"]
    assert a.inventors[:2] == ["Wolfgang Ruf", "Hans Loser"]
    assert a.abstract().startswith("Process and a device for detecting a change in the fiber")
    b = publications(corpus, "PatentsView-DB/pa040101.two.xml")["US-20040000002-A1"]
    assert b.title() == "Garment for preventing muscle strain" and b.ipc == ["A41B1/00"]
    assert b.applicants == ["Hill-Rom Services, Inc."]


def test_st32_v25_patdoc_grants(corpus):
    g = publications(corpus, "go-uspto/grant__v2-5-B1.xml")["US-6334226-B1"]
    assert (g.title(), g.publication_date, g.filing_date) == (
        "Faucet support member",
        "2002-01-01",
        "2000-04-24",
    )
    assert g.ipc == ["E03C1/04"] and g.applicants == ["Toto Ltd."]
    assert g.priority_claims == ["JP9-290033", "JP10-95065"] and g.priority_date == "1997-10-22"
    assert g.abstract().startswith("A faucet support member for fixing a faucet in a mounting ho")
    assert g.claims["en"]
    d = publications(corpus, "go-uspto/grant__v2-5-S1.xml")["US-D452599-S"]
    assert d.doc_type == "design" and d.ipc == []  # its B511 is a Locarno class
    assert publications(corpus, "go-uspto/grant__v2-5-B2.xml")["US-6530116-B2"].ipc == ["A47L5/14"]


def test_named_entities_become_characters(corpus):
    text = corpus(FOLDER, "go-uspto", "grant__v2-5-B1.xml").read_bytes()
    (pub,) = parse_uspto(text, "mem")
    assert "&rdquo;" not in pub.claims["en"] and "&lgr;" not in pub.claims["en"]


def test_document_without_xml_declaration(corpus):
    (pub,) = publications(corpus, "go-uspto/application__v4-0-A1.xml").values()
    assert pub.id == "US-20050000001-A1" and pub.title() == "Novelty jeans"


def test_reissue_grant(corpus):
    # No reissue in the corpus: a real v4.5 grant relabelled as the Red Book writes reissues.
    data = corpus(FOLDER, "go-uspto", "grant__v4-5-B1.xml").read_bytes()
    data = data.replace(b"<doc-number>09358892</doc-number>", b"<doc-number>RE046789</doc-number>", 1)
    data = data.replace(b"<kind>B1</kind>", b"<kind>E</kind>", 1).replace(
        b'appl-type="utility"', b'appl-type="reissue"', 1
    )
    (pub,) = parse_uspto(data, "re")
    assert (pub.id, pub.kind, pub.doc_type) == ("US-RE46789-E", "E", "reissue")
