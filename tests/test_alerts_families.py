"""One alert per invention: a real OPS family (EP A1, EP B1, CA A1) gives one alert and two
updates, replied in the first alert's e-mail thread and Slack thread, joined to its open risk case."""

from __future__ import annotations

import json
from pathlib import Path

from alerts_support import EVIDENCE, NOW, add_watchlist, alert_rows, free_port, make_test_app, smtp_server

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts
from warning.models import Publication
from warning.sources.ingest import ingest_paths
from warning.store.families import family_members, index_priorities, priority_key
from warning.store.legal_events import case_family
from warning.store.matches import record_batch
from warning.store.publications import save_publications

FIXTURES = Path(__file__).parent / "fixtures"
FAMILY = ("CA-2744162-A1", "EP-2400812-A1", "EP-2400812-B1")  # DOCDB family 43088294


def config(port: int = 25, extra: str = "", per: str = "invention") -> str:
    return f"""
[alerts]
per = "{per}"

[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
from = "warning@example.org"
timeout = 5.0

[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
email = ["ip@acme.example"]
{extra}
"""


def family_app(tmp_path, text: str):
    """The real OPS family response ingested, each member matched as the classifier stores it."""
    app = make_test_app(tmp_path, text)
    add_watchlist(app)
    ingest_paths(app.db, [FIXTURES / "ops" / "family_biblio_EP2400812_cut.xml"])
    return app


def match(app, *ids: str) -> None:
    rows = [
        (pid, "motorcycles", 0.9, 0.5, json.dumps(EVIDENCE), "v1", "2026-11-24T17:00:00+00:00") for pid in ids
    ]
    record_batch(app.db, rows, [])


def payload(row: dict) -> dict:
    return json.loads(row["payload"])


def test_a_docdb_family_is_one_invention(tmp_path):
    app = family_app(tmp_path, config())
    index_priorities(app.db)
    members = family_members(app.db, "EP-2400812-B1")
    assert [m["id"] for m in members] == list(FAMILY)  # oldest publication first
    assert {m["family_id"] for m in members} == {"43088294"}


def test_shared_priority_claims_group_publications_without_a_family_id(db):
    # The same Korean priority as two offices write it; a third publication shares nothing.
    pubs = [
        Publication("EP-4215849-B1", "EP", "4215849", "B1", priority_claims=["KR10-2022-0061857"]),
        Publication("US-20240001-A1", "US", "20240001", "A1", priority_claims=["KR 1020220061857"]),
        Publication("US-20240002-A1", "US", "20240002", "A1", priority_claims=["US63/082009"]),
    ]
    save_publications(db, pubs)
    assert priority_key("KR10-2022-0061857") == priority_key("KR 1020220061857") == "KR1020220061857"
    index_priorities(db)
    assert [m["id"] for m in family_members(db, "US-20240001-A1")] == ["EP-4215849-B1", "US-20240001-A1"]
    assert [m["id"] for m in family_members(db, "US-20240002-A1")] == ["US-20240002-A1"]


def test_first_member_alerts_later_members_are_updates_in_its_thread(tmp_path):
    port = free_port()
    app = family_app(tmp_path, config(port))
    match(app, "CA-2744162-A1")
    with smtp_server(port) as sink:
        queue_alerts(app, now=NOW)
        dispatch(app, now=NOW)
        match(app, "EP-2400812-A1", "EP-2400812-B1")  # the same invention, published later
        counts = queue_alerts(app, now=NOW)
        dispatch(app, now=NOW)
    assert counts["updates"] == 2
    first, member, grant = sink.messages
    assert "In-Reply-To" not in first
    for reply in (member, grant):
        assert reply["In-Reply-To"] == first["Message-ID"] and reply["References"] == first["Message-ID"]
    assert (
        "[New family member] Same invention as the earlier alert on CA-2744162-A1"
        in member.get_body(("plain",)).get_content()
    )
    assert "[Family member granted]" in grant.get_body(("plain",)).get_content()
    assert grant["Subject"].startswith("[Patent early warning] Family member granted · Motorcycles: ")
    assert "Family countries known so far: CA, EP" in first.get_body(("plain",)).get_content()
    updates = {
        r["publication_id"]: payload(r)["family_update"]
        for r in alert_rows(app)
        if r["publication_id"] != FAMILY[0]
    }
    assert updates == {
        "EP-2400812-A1": {"of": "CA-2744162-A1", "reason": "member"},
        "EP-2400812-B1": {"of": "CA-2744162-A1", "reason": "grant"},
    }


def test_members_matched_together_give_one_alert_and_updates(tmp_path):
    app = family_app(tmp_path, config())
    match(app, *FAMILY)
    assert queue_alerts(app, now=NOW)["updates"] == 2
    rows = alert_rows(app)
    assert [r["publication_id"] for r in rows if "family_update" not in payload(r)] == ["CA-2744162-A1"]
    assert queue_alerts(app, now=NOW)["queued"] == 0  # a re-run adds nothing


def test_one_alert_per_document_when_configured(tmp_path):
    app = family_app(tmp_path, config(per="document"))
    match(app, *FAMILY)
    assert queue_alerts(app, now=NOW) == {"subscribers": 1, "matches": 3, "queued": 3, "updates": 0}
    assert not any("family_update" in payload(r) for r in alert_rows(app))


def test_an_update_joins_the_open_risk_case_on_the_invention(tmp_path):
    app = family_app(tmp_path, config())
    match(app, "CA-2744162-A1")
    queue_alerts(app, now=NOW)
    case_id = (
        app.db["risk_cases"]
        .insert({"publication_id": "CA-2744162-A1", "status": "new", "country": "CA", "enterprises": "[]"})
        .last_pk
    )
    match(app, "EP-2400812-B1")
    queue_alerts(app, now=NOW)
    assert [(f["publication_id"], f["origin"]) for f in case_family(app.db, case_id)] == [
        ("EP-2400812-B1", "alert")
    ]


def test_slack_update_replies_in_the_first_alerts_thread(tmp_path, httpserver, monkeypatch):
    monkeypatch.setenv("T_SLACK_TOKEN", "xoxb-test-token")
    slack = f'[slack]\ntoken_env = "T_SLACK_TOKEN"\nbase_url = "{httpserver.url_for("/api/")}"\n'
    app = family_app(tmp_path, slack + config().replace('email = ["ip@acme.example"]', 'slack = ["#ip"]'))
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_json(
        {"ok": True, "ts": "1700.0001"}
    )
    httpserver.expect_ordered_request("/api/chat.postMessage").respond_with_json(
        {"ok": True, "ts": "1700.0002"}
    )
    match(app, "CA-2744162-A1")
    queue_alerts(app, now=NOW)
    dispatch(app, now=NOW)
    match(app, "EP-2400812-B1")
    queue_alerts(app, now=NOW)
    assert dispatch(app, now=NOW)["sent"] == 1
    first, reply = (json.loads(request.get_data()) for request, _ in httpserver.log)
    assert "thread_ts" not in first and reply["thread_ts"] == "1700.0001"
    assert "Family member granted" in reply["blocks"][1]["text"]["text"]


def test_priorities_are_indexed_once_in_batches(db):
    claims = ["KR10-2022-0061857", "US63/082009", "JP2025-151555"]
    pubs = [
        Publication(f"US-2024000{i}-A1", "US", f"2024000{i}", "A1", priority_claims=[c])
        for i, c in enumerate(claims)
    ]
    save_publications(db, pubs)
    assert index_priorities(db, batch=1) == 3  # one transaction per publication, the cursor moved with each
    assert index_priorities(db) == 0  # nothing new: nothing written twice
    save_publications(
        db, [Publication("EP-4215849-B1", "EP", "4215849", "B1", priority_claims=["KR1020220061857"])]
    )
    assert index_priorities(db) == 1
    assert [m["id"] for m in family_members(db, "EP-4215849-B1")] == ["EP-4215849-B1", "US-20240000-A1"]
