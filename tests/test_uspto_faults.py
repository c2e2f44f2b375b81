"""USPTO files as they arrive: zipped and streamed, cut short, hostile, broken; and stored exactly once."""

from __future__ import annotations

import io
import multiprocessing
import os
import zipfile

import pytest

from warning.config.schema import IngestConfig
from warning.models import Publication, QuarantinedDocument
from warning.sources.ingest import IngestResult, ingest_paths, store_items
from warning.sources.reading import Reading
from warning.sources.uspto import parser
from warning.sources.uspto.parser import parse_uspto, parse_uspto_file
from warning.sources.uspto.stream import iter_documents

FOLDER = "uspto-bulk-xml"
WEEKLY = ("PatentsView-DB", "ipg050104.small.xml")  # 25 grants, DTD v4.0


def split(items):
    items = list(items)
    pubs = [i for i in items if isinstance(i, Publication)]
    bad = [i for i in items if isinstance(i, QuarantinedDocument)]
    return pubs, bad


def zipped(tmp_path, name: str, data: bytes, member: str = "ipg050104.xml"):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return path


def test_stream_splitting_does_not_depend_on_chunk_size(corpus):
    data = corpus(FOLDER, *WEEKLY).read_bytes()
    whole = [d.data for d in iter_documents(io.BytesIO(data), chunk_size=len(data))]
    for size in (3, 4096, 65536):
        assert [d.data for d in iter_documents(io.BytesIO(data), chunk_size=size)] == whole
    assert len(whole) == 25 and b"".join(whole) == data


def test_zip_is_parsed_as_a_stream_like_the_xml(corpus, tmp_path):
    data = corpus(FOLDER, *WEEKLY).read_bytes()
    path = zipped(tmp_path, "ipg050104.zip", data)
    pubs, bad = split(parse_uspto_file(path))
    assert bad == [] and len(pubs) == 25
    assert [p.id for p in pubs] == [p.id for p in parse_uspto(data, "x")]
    assert pubs[0].raw_ref == f"{path}!ipg050104.xml:1"


def test_truncated_zip_quarantines_only_the_broken_tail(corpus, tmp_path):
    data = corpus(FOLDER, *WEEKLY).read_bytes()
    whole = zipped(tmp_path, "full.zip", data).read_bytes()
    cut = tmp_path / "ipg050104.zip"
    cut.write_bytes(whole[: len(whole) * 6 // 10])  # the central directory and 40 % of the data are gone
    pubs, bad = split(parse_uspto_file(cut))
    assert 5 < len(pubs) < 25
    assert len(bad) == 1 and bad[0].reason.startswith("truncated: stream ended inside this document")
    expected = [p.id for p in parse_uspto(data, "x")][: len(pubs)]
    assert [p.id for p in pubs] == expected


def test_truncated_xml_file_quarantines_the_last_document(corpus, tmp_path):
    data = corpus(FOLDER, *WEEKLY).read_bytes()
    path = tmp_path / "ipg050104.xml"
    path.write_bytes(data[: len(data) - 5000])
    pubs, bad = split(parse_uspto_file(path))
    assert len(pubs) == 24
    assert len(bad) == 1 and "root element <us-patent-grant> never closes" in bad[0].reason
    assert bad[0].ref == f"{path}:25"


def test_html_page_empty_body_and_hostile_documents_are_quarantined(corpus):
    good = corpus(FOLDER, "go-uspto", "grant__v4-0-B2.xml").read_bytes()
    xxe = b'<?xml version="1.0"?>\n<!DOCTYPE us-patent-grant [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<us-patent-grant>&x;</us-patent-grant>\n'
    laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
        b"<lolz>&lol2;</lolz>\n"
    )
    html = b"<!DOCTYPE html><html><body>503 Service Unavailable</body></html>"
    counts: dict[str, int] = {}
    pubs, bad = split(
        parse_uspto(good + xxe + good.replace(b"06857133", b"06857134") + laughs, "batch", counts)
    )
    assert [p.id for p in pubs] == ["US-6857133-B2", "US-6857134-B2"]
    assert [b.ref for b in bad] == ["batch:2", "batch:4"]
    assert all("declares XML entities" in b.reason for b in bad)
    assert counts == {"documents": 4, "publications": 2, "quarantined": 2}
    (page,) = parse_uspto(html, "page")
    assert "HTML page where XML was expected" in page.reason
    (empty,) = parse_uspto(b"", "empty")
    assert "empty document" in empty.reason


def test_text_faults_are_repaired_and_logged(corpus, caplog):
    good = corpus(FOLDER, "go-uspto", "grant__v4-0-B2.xml").read_bytes()
    broken = good.replace(b"</invention-title>", b" R&D < 5 </invention-title>", 1) + b"\ntrailing junk\n"
    counts: dict[str, int] = {}
    (pub,) = parse_uspto(broken, "faulty", counts)
    assert isinstance(pub, Publication) and pub.title().endswith("R&D < 5")
    assert counts["repaired"] == 2
    assert "repaired" in caplog.text


def test_broken_beyond_repair_is_quarantined(corpus):
    good = corpus(FOLDER, "go-uspto", "grant__v4-0-B2.xml").read_bytes()
    broken = good.replace(b"</invention-title>", b"</invention-titel>", 1)
    (bad,) = parse_uspto(broken, "broken")
    assert isinstance(bad, QuarantinedDocument) and "malformed XML" in bad.reason


def test_unknown_root_is_quarantined_not_skipped():
    (bad,) = parse_uspto(b'<?xml version="1.0"?><error>quota exceeded</error>', "odd")
    assert "not a USPTO patent document (root element <error>)" in bad.reason


def test_ingest_of_every_real_uspto_file_stores_each_patent_once(corpus, db):
    folder = corpus(FOLDER)
    files = sorted(folder.rglob("*.xml"))
    first = ingest_paths(db, files)
    expected = {p.id for f in files for p in parse_uspto_file(f)}
    assert len(expected) == 451  # 473 patent documents; some files repeat others (ipg120327.*, test.xml)
    assert first.quarantined == 0
    assert first.saved.inserted == len(expected)
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == len(expected)
    row = db.execute("SELECT doc_type, ipc FROM publications WHERE id = 'US-PP18398-P2'").fetchone()
    assert row == ("plant", '["A01H5/00"]')
    again = ingest_paths(db, files)
    assert again.saved.inserted == 0 and again.saved.merged == 0
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == len(expected)


def test_bad_documents_land_in_quarantine_while_the_rest_is_stored(corpus, db, tmp_path):
    data = corpus(FOLDER, *WEEKLY).read_bytes()
    cut = zipped(tmp_path, "x.zip", data).read_bytes()
    (tmp_path / "ipg050104.zip").write_bytes(cut[: len(cut) // 2])
    (tmp_path / "ipg240102.xml").write_bytes(b"<html><body>Gateway Timeout</body></html>")
    (tmp_path / "ipa240104.xml").write_bytes(b"")
    result = IngestResult()
    for path in sorted(tmp_path.glob("ip*")):
        store_items(db, parse_uspto_file(path), result)
    stored = db.execute("SELECT count(*) FROM publications").fetchone()[0]
    assert 0 < stored < 25 and result.quarantined == 3
    reasons = [r["reason"] for r in db.query("SELECT reason FROM quarantine ORDER BY id")]
    assert any("empty document" in r for r in reasons) and any("HTML page" in r for r in reasons)
    second = IngestResult()
    for path in sorted(tmp_path.glob("ip*")):
        store_items(db, parse_uspto_file(path), second)
    assert db.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 3
    assert db.execute("SELECT count(*) FROM publications").fetchone()[0] == stored


def _parsers(n: int) -> Reading:
    return Reading(IngestConfig(parser_processes=n))


@pytest.mark.parametrize("parsers", [1, 2, 3])
def test_parsing_in_a_child_process_gives_the_same_items_and_counts(corpus, tmp_path, parsers):
    data = corpus(FOLDER, "PatentsView-DB", "ipg060103.small.xml").read_bytes()
    path = tmp_path / "ipg060103.xml"
    path.write_bytes(data + data[:20000])  # the second copy's first document never closes
    in_thread: dict[str, int] = {}
    in_child: dict[str, int] = {}
    a = list(parse_uspto_file(path, in_thread, in_process=False))
    b = list(parse_uspto_file(path, in_child, in_process=True, reading=_parsers(parsers)))
    assert a == b and len(a) == in_thread["publications"] + 1 > 25
    assert in_thread == in_child and in_child["quarantined"] == 1 and in_child["skipped"] == 2


def test_stopping_early_stops_the_reader(corpus):
    path = corpus(FOLDER, "PatentsView-DB", "ipg120327.196.xml")
    for in_process in (False, True):
        items = parse_uspto_file(path, in_process=in_process)
        first = next(items)
        items.close()
        assert first.id == "US-D656296-S"


@pytest.mark.parametrize("parsers", [1, 2, 3])
def test_a_zip_parsed_in_child_processes_gives_the_same_items_and_counts(corpus, tmp_path, parsers):
    # One child inflates the zip and hands the other its chunks through a pipe; five chunks of
    # documents, the last cut short, whole and with the zip's own end cut off.
    data = corpus(FOLDER, "PatentsView-DB", "ipg060103.small.xml").read_bytes()
    whole = zipped(tmp_path, "weeks.zip", data * 6 + data[:20000])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size * 9 // 10])
    for path in (whole, cut):
        in_thread: dict[str, int] = {}
        in_child: dict[str, int] = {}
        a = list(parse_uspto_file(path, in_thread, in_process=False))
        b = list(parse_uspto_file(path, in_child, in_process=True, reading=_parsers(parsers)))
        assert a == b and in_thread == in_child and in_child["documents"] > 4 * 32
        assert "truncated" in split(b)[1][-1].reason


def test_stopping_a_zip_early_stops_its_parser_processes(corpus, tmp_path):
    data = corpus(FOLDER, "PatentsView-DB", "ipg060103.small.xml").read_bytes()
    items = parse_uspto_file(zipped(tmp_path, "weeks.zip", data * 6), in_process=True)
    first = next(items)
    items.close()
    assert isinstance(first, Publication) and not multiprocessing.active_children()


def test_a_zip_whose_reading_process_dies_fails_the_ingest_instead_of_waiting(corpus, tmp_path, monkeypatch):
    data = corpus(FOLDER, "PatentsView-DB", "ipg060103.small.xml").read_bytes()
    real = parser._raw_documents

    def dies_halfway(path, reading):
        for n, pair in enumerate(real(path, reading)):
            if n == 70:
                os._exit(3)  # as a kill would end it: no word to the others
            yield pair

    monkeypatch.setattr(parser, "_raw_documents", dies_halfway)  # the forked children inherit it
    with pytest.raises(RuntimeError, match="ended"):
        list(parse_uspto_file(zipped(tmp_path, "weeks.zip", data * 6), in_process=True))
    assert not multiprocessing.active_children()
