"""Digests an analyst forwards: applicants under one name, inventions with their members, one
period rule for the scheduler and by hand, new entrants, legal changes, files of every extension."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from alerts_support import EVIDENCE, NOW, add_match, add_watchlist, make_test_app
from click.testing import CliRunner
from openpyxl import load_workbook

from warning.cli import cli
from warning.delivery.digest import build_digest, send_due_digests
from warning.delivery.outputs import write_digest
from warning.delivery.pdf import cjk_font
from warning.delivery.periods import custom_window, previous_window
from warning.errors import WarningError
from warning.models import LegalEvent
from warning.sources.ingest import ingest_paths
from warning.store.legal_events import save_legal_events
from warning.store.matches import record_batch

FIXTURES = Path(__file__).parent / "fixtures"
ASSOCIATION = """
[digests]
empty = "{empty}"

[[subscribers]]
name = "assoc"
kind = "association"
language = "{lang}"
watchlists = ["motorcycles"]
digest_period = "week"
file = "out/digest.jsonl"
"""
WEEK = custom_window(date(2026, 11, 16), date(2026, 11, 24))
IN_WEEK = "2026-11-20T09:00:00+00:00"


def app_with(tmp_path, lang: str = "en", empty: str = "note"):
    tmp_path.mkdir(parents=True, exist_ok=True)
    app = make_test_app(tmp_path, ASSOCIATION.format(lang=lang, empty=empty))
    add_watchlist(app)
    return app


def test_two_spellings_of_an_applicant_count_once(tmp_path):
    app = app_with(tmp_path)
    spellings = {
        "CN-117000001-A": ["SZ DJI TECHNOLOGY CO., LTD."],
        "US-20240000002-A1": ["SZ DJI TECHNOLOGY CO LTD"],
        "EP-4000003-A1": ["SZ DJI TECHNOLOGY CO., LTD.", "Contemporary Amperex Technology Co., Limited"],
        "US-20240000004-A1": ["CONTEMPORARY AMPEREX TECHNOLOGY CO., LTD."],
        "KR-1020240000005-A": ["LG ENERGY SOLUTION, LTD."],
        "US-20240000006-A1": ["LG Energy Solution Ltd"],
    }
    for pid, names in spellings.items():
        add_match(app, pid, applicants=names, created_at=IN_WEEK)
    groups = {g["name"]: g for g in build_digest(app, "assoc", window=WEEK).stats["by_applicant"]}
    assert {name: g["count"] for name, g in groups.items()} == {
        "SZ DJI TECHNOLOGY CO., LTD.": 3,
        "CONTEMPORARY AMPEREX TECHNOLOGY CO., LTD.": 2,
        "LG ENERGY SOLUTION, LTD.": 2,
    }
    assert groups["SZ DJI TECHNOLOGY CO., LTD."]["aliases"] == ["SZ DJI TECHNOLOGY CO LTD"]


def test_a_family_counts_once_and_shows_its_members(tmp_path):
    app = app_with(tmp_path)
    ingest_paths(app.db, [FIXTURES / "ops" / "family_biblio_EP2400812_cut.xml"])  # EP A1, EP B1, CA A1
    rows = [
        (pid, "motorcycles", score, 0.5, json.dumps(EVIDENCE), "v1", IN_WEEK)
        for pid, score in (("EP-2400812-A1", 0.9), ("EP-2400812-B1", 0.95), ("CA-2744162-A1", 0.7))
    ]
    record_batch(app.db, rows, [])
    digest = build_digest(app, "assoc", window=WEEK)
    assert digest.stats["total"] == 3 and digest.stats["inventions"] == 1
    [top] = digest.stats["top_inventions"]
    assert top["publication_id"] == "EP-2400812-B1"
    assert top["members"] == ["CA-2744162-A1", "EP-2400812-A1", "EP-2400812-B1"] and top["countries"] == [
        "CA",
        "EP",
    ]
    assert "members: CA-2744162-A1, EP-2400812-A1, EP-2400812-B1" in digest.text
    assert "3 new matches (1 invention)" in digest.subject
    [competitor] = digest.stats["competitors"]  # HONDA, as the evidence names it: one invention, two offices
    assert competitor["count"] == 1 and [c for c, _ in competitor["countries"]] == ["CA", "EP"]


def test_scheduled_and_manual_digests_of_a_period_agree(tmp_path):
    app = app_with(tmp_path)
    add_match(app, "EP-4123456-A1", created_at="2026-11-18T08:00:00+00:00")  # ISO week 47
    add_match(app, "EP-4123457-A1", created_at="2026-11-23T08:00:00+00:00")  # week 48: not in it
    send_due_digests(app, now=NOW)
    (sent,) = [
        json.loads(r["payload"]) for r in app.db.query("SELECT payload FROM alerts WHERE kind = 'digest'")
    ]
    by_hand = build_digest(app, "assoc", window=previous_window("week", NOW))
    assert sent["text"] == by_hand.text and sent["stats"]["total"] == by_hand.stats["total"] == 1
    assert (
        by_hand.start.isoformat() == "2026-11-16T00:00:00+00:00"
        and by_hand.end.isoformat() == "2026-11-23T00:00:00+00:00"
    )
    assert [r["publication"] for r in sent["rows"]] == ["EP-4123456-A1"]


def test_nothing_new_is_a_short_note_or_nothing(tmp_path):
    note = app_with(tmp_path / "note")
    assert send_due_digests(note, now=NOW)["digests"] == 1
    (payload,) = [json.loads(r["payload"]) for r in note.db.query("SELECT payload FROM alerts")]
    assert "No new matches in this period." in payload["text"] and "By applicant" not in payload["text"]
    skip = app_with(tmp_path / "skip", empty="skip")
    assert send_due_digests(skip, now=NOW)["skipped"] == 1
    assert skip.db["alerts"].count == 0


def test_new_entrants_and_legal_changes(tmp_path):
    app = app_with(tmp_path)
    add_match(app, "EP-4000001-A1", applicants=["HONDA MOTOR CO LTD"], created_at="2026-10-01T09:00:00+00:00")
    add_match(
        app,
        "EP-4000002-B1",
        applicants=["Honda Motor Co., Ltd.", "VINFAST TRADING AND PRODUCTION JSC"],
        created_at=IN_WEEK,
    )
    save_legal_events(
        app.db,
        [
            LegalEvent("EP-4000001-A1", "2026-11-19", "PG25", "Lapsed in a contracting state", "lapse", "DE"),
            LegalEvent("EP-4000002-B1", "2026-11-18", "AK", "Designated states", "grant", "EP"),
            LegalEvent("EP-4000002-B1", "2026-10-18", "26N", "No opposition filed", "no-opposition", "EP"),
        ],
    )
    stats = build_digest(app, "assoc", window=WEEK).stats
    assert stats["new_entrants"] == ["VINFAST TRADING AND PRODUCTION JSC"]  # Honda was seen before
    assert [(e["publication_id"], e["category"]) for e in stats["legal_changes"]] == [
        ("EP-4000002-B1", "grant"),
        ("EP-4000001-A1", "lapse"),
    ]


def test_out_writes_what_the_extension_says(tmp_path):
    app = app_with(tmp_path)
    add_match(app, "EP-4123456-A1", titles={"en": '=HYPERLINK("http://x") motorcycle'}, created_at=IN_WEEK)
    digest = build_digest(app, "assoc", window=WEEK)
    for name in ("d.html", "d.txt", "d.md", "d.pdf", "d.xlsx"):
        write_digest(digest, tmp_path / name, "en")
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF-")
    assert (tmp_path / "d.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    sheet = load_workbook(io.BytesIO((tmp_path / "d.xlsx").read_bytes())).active
    assert sheet["A1"].value == "publication" and sheet["A2"].value == "EP-4123456-A1"
    assert sheet["D2"].value.startswith("'=HYPERLINK") and sheet["D2"].data_type == "s"  # never a formula
    with pytest.raises(WarningError, match=r"cannot write a digest as '\.docx': use \.html"):
        write_digest(digest, tmp_path / "d.docx", "en")


def test_chinese_pdf_needs_a_cjk_font(tmp_path):
    app = app_with(tmp_path, lang="zh")
    add_match(app, "CN-117000001-A", titles={"zh": "摩托车发动机"}, lang="zh", created_at=IN_WEEK)
    digest = build_digest(app, "assoc", window=WEEK)
    if cjk_font():
        write_digest(digest, tmp_path / "zh.pdf", "zh")
        assert (tmp_path / "zh.pdf").read_bytes().startswith(b"%PDF-")
    else:
        with pytest.raises(WarningError, match="no CJK font is installed"):
            write_digest(digest, tmp_path / "zh.pdf", "zh")
        assert not (tmp_path / "zh.pdf").exists()


def test_cli_refuses_an_unknown_extension(tmp_path):
    app_with(tmp_path)
    result = CliRunner().invoke(
        cli,
        ["--config", str(tmp_path / "config.toml"), "--db", str(tmp_path / "alerts.db"), "digest",
         "--subscriber", "assoc", "--previous", "--out", str(tmp_path / "x.doc")],
    )  # fmt: skip
    assert result.exit_code == 1 and "cannot write a digest as '.doc'" in result.output


def test_the_digests_own_queries_keep_to_the_readers_scope(tmp_path):
    from warning.store import digests as store
    from warning.store.scope import Scope
    from warning.store.watchlists import set_owner

    app = app_with(tmp_path)
    add_match(app, "EP-4000001-A1", applicants=["HONDA MOTOR CO LTD"], created_at="2026-10-01T09:00:00+00:00")
    save_legal_events(app.db, [LegalEvent("EP-4000001-A1", "2026-11-19", "PG25", "Lapsed", "lapse", "DE")])
    set_owner(app.db, "motorcycles", "acme")
    mine, other = (Scope(org, "enterprise", None, "viewer") for org in ("acme", "beta"))
    args = (["motorcycles"], 0.0)
    for scope, expected in ((mine, 1), (other, 0), (None, 1)):
        assert (
            len(store.matched_publication_dates(app.db, *args, "2026-11-01", "2026-12-01", scope)) == expected
        )
        assert len(store.applicants_before(app.db, *args, "2026-11-01T00:00:00+00:00", scope)) == expected
        assert (
            len(store.legal_changes(app.db, *args, "2026-11-01", "2026-12-01", ("lapse",), scope)) == expected
        )
