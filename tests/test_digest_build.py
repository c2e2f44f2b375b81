"""Digests: counts, competitors, top matches, risk cases, the embedded trend chart; sent once a period."""

from __future__ import annotations

import base64
import io
import json
import re
from datetime import date, timedelta

from alerts_support import NOW, add_match, add_watchlist, alert_rows, make_test_app
from click.testing import CliRunner

from warning.cli import cli
from warning.delivery.digest import build_digest, send_due_digests
from warning.delivery.periods import custom_window, period_label, period_start
from warning.store import risks as risk_store

ASSOCIATION = """
[[subscribers]]
name = "moto-association"
kind = "association"
language = "{lang}"
watchlists = ["motorcycles"]
mode = "weekly"
digest_period = "week"
file = "out/digest.jsonl"
"""


def digest_app(tmp_path, lang="en"):
    app = make_test_app(tmp_path, ASSOCIATION.format(lang=lang))
    add_watchlist(app)
    no_competitor = {
        "terms": [["battery", 0.3]],
        "rules": {"cpc": [], "keywords": ["battery"], "competitors": []},
    }
    add_match(app, "EP-4123456-A1", score=0.95, created_at="2026-11-23T09:00:00+00:00")
    add_match(
        app,
        "US-20240123456-A1",
        score=0.80,
        created_at="2026-11-20T09:00:00+00:00",
        applicants=["YAMAHA MOTOR CO LTD"],
        evidence=no_competitor,
    )
    add_match(
        app,
        "IN-202441000001-A",
        score=0.70,
        created_at="2026-11-19T09:00:00+00:00",
        titles={"en": "Two-wheeler frame"},
        applicants=["BAJAJ AUTO LTD"],
        evidence=no_competitor,
    )
    add_match(app, "EP-4000001-A1", score=0.99, created_at="2026-10-01T09:00:00+00:00")  # an earlier week
    # Through the risk register's store, with the dates the digest's week needs (open_case would stamp now).
    kept = risk_store.insert_case(
        app.db,
        {"publication_id": "EP-4123456-A1", "status": "new", "severity": "high", "owner": "acme",
         "opened_at": "2026-11-23T10:00:00+00:00"},
        "test",
    )  # fmt: skip
    risk_store.insert_case(
        app.db,
        {"publication_id": "EP-4000001-A1", "status": "closed", "action": "design-around",
         "outcome": "design-around done", "opened_at": "2026-10-02T10:00:00+00:00",
         "closed_at": "2026-11-21T10:00:00+00:00"},
        "test",
    )  # fmt: skip
    risk_store.replace_deadlines(
        app.db, kept, [{"kind": "opposition", "date": "2026-11-28", "basis": "grant"}]
    )
    # An association's digest shows only the cases its members shared with it (issue 13): these
    # two are; a third, opened the same week by an enterprise that did not share it, stays out.
    for case_id in (kept, 2):
        risk_store.share_case(app.db, case_id, "moto-association")
    private = risk_store.insert_case(
        app.db,
        {"publication_id": "US-20240123456-A1", "status": "new", "severity": "high", "org_id": "other-co",
         "opened_at": "2026-11-22T10:00:00+00:00"},
        "test",
    )  # fmt: skip
    risk_store.replace_deadlines(
        app.db, private, [{"kind": "opposition", "date": "2026-11-27", "basis": "grant"}]
    )
    return app


WEEK = custom_window(date(2026, 11, 17), date(2026, 11, 24))  # the 3 matches of Nov 19, 20 and 23


def test_weekly_digest_counts_competitors_risks_and_chart(tmp_path):
    app = digest_app(tmp_path)
    digest = build_digest(app, "moto-association", window=WEEK)
    stats = digest.stats
    assert stats["total"] == 3 and stats["inventions"] == 3
    assert dict(stats["by_country"]) == {"EP": 1, "US": 1, "IN": 1}
    assert dict(stats["by_watchlist"]) == {"Motorcycles": 3}
    assert {a["name"]: a["count"] for a in stats["by_applicant"]}["BAJAJ AUTO LTD"] == 1
    assert [(c["name"], c["count"], c["countries"]) for c in stats["competitors"]] == [
        ("HONDA MOTOR CO LTD", 1, [("EP", ["EP-4123456-A1"])])
    ]
    assert [m["publication_id"] for m in stats["top_inventions"]] == [
        "EP-4123456-A1",
        "US-20240123456-A1",
        "IN-202441000001-A",
    ]
    assert [c["id"] for c in stats["cases_opened"]] == [1] and [c["id"] for c in stats["cases_closed"]] == [2]
    assert [d["date"] for d in stats["deadlines"]] == ["2026-11-28"]
    # by publication date (all four published on Nov 19, in ISO week 47), not when they were matched
    assert (
        len(stats["trend"]) == 12
        and stats["trend"][-2] == ("11-16", 4)
        and stats["trend"][-1] == ("11-23", 0)
    )
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', digest.html).group(1))
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    assert "New filings by named competitors" in digest.html and "HONDA MOTOR CO LTD" in digest.html
    assert "Opened 1, Closed 1" in digest.text and "2026-11-28 opposition" in digest.text
    assert digest.subject == (
        "[Patent early warning] Period digest 2026-11-17 to 2026-11-24: 3 new matches (3 inventions)"
    )


def test_a_digest_of_the_week_so_far_is_the_calendar_week(tmp_path):
    app = digest_app(tmp_path)
    digest = build_digest(app, "moto-association", "week", now=NOW)  # Tuesday of ISO week 48
    assert [m["publication_id"] for m in digest.stats["top_inventions"]] == ["EP-4123456-A1"]
    assert digest.start.isoformat() == "2026-11-23T00:00:00+00:00"
    assert digest.end.isoformat() == "2026-11-24T17:30:01+00:00"  # a match made this second is in


def test_chinese_digest_reads_in_chinese(tmp_path):
    app = digest_app(tmp_path, lang="zh")
    digest = build_digest(app, "moto-association", window=WEEK)
    assert digest.subject == "[专利预警] 简报（2026-11-17 至 2026-11-24）：新增命中 3 件，3 项发明"
    assert "按国家/地区：EP 1、US 1、IN 1" in digest.text
    assert "点名竞争对手的新申请" in digest.html and "近 12 期命中文献（按公开日）" in digest.html


def test_due_digest_goes_out_once_per_period(tmp_path):
    app = digest_app(tmp_path)
    first = send_due_digests(app, now=NOW)
    assert first == {"digests": 1, "queued": 1, "skipped": 0, "sent": 1, "failed": 0, "dead": 0}
    assert send_due_digests(app, now=NOW + timedelta(hours=5))["digests"] == 0
    [row] = alert_rows(app, kind="digest")
    assert row["key"] == "digest:moto-association:week:2026-W47:file:out/digest.jsonl"
    [record] = [
        json.loads(x) for x in (tmp_path / "out" / "digest.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert record["digest"]["total"] == 2  # ISO week 2026-W47 (Nov 16-22) holds the Nov 19 and 20 matches
    assert send_due_digests(app, now=NOW + timedelta(days=6))["digests"] == 1  # the next week


def test_period_boundaries():
    assert period_start(NOW, "week").isoformat() == "2026-11-23T00:00:00+00:00"
    assert period_start(NOW, "month").isoformat() == "2026-11-01T00:00:00+00:00"
    assert period_label(period_start(NOW, "week"), "week") == "2026-W48"
    assert period_label(period_start(NOW, "day"), "day") == "2026-11-24"


def test_cli_digest_writes_html_file(tmp_path):
    digest_app(tmp_path)
    out = tmp_path / "digest.html"
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(tmp_path / "config.toml"),
            "--db",
            str(tmp_path / "alerts.db"),
            "digest",
            "--subscriber",
            "moto-association",
            "--since",
            "2026-11-01",
            "--until",
            "2026-11-30",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "data:image/png;base64," in out.read_text(encoding="utf-8")


def test_digest_by_email_carries_the_chart_inline(tmp_path):
    from alerts_support import free_port, smtp_server

    port = free_port()
    app = digest_app(tmp_path)
    config = (
        (tmp_path / "config.toml")
        .read_text()
        .replace('file = "out/digest.jsonl"', 'email = ["board@assoc.example"]')
    )
    config = f'[smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n' + config
    app = make_test_app(tmp_path, config)
    with smtp_server(port) as sink:
        assert send_due_digests(app, now=NOW)["sent"] == 1
    [mail] = sink.messages
    html_part = mail.get_body(("html",))
    [image] = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert image.get_content().startswith(b"\x89PNG")
    assert f'src="cid:{image["Content-ID"].strip("<>")}"' in html_part.get_content()
    assert "data:image" not in html_part.get_content()
    assert "Weekly digest" in mail["Subject"]
    [sheet] = [p for p in mail.iter_attachments() if p.get_filename() == "2026-W47-matches.xlsx"]
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(sheet.get_content())).active.values)
    assert rows[0][0] == "publication" and sorted(r[0] for r in rows[1:]) == [
        "IN-202441000001-A",
        "US-20240123456-A1",
    ]


def test_periods_begin_at_midnight_in_the_schedule_time_zone(tmp_path):
    from warning.delivery.queue import batch_time

    app = digest_app(tmp_path)
    config = (tmp_path / "config.toml").read_text()
    app = make_test_app(tmp_path, '[schedule]\ntimezone = "Asia/Shanghai"\n' + config)
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Shanghai")
    assert period_start(NOW, "week", zone).isoformat() == "2026-11-23T00:00:00+08:00"
    assert batch_time("weekly", NOW, zone).isoformat() == "2026-11-29T16:00:00+00:00"
    assert (
        batch_time("daily", NOW, zone).isoformat() == "2026-11-25T16:00:00+00:00"
    )  # NOW is 01:30 on the 25th there
    send_due_digests(app, now=NOW)
    [row] = alert_rows(app, kind="digest")
    assert row["key"].startswith("digest:moto-association:week:2026-W47:")
    payload = json.loads(row["payload"])
    assert "2026-11-16 to 2026-11-22" in payload["subject"] and "00:00 CST" in payload["text"]
    assert payload["stats"]["total"] == 2  # W47 in Beijing: 15 Nov 16:00 to 22 Nov 16:00 UTC
