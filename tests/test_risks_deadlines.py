"""Every deadline rule with known dates, month ends, and the real OPS events that confirm them."""

from __future__ import annotations

import pytest

from warning.models import GRANT, LegalEvent, Publication
from warning.risks.deadlines import RULES, Facts, compute_deadlines, parse_day
from warning.sources.epo_ops.legal import parse_legal_events


def pub(pid: str, date: str, doc_type: str = GRANT, **extra) -> Publication:
    country, number, kind = pid.split("-")
    return Publication(
        id=pid, country=country, number=number, kind=kind, doc_type=doc_type, publication_date=date, **extra
    )


def deadlines(publication: Publication, related=(), events=()) -> dict[str, str]:
    return {d.kind: d.date for d in compute_deadlines(Facts(publication, tuple(related), tuple(events)))}


@pytest.mark.parametrize(
    "publication, kind, expected",
    [
        # EP: nine months from the B1 (mention of grant), Art. 99(1) EPC
        (pub("EP-3383757-B1", "2021-03-17"), "ep-opposition", "2021-12-17"),
        (pub("EP-3000000-B1", "2021-05-31"), "ep-opposition", "2022-02-28"),  # no 31 February
        (pub("EP-3000001-B1", "2023-05-31"), "ep-opposition", "2024-02-29"),  # leap year
        (pub("EP-3000002-B1", "20210630"), "ep-opposition", "2022-03-30"),  # compact date
        # US: PGR nine months from grant for AIA patents, 35 U.S.C. 321(c)
        (pub("US-10465445-B2", "2019-11-05", filing_date="2018-03-13"), "us-post-grant-review", "2020-08-05"),
        (pub("US-11000000-B1", "2021-05-31", filing_date="2019-01-02"), "us-post-grant-review", "2022-02-28"),
        (pub("US-40000-E", "2022-01-04", filing_date="2020-06-01"), "us-post-grant-review", "2022-10-04"),
        # US: preissuance submission six months after the pre-grant publication, 35 U.S.C. 122(e)
        (
            pub("US-20240123456-A1", "2024-01-31", doc_type="application"),
            "us-preissuance-submission",
            "2024-07-31",
        ),
        (
            pub("US-20230000001-A1", "2023-08-31", doc_type="application"),
            "us-preissuance-submission",
            "2024-02-29",
        ),
        # JP: opposition six months from the gazette, Patent Act Art. 113
        (pub("JP-7000000-B2", "2020-08-31"), "jp-opposition", "2021-02-28"),
        (pub("JP-7000001-B1", "2024-03-06"), "jp-opposition", "2024-09-06"),
        # KR: cancellation request six months from registration publication, Art. 132-2
        (pub("KR-102000000-B1", "2022-08-31"), "kr-cancellation", "2023-02-28"),
        # IN: post-grant opposition one year from publication of grant, s. 25(2)
        (pub("IN-400000-B", "2024-02-29"), "in-post-grant-opposition", "2025-02-28"),
        # BR: administrative nullity six months from grant, Law 9.279/1996 Art. 51
        (pub("BR-112019000000-B1", "2023-10-31"), "br-administrative-nullity", "2024-04-30"),
        (pub("BR-202019000000-Y1", "2023-01-10"), "br-administrative-nullity", "2023-07-10"),
    ],
)
def test_rule_with_known_dates(publication, kind, expected):
    assert deadlines(publication)[kind] == expected


def test_pct_national_phase_runs_from_priority():
    wo = pub("WO-2024123456-A1", "2024-09-19", doc_type="application", priority_date="2023-03-31")
    assert deadlines(wo) == {"pct-national-phase": "2025-09-30"}


def test_every_rule_is_exercised_by_a_test_above():
    tested = {
        "ep-opposition",
        "us-post-grant-review",
        "us-preissuance-submission",
        "jp-opposition",
        "kr-cancellation",
        "in-post-grant-opposition",
        "br-administrative-nullity",
        "pct-national-phase",
    }
    assert {r.kind for r in RULES} == tested
    assert all(r.basis and r.label_zh and r.label_en for r in RULES)


def test_no_deadline_where_no_rule_applies():
    assert deadlines(pub("EP-4123456-A1", "2024-01-03", doc_type="application")) == {}
    assert deadlines(pub("CN-117000000-A", "2024-01-03", doc_type="application")) == {}
    assert deadlines(pub("CN-217000000-U", "2024-01-03")) == {}  # CN invalidation has no period
    # A B2 is the specification maintained after opposition: it opens no new opposition period.
    assert "ep-opposition" not in deadlines(pub("EP-2716170-B2", "2021-09-22"))
    # Pre-AIA US patents cannot be challenged by PGR.
    assert deadlines(pub("US-9648662-B2", "2017-05-09", filing_date="2011-06-23")) == {}


def test_ep_application_takes_grant_date_from_stored_b1():
    a1 = pub("EP-3383757-A1", "2018-10-10", doc_type="application")
    b1 = pub("EP-3383757-B1", "2021-07-07")
    assert deadlines(a1, related=[b1]) == {"ep-opposition": "2022-04-07"}


def test_us_preissuance_later_first_rejection_and_allowance():
    a1 = pub("US-20240123456-A1", "2024-01-31", doc_type="application")
    rejection = LegalEvent(a1.id, "2024-09-10", "STPP", "STATUS; Free Format Text: NON FINAL ACTION MAILED")
    allowance = LegalEvent(
        a1.id, "2024-05-02", "STPP", "STATUS; Free Format Text: NOTICE OF ALLOWANCE MAILED"
    )
    assert deadlines(a1, events=[rejection]) == {"us-preissuance-submission": "2024-09-10"}
    assert deadlines(a1, events=[rejection, allowance]) == {"us-preissuance-submission": "2024-05-02"}


def test_real_ops_events_give_ep_grant_date_confirmed_by_no_opposition(corpus):
    """EP 2400812: B1 mentioned 2019-11-27; INPADOC's 26N 'no opposition' takes effect the day after."""
    events = parse_legal_events(corpus("epo-ops-patent-dev", "get_legal__response.xml").read_bytes())
    a1 = pub("EP-2400812-A1", "2011-12-28", doc_type="application")
    assert deadlines(a1, events=events) == {"ep-opposition": "2020-08-27"}
    no_opposition = next(e for e in events if e.code == "26N")
    assert "Effective DATE: 20200828" in no_opposition.description


def test_real_ops_events_without_kind_fall_back_to_national_grant(corpus):
    """EP 1000000 (old records: AK without kind code): the first FG4D 'European patent granted'."""
    path = corpus("epo-ops-patent_client", "fixtures", "legal__fixtures__example_1.xml")
    events = parse_legal_events(path.read_bytes())
    a1 = pub("EP-1000000-A1", "2000-05-17", doc_type="application")
    assert deadlines(a1, events=events) == {"ep-opposition": "2003-11-12"}
    assert any(e.code == "26N" and "20031113" in e.description for e in events)


def test_real_us_pgr_filed_on_the_last_day(corpus):
    """US 10465445 B2 (granted 2019-11-05): PGR2020-00077/78 took effect 2020-08-05, the last day."""
    events = parse_legal_events(
        corpus("epo-ops-patent_client", "fixtures", "legal__fixtures__example_3.xml").read_bytes()
    )
    b2 = pub("US-10465445-B2", "2019-11-05", filing_date="2018-03-13", priority_date="2013-06-28")
    assert deadlines(b2, events=events)["us-post-grant-review"] == "2020-08-05"
    pgr = [e for e in events if e.code == "PGR"]
    assert pgr and all("Effective DATE: 20200805" in e.description for e in pgr)


def test_parse_day_accepts_both_spellings_and_rejects_nonsense():
    assert parse_day("2021-03-17").isoformat() == "2021-03-17"
    assert parse_day("20210317").isoformat() == "2021-03-17"
    assert parse_day("2021-02-30") is None
    assert parse_day("") is None
    assert parse_day(None) is None
