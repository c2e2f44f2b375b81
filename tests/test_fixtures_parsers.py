"""Every local format the service parses, on the small real documents of tests/fixtures/ (no corpus).

Each test loads fixtures with ``warning ingest`` and reads back what the store holds, so the
parsers are tested in a bare clone through the CLI contract alone. The corpus tests keep the
breadth (every DTD version, hundreds of documents); these keep a clone honest.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures_support import Site, fixture


@pytest.fixture
def site(tmp_path) -> Site:
    return Site(tmp_path)


def ingest(site: Site, *paths, code: int = 0) -> str:
    return site.run("ingest", *map(str, paths), code=code).output


def quarantine_reasons(site: Site) -> dict[str, str]:
    """Each quarantined item's reason by its reference less the folder (``cut.zip!member:2``)."""
    return {Path(r["ref"]).name: r["reason"] for r in site.rows("SELECT ref, reason FROM quarantine")}


def test_uspto_grant_v4_5_every_field(site):
    out = ingest(site, fixture("uspto", "grant_v4-5_US11147202B2.xml"))
    assert "1 new, 0 merged, 0 unchanged, 0 quarantined" in out
    pub = site.publication("US-11147202-B2")
    assert (pub["country"], pub["number"], pub["kind"], pub["doc_type"]) == ("US", "11147202", "B2", "grant")
    assert pub["titles"] == {"en": "Wheeled hand truck"}
    assert pub["applicants"] == ["Yeow Ng"]
    assert pub["ipc"] == ["A01B1/24", "B62B1/12", "B62B5/06"]
    assert pub["cpc"] == ["A01B1/243", "B62B1/12", "B62B5/06", "B62B2202/70", "B62B2206/006"]
    assert (pub["publication_date"], pub["filing_date"]) == ("2021-10-19", "2018-12-26")
    assert pub["application_number"] == "US16232658"
    assert pub["claims"]["en"].startswith("1. A wheeled hand truck comprising: (a) a footplate")
    assert "hand truck" in pub["abstracts"]["en"] and pub["sources"] == ["uspto_bulk"]


def test_uspto_applications_v4_5_and_v4_6_of_2025(site):
    ingest(site, fixture("uspto", "application_v4-5_US20220159901A1.xml"))
    ingest(site, fixture("uspto", "ipa251002_fragment_v4-6.xml"))
    seed = site.publication("US-20220159901-A1")
    assert (
        seed["doc_type"] == "application"
        and seed["titles"]["en"] == "SEED DISTRIBUTOR USED FOR AGRICULTURAL MACHINES"
    )
    assert (seed["ipc"], seed["cpc"], seed["publication_date"]) == (["A01C7/04"], ["A01C7/04"], "2022-05-26")
    assert seed["applicants"] == ["Ariel Alberto Antonio Spinsanti"] and seed["claims"]["en"]
    shovel = site.publication("US-20250301933-A1")
    assert shovel["titles"] == {"en": "SPRING ACTION SHOVEL"} and shovel["applicants"] == ["TITUS LOGAN"]
    assert (shovel["cpc"], shovel["publication_date"], shovel["filing_date"]) == (
        ["A01B1/02", "B25G1/01"],
        "2025-10-02",
        "2024-03-26",
    )
    assert shovel["claims"]["en"].startswith("1. A spring action shovel comprising")


def test_uspto_pre_2005_formats_pap_1_5_and_st32_2_5(site):
    out = ingest(
        site,
        fixture("uspto", "application_pap-v1-5_US20010000001A1.xml"),
        fixture("uspto", "grant_st32-v2-5_USD452599S.xml"),
    )
    assert "2 new" in out
    first = site.publication("US-20010000001-A1")  # the first US pre-grant publication, 2001
    assert first["titles"]["en"].startswith("Solvent mixture for use in a vapor degreaser")
    assert (first["ipc"], first["publication_date"], first["filing_date"]) == (
        ["B08B3/00"],
        "2001-03-15",
        "2000-11-29",
    )
    assert "degreaser" in first["abstracts"]["en"]
    design = site.publication("US-D452599-S")
    assert (
        design["doc_type"] == "design"
        and design["titles"]["en"] == "Confection item in the form of a tied braid"
    )
    assert (design["applicants"], design["priority_claims"], design["publication_date"]) == (
        ["Ute Rossi-Wolter"],
        ["DE40002946"],
        "2002-01-01",
    )


def test_uspto_weekly_fragment_then_the_same_zipped_adds_nothing(site):
    out = ingest(site, fixture("uspto", "ipg060103_fragment.xml"))
    assert "3 new, 0 merged, 0 unchanged, 0 quarantined, 1 skipped (not patent documents)" in out
    assert "4 document(s) read" in out  # three grants and one sequence listing, each counted once
    assert site.ids() == {"US-D513425-S", "US-6981431-B2", "US-6981920-B1"}
    cork = site.publication("US-6981431-B2")
    assert cork["titles"]["en"].startswith("Cork extractor for corks of bottles of champagne")
    assert (cork["inventors"], cork["priority_claims"], cork["publication_date"]) == (
        ["Ralph Krämer"],
        ["DE10246716"],
        "2006-01-03",
    )
    assert site.publication("US-D513425-S")["titles"]["en"] == "Skateboard"
    again = ingest(site, fixture("uspto", "ipg060103.zip"))
    assert "0 new, 0 merged, 3 unchanged, 0 quarantined, 1 skipped" in again
    assert len(site.ids()) == 3


def test_uspto_cut_files_and_error_pages_are_quarantined_with_their_reason(site, tmp_path):
    fragment = fixture("uspto", "ipg060103_fragment.xml").read_bytes()
    (tmp_path / "cut.xml").write_bytes(fragment[:30000])  # ends inside the second document
    (tmp_path / "cut.zip").write_bytes(fixture("uspto", "ipg060103.zip").read_bytes()[:5000])
    (tmp_path / "ipg060110.xml").write_text("<!DOCTYPE html><html><body><h1>503</h1></body></html>")
    out = ingest(site, tmp_path / "cut.xml", tmp_path / "cut.zip", tmp_path / "ipg060110.xml")
    assert "1 new, 0 merged, 1 unchanged, 3 quarantined" in out
    assert site.ids() == {"US-D513425-S"}  # the whole first document of each cut file lands
    reasons = quarantine_reasons(site)
    assert "root element <us-patent-grant> never closes" in reasons["cut.xml:2"]
    assert "zip member truncated" in reasons["cut.zip!ipg060103.xml:2"]
    assert "an HTML page" in reasons["ipg060110.xml"]
    assert site.json("status", "--json")["quarantined"] == 3


def test_ep_a1_titles_in_three_languages_abstract_and_claims(site):
    ingest(site, fixture("ep", "EP3782854A1_v1-5.xml"))
    pub = site.publication("EP-3782854-A1")
    assert pub["titles"] == {
        "de": "FAHRZEUGMONTIERTE ANZEIGEANORDNUNG UND FAHRZEUG",
        "en": "VEHICLE-MOUNTED DISPLAY ASSEMBLY AND VEHICLE",
        "fr": "ENSEMBLE D'AFFICHAGE MONTÉ SUR VÉHICULE ET VÉHICULE",
    }
    assert pub["applicants"] == [
        "BOE TECHNOLOGY GROUP CO., LTD.",
        "Chengdu BOE Optoelectronics Technology Co., Ltd.",
    ]
    assert (pub["ipc"], pub["priority_claims"], pub["application_number"]) == (
        ["B60R7/06", "B60N3/12"],
        ["CN201810358967"],
        "18877305.5",
    )
    assert (pub["publication_date"], pub["filing_date"], pub["priority_date"]) == (
        "2021-02-24",
        "2018-10-29",
        "2018-04-20",
    )
    assert pub["abstracts"]["en"].startswith("This disclosure relates to a vehicular display assembly")
    assert pub["claims"]["en"].startswith("A vehicular display assembly, comprising: a storage box")
    assert (pub["doc_type"], pub["lang"], pub["sources"]) == ("application", "en", ["ep_publication_server"])


def test_ep_b1_claims_in_de_en_fr(site):
    ingest(site, fixture("ep", "EP3383757B1_v1-5-1.xml"))
    pub = site.publication("EP-3383757-B1")
    assert (
        pub["doc_type"] == "grant"
        and pub["titles"]["en"] == "SCREW-TYPE CLOSURE SYSTEMS WITH MAGNETIC FEATURE"
    )
    assert pub["claims"]["en"].startswith("A container-closure system comprising: a container (1)")
    assert pub["claims"]["de"].startswith("Behälter-Verschlusssystem, umfassend: einen Behälter (1)")
    assert pub["claims"]["fr"].startswith("Système de fermeture de contenant comprenant")
    assert pub["applicants"] == ["ELC Management LLC"] and pub["ipc"][0] == "B65D51/18"


def test_ep_real_file_that_is_not_well_formed_is_repaired_with_a_warning(site):
    out = ingest(site, fixture("ep", "EP560858A1_v1-4_not_well_formed.xml"))
    assert "1 new" in out and "0 quarantined" in out
    pub = site.publication("EP-560858-A1")
    assert pub["titles"]["de"] == "DÜSEVORRICHTUNG ZUM VERHINDERN DES RÜCKFLÜSSES"
    assert pub["applicants"] == ["DMW (TECHNOLOGY) LIMITED"] and pub["publication_date"] == "1993-09-22"
    assert pub["priority_claims"] == ["GB19900026298", "GB19910009072"]


def test_ep_cut_document_and_entity_declaration_are_quarantined(site, tmp_path):
    whole = fixture("ep", "EP3383757B1_v1-5-1.xml").read_bytes()
    (tmp_path / "cut.xml").write_bytes(whole[:20000])
    doctype = b'<!DOCTYPE ep-patent-document PUBLIC "-//EPO//EP PATENT DOCUMENT 1.5//EN" "ep-patent-document-v1-5.dtd">'
    a1 = fixture("ep", "EP3782854A1_v1-5.xml").read_bytes()
    assert doctype in a1
    entity = b'<!DOCTYPE ep-patent-document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    (tmp_path / "xxe.xml").write_bytes(a1.replace(doctype, entity))
    out = ingest(site, tmp_path / "cut.xml", tmp_path / "xxe.xml", code=1)
    assert "0 new" in out and "2 quarantined" in out
    reasons = quarantine_reasons(site)
    assert "Premature end of data" in reasons["cut.xml"]
    assert "document declares XML entities (possible XXE" in reasons["xxe.xml"]
    assert "/etc/passwd" not in site.run("status").output and not site.ids()


def test_ops_search_with_biblio_constituent_family_ids_and_languages(site):
    ingest(site, fixture("ops", "search_constituent_biblio_pa_siemens.xml"))
    rows = site.rows("SELECT id, family_id, titles, applicants, cpc FROM publications ORDER BY id")
    assert [(r["id"], r["family_id"]) for r in rows] == [
        ("AU-2024265697-A1", "86763335"),
        ("AU-2024270787-A1", "86386685"),
        ("DK-3740998-T3", "61256235"),
    ]
    danish = rows[2]
    assert danish["titles"] == {"da": "ENERGILAGRINGSSYSTEM"} and danish["applicants"] == [
        "SIEMENS ENERGY AS"
    ]
    assert "H01M10/613" in danish["cpc"]
    assert rows[1]["titles"]["en"] == "MONITORING THE OPERATION OF A WIND TURBINE"


def test_ops_biblio_and_family_merge_into_one_record_per_publication(site):
    ingest(site, fixture("ops", "biblio_EP2400812A1.xml"))
    a1 = site.publication("EP-2400812-A1")
    assert a1["titles"] == {
        "de": "BLUETOOTH-VERNETZUNG",
        "fr": "MISE EN RÉSEAU BLUETOOTH",
        "en": "BLUETOOTH NETWORKING",
    }
    assert (a1["applicants"], a1["family_id"], a1["cpc"]) == (
        ["9SOLUTIONS OY"],
        "43088294",
        ["H04W84/20", "H04W88/04"],
    )
    out = ingest(site, fixture("ops", "family_biblio_EP2400812_cut.xml"))
    assert "2 new" in out and "1 unchanged" in out  # the A1 again, from its family
    family = site.rows(
        "SELECT id, doc_type, publication_date FROM publications WHERE family_id = '43088294' ORDER BY id"
    )
    assert [(r["id"], r["doc_type"], r["publication_date"]) for r in family] == [
        ("CA-2744162-A1", "application", "2011-12-24"),
        ("EP-2400812-A1", "application", "2011-12-28"),
        ("EP-2400812-B1", "grant", "2019-11-27"),
    ]
    assert site.publication("CA-2744162-A1")["titles"]["fr"] == "RESEAUTAGE PAR LIEN BLUETOOTH"


def test_ops_fault_body_is_quarantined_and_a_legal_reply_holds_no_document(site):
    out = ingest(site, fixture("ops", "fault_404.xml"), code=1)
    assert "1 quarantined" in out and "no patent document in the files given" in out
    (row,) = site.rows("SELECT reason FROM quarantine")
    assert "XML of no patent format the service knows" in row["reason"]
    legal = ingest(site, fixture("ops", "legal_EP2400812_cut.xml"), code=1)
    assert "no document in it" in legal and not site.ids()


def test_patentscope_result_list_saved_as_csv(site):
    out = ingest(site, fixture("exports", "patentscope_pizza_2012_2015_cut.csv"))
    assert "8 new" in out and "0 quarantined" in out
    assert site.ids() == {
        "US-20150376176", "WO-2015197496", "EP-2958433", "KR-1020150106121",
        "BR-PI0907843", "CN-104742176", "CA-2889349", "JP-2014237721",
    }  # fmt: skip
    frozen = site.publication("EP-2958433")
    assert frozen["titles"] == {"en": "FROZEN PIZZA PREPARATION PACKAGE AND METHOD"}
    assert (frozen["publication_date"], frozen["priority_date"]) == ("2015-12-30", "2013-02-25")
    assert frozen["priority_claims"][:2] == ["US201314073949", "US201361768603"]
    assert frozen["inventors"] == ["WEINSTEIN MICHAEL", "WEINSTEIN ROBERT E"]
    sweet = site.publication("US-20150376176")
    assert sweet["ipc"] == ["C07D417/12", "A23L1/226", "C07D498/04", "C07D473/00", "C07D417/14", "C07D471/04"]
    assert site.publication("BR-PI0907843")["titles"]["en"] == "polipeptídeos de fhbp menigocócicos"
    assert site.publication("CN-104742176")["ipc"] == ["B26D1/30", "B26D7/26"]


def test_lens_csv_export_with_a_row_that_is_not_utf8(site):
    out = ingest(site, fixture("exports", "lens_pizza_cut.csv"))
    assert "6 new" in out and "0 quarantined" in out
    hut = site.publication("US-20130101709-A1")
    assert (hut["titles"], hut["applicants"], hut["publication_date"]) == (
        {"en": "METHOD AND SYSTEM FOR ASSEMBLING A PIZZA"},
        ["PIZZA HUT INC"],
        "2013-04-25",
    )
    assert (hut["cpc"], hut["priority_claims"]) == (["A23L1/0067", "G01G19/00"], ["US201161550506"])
    assert site.publication("JP-S56154944-A")["ipc"] == ["A23L1/48", "A21D6/00", "A21D13/00", "A21D13/08"]
    assert site.publication("KR-200174584-Y1")["applicants"] == [
        "HANKUK PACKAGE CO LTD",
        "KOREA PIZZA HUT CO LTD",
    ]
    mojibake = site.publication("KR-200477500-Y1")  # its applicant is in a legacy encoding: kept, not lost
    assert mojibake["titles"] == {"en": "Pizza Container"} and mojibake["cpc"] == []
    assert mojibake["ipc"] == ["B65D5/38", "B65D5/44", "B65D85/36"]


def test_lens_jsonl_export(site):
    out = ingest(site, fixture("exports", "lens_covid_cut.jsonl"))
    assert "7 new" in out
    wo = site.publication("WO-2008155316-A1")
    assert wo["titles"]["en"] == "Immunogenic Compositions Associated With Sars Corona Virus Spike Protein"
    assert (wo["publication_date"], wo["priority_claims"]) == ("2008-12-24", ["GB0711858"])
    assert "GLAXOSMITHKLINE BIOLOG SA" in wo["applicants"] and len(wo["cpc"]) == 9
    assert {i.split("-")[0] for i in site.ids()} == {"WO", "US", "EP", "JP", "CN", "KR", "BR"}
    assert site.publication("BR-PI0510148-A")["titles"]["en"] == "Vacina Para Doença Peridental"


def test_india_journal_grant_list_and_the_rows_of_another_table_among_it(site):
    out = ingest(site, fixture("exports", "ipo_india_grants_2018_2019_cut.csv"))
    assert "5 new, 0 merged, 0 unchanged, 2 quarantined" in out
    assert site.ids() == {"IN-325016-B", "IN-315738-B", "IN-318004-B", "IN-312463-B", "IN-300255-B"}
    sharp = site.publication("IN-325016-B")
    assert (sharp["country"], sharp["number"], sharp["kind"], sharp["doc_type"]) == (
        "IN",
        "325016",
        "B",
        "grant",
    )
    assert sharp["titles"]["en"].startswith("A ROLLER NANOIMPRINT APPARATUS") and sharp["lang"] == "en"
    assert sharp["applicants"] == ["SHARP KABUSHIKI KAISHA"]
    assert sharp["application_number"] == "3358/DELNP/2010"
    # published in journal 47/2019 of 22 November 2019: the grant's date, which opposition runs from
    assert (sharp["publication_date"], sharp["filing_date"], sharp["priority_date"]) == (
        "2019-11-22",
        "2008-11-19",
        "2008-02-27",
    )
    assert site.publication("IN-318004-B")["publication_date"] == "2019-08-16"  # "33/2019 16/08/2019"
    assert site.publication("IN-312463-B")["priority_date"] is None
    # quotes the PDF extraction left around titles (mojibake, or CSV-quoted) are not part of them
    assert site.publication("IN-300255-B")["titles"]["en"] == "MOTORCYCLE HANDLEBAR LOCK SYSTEM"
    assert site.publication("IN-315738-B")["titles"]["en"] == "A BACKSHEET FOR PHOTOVOLTAIC MODULES"
    reasons = quarantine_reasons(site)
    assert len(reasons) == 2 and "Patent Number 'DELHI' is not an Indian patent number" in "".join(
        reasons.values()
    )
    again = ingest(site, fixture("exports", "ipo_india_grants_2018_2019_cut.csv"))
    assert "0 new, 0 merged, 5 unchanged" in again


def test_an_india_grant_carries_its_post_grant_opposition_window(site):
    ingest(site, fixture("exports", "ipo_india_grants_2018_2019_cut.csv"))
    out = site.run("risks", "open", "IN325016B", "--enterprise", "Acme Motor").output
    assert "in-post-grant-opposition" in out and "2020-11-22" in out  # one year from 22 Nov 2019


def test_labelled_jsonl_is_also_a_store_input(site):
    out = ingest(site, fixture("labels", "medical_train.jsonl"), fixture("labels", "medical_test.jsonl"))
    assert "52 new" in out and "0 quarantined" in out
    catheter = site.publication("US-10780248")
    assert catheter["titles"]["en"] == "Radial and trans-endocardial delivery catheter"
    assert catheter["abstracts"]["en"] and any(c.startswith("A61") for c in catheter["ipc"])
    assert catheter["sources"] == ["jsonl"]


def test_a_broken_xls_workbook_is_quarantined_and_the_batch_goes_on(site, tmp_path):
    # No .xls fixture: the venv has no .xls writer to cut a real workbook faithfully. This one is
    # an OLE2 signature and nothing after it, as a download cut after its first bytes would be.
    (tmp_path / "results.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    result = site.run(
        "ingest", str(tmp_path / "results.xls"), str(fixture("ep", "EP3782854A1_v1-5.xml")), code=None
    )
    assert result.exit_code == 0 and "1 new" in result.output and "1 quarantined" in result.output
    assert "results.xls" in quarantine_reasons(site) and site.ids() == {"EP-3782854-A1"}
