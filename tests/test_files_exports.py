"""Local files: PATENTSCOPE and Lens exports, format detection, and the EP/OPS XML hooks."""

from __future__ import annotations

import functools
import json
import re
import zipfile
from pathlib import Path

import pytest

from warning.errors import ParseError
from warning.models import Publication, QuarantinedDocument
from warning.sources import ingest
from warning.sources.exports.common import export_date
from warning.sources.exports.lens import parse_lens_csv, parse_lens_jsonl
from warning.sources.exports.patentscope import parse_patentscope_bytes
from warning.sources.files import detect_format, parse_file
from warning.sources.ingest import ingest_paths
from warning.sources.registry import file_formats

PS = "wipo-patentscope-export-pizza"
LENS = "lens-exports-oldham"


@functools.cache
def parsed(path: Path) -> tuple:
    """Each big export is parsed once per test session (the XLS files take seconds)."""
    return tuple(parse_file(path))


def by_id(items) -> dict[str, Publication]:
    items = list(items)
    assert all(isinstance(i, Publication) for i in items), [
        i for i in items if not isinstance(i, Publication)
    ][:3]
    return {p.id: p for p in items}


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("patentscope_pizza_1940_2005_9659.xls", 9659),
        ("patentscope_pizza_2006_2011_8458.xls", 8458),
        ("patentscope_pizza_2012_2015_6177.xls", 6177),
        ("patentscope_pizza_all_24294.DERIVED.csv", 24294),
    ],
)
def test_patentscope_exports_every_row(corpus, name, rows):
    path = corpus(PS, name)
    assert detect_format(path).name == ("patentscope-xls" if name.endswith(".xls") else "patentscope-csv")
    items = parsed(path)
    assert len(items) == rows and all(isinstance(i, Publication) for i in items)
    assert {i.source for i in items} == {"patentscope"}


def test_patentscope_fields(corpus):
    pubs = by_id(parsed(corpus(PS, "patentscope_pizza_1940_2005_9659.xls")))
    p = pubs["US-20050286606"]  # PATENTSCOPE gives no kind code
    assert p.title() == "Method and apparatus for monitoring and detecting defects in plastic package sealing"
    assert p.publication_date == "2005-12-29" and p.priority_date == "2004-06-24"
    assert p.ipc == ["G01N25/00", "G01J5/00", "G01N25/72"]
    assert p.applicants == ["Fluke Corporation"] and p.inventors == ["Ignatowicz Steven"]
    assert p.priority_claims == ["US60582692"]
    assert pubs["US-20050287165"].priority_claims == ["GB9800760", "GB9819015", "GB9822143"]
    latest = by_id(parsed(corpus(PS, "patentscope_pizza_2012_2015_6177.xls")))["US-20150376176"]
    assert latest.title() == "SWEET FLAVOR MODIFIER" and latest.ipc[0] == "C07D417/12"


def test_patentscope_xls_and_csv_agree(corpus):
    xls = by_id(parsed(corpus(PS, "patentscope_pizza_2012_2015_6177.xls")))
    csv_rows = by_id(parsed(corpus(PS, "patentscope_pizza_all_24294.DERIVED.csv")))
    for pid in list(xls)[:200]:
        a, b = xls[pid], csv_rows[pid]
        assert (a.titles, a.ipc, a.applicants, a.publication_date) == (
            b.titles,
            b.ipc,
            b.applicants,
            b.publication_date,
        )


def test_patentscope_row_without_number_is_quarantined():
    data = b"Publication Number,Publication Date,Title,Priority Data,IPC,Applicants,Inventors,FP Image\n"
    data += b",01.02.2015,No number,,A21B 1/00,X,Y,\nWO/2015/012345,01.02.2015,Oven,,A21B 1/00,X,Y,\n"
    bad, good = parse_patentscope_bytes(data, "mem")
    assert isinstance(bad, QuarantinedDocument) and "no publication number" in bad.reason
    assert good.id == "WO-2015012345" and good.ipc == ["A21B1/00"]


def test_lens_csv_fields(corpus):
    path = corpus(LENS, "pizza_lens_1000_raw.csv")
    assert detect_format(path).name == "lens-csv"
    pubs = by_id(parse_file(path))
    assert len(pubs) == 1000
    p = pubs["US-20130101709-A1"]  # written "US 2013/0101709 A1"
    assert (p.title(), p.publication_date, p.filing_date) == (
        "METHOD AND SYSTEM FOR ASSEMBLING A PIZZA",
        "2013-04-25",
        "2012-10-22",
    )
    assert p.cpc == ["A23L1/0067", "G01G19/00"] and p.ipc == ["A23L1/00", "G01N5/00"]
    assert p.applicants == ["PIZZA HUT INC"] and p.priority_date == "2011-10-24"
    g = pubs["US-3982033-A"]
    assert g.doc_type == "grant" and g.publication_date == "1976-09-21"  # "21/09/76"


def test_lens_jsonl_fields(corpus):
    path = corpus(LENS, "Coronavirus-CPC-based-patents.blopeur.jsonl")
    assert detect_format(path).name == "lens-jsonl"  # not the project's own JSON Lines
    pubs = by_id(parse_file(path))
    assert len(pubs) == 1470
    w = pubs["WO-2008155316-A1"]
    assert w.title() == "Immunogenic Compositions Associated With Sars Corona Virus Spike Protein"
    assert w.cpc[0] == "C07K16/10" and w.ipc == ["A61K39/215", "A61P31/14", "C07K14/165"]
    assert (w.publication_date, w.priority_date, w.priority_claims) == (
        "2008-12-24",
        "2007-06-19",
        ["GB0711858"],
    )


def test_lens_bad_lines_and_rows_are_quarantined():
    good, bad = parse_lens_jsonl(
        b'{"publicationKey": "EP_1234567_B1", "title": "X"}\n{"title": "no key"}\n', "m"
    )
    assert good.id == "EP-1234567-B1" and good.doc_type == "grant"
    assert isinstance(bad, QuarantinedDocument) and bad.ref == "m:2"
    (row,) = parse_lens_csv(b"#,Jurisdiction,Kind,Publication Number,Title\n1,US,A1,,Untitled\n", "c")
    assert isinstance(row, QuarantinedDocument) and "no publication number" in row.reason


@pytest.mark.parametrize(
    ("value", "iso"),
    [("25/04/13", "2013-04-25"), ("21/09/76", "1976-09-21"), ("29.12.2005", "2005-12-29"),
     ("2008-12-24", "2008-12-24"), ("20050104", "2005-01-04"), ("31.02.2005", None), ("", None)],
)  # fmt: skip
def test_export_dates(value, iso):
    assert export_date(value) == iso


def test_ep_and_ops_files_reach_the_epo_parsers(corpus):
    ep = corpus("epo-eps-xml")
    ep_files = sorted(p for p in ep.rglob("*.xml"))
    assert {detect_format(p).name for p in ep_files} == {"ep-xml"}
    assert sum(isinstance(i, Publication) for p in ep_files for i in parse_file(p)) == 33
    ops = corpus("epo-ops-patent-dev", "testdata__biblio.xml")
    assert detect_format(ops).name == "ops-xml"
    assert any(isinstance(i, Publication) for i in parse_file(ops))


def test_uspto_detection_by_content_name_and_zip(corpus, tmp_path):
    assert detect_format(corpus("uspto-bulk-xml", "go-uspto", "grant__v2-5-B1.xml")).name == "uspto-xml"
    html = tmp_path / "ipg240102.xml"
    html.write_bytes(b"<html><body>Not Found</body></html>")
    with pytest.raises(ParseError, match="an HTML page"):
        detect_format(html)  # by its content, not its weekly name: quarantined with that reason
    (item,) = parse_file(html)
    assert "HTML page" in item.reason
    archive = tmp_path / "weekly.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("x.xml", corpus("uspto-bulk-xml", "go-uspto", "grant__v4-0-B2.xml").read_bytes())
    assert detect_format(archive).name == "uspto-xml"
    assert [p.id for p in parse_file(archive)] == ["US-6857133-B2"]
    assert [f.name for f in file_formats()][-1] == "jsonl"


def test_ingest_of_the_exports_is_idempotent(corpus, db):
    paths = [
        corpus(LENS, "pizza_lens_1000_raw.csv"),
        corpus(LENS, "Coronavirus-CPC-based-patents.blopeur.jsonl"),
    ]
    first = ingest_paths(db, paths)
    assert (
        first.saved.inserted + first.saved.merged + first.saved.unchanged == 2470 and first.quarantined == 0
    )
    stored = db.execute("SELECT count(*) FROM publications").fetchone()[0]
    again = ingest_paths(db, paths)
    assert again.saved.inserted == 0 and again.saved.merged == 0
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == stored


def test_ingest_progress_counts_documents_inside_one_big_file(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TQDM_MININTERVAL", "0")  # every update drawn, not ten a second
    monkeypatch.setenv("TQDM_MINITERS", "1")
    path = tmp_path / "week.jsonl"
    lines = [json.dumps({"id": f"US-2024{n:07d}-A1", "title": f"Battery pack {n}"}) for n in range(2500)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # What the bar is given to show, recorded where it is set: which of those tqdm draws depends
    # on the terminal, on its redraw interval and on how far the read-ahead has got.
    given: list[str] = []
    real = ingest._Progress._show

    def recording(self, position, documents, shown_path):
        real(self, position, documents, shown_path)
        given.append(self.bar.postfix)

    monkeypatch.setattr(ingest._Progress, "_show", recording)
    result = ingest_paths(db, [path], progress=True)
    assert result.saved.inserted == 2500
    counts = [int(c.replace(",", "")) for c in re.findall(r"week\.jsonl: ([\d,]+) docs", " ".join(given))]
    assert any(0 < c < 2500 for c in counts) and counts[-1] == 2500, counts
    assert counts == sorted(counts)  # the count only moves forward
    shown = capsys.readouterr().err
    assert "week.jsonl: 2,500 docs" in shown  # and the bar draws it


@pytest.mark.parametrize("fraction", [0.3, 0.9])
def test_a_real_xls_workbook_cut_short_is_quarantined_and_the_batch_goes_on(
    corpus, db, tmp_path, capsys, fraction
):
    whole = corpus(PS, "patentscope_pizza_2012_2015_6177.xls").read_bytes()
    cut = tmp_path / "cut.xls"
    cut.write_bytes(whole[: int(len(whole) * fraction)])
    lens = corpus(LENS, "pizza_lens_1000_raw.csv")
    result = ingest_paths(db, [cut, lens])
    assert result.quarantined == 1 and result.saved.inserted > 900
    reason = db.execute("SELECT reason FROM quarantine").fetchone()[0]
    assert "cut.xls" in reason and ".xls workbook" in reason
    # xlrd's own warnings ("file size ... not 512 + multiple of sector size") stay out of the output.
    assert "sector" not in capsys.readouterr().out


IPO = "india-ipo-journal-titles"


@pytest.mark.parametrize(
    ("name", "rows", "other_tables", "lost_digit"),
    [("2018_grants.csv", 15697, 1690, {"23445", "92105"}), ("2019_grants.csv", 22897, 0, set())],
)
def test_india_journal_grant_lists_every_row(corpus, name, rows, other_tables, lost_digit):
    path = corpus(IPO, name)
    assert detect_format(path).name == "ipo-journal-csv"
    items = parsed(path)
    grants = [i for i in items if isinstance(i, Publication)]
    refused = [i for i in items if isinstance(i, QuarantinedDocument)]
    assert len(items) == rows and len(refused) == other_tables
    assert all(re.search(r"Patent Number '.*' is not an Indian patent number", q.reason) for q in refused)
    # two numbers that lost a digit in the PDF extraction are refused, not stored as other patents
    assert {q.reason.split("'")[1] for q in refused} >= lost_digit
    assert all(re.fullmatch(r"IN-\d{6}-B", g.id) and g.doc_type == "grant" for g in grants)
    # a grant is dated by its journal issue; where the extraction lost the issue (whole issues of
    # 2018: 1 grant in 10) it has no date, rather than a wrong one
    dated = [g for g in grants if g.publication_date]
    assert len(dated) >= 0.85 * len(grants) and all(g.publication_date[:4] == name[:4] for g in dated)
    assert sum(bool(g.titles.get("en")) for g in grants) >= len(grants) - 2
    assert sum(bool(g.applicants) for g in grants) >= len(grants) - 2
    # no title keeps what the PDF extraction left of its quotes
    assert not [g.id for g in grants if re.search(r"^[€œ•˜\"]|[€•\"]$", g.titles.get("en", ""))]


def test_ingest_of_the_india_grant_lists_is_idempotent(corpus, db):
    paths = [corpus(IPO, "2018_grants.csv"), corpus(IPO, "2019_grants.csv")]
    first = ingest_paths(db, paths)
    assert first.quarantined == 1690
    assert first.saved.inserted + first.saved.merged + first.saved.unchanged == 15697 + 22897 - 1690
    stored = db.execute("SELECT count(*) FROM publications WHERE country = 'IN'").fetchone()[0]
    assert stored == first.saved.inserted > 36_000
    again = ingest_paths(db, paths)
    assert again.saved.inserted == 0 and again.saved.merged == 0
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == stored
