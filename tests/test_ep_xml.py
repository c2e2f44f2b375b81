"""EP publication-server XML: all 33 real files (DTD v1.0 to v1.5.1), repair of text faults, quarantine."""

from __future__ import annotations

import logging

import pytest

from warning.models import Publication, QuarantinedDocument
from warning.sources.ep_server.parser import parse_ep_document, repair_text_faults

FOLDER = ("epo-eps-xml", "go-epo-eps")
# file -> (id, publication date, IPC first, start of the English title)
EXPECTED = {
    "application__v1-0-A1.xml": (
        "EP-1325900-A1",
        "2003-07-09",
        "C07C29/44",
        "PROCESS FOR PRODUCING FLUOROAL",
    ),
    "application__v1-0-A2.xml": (
        "EP-1326188-A2",
        "2003-07-09",
        "G06F17/60",
        "Method and system for establis",
    ),
    "application__v1-01-A1.xml": (
        "EP-1679948-A1",
        "2006-07-19",
        "A01D17/10",
        "WEB COVERS FOR CONVEYOR SCREEN",
    ),
    "application__v1-01-A2.xml": (
        "EP-1680538-A2",
        "2006-07-19",
        "D02G3/02",
        "COMPOSITE YARN AND PRODUCTS MA",
    ),
    "application__v1-1-A1.xml": ("EP-2-A1", "1978-12-20", "C07D307/12", "Tetrahydrofurane derivatives, "),
    "application__v1-1-A2.xml": (
        "EP-1792486-A2",
        "2007-06-06",
        "H04N7/173",
        "SYSTEMS FOR UNIFYING HETEROGEN",
    ),
    "application__v1-2-A1.xml": ("EP-1921219-A1", "2008-05-14", "E04B1/88", "Sound damping and fire restist"),
    "application__v1-2-A2.xml": ("EP-1873405-A2", "2008-01-02", "F16B25/10", "Chipboard screw"),
    "application__v1-3-A1.xml": ("EP-1981358-A1", "2008-10-22", "A23L1/29", "NUTRITIONAL COMPOSITION FOR LO"),
    "application__v1-3-A2.xml": ("EP-2007181-A2", "2008-12-24", "H05K5/02", "CONTROLLER FOR INDUSTRIAL ROBO"),
    "application__v1-4-A1-1.xml": (
        "EP-560858-A1",
        "1993-09-22",
        "B05B7/00",
        "NOZZLE ASSEMBLY FOR PREVENTING",
    ),
    "application__v1-4-A1.xml": ("EP-2055205-A1", "2009-05-06", "A45D8/20", "Bobby pin"),
    "application__v1-4-A2.xml": (
        "EP-2136607-A2",
        "2009-12-23",
        "H05B37/02",
        "Method for operating a battery",
    ),
    "application__v1-5-1-A1-1.xml": ("EP-4090146-A1", "2022-11-23", "A01B71/02", "POWER TAKEOFF CONTROL"),
    "application__v1-5-1-A1-2.xml": (
        "EP-3889521-A1",
        "2021-10-06",
        "F25B45/00",
        "CONTROL DEVICE AND AIR CONDITI",
    ),
    "application__v1-5-1-A1.xml": (
        "EP-3882239-A1",
        "2021-09-22",
        "C07D271/113",
        "1,3,4-OXADIAZOLONE COMPOUND AN",
    ),
    "application__v1-5-1-A2.xml": (
        "EP-3882354-A2",
        "2021-09-22",
        "C12P19/56",
        "ENGINEERED GLYCOSYLTRANSFERASE",
    ),
    "application__v1-5-A1.xml": ("EP-3782854-A1", "2021-02-24", "B60R7/06", "VEHICLE-MOUNTED DISPLAY ASSEMB"),
    "application__v1-5-A2.xml": ("EP-3814387-A2", "2021-05-05", "C08F8/48", "RADIOPAQUE POLYMERS"),
    "grant__v1-0-B1.xml": ("EP-1442058-B1", "2006-07-19", "C07K14/47", "PEPTIDES EFFECTIVE IN THE TREA"),
    "grant__v1-0-B2.xml": ("EP-874807-B2", "2006-08-02", "C07C249/08", "PROCESS FOR THE PREPARATION OF"),
    "grant__v1-1-B1.xml": ("EP-1019261-B1", "2003-07-09", "B60L7/26", "INTELLIGENT BRAKING SYSTEM FOR"),
    "grant__v1-1-B2.xml": ("EP-546210-B2", "2003-07-09", "B22D29/00", "Method and apparatus for heat "),
    "grant__v1-2-B1.xml": ("EP-610335-B1", "2008-01-02", "C12N15/62", "Methods for designing recombit"),
    "grant__v1-2-B2.xml": ("EP-430402-B2", "2008-03-05", "C12Q1/68", "Methods and compositions for c"),
    "grant__v1-3-B1.xml": ("EP-1654642-B1", "2008-12-24", "G06F9/455", "METHODS AND APPARATUS FOR VERI"),
    "grant__v1-3-B2.xml": ("EP-1497510-B2", "2008-12-24", "E04F15/04", "FLOORING"),
    "grant__v1-4-B1.xml": ("EP-449582-B1", "2009-10-21", "G03F9/00", "Measuring method and apparatus"),
    "grant__v1-4-B2.xml": ("EP-1451194-B2", "2009-12-16", "C07D498/06", "PREPARATION OF LEVOFLOXACIN HE"),
    "grant__v1-5-1-B1.xml": ("EP-3383757-B1", "2021-07-07", "B65D51/18", "SCREW-TYPE CLOSURE SYSTEMS WIT"),
    "grant__v1-5-1-B2.xml": ("EP-2716170-B2", "2021-09-22", "A24C5/20", "Device for transporting materi"),
    "grant__v1-5-B1.xml": ("EP-3404678-B1", "2021-06-30", "H01F27/14", "HIGH VOLTAGE ASSEMBLY AND METH"),
    "grant__v1-5-B2.xml": ("EP-2743087-B2", "2021-05-05", "B41J3/407", "Printing machine with cladding"),
}
REPAIRED = {
    "application__v1-2-A1.xml",
    "application__v1-4-A1-1.xml",
    "application__v1-4-A1.xml",
    "application__v1-5-1-A1-2.xml",
}


def parse_one(corpus, name: str) -> Publication:
    path = corpus(*FOLDER, name)
    (item,) = parse_ep_document(path.read_bytes(), str(path))
    assert isinstance(item, Publication), getattr(item, "reason", "")
    return item


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_real_ep_file(corpus, name):
    pub = parse_one(corpus, name)
    pid, published, first_ipc, title = EXPECTED[name]
    assert pub.id == pid and pub.country == "EP"
    assert pub.publication_date == published
    assert pub.ipc[0] == first_ipc
    assert pub.titles["en"].startswith(title)
    assert set(pub.titles) == {"de", "en", "fr"}
    assert pub.doc_type == ("grant" if pub.kind.startswith("B") else "application")
    if pub.kind.startswith("B"):
        assert set(pub.claims) == {"de", "en", "fr"}  # granted claims in all three languages
    assert pub.applicants and pub.inventors and pub.filing_date


def test_corpus_has_all_33_files(corpus):
    folder = corpus(*FOLDER)
    assert sorted(p.name for p in folder.glob("*.xml")) == sorted(EXPECTED)


def test_grant_fields_v1_0(corpus):
    pub = parse_one(corpus, "grant__v1-0-B1.xml")
    assert pub.titles["de"].startswith("PEPTIDE ZUM EINSATZ IN DER BEHANDLUNG")
    assert pub.titles["fr"].startswith("PEPTIDES SERVANT A TRAITER")
    assert pub.applicants == ["NYMOX CORPORATION"]
    assert pub.inventors == ["AVERBACK, Paul", "GEMMELL, Jack"]
    assert pub.application_number == "02779063.3" and pub.filing_date == "2002-11-18"
    assert pub.priority_claims == ["US331477P"] and pub.priority_date == "2001-11-16"
    assert pub.ipc == ["C07K14/47", "A61K38/17"]
    assert pub.claims["en"].startswith("An NTP-peptide consisting of an amino acid sequence")
    assert pub.claims["de"].startswith("NTP-Peptid bestehend aus einer Aminosäuresequenz")
    assert pub.claims["fr"].startswith("Un peptide NTP composé")
    assert pub.abstracts == {}


def test_application_abstract_and_claims_in_procedure_language(corpus):
    pub = parse_one(corpus, "application__v1-4-A2.xml")
    assert pub.lang == "de"
    assert pub.abstracts["de"].startswith("Verfahren zum Betreiben eine Akku-Handla")
    assert list(pub.claims) == ["de"]
    assert pub.titles["de"].startswith("Verfahren zum Betreiben einer")


def test_old_ipc7_codes_v1_0(corpus):
    pub = parse_one(corpus, "application__v1-0-A1.xml")
    assert pub.ipc == ["C07C29/44", "C07C31/38"]
    assert pub.abstracts["en"].startswith("A process for producing a fluoroalkanol")


def test_newest_dtd_v1_5_1(corpus):
    pub = parse_one(corpus, "application__v1-5-1-A2.xml")
    assert pub.priority_claims == ["US201762454417P", "US201762479262P"]
    assert pub.abstracts["en"].startswith("The present invention provides engineere")
    assert pub.applicants == ["Codexis, Inc."]


@pytest.mark.parametrize("name", sorted(REPAIRED))
def test_not_well_formed_files_are_repaired_and_logged(corpus, name, caplog):
    with caplog.at_level(logging.WARNING, logger="warning.sources.ep_server.parser"):
        pub = parse_one(corpus, name)
    assert "repaired text-level XML faults" in caplog.text
    assert pub.titles["en"]


def test_repaired_raw_ampersand_keeps_the_text(corpus):
    pub = parse_one(corpus, "application__v1-4-A1.xml")
    assert pub.titles == {"de": "Haarspange", "en": "Bobby pin", "fr": "Pince à cheveux"}
    assert pub.abstracts["en"].startswith("A bobby pin includes a clamping ribs")


def test_repair_only_touches_text_faults():
    broken = b'<a x="1"><b>Kador & Partner</b><h><First Embodiment</h><c/><!-- c --></a>'
    assert repair_text_faults(broken) == (
        b'<a x="1"><b>Kador &amp; Partner</b><h>&lt;First Embodiment</h><c/><!-- c --></a>'
    )
    fine = b'<a><b>A &amp; B &#169; &lt;x&gt;</b><c d="e"/></a>'
    assert repair_text_faults(fine) == fine


def test_truncated_document_is_quarantined(corpus):
    data = corpus(*FOLDER, "grant__v1-5-B1.xml").read_bytes()
    (item,) = parse_ep_document(data[: len(data) // 2], "cut.xml")
    assert isinstance(item, QuarantinedDocument)
    assert item.source == "ep_publication_server" and "malformed XML" in item.reason


def test_hostile_entity_document_is_quarantined():
    xxe = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><ep-patent-document>&x;</ep-patent-document>'
    (item,) = parse_ep_document(xxe, "xxe.xml")
    assert isinstance(item, QuarantinedDocument) and "entities" in item.reason


def test_html_and_empty_bodies_are_quarantined():
    (html,) = parse_ep_document(b"<html><body>503</body></html>", "err.html")
    (empty,) = parse_ep_document(b"  ", "empty.xml")
    assert "HTML" in html.reason and "empty" in empty.reason


def test_cpc_read_from_b520ep(corpus):
    from warning.sources.ep_server.parser import parse_ep_document

    path = corpus("epo-eps-xml", "go-epo-eps", "application__v1-5-1-A1.xml")
    (pub,) = list(parse_ep_document(path.read_bytes(), str(path)))
    assert len(pub.cpc) == 15
    assert pub.cpc[0] == "C07D271/113" and "Y02A50/30" in pub.cpc
