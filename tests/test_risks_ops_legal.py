"""The OPS INPADOC legal parser on the real responses in ../shared/corpus."""

from __future__ import annotations

from collections import Counter

import pytest

from warning.errors import ParseError
from warning.models import LegalEvent
from warning.sources.epo_ops.legal import parse_family_members, parse_legal_events


def load(corpus, folder, *name):
    return parse_legal_events(corpus(folder, *name).read_bytes())


def test_legal_response_of_ep2400812(corpus):
    events = load(corpus, "epo-ops-patent-dev", "get_legal__response.xml")
    assert len(events) == 69
    assert {e.publication_id for e in events} == {"EP-2400812-A1"}
    first = events[0]
    assert first == LegalEvent(
        publication_id="EP-2400812-A1",
        date="2011-12-28",
        code="AK",
        description="DESIGNATED CONTRACTING STATES; Kind Code of Ref Document: A1; Designated State(s): AL AT BE BG "
        "CH CY CZ DE DK EE ES FI FR GB GR HR HU IE IS IT LI LT LU LV MC MK MT NL NO PL PT RO SE SI SK SM TR",
        category="designation",
        country="EP",
    )
    grant = [e for e in events if e.category == "grant"]
    assert [(e.date, e.code, e.granted_kind()) for e in grant] == [("2019-11-27", "AK", "B1")]
    lapses = [e for e in events if e.code == "PG25"]
    assert len(lapses) == 32 and all(e.category == "lapse" for e in lapses)
    bg = next(e for e in lapses if e.country == "BG")
    assert bg.date == "2020-05-01"
    assert "LAPSE BECAUSE OF FAILURE TO SUBMIT A TRANSLATION" in bg.description
    assert "Effective DATE: 20200227" in bg.description
    national = next(e for e in events if e.code == "REG" and e.country == "GB")
    assert national.category == "national" and "FG4D (EUROPEAN PATENT GRANTED)" in national.description
    no_opposition = {e.code: e.date for e in events if e.category == "no-opposition"}
    assert no_opposition == {"26N": "2020-11-04", "PLBE": "2020-10-02"}
    assert Counter(e.category for e in events)["grant-intended"] == 4  # INTG, GRAP, GRAS, GRAA


def test_same_code_same_day_events_stay_distinct(corpus):
    events = load(corpus, "epo-ops-patent-dev", "get_legal__response.xml")
    keys = {(e.publication_id, e.date, e.code, e.country, e.description) for e in events}
    assert len(keys) == len(events)
    same_day = [e for e in events if e.code == "PG25" and e.date == "2020-05-01"]
    assert sorted(e.country for e in same_day) == ["BG", "ES", "GR", "LT", "LV", "NL", "NO"]


def test_multiple_response_matches_single(corpus):
    single = load(corpus, "epo-ops-patent-dev", "get_legal__response.xml")
    multiple = load(corpus, "epo-ops-patent-dev", "get_legal_multiple__response.xml")
    assert multiple == single


def test_family_with_legal_has_events_of_every_member(corpus):
    events = load(corpus, "epo-ops-patent-dev", "get_family_with_legal__response.xml")
    by_pub = Counter(e.publication_id for e in events)
    assert by_pub == {"EP-2400812-A1": 69, "US-20120057518-A1": 5, "CA-2744162-A1": 1}
    ca = next(e for e in events if e.publication_id == "CA-2744162-A1")
    assert (ca.date, ca.code, ca.category, ca.country) == ("2017-08-06", "FZDE", "lapse", "CA")
    us_grant = next(e for e in events if e.publication_id == "US-20120057518-A1" and e.category == "grant")
    assert (us_grant.date, us_grant.code) == ("2017-04-19", "STCF")
    members = parse_family_members(
        corpus("epo-ops-patent-dev", "get_family_with_legal__response.xml").read_bytes()
    )
    assert members == [
        "EP-2400812-A1",
        "EP-2400812-B1",
        "CA-2744162-A1",
        "US-20120057518-A1",
        "US-9648662-B2",
    ]


def test_family_without_legal_has_no_events(corpus):
    assert load(corpus, "epo-ops-patent-dev", "get_family_with_legal_multiple__response.xml") == []


def test_us_legal_with_pgr_and_ipr(corpus):
    events = load(corpus, "epo-ops-patent_client", "fixtures", "legal__fixtures__example_3.xml")
    assert len(events) == 14 and {e.publication_id for e in events} == {"US-10465445-B2"}
    reviews = [(e.date, e.code) for e in events if e.category == "opposition"]
    assert reviews == [("2020-09-15", "PGR"), ("2020-09-15", "PGR"), ("2020-10-27", "IPR")]
    ipr = next(e for e in events if e.code == "IPR")
    assert (
        "TRIAL NO: IPR2020-01615" in ipr.description
        and "OPPONENT: NINE ENERGY SERVICE, INC." in ipr.description
    )
    transfer = [e for e in events if e.category == "transfer"]
    assert transfer[0].description.startswith("ASSIGNMENT; OWNER: NCS OILFIELD SERVICES CANADA")


@pytest.mark.parametrize("name", ["legal__fixtures__example_1.xml", "legal__fixtures__example_2.xml"])
def test_patent_client_legal_fixtures(corpus, name):
    events = load(corpus, "epo-ops-patent_client", "fixtures", name)
    assert len(events) in (50, 51)
    assert {e.publication_id for e in events} == {"EP-1000000-A1"}
    assert all(len(e.date) == 10 and e.date[4] == "-" for e in events)
    gb_lapse = next(e for e in events if e.code == "GBPC")
    assert (gb_lapse.date, gb_lapse.category) == ("2011-07-27", "lapse")


def test_cassette_legal_response(corpus):
    events = load(corpus, "epo-ops-patent_client", "cassette_responses", "test_async_example__00.xml")
    assert len(events) == 50 and events[0].publication_id == "EP-1000000-A1"


def test_not_an_ops_response_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_legal_events(b"<html><body>502 Bad Gateway</body></html>")
    with pytest.raises(ParseError):
        parse_legal_events(b"<other/>")
    with pytest.raises(ParseError):
        parse_legal_events(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")
