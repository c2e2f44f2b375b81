"""Risk cases on real publications: open, deadlines, legal events from real OPS responses, history."""

from __future__ import annotations

import json

import pytest

from warning.app import App
from warning.config.loading import load_config
from warning.models import Publication
from warning.risks import CaseError, auto_open_cases, close_case, open_case, refresh_legal_status, update_case
from warning.sources.ep_server.parser import parse_ep_document
from warning.sources.epo_ops.legal import parse_legal_events
from warning.sources.ingest import IngestResult, store_items
from warning.store import legal_events as legal_store
from warning.store import risks as store
from warning.store.matches import record_batch
from warning.store.publications import save_publications

CONFIG = """
[smtp]
host = "localhost"

[[subscribers]]
name = "acme-motor"
language = "zh"
email = ["ip@acme.example"]
file = "outbox.jsonl"

[[subscribers]]
name = "programme"
language = "en"
email = ["escort@programme.example"]

[risks]
reminder_days = [30, 7, 1]
default_owner = "programme"

[[risks.auto_open]]
min_score = 0.9
competitor = true
countries = ["US", "EP"]
enterprise = "Acme Motor 爱克摩托"
owner = "acme-motor"
severity = "high"
"""


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    application = App(config=load_config(path), db_path=tmp_path / "risks.db")
    yield application
    application.close()


def ingest_ep(app, corpus, name):
    data = corpus("epo-eps-xml", "go-epo-eps", name).read_bytes()
    result = IngestResult()
    store_items(app.db, parse_ep_document(data, name), result)
    assert result.saved.inserted == 1


def save(app, *pubs: Publication):
    save_publications(app.db, pubs)


def ep2400812(kind="A1", date="2011-12-28", family_id="43088294"):
    return Publication(
        id=f"EP-2400812-{kind}",
        country="EP",
        number="2400812",
        kind=kind,
        publication_date=date,
        family_id=family_id,
        titles={"en": "Mobile gateway"},
    )


def fetch_from(corpus, *name):
    events = parse_legal_events(corpus(*name).read_bytes())
    return lambda publication_id: events


def test_case_on_real_ep_b1_shows_its_opposition_deadline(app, corpus):
    ingest_ep(app, corpus, "grant__v1-5-1-B1.xml")  # EP 3383757 B1, mention of grant 2021-07-07
    case_id = open_case(
        app.db,
        "EP3383757B1",
        "Acme Motor 爱克摩托",
        watchlist="packaging",
        owner="acme-motor",
        severity="high",
        reason="claims cover our closure",
        who="li",
    )
    case = store.get_case(app.db, case_id)
    assert (case["publication_id"], case["country"], case["status"]) == ("EP-3383757-B1", "EP", "new")
    assert (
        case["enterprises"] == ["Acme Motor 爱克摩托"]
        and case["severity_reason"] == "claims cover our closure"
    )
    deadlines = store.case_deadlines(app.db, case_id)
    assert [(d["kind"], d["date"], d["basis"]) for d in deadlines] == [
        ("ep-opposition", "2022-04-07", "Art. 99(1) EPC")
    ]
    history = store.case_history(app.db, case_id)
    assert [(h["who"], h["field"]) for h in history] == [
        ("li", "opened"),
        ("system", "deadline:ep-opposition"),
    ]


def test_b2_publication_gets_no_opposition_period(app, corpus):
    ingest_ep(app, corpus, "grant__v1-5-1-B2.xml")
    case_id = open_case(app.db, "EP-2716170-B2", "Acme")
    assert store.case_deadlines(app.db, case_id) == []


def test_unknown_publication_and_bad_values_are_refused(app):
    with pytest.raises(CaseError, match="no such publication"):
        open_case(app.db, "EP-1-B1", "Acme")
    save(app, ep2400812())
    with pytest.raises(CaseError, match="severity"):
        open_case(app.db, "EP-2400812-A1", "Acme", severity="urgent")
    with pytest.raises(CaseError, match="enterprise"):
        open_case(app.db, "EP-2400812-A1", " ")
    case_id = open_case(app.db, "EP-2400812-A1", "Acme")
    with pytest.raises(CaseError, match="action must be one of"):
        update_case(app.db, case_id, action="sue")
    with pytest.raises(CaseError, match="no risk case 999"):
        update_case(app.db, 999, status="assessing")


def test_second_enterprise_joins_the_open_case(app):
    save(app, ep2400812())
    first = open_case(app.db, "EP-2400812-A1", "Acme", watchlist="telecom")
    second = open_case(app.db, "EP 2400812 A1", ["Beta Lighting", "Acme"], watchlist="telecom", who="wang")
    assert second == first
    assert store.get_case(app.db, first)["enterprises"] == ["Acme", "Beta Lighting"]
    other_line = open_case(app.db, "EP-2400812-A1", "Acme", watchlist="vehicles")
    assert other_line != first


def test_updates_and_close_are_kept_in_history(app):
    save(app, ep2400812())
    case_id = open_case(app.db, "EP-2400812-A1", "Acme", who="li")
    update_case(app.db, case_id, who="wang", status="assessing", owner="acme-motor", note="counsel asked")
    update_case(app.db, case_id, who="wang", action="opposition", status="action")
    close_case(app.db, case_id, "opposition filed; patent revoked", who="zhao")
    case = store.get_case(app.db, case_id)
    assert (case["status"], case["action"], case["outcome"]) == (
        "closed",
        "opposition",
        "opposition filed; patent revoked",
    )
    assert case["closed_at"]
    changes = [
        (h["who"], h["field"], h["old"], h["new"], h["note"]) for h in store.case_history(app.db, case_id)
    ]
    assert ("wang", "status", "new", "assessing", "") in changes
    assert ("wang", "owner", "", "acme-motor", "") in changes
    assert ("wang", "note", "", "", "counsel asked") in changes
    assert ("wang", "action", "", "opposition", "") in changes
    assert ("zhao", "status", "action", "closed", "") in changes
    assert ("zhao", "outcome", "", "opposition filed; patent revoked", "") in changes
    with pytest.raises(CaseError, match="outcome"):
        close_case(app.db, case_id, "  ")


def test_real_ops_legal_events_update_the_case(app, corpus):
    save(app, ep2400812())
    case_id = open_case(app.db, "EP-2400812-A1", "Acme", owner="acme-motor")
    assert store.case_deadlines(app.db, case_id) == []  # an A1 alone has no opposition period
    fetch = fetch_from(corpus, "epo-ops-patent-dev", "get_family_with_legal__response.xml")
    counts = refresh_legal_status(app, fetch=fetch)
    assert counts == {"cases": 1, "failed": 0, "events": 75, "new_events": 75, "changes": 5, "notified": 2}
    deadlines = store.case_deadlines(app.db, case_id)
    assert [(d["kind"], d["date"]) for d in deadlines] == [("ep-opposition", "2020-08-27")]
    fields = {h["field"]: h for h in store.case_history(app.db, case_id)}
    assert fields["legal:grant"]["new"] == "2019-11-27 AK"
    assert fields["legal:lapse"]["new"].startswith("2020-05-01 BG")
    assert fields["legal:no-opposition"]["new"] == "2020-10-02 PLBE"
    assert fields["legal:family"]["new"] == "CA-2744162-A1, US-20120057518-A1"
    assert (fields["deadline:ep-opposition"]["old"], fields["deadline:ep-opposition"]["new"]) == (
        "",
        "2020-08-27",
    )
    family = {f["publication_id"] for f in legal_store.case_family(app.db, case_id)}
    assert family == {"CA-2744162-A1", "US-20120057518-A1"}
    alerts = list(app.db.query("SELECT * FROM alerts ORDER BY id"))
    assert [(a["kind"], a["subscriber"], a["channel"]) for a in alerts] == [
        ("legal", "acme-motor", "email"),
        ("legal", "acme-motor", "file"),
    ]
    payload = json.loads(alerts[0]["payload"])
    assert payload["title"] == "风险案件 1 法律状态变化：EP-2400812-A1"
    assert [c["kind"] for c in payload["changes"]] == [
        "grant",
        "grant-intended",
        "no-opposition",
        "lapse",
        "family",
    ]
    assert payload["deadlines"][0]["date"] == "2020-08-27"
    # The same response again: nothing new, nothing recorded or notified twice.
    again = refresh_legal_status(app, fetch=fetch)
    assert (again["new_events"], again["changes"], again["notified"]) == (0, 0, 0)
    assert app.db["alerts"].count == 2


def test_legal_refresh_on_b1_case_uses_events_of_the_same_number(app, corpus):
    save(app, ep2400812("B1", "2019-11-27"))
    case_id = open_case(app.db, "EP-2400812-B1", "Acme")
    refresh_legal_status(app, fetch=fetch_from(corpus, "epo-ops-patent-dev", "get_legal__response.xml"))
    assert [(d["kind"], d["date"]) for d in store.case_deadlines(app.db, case_id)] == [
        ("ep-opposition", "2020-08-27")
    ]
    assert app.db["legal_events"].count == 69
    # The owner is no subscriber: the programme's default owner hears about it.
    assert {a["subscriber"] for a in app.db.query("SELECT subscriber FROM alerts")} == {"programme"}


def test_us_opposition_filed_is_recorded(app, corpus):
    save(
        app,
        Publication(
            id="US-10465445-B2",
            country="US",
            number="10465445",
            kind="B2",
            publication_date="2019-11-05",
            filing_date="2018-03-13",
        ),
    )
    case_id = open_case(app.db, "US-10465445-B2", "Acme")
    refresh_legal_status(
        app, fetch=fetch_from(corpus, "epo-ops-patent_client", "fixtures", "legal__fixtures__example_3.xml")
    )
    history = {h["field"]: h for h in store.case_history(app.db, case_id)}
    assert history["legal:opposition"]["new"] == "2020-09-15 PGR"
    assert "IPR2020-01615" in history["legal:opposition"]["note"]


def test_a_failing_fetch_does_not_stop_the_others(app):
    from warning.errors import SourceUnavailable

    save(app, ep2400812(), ep2400812("B1", "2019-11-27"))
    open_case(app.db, "EP-2400812-A1", "Acme")
    open_case(app.db, "EP-2400812-B1", "Acme")

    def fetch(publication_id):
        if publication_id.endswith("A1"):
            raise SourceUnavailable("OPS answered 503")
        return []

    assert refresh_legal_status(app, fetch=fetch)["failed"] == 1


def test_auto_open_by_rule_is_idempotent(app):
    us = Publication(
        id="US-20240123456-A1",
        country="US",
        number="20240123456",
        kind="A1",
        publication_date="2024-04-18",
        applicants=["HONDA MOTOR CO LTD"],
    )
    cn = Publication(
        id="CN-117000000-A", country="CN", number="117000000", kind="A", publication_date="2024-01-02"
    )
    save(app, us, cn)
    evidence = {"terms": [], "rules": {"competitors": ["HONDA MOTOR CO LTD"]}, "model": "rules"}
    quiet = {"terms": [], "rules": {"competitors": []}, "model": "rules"}
    stamp = "2024-04-18T10:00:00+00:00"
    record_batch(
        app.db,
        [
            (us.id, "motorcycles", 0.95, 0.5, json.dumps(evidence), "1", stamp),
            (cn.id, "motorcycles", 0.97, 0.5, json.dumps(evidence), "1", stamp),
            (us.id, "batteries", 0.99, 0.5, json.dumps(quiet), "1", stamp),
        ],
        [],
    )
    counts = auto_open_cases(app)
    assert (counts["opened"], counts["matches"]) == (1, 1)
    (case,) = store.list_cases(app.db)
    assert (case["publication_id"], case["watchlist"], case["owner"], case["severity"]) == (
        us.id,
        "motorcycles",
        "acme-motor",
        "high",
    )
    assert (
        case["severity_reason"] == "auto-open: score 0.95 >= 0.90; country US; competitor HONDA MOTOR CO LTD"
    )
    assert [d["kind"] for d in store.case_deadlines(app.db, case["id"])] == ["us-preissuance-submission"]
    assert auto_open_cases(app)["opened"] == 0
    close_case(app.db, case["id"], "dismissed: different engine layout")
    assert auto_open_cases(app)["existing"] == 1  # a dismissed risk is not reopened
    assert len(store.list_cases(app.db)) == 1


def test_auto_open_keeps_one_case_per_invention_with_each_markets_deadlines(app):
    """The US application and the EP grant of one invention (a shared priority) are one risk:
    the second joins the first's case, which then carries the US and the EP windows."""
    from warning.risks.cases import recompute_deadlines
    from warning.store.families import index_priorities

    priority = ["EP20230123456"]
    honda = ["HONDA MOTOR CO LTD"]
    us = Publication(
        id="US-20240123456-A1", country="US", number="20240123456", kind="A1",
        publication_date="2024-04-18", applicants=honda, priority_claims=priority,
    )  # fmt: skip
    ep = Publication(
        id="EP-4100000-B1", country="EP", number="4100000", kind="B1",
        publication_date="2024-06-05", applicants=honda, priority_claims=priority,
    )  # fmt: skip
    stranger = Publication(
        id="US-20240999999-A1", country="US", number="20240999999", kind="A1",
        publication_date="2024-04-18", applicants=honda,
    )  # fmt: skip
    save(app, us, ep, stranger)
    index_priorities(app.db)
    evidence = json.dumps({"terms": [], "rules": {"competitors": honda}, "model": "rules"})
    record_batch(
        app.db,
        [
            (us.id, "motorcycles", 0.95, 0.5, evidence, "1", "2024-04-18T10:00:00+00:00"),
            (ep.id, "motorcycles", 0.96, 0.5, evidence, "1", "2024-06-05T10:00:00+00:00"),
            (stranger.id, "motorcycles", 0.93, 0.5, evidence, "1", "2024-06-05T10:00:00+00:00"),
        ],
        [],
    )
    counts = auto_open_cases(app)
    assert (counts["matches"], counts["opened"], counts["linked"]) == (3, 2, 1)
    first, other = sorted(store.list_cases(app.db), key=lambda c: c["id"])
    assert (first["publication_id"], other["publication_id"]) == (us.id, stranger.id)
    assert [f["publication_id"] for f in legal_store.case_family(app.db, first["id"])] == [ep.id]
    history = [(h["field"], h["new"]) for h in store.case_history(app.db, first["id"])]
    assert ("family", ep.id) in history
    kinds = {d["kind"]: d["date"] for d in store.case_deadlines(app.db, first["id"])}
    assert kinds["ep-opposition"] == "2025-03-05"  # nine months from the EP mention of grant
    assert "us-preissuance-submission" in kinds
    assert "ep-opposition" not in {d["kind"] for d in store.case_deadlines(app.db, other["id"])}

    again = auto_open_cases(app)
    assert (again["opened"], again["linked"], again["existing"]) == (0, 0, 3)
    assert len(store.list_cases(app.db)) == 2
    assert recompute_deadlines(app.db, first["id"]) == []  # stable: nothing moved


def test_merge_deadlines_takes_the_next_open_window_of_each_kind():
    from datetime import date

    from warning.risks.cases import merge_deadlines
    from warning.risks.deadlines import Deadline

    def window(kind, day):
        return Deadline(kind, day, "basis", "zh", "en", "2024-01-01")

    found = [
        [window("us-preissuance-submission", "2024-10-18"), window("ep-opposition", "2025-03-05")],
        [window("us-preissuance-submission", "2025-02-01")],
    ]
    picked = merge_deadlines(found, date(2024, 9, 1))
    assert [(d.kind, d.date) for d in picked] == [
        ("us-preissuance-submission", "2024-10-18"),
        ("ep-opposition", "2025-03-05"),
    ]
    later = merge_deadlines(found, date(2024, 11, 1))  # the first window has passed: the next one
    assert ("us-preissuance-submission", "2025-02-01") in [(d.kind, d.date) for d in later]
    past = merge_deadlines(found, date(2026, 1, 1))  # all passed: the latest stands
    assert [(d.kind, d.date) for d in past] == [
        ("us-preissuance-submission", "2025-02-01"),
        ("ep-opposition", "2025-03-05"),
    ]
    assert merge_deadlines([], date(2024, 1, 1)) == []
