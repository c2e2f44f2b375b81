"""Deadline reminders through the alert outbox: once per window, never for a closed case."""

from __future__ import annotations

import json
from datetime import date

import pytest

from warning.app import App
from warning.config.loading import load_config
from warning.delivery.dispatch import dispatch
from warning.models import GRANT, Publication
from warning.risks import close_case, open_case, queue_reminders, update_case
from warning.risks.reminders import due_window
from warning.store.publications import save_publications

CONFIG = """
[smtp]
host = "localhost"

[[subscribers]]
name = "acme-motor"
language = "zh"
file = "acme.jsonl"
email = ["ip@acme.example"]

[[subscribers]]
name = "programme"
language = "en"
file = "programme.jsonl"

[risks]
reminder_days = [30, 7, 1]
default_owner = "programme"
"""

B1 = Publication(
    id="EP-3383757-B1",
    country="EP",
    number="3383757",
    kind="B1",
    doc_type=GRANT,
    publication_date="2021-07-07",
    titles={"en": "Screw-type closure systems"},
)  # deadline 2022-04-07


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    application = App(config=load_config(path), db_path=tmp_path / "risks.db")
    save_publications(application.db, [B1])
    yield application
    application.close()


def reminder_rows(app):
    return list(app.db.query("SELECT * FROM alerts WHERE kind = 'reminder' ORDER BY id"))


@pytest.mark.parametrize(
    "today, expected",
    [
        ("2022-02-01", None),  # more than 30 days ahead
        ("2022-03-08", 30),  # the 30-day window opens
        ("2022-03-20", 30),
        ("2022-04-02", 7),  # five days left: the 7-day window, not the overtaken 30-day one
        ("2022-04-06", 1),
        ("2022-04-07", 1),  # the last day still reminds
        ("2022-04-08", None),  # past
    ],
)
def test_due_window(today, expected):
    assert due_window(date(2022, 4, 7), date.fromisoformat(today), (30, 7, 1)) == expected


def test_reminder_queued_once_per_window_and_channel(app):
    case_id = open_case(app.db, B1.id, "Acme", owner="acme-motor")
    first = queue_reminders(app, today=date(2022, 3, 8))
    assert (first["queued"], first["due"]) == (2, 1)  # e-mail and file
    keys = [r["key"] for r in reminder_rows(app)]
    assert keys == [
        f"reminder:{case_id}:ep-opposition:2022-03-08:acme-motor:email:ip@acme.example",
        f"reminder:{case_id}:ep-opposition:2022-03-08:acme-motor:file:acme.jsonl",
    ]
    for day in (date(2022, 3, 8), date(2022, 3, 9), date(2022, 3, 30)):
        again = queue_reminders(app, today=day)
        assert (again["queued"], again["already_queued"]) == (0, 2)
    assert queue_reminders(app, today=date(2022, 4, 1))["queued"] == 2  # the 7-day window
    assert queue_reminders(app, today=date(2022, 4, 6))["queued"] == 2  # the 1-day window
    assert queue_reminders(app, today=date(2022, 4, 8))["queued"] == 0  # past the deadline
    assert len(reminder_rows(app)) == 6
    payload = json.loads(reminder_rows(app)[0]["payload"])
    assert payload["title"] == "风险案件 1 期限提醒：欧洲专利异议期限 2022-04-07（剩 30 天）"
    assert (payload["deadline_kind"], payload["deadline"], payload["days_left"]) == (
        "ep-opposition",
        "2022-04-07",
        30,
    )
    assert payload["url"].endswith("pn%3DEP3383757B1")


def test_reminders_arrive_once_through_dispatch(app, tmp_path):
    open_case(app.db, B1.id, "Acme")  # no owner: the programme's default owner is reminded
    for _ in range(3):
        queue_reminders(app, today=date(2022, 4, 2))
        dispatch(app)
    lines = (tmp_path / "programme.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert "2022-04-07" in lines[0]
    assert [r["status"] for r in reminder_rows(app)] == ["sent"]


def test_closed_case_stops_its_reminders(app):
    case_id = open_case(app.db, B1.id, "Acme", owner="acme-motor")
    queue_reminders(app, today=date(2022, 3, 10))
    assert {r["status"] for r in reminder_rows(app)} == {"pending"}
    close_case(app.db, case_id, "licence signed")
    rows = reminder_rows(app)
    assert {(r["status"], r["last_error"]) for r in rows} == {("dead", "case closed")}
    assert queue_reminders(app, today=date(2022, 4, 2))["queued"] == 0
    assert dispatch(app).get("sent", 0) == 0
    # Reopened, the case is reminded again in the next window.
    update_case(app.db, case_id, status="assessing", note="licence fell through")
    assert queue_reminders(app, today=date(2022, 4, 2))["queued"] == 2


def test_no_recipient_is_counted_not_fatal(app, tmp_path):
    path = tmp_path / "bare.toml"
    path.write_text("[risks]\nreminder_days = [7]\n", encoding="utf-8")
    bare = App(config=load_config(path), db_path=app.db_path)
    try:
        open_case(bare.db, B1.id, "Acme", owner="someone@acme")
        counts = queue_reminders(bare, today=date(2022, 4, 2))
        assert (counts["no_recipient"], counts["queued"]) == (1, 0)
    finally:
        bare.close()


def test_deadlines_are_recomputed_before_reminding(app):
    a1 = Publication(
        id="EP-3383757-A1", country="EP", number="3383757", kind="A1", publication_date="2018-10-10"
    )
    save_publications(app.db, [a1])
    app.db["publications"].delete(B1.id)
    case_id = open_case(app.db, a1.id, "Acme", owner="acme-motor")
    assert queue_reminders(app, today=date(2022, 4, 2))["queued"] == 0  # no B1 known: no deadline
    save_publications(app.db, [B1])  # the grant arrives later
    counts = queue_reminders(app, today=date(2022, 4, 2))
    assert (counts["deadlines_changed"], counts["queued"]) == (1, 2)
    assert {r["case_id"] for r in reminder_rows(app)} == {case_id}
