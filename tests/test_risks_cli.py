"""The `warning risks` commands: open, list (--json), show, update, close, export (CSV)."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from warning.cli import cli
from warning.models import GRANT, Publication
from warning.risks.export import COLUMNS
from warning.store import open_db
from warning.store.publications import save_publications

PUBS = [
    Publication(
        id="EP-3383757-B1",
        country="EP",
        number="3383757",
        kind="B1",
        doc_type=GRANT,
        publication_date="2021-07-07",
        titles={"en": "Screw-type closure systems", "zh": "螺旋式封闭系统"},
    ),
    Publication(
        id="US-20240123456-A1",
        country="US",
        number="20240123456",
        kind="A1",
        publication_date="2024-04-18",
        titles={"en": "Scooter frame"},
    ),
]


@pytest.fixture
def run(tmp_path):
    db_path = tmp_path / "cli.db"
    db = open_db(db_path)
    save_publications(db, PUBS)
    db.conn.close()
    (tmp_path / "watchlists").mkdir()
    (tmp_path / "watchlists" / "packaging.toml").write_text(
        'name = "packaging"\ndescription = "closures"\ncpc = ["B65D"]\n', encoding="utf-8"
    )
    config = tmp_path / "config.toml"
    config.write_text('watchlists = "watchlists"\n[[subscribers]]\nname = "acme-motor"\n', encoding="utf-8")

    def invoke(*args):
        result = CliRunner().invoke(
            cli,
            ["--config", str(config), "--db", str(db_path), "risks", *args],
            prog_name="warning",
            env={"WARNING_USER": "li"},
        )
        return result

    return invoke


def test_open_list_show_update_close(run):
    opened = run(
        "open",
        "EP3383757B1",
        "--enterprise",
        "爱克摩托 Acme Motor",
        "--watchlist",
        "packaging",
        "--owner",
        "acme-motor",
        "--severity",
        "high",
        "--reason",
        "covers our cap",
    )
    assert opened.exit_code == 0, opened.output
    assert "case 1: EP-3383757-B1" in opened.output and "ep-opposition 2022-04-07" in opened.output
    assert run("open", "US-20240123456-A1", "--enterprise", "Beta").exit_code == 0

    listed = json.loads(run("list", "--json").output)
    assert [(c["id"], c["publication"], c["status"], c["severity"]) for c in listed] == [
        (1, "EP-3383757-B1", "new", "high"),
        (2, "US-20240123456-A1", "new", "medium"),
    ]
    assert listed[0]["deadlines"] == [
        {"kind": "ep-opposition", "date": "2022-04-07", "basis": "Art. 99(1) EPC"}
    ]
    assert listed[1]["deadlines"][0] == {
        "kind": "us-preissuance-submission",
        "date": "2024-10-18",
        "basis": "35 U.S.C. 122(e)",
    }
    assert listed[0]["enterprises"] == ["爱克摩托 Acme Motor"]

    def ids(*filters):
        return [c["id"] for c in json.loads(run("list", "--json", *filters).output)]

    assert ids("--enterprise", "beta") == [2]
    assert ids("--country", "ep") == [1]
    assert ids("--due-within", "30", "--today", "2022-03-20") == [1]
    assert ids("--due-within", "30", "--today", "2022-01-20") == []

    updated = run(
        "update", "1", "--status", "action", "--action", "opposition", "--note", "counsel instructed"
    )
    assert updated.exit_code == 0 and "status new -> action" in updated.output
    assert ids("--status", "action") == [1]
    assert run("close", "1", "--outcome", "opposition filed").exit_code == 0
    assert ids("--status", "closed") == [1]

    shown = run("show", "1")
    assert shown.exit_code == 0
    assert "螺旋式封闭系统" in shown.output and "2022-04-07  ep-opposition 欧洲专利异议期限" in shown.output
    assert "li: status: action -> closed" in shown.output and "counsel instructed" in shown.output
    detail = json.loads(run("show", "1", "--json").output)
    assert [h["field"] for h in detail["history"]][:2] == ["opened", "deadline:ep-opposition"]


def test_expected_errors_are_one_line(run):
    missing = run("open", "EP-1-B1", "--enterprise", "Acme")
    assert (
        missing.exit_code == 1
        and "no such publication" in missing.output
        and "Traceback" not in missing.output
    )
    unknown = run("show", "42")
    assert unknown.exit_code == 1 and "no risk case 42" in unknown.output
    no_outcome = run("close", "1")
    assert no_outcome.exit_code == 2 and "--outcome" in no_outcome.output


def test_export_csv_opens_in_a_spreadsheet(run, tmp_path):
    run("open", "EP-3383757-B1", "--enterprise", "爱克摩托", "--enterprise", "Beta", "--severity", "high")
    run("update", "1", "--action", "licence")
    out = tmp_path / "risks.csv"
    result = run("export", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    with out.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [f"{en} {zh}" for _, en, zh in COLUMNS]
    row = rows[0]
    assert row["id 编号"] == "1" and row["publication 公开号"] == "EP-3383757-B1"
    assert row["enterprises 受影响企业"] == "爱克摩托; Beta"
    assert row["title 标题"] == "螺旋式封闭系统"
    assert row["severity 风险等级"] == "high 高" and row["action 应对措施"] == "licence 许可"
    assert row["deadlines 全部期限"] == "ep-opposition 欧洲专利异议期限 2022-04-07"
    english = run("export", "--labels", "en")
    header = next(csv.reader(english.output.lstrip("\ufeff").splitlines()))
    assert header[:4] == ["id", "publication", "title", "country"]


def test_export_xlsx_is_a_workbook_and_other_extensions_are_refused(run, tmp_path):
    from openpyxl import load_workbook

    run("open", "EP-3383757-B1", "--enterprise", "=cmd|' /C calc'!A0", "--severity", "high")
    out = tmp_path / "risks.xlsx"
    result = run("export", "--out", str(out), "--labels", "zh")
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:2] == b"PK"  # a zip: the xlsx container
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]][:3] == ["编号", "公开号", "标题"]
    assert sheet["B2"].value == "EP-3383757-B1" and sheet["C2"].value == "螺旋式封闭系统"
    assert sheet["E2"].value == "'=cmd|' /C calc'!A0" and sheet["E2"].data_type == "s"  # never a formula
    refused = run("export", "--out", str(tmp_path / "risks.pdf"))
    assert (
        refused.exit_code == 1 and "cannot export risk cases as '.pdf': use .csv or .xlsx" in refused.output
    )
    assert not (tmp_path / "risks.pdf").exists()
