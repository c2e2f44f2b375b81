"""The landscape of a cluster backfilled from the local OPS, as HTML and .xlsx, and its search and export."""

from __future__ import annotations

import csv
import re

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.clusters_support import TODAY, make_app, serve_corpus
from tests.conftest import CORPUS
from warning.cli import cli
from warning.clusters.backfill import backfill
from warning.clusters.competitors import track_competitors
from warning.clusters.definitions import load_cluster
from warning.clusters.export import cluster_rows, write_export
from warning.clusters.landscape import build_landscape
from warning.clusters.report import write_report
from warning.errors import WarningError
from warning.models import Publication
from warning.store import clusters as store
from warning.store.publications import save_publications


@pytest.fixture
def app(httpserver, corpus, monkeypatch, tmp_path):
    corpus("epo-ops-patent-dev", "get_family_with_legal__response.xml")
    fake = serve_corpus(httpserver, monkeypatch)
    fake.legal_body = (CORPUS / "epo-ops-patent-dev" / "get_family_with_legal__response.xml").read_bytes()
    app = make_app(tmp_path, fake.base_url)
    backfill(app, "bluetooth", today=TODAY)
    track_competitors(app, "bluetooth")
    return app


def test_landscape_counts_filings_not_publications(app):
    land = build_landscape(app.db, load_cluster(app.config, "bluetooth"), TODAY)
    assert land.publications == 7 and len(land.filings) == 4  # A1+B1 and A1+B2 are one filing each
    assert land.per_year_country == {"2011": {"EP": 1, "CA": 1}, "2012": {"US": 1, "EP": 1}}
    assert land.top_applicants[0] == (
        "9Solutions Oy",
        4,
    )  # 9SOLUTIONS OY and its spellings, as the competitor
    assert dict(land.codes) == {"H04W": 4, "H04L": 1}
    assert land.statuses == {"granted": 3, "lapsed": 1}
    assert land.portfolios == {
        "9Solutions Oy": {"CA": {"lapsed": 1}, "EP": {"granted": 2}, "US": {"granted": 1}}
    }
    [family] = land.families
    assert family["family_id"] == "43088294" and family["markets"] == ["CA", "EP", "US"]
    assert family["statuses"] == {"EP": "granted", "CA": "lapsed", "US": "granted"}
    assert land.new_entrants == []  # nobody's first filing is from 2025 or 2026


@pytest.mark.parametrize(
    "lang, words",
    [
        ("zh", ["产业集群专利态势报告", "已授权", "覆盖多个目标市场的同族"]),
        ("en", ["Patent landscape", "granted", "Families spanning"]),
    ],
)
def test_html_report_has_inline_charts_and_tables(app, tmp_path, lang, words):
    out = tmp_path / f"report-{lang}.html"
    write_report(app, "bluetooth", out, lang, today=TODAY)
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "<?xml" not in page and 'src="http' not in page
    assert all(w in page for w in words)
    assert "43088294" in page and "9Solutions Oy" in page


def test_xlsx_report_has_a_sheet_per_table_and_charts(app, tmp_path):
    out = tmp_path / "report.xlsx"
    write_report(app, "bluetooth", out, "en", today=TODAY)
    book = load_workbook(out)
    assert len(book.sheetnames) == 9 and book.sheetnames[0] == "Summary" and book.sheetnames[-1] == "Filings"
    years = list(book["Years"].values)
    assert years[0] == ("Year", "EP", "CA", "US") and years[1] == ("2011", 1, 1, 0)
    assert len(book["Years"]._charts) == 1 and len(book["Status"]._charts) == 1
    assert list(book["Status"].values)[1:] == [("granted", 3), ("lapsed", 1)]
    assert len(list(book["Filings"].values)) == 5


def test_an_empty_cluster_writes_a_report_that_says_none(httpserver, tmp_path, monkeypatch):
    app = make_app(tmp_path, httpserver.url_for("/3.2/"))
    out = tmp_path / "empty.html"
    land = write_report(app, "bluetooth", out, "en", today=TODAY)
    assert land.filings == [] and out.read_text(encoding="utf-8").count(">none<") >= 4
    write_report(app, "bluetooth", tmp_path / "empty.xlsx", "zh", today=TODAY)
    with pytest.raises(WarningError, match="as .html or .xlsx"):
        write_report(app, "bluetooth", tmp_path / "report.pdf", "en")


def test_search_and_export_neutralise_formulas(app, tmp_path):
    hostile = Publication(
        id="EP-4999998-A1", country="EP", number="4999998", kind="A1",
        titles={"en": '=HYPERLINK("http://evil.example","Bluetooth mesh")', "zh": "蓝牙网状网络"}, applicants=["@SUM(A1:A9)"],
        publication_date="2024-01-03",
    )  # fmt: skip
    store.mark_publications(app.db, "bluetooth", [hostile.id])
    save_publications(app.db, [hostile])
    cluster = load_cluster(app.config, "bluetooth")
    found = [r["id"] for r in cluster_rows(app.db, cluster, "bluetooth")]
    assert "EP-4999998-A1" in found and "EP-2400812-A1" in found and "WO-2009085664-A2" not in found
    assert cluster_rows(app.db, cluster, "zeppelin") == []
    assert [r["id"] for r in cluster_rows(app.db, cluster, "蓝牙")] == [
        "EP-4999998-A1"
    ]  # Chinese, as the web app
    assert cluster_rows(app.db, cluster, '"unbalanced') == []  # what a person types is never FTS syntax
    out = tmp_path / "export.csv"
    write_export(cluster_rows(app.db, cluster), out)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    bad = next(r for r in rows if r["id"] == "EP-4999998-A1")
    assert bad["title"].startswith("'=HYPERLINK") and bad["applicants"] == "'@SUM(A1:A9)"
    assert {r["origin"] for r in rows} == {"backfill"} and len(rows) == 8
    write_export(cluster_rows(app.db, cluster), tmp_path / "export.xlsx")
    cells = [c.value for row in load_workbook(tmp_path / "export.xlsx").active for c in row]
    assert '\'=HYPERLINK("http://evil.example","Bluetooth mesh")' in cells


def test_cli_list_show_search_report_export(app, tmp_path):
    config = str(tmp_path / "config.toml")
    base = ["--config", config, "--db", str(app.db_path)]
    app.close()
    runner = CliRunner()
    listed = runner.invoke(cli, [*base, "clusters", "list"])
    assert listed.exit_code == 0 and re.search(r"bluetooth .* publications\s+7", listed.output), listed.output
    shown = runner.invoke(cli, [*base, "clusters", "show", "bluetooth"])
    assert "windows_done 6" in shown.output and "filings_tracked: 4" in shown.output
    found = runner.invoke(cli, [*base, "clusters", "search", "bluetooth", "networking"])
    assert found.exit_code == 0 and "EP-2400812-A1" in found.output
    reported = runner.invoke(
        cli, [*base, "clusters", "report", "bluetooth", "--out", str(tmp_path / "r.html"), "--lang", "en"]
    )
    assert reported.exit_code == 0 and "4 filings (7 publications)" in reported.output
    exported = runner.invoke(
        cli, [*base, "clusters", "export", "bluetooth", "--out", str(tmp_path / "e.csv")]
    )
    assert exported.exit_code == 0 and "7 publication(s)" in exported.output
    missing = runner.invoke(cli, [*base, "clusters", "show", "nope"])
    assert missing.exit_code == 1 and "no cluster named 'nope'" in missing.output


PIZZA = """
name = "pizza"
title = { zh = "食品装备集群", en = "Food equipment cluster" }
countries = ["US", "EP", "WO"]
keywords = ["pizza"]
years = 30
[[competitors]]
name = "Pizza Hut, Inc."
aliases = ["PIZZA HUT INC"]
"""


def test_local_exports_fill_a_cluster_once_and_raise_no_alerts(tmp_path, corpus):
    from warning.clusters.files import add_files

    lens = corpus("lens-exports-oldham", "pizza_lens_1000_raw.csv")
    app = make_app(tmp_path, "http://127.0.0.1:9/3.2/")
    (tmp_path / "clusters" / "pizza.toml").write_text(PIZZA, encoding="utf-8")
    first = add_files(app, "pizza", [lens])
    countries = dict(app.db.execute("SELECT country, count(*) FROM publications GROUP BY country").fetchall())
    assert first["inserted"] == sum(countries.values()) and first["marked"] == sum(
        countries.get(c, 0) for c in ("US", "EP", "WO")
    )
    again = add_files(app, "pizza", [lens])
    assert again["marked"] == 0 and again["inserted"] == 0
    land = build_landscape(app.db, load_cluster(app.config, "pizza"), TODAY)
    assert len(land.filings) <= first["marked"] and set(land.countries) <= {"US", "EP", "WO"}
    assert land.years[0] >= "1996" and land.years[-1] <= "2026"  # the 30-year window of the cluster
    older = app.db.execute(
        "SELECT count(*) FROM publications WHERE publication_date < '1996-12-01'"
    ).fetchone()[0]
    assert older > 0  # the export holds older ones; the landscape leaves them out
    assert "Pizza Hut, Inc." in dict(land.top_applicants)  # PIZZA HUT INC, under its display name
    origins = {r[0] for r in app.db.execute("SELECT DISTINCT origin FROM cluster_publications").fetchall()}
    assert origins == {"backfill"}


def test_cli_as_another_organisation_sees_no_owned_cluster(app, tmp_path):
    from warning.store import orgs, users

    orgs.ensure_org(app.db, "rival-motors", "Rival Motors", "enterprise")
    orgs.ensure_org(app.db, "district-escort", "District escort desk", "enterprise")
    users.create_user(app.db, "rita", "rival-motors", "admin", password="correct horse battery")
    users.create_user(app.db, "dora", "district-escort", "viewer", password="correct horse battery")
    base = ["--config", str(tmp_path / "config.toml"), "--db", str(app.db_path)]
    app.close()
    runner = CliRunner()
    assert "bluetooth" not in runner.invoke(cli, [*base, "--as", "rita", "clusters", "list"]).output
    for command in (
        ["show", "bluetooth"],
        ["search", "bluetooth", "networking"],
        ["report", "bluetooth", "--out", str(tmp_path / "x.html")],
    ):
        denied = runner.invoke(cli, [*base, "--as", "rita", "clusters", *command])
        assert denied.exit_code == 1 and "no cluster named 'bluetooth'" in denied.output
    assert not (tmp_path / "x.html").exists()
    owner = runner.invoke(cli, [*base, "--as", "dora", "clusters", "show", "bluetooth"])
    assert owner.exit_code == 0 and "owner: district-escort" in owner.output
    backfill_denied = runner.invoke(cli, [*base, "--as", "dora", "clusters", "backfill", "bluetooth"])
    assert backfill_denied.exit_code == 1 and "for the programme's people" in backfill_denied.output
