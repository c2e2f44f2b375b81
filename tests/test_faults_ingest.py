"""`warning ingest` on a bad day: zip bombs, huge lines, kill -9, honest counts, content detection.

Big inputs are built on the fly in tmp_path and streamed (never held whole in memory here);
each command runs as a real subprocess, whose peak RSS it reports itself.
"""

from __future__ import annotations

import json
import os
import re
import signal
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import psutil
import pytest
from click.testing import CliRunner

from tests.fixtures_support import FIXTURES
from warning.cli import cli
from warning.models import Publication
from warning.sources.files import parse_file
from warning.sources.ingest import ingest_paths
from warning.sources.uspto.stream import iter_documents
from warning.store import open_db

USPTO = "uspto-bulk-xml"
GRANT = ("go-uspto", "grant__v4-0-B2.xml")  # US-6857133-B2
WEEKLY = ("PatentsView-DB", "ipg050104.small.xml")  # 25 grants
MB = 1024 * 1024
# Run the CLI and report this process's peak RSS on stderr, however the command ends. VmHWM, not
# ru_maxrss: Linux carries ru_maxrss over exec, so it would count the forking pytest's memory.
MEASURED_CLI = """
import sys
from warning.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="warning")
finally:
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    print("PEAK_RSS_KB", peak, file=sys.stderr)
"""
# What `warning ingest` itself costs (Python, lxml, sqlite, the parsers), with room to spare;
# the inputs below are 16 to 64 times larger than the limits they are read with.
FLAT_RSS_MB = 250


def write_config(tmp_path: Path, **limits: float) -> Path:
    path = tmp_path / "config.toml"
    path.write_text("[ingest]\n" + "".join(f"{k} = {v}\n" for k, v in limits.items()), encoding="utf-8")
    return path


def run_measured(tmp_path: Path, config: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    cmd = [sys.executable, "-c", MEASURED_CLI, "--config", str(config), "--db", str(tmp_path / "w.db"), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, timeout=300)
    peak_kb = int(re.search(r"PEAK_RSS_KB (\d+)", done.stderr).group(1))
    return done, peak_kb / 1024


def renumbered(doc: bytes, number: str) -> bytes:
    """A real grant under another publication number (the first doc-number is the publication's)."""
    return re.sub(rb"(<doc-number>)\d+", rb"\g<1>" + number.encode(), doc, count=1)


def write_bomb_zip(path: Path, member: str, before: bytes, block: bytes, count: int, after: bytes) -> int:
    """A zip whose one member is ``before + block * count + after``, deflated without doing the work.

    After a full flush the compressor starts afresh, so one compressed block stands for every
    repeat: a gigabyte costs a megabyte of output and a CRC pass. Returns the member's size.
    """
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = co.compress(before) + co.flush(zlib.Z_FULL_FLUSH)
    once = co.compress(block) + co.flush(zlib.Z_FULL_FLUSH)
    tail = co.compress(after) + co.flush()
    crc = zlib.crc32(before)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(after, crc)
    usize = len(before) + len(block) * count + len(after)
    csize = len(head) + len(once) * count + len(tail)
    name = member.encode()
    with path.open("wb") as out:
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 33, crc, csize, usize, len(name), 0))
        out.write(name + head)
        for _ in range(count):
            out.write(once)
        out.write(tail)
        directory = out.tell()
        out.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 33, crc, csize, usize, len(name), 0, 0, 0, 0, 0, 0))  # fmt: skip
        out.write(name)
        end = out.tell()
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, end - directory, directory, 0))
    return usize


def stored(db_path: Path) -> set[str]:
    db = open_db(db_path)
    try:
        return {r[0] for r in db.execute("SELECT id FROM publications")}
    finally:
        db.conn.close()


def quarantine_reasons(db_path: Path) -> list[str]:
    db = open_db(db_path)
    try:
        return [r[0] for r in db.execute("SELECT reason FROM quarantine ORDER BY id")]
    finally:
        db.conn.close()


# ---------------------------------------------------------------- item 3: size limits


LINUX_ONLY = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS read from /proc")


@LINUX_ONLY
def test_zip_bomb_document_is_quarantined_memory_stays_flat_and_its_neighbours_land(corpus, tmp_path):
    grant = corpus(USPTO, *GRANT).read_bytes()
    bomb_start = b'<?xml version="1.0" encoding="UTF-8"?>\n<us-patent-grant lang="EN"><abstract><p>'
    bomb_end = b"</p></abstract></us-patent-grant>\n"
    path = tmp_path / "grants.zip"
    size = write_bomb_zip(
        path, "grants.xml", renumbered(grant, "06800001") + bomb_start, b"A" * MB, 1024,
        bomb_end + renumbered(grant, "06800002"),
    )  # fmt: skip
    assert size > 1024 * MB and path.stat().st_size < 3 * MB
    done, peak = run_measured(tmp_path, write_config(tmp_path, max_document_mb=16), "ingest", str(path))
    assert done.returncode == 0, done.stderr
    assert "2 new, 0 merged, 0 unchanged, 1 quarantined; 3 document(s) read" in done.stdout
    assert stored(tmp_path / "w.db") == {"US-6800001-B2", "US-6800002-B2"}
    (reason,) = quarantine_reasons(tmp_path / "w.db")
    assert "document of 1,024 MB is larger than the limit, 16.0 MB ([ingest] max_document_mb)" in reason
    assert peak < FLAT_RSS_MB, f"peak RSS {peak:.0f} MB reading a 1 GB document"


@LINUX_ONLY
def test_huge_json_line_is_quarantined_memory_stays_flat_and_its_neighbours_land(tmp_path):
    path = tmp_path / "export.jsonl"
    with path.open("wb") as out:
        out.write(json.dumps({"id": "US-20240000001-A1", "title": "Battery tray"}).encode() + b"\n")
        out.write(b'{"id": "US-20240000002-A1", "abstract": "')
        for _ in range(256):
            out.write(b"x" * MB)
        out.write(b'"}\n')
        out.write(json.dumps({"id": "US-20240000003-A1", "title": "Motorcycle frame"}).encode() + b"\n")
    done, peak = run_measured(tmp_path, write_config(tmp_path, max_document_mb=16), "ingest", str(path))
    assert done.returncode == 0, done.stderr
    assert "2 new, 0 merged, 0 unchanged, 1 quarantined; 3 document(s) read" in done.stdout
    assert stored(tmp_path / "w.db") == {"US-20240000001-A1", "US-20240000003-A1"}
    assert (
        "line 2: record of 256 MB is larger than the limit, 16.0 MB"
        in quarantine_reasons(tmp_path / "w.db")[0]
    )
    assert peak < FLAT_RSS_MB, f"peak RSS {peak:.0f} MB reading a 256 MB line"


def test_a_field_over_the_limit_is_quarantined_with_its_size(tmp_path):
    path = tmp_path / "labelled.jsonl"
    records = [
        {"id": "US-20240000001-A1", "title": "Hub motor"},
        {"id": "US-20240000002-A1", "title": "Battery", "abstract": "cell " * 400},
        {"id": "US-20240000003-A1", "title": "Brake", "applicants": ["A" * 600, "B" * 600]},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    config = write_config(tmp_path, max_field_chars=1000)
    result = CliRunner().invoke(cli, ["--config", str(config), "ingest", "--no-progress", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 new, 0 merged, 0 unchanged, 2 quarantined" in result.output
    reasons = quarantine_reasons(Path(os.environ["WARNING_DB"]))
    assert reasons == [
        "abstracts (en) has 2,000 characters, more than the limit of 1,000 ([ingest] max_field_chars)",
        "applicants has 1,200 characters, more than the limit of 1,000 ([ingest] max_field_chars)",
    ]


@pytest.mark.parametrize("cut", [False, True], ids=["whole-zip", "cut-zip"])
def test_a_zip_member_over_the_limit_stops_there_and_the_next_member_is_read(corpus, tmp_path, cut):
    weekly = corpus(USPTO, *WEEKLY).read_bytes()  # 1.5 MB, 25 grants
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.xml", weekly)
        archive.writestr("small.xml", corpus(USPTO, *GRANT).read_bytes())
    if cut:  # no central directory: read from the local headers
        path.write_bytes(path.read_bytes()[: path.read_bytes().rfind(b"PK\x01\x02")])
    db = open_db(tmp_path / "w.db")
    from warning.config.schema import IngestConfig

    result = ingest_paths(db, [path], limits=IngestConfig(max_member_mb=0.5))
    ids = {r[0] for r in db.execute("SELECT id FROM publications")}
    assert "US-6857133-B2" in ids  # the member after the one over the limit
    assert 3 < len(ids) - 1 < 25  # the grants of big.xml before the limit
    reasons = [r[0] for r in db.execute("SELECT reason FROM quarantine")]
    assert (
        len(reasons) == 1 and "zip member big.xml of at least 0.5 MB is larger than the limit" in reasons[0]
    )
    assert result.read == result.saved.inserted + 1


# ---------------------------------------------------------------- item 6: kill -9


def big_weekly_file(corpus, path: Path, min_bytes: int) -> None:
    """Real grants under fresh numbers until ``min_bytes``: big enough for the forked parsers."""
    docs = []
    for name in ("ipg050104.small.xml", "ipg060103.small.xml", "ipg070102.small.xml"):
        with corpus(USPTO, "PatentsView-DB", name).open("rb") as fh:
            docs += [d.data for d in iter_documents(fh) if b"<us-patent-grant" in d.data[:3000]]
    serial, written = 7_000_000, 0
    with path.open("wb") as out:
        while written < min_bytes:
            for doc in docs:
                serial += 1
                written += out.write(renumbered(doc, f"{serial:08d}"))


STORED_SOME = re.compile(rb"(?<![\d,])[1-9][\d,]* docs|docs=[1-9]")  # this progress bar's, or the old one's


def test_parser_processes_end_when_ingest_is_killed(corpus, tmp_path):
    path = tmp_path / "weekly.xml"
    big_weekly_file(corpus, path, 40 * MB)  # over PROCESS_FROM_BYTES: parsed in child processes
    env = {**os.environ, "TQDM_MININTERVAL": "0", "TQDM_MINITERS": "1"}
    config = tmp_path / "config.toml"
    config.write_text("[ingest]\nparser_processes = 2\n")  # two, whatever the cores: both must end
    cmd = [sys.executable, "-c", "from warning.cli import main; main()", "--db", str(tmp_path / "w.db")]
    cmd += ["--config", str(config)]
    proc = subprocess.Popen([*cmd, "ingest", "--progress", str(path)], stderr=subprocess.PIPE, env=env)
    try:
        shown = b""
        while not STORED_SOME.search(shown):  # documents came back: the parsers are running
            more = os.read(proc.stderr.fileno(), 65536)
            assert more, f"ingest ended before it was killed: {shown[-500:]!r}"
            shown += more
        children = psutil.Process(proc.pid).children(recursive=True)
        assert len(children) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.stderr.close()
    _, alive = psutil.wait_procs(children, timeout=10)
    alive = [p for p in alive if _running(p)]
    assert alive == [], f"parser processes left running after kill -9: {alive}"
    frames = [f for f in shown.decode(errors="replace").split("\r") if " docs" in f]
    assert re.search(r"ingest:\s+\d+%\|", frames[0]) and "weekly.xml" in frames[0]


# A process that forks two parser children, which fill their queues and wait; it prints their pids.
FORKING_PARENT = """
import multiprocessing, signal, sys
import warning.sources.readahead as readahead
if sys.argv[1] == "pipe-only":  # as on macOS: no PR_SET_PDEATHSIG, the lifeline pipe alone
    readahead._set_parent_death_signal = lambda: None
def produce(counts, shard, shards):
    while True:
        yield [shard], None
items = readahead.read_ahead_in_processes(produce, (), None, shards=2, depth=2)
next(items)
print(*(child.pid for child in multiprocessing.active_children()), flush=True)
signal.pause()
"""


@pytest.mark.parametrize("way", ["death-signal-and-pipe", "pipe-only"])
def test_forked_children_end_with_their_parent_either_way(way):
    proc = subprocess.Popen([sys.executable, "-c", FORKING_PARENT, way], stdout=subprocess.PIPE, text=True)
    try:
        children = [psutil.Process(int(pid)) for pid in proc.stdout.readline().split()]
        assert len(children) == 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.stdout.close()
    _, alive = psutil.wait_procs(children, timeout=10)
    assert [p for p in alive if _running(p)] == []


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE  # ended, not yet reaped by its new parent
    except psutil.NoSuchProcess:
        return False


# ---------------------------------------------------------------- item 13: honest counts


def test_every_document_of_the_concatenated_weekly_files_is_counted_once(corpus, tmp_path):
    files = sorted(corpus(USPTO, "PatentsView-DB").glob("ipg*.xml"))
    path = tmp_path / "weeks.xml"
    data = b"".join(f.read_bytes() for f in files)
    path.write_bytes(data + files[0].read_bytes())  # ipg120327.* repeat each other; one week twice
    documents = path.read_bytes().count(b"<?xml")
    counts = _counts(CliRunner().invoke(cli, ["ingest", "--no-progress", str(path)]).output)
    db = open_db(Path(os.environ["WARNING_DB"]))
    assert counts["new"] == db.execute("SELECT count(*) FROM publications").fetchone()[0]
    assert counts["unchanged"] > 25 and counts["skipped"] > 0  # the repeats, the sequence listings
    assert (
        counts["new"] + counts["merged"] + counts["unchanged"] + counts["quarantined"] + counts["skipped"]
        == documents
    )
    assert counts["read"] == documents
    again = _counts(CliRunner().invoke(cli, ["ingest", "--no-progress", str(path)]).output)
    assert again["new"] == again["merged"] == 0 and again["read"] == documents


def test_a_repeat_in_the_same_batch_that_adds_something_counts_as_merged(tmp_path):
    path = tmp_path / "two.jsonl"
    lines = [
        {"id": "US-20240000001-A1", "title": "Hub motor"},
        {"id": "US-20240000001-A1", "title": "Hub motor", "abstract": "An in-wheel motor."},
        {"id": "US-20240000001-A1", "title": "Hub motor"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    output = CliRunner().invoke(cli, ["ingest", "--no-progress", str(path)]).output
    assert "1 new, 1 merged, 1 unchanged, 0 quarantined; 3 document(s) read" in output


def _counts(output: str) -> dict[str, int]:
    found = {k: int(v) for v, k in re.findall(r"(\d+) (new|merged|unchanged|quarantined|skipped)", output)}
    found["read"] = int(re.search(r"(\d+) document\(s\) read", output).group(1))
    return {"skipped": 0, **found}


# ---------------------------------------------------------------- item 14: progress within a file


def test_progress_moves_with_the_bytes_read_inside_one_file(corpus, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TQDM_MININTERVAL", "0")
    monkeypatch.setenv("TQDM_MINITERS", "1")
    path = tmp_path / "weekly.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        # Ten times the real fragment (1,960 documents): enough reading for the bar to move inside.
        week = corpus(USPTO, "PatentsView-DB", "ipg120327.196.xml").read_bytes()
        archive.writestr("ipg120327.xml", week * 10)
    db = open_db(tmp_path / "w.db")
    ingest_paths(db, [path], progress=True)
    frames = [f for f in capsys.readouterr().err.split("\r") if "docs" in f]
    counts = [int(c.replace(",", "")) for f in frames for c in re.findall(r"weekly\.zip: ([\d,]+) docs", f)]
    # The bar moved inside the one file: a count of documents drawn before its last one (how far
    # the bytes had got by then depends on the read-ahead, which a loaded machine runs early).
    assert any(0 < c < counts[-1] for c in counts), frames[:5]
    assert re.search(r"<\d\d:\d\d, [\d.]+[kM]?B/s, weekly\.zip: [\d,]+ docs, [\d,]+ docs/s\]", frames[-1])


# ---------------------------------------------------------------- item 15: content, not names


@pytest.mark.parametrize("name", ["trunc.zip", "ipg999999.zip", "download"])
def test_a_cut_zip_is_read_by_its_content_whatever_its_name(corpus, tmp_path, name):
    whole = tmp_path / "whole.zip"
    with zipfile.ZipFile(whole, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("grants.xml", corpus(USPTO, "PatentsView-DB", "ipg120327.196.xml").read_bytes())
    path = tmp_path / name
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size * 9 // 10])
    items = list(parse_file(path))
    pubs = [i for i in items if isinstance(i, Publication)]
    assert len(pubs) > 150 and len(items) == len(pubs) + 1  # the document the cut ends in
    assert "truncated: stream ended inside this document" in items[-1].reason


def test_pretty_printed_json_is_read_as_json(tmp_path):
    records = [
        {"id": f"US-2024000000{n}-A1", "title": f"Battery {n}", "cpc": ["H01M10/00"]} for n in range(3)
    ]
    (tmp_path / "array.json").write_text(json.dumps(records, indent=2), encoding="utf-8")
    (tmp_path / "one.json").write_text(json.dumps({"id": "EP-4123456-A1", "title": "Frame"}, indent=4))
    items = [*parse_file(tmp_path / "array.json"), *parse_file(tmp_path / "one.json")]
    assert [i.id for i in items] == [*(r["id"] for r in records), "EP-4123456-A1"]


def test_a_record_without_id_says_what_is_missing(tmp_path):
    path = tmp_path / "labelled.json"
    path.write_text(json.dumps([{"title": "Hub motor"}, {"id": "US-20240000001-A1"}], indent=1))
    bad, good = parse_file(path)
    assert good.id == "US-20240000001-A1"
    assert (
        bad.reason
        == "record 1 (line 2): no 'id' (every record needs the publication number, e.g. \"US-20240123456-A1\")"
    )


def test_files_holding_no_patent_document_exit_1_and_say_why_once(tmp_path):
    (tmp_path / "notes.txt").write_text("minutes of the meeting\n")
    (tmp_path / "ipg240102.xml").write_text("<html><body>502 Bad Gateway</body></html>")
    (tmp_path / "blank.jsonl").write_text("\n\n")
    (tmp_path / "none.json").write_text("[]\n")
    (tmp_path / "sequences.xml").write_bytes(
        b'<?xml version="1.0"?>\n<sequence-cwu id="x"><number-of-sequences>1</number-of-sequences></sequence-cwu>\n'
    )
    names = ["notes.txt", "ipg240102.xml", "blank.jsonl", "none.json", "sequences.xml"]
    cmd = [sys.executable, "-c", "from warning.cli import main; main()", "ingest", "--no-progress"]
    done = subprocess.run([*cmd, *names], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 1
    assert "0 new, 0 merged, 0 unchanged, 3 quarantined, 1 skipped" in done.stdout
    for name in names:
        assert done.stderr.count(name) == 1, done.stderr  # each reason once: not logged and echoed too
    assert "ipg240102.xml: an HTML page" in done.stderr and "blank.jsonl: an empty file" in done.stderr
    assert "none.json: no document in it" in done.stderr
    assert "sequences.xml: only 1 non-patent document(s), skipped" in done.stderr
    assert "error: no patent document in the files given" in done.stderr


def test_the_ingest_limits_come_from_the_config_and_must_be_positive(tmp_path):
    from warning.config.loading import load_config
    from warning.config.schema import IngestConfig
    from warning.errors import ConfigError

    config = load_config(write_config(tmp_path, max_document_mb=8, max_member_mb=1024, max_field_chars=5000))
    assert config.ingest == IngestConfig(max_document_mb=8.0, max_member_mb=1024.0, max_field_chars=5000)
    assert config.ingest.document_bytes == 8 * MB and load_config(None).ingest.member_bytes == 8192 * MB
    with pytest.raises(
        ConfigError, match=r"config.toml: ingest.max_field_chars must be greater than 0, not 0"
    ):
        load_config(write_config(tmp_path, max_field_chars=0))


def test_export_rows_and_single_document_files_over_the_limits_are_quarantined(corpus, db, tmp_path):
    from warning.config.schema import IngestConfig

    csv_path = tmp_path / "lens.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as out:
        out.write("#,Jurisdiction,Kind,Publication Number,Title\r\n1,US,A1,US 2013/0101709 A1,Pizza oven\r\n")
        out.write("2,US,A1,US 2013/0101710 A1," + "x" * (3 * MB) + "\r\n")  # one line over the limit
        out.write('3,US,A1,US 2013/0101711 A1,"' + "y" * 300_000 + '"\r\n')  # one field over the csv limit
        out.write("4,US,B2,US 8123456 B2,Pizza peel\r\n")
    ep = corpus("epo-eps-xml", "go-epo-eps", "application__v1-5-1-A1.xml")  # 0.7 MB
    limits = IngestConfig(max_document_mb=0.5, max_field_chars=200_000)
    result = ingest_paths(db, [csv_path, ep], limits=limits)
    ids = [r[0] for r in db.execute("SELECT id FROM publications ORDER BY id")]
    assert ids == ["US-20130101709-A1", "US-8123456-B2"]
    reasons = [r[0] for r in db.execute("SELECT reason FROM quarantine ORDER BY id")]
    assert "line 3: line of 3.0 MB is larger than the limit, 0.5 MB ([ingest] max_document_mb)" in reasons[0]
    assert "field larger than field limit (200000)" in reasons[1]
    assert "file of 0.7 MB is larger than the limit, 0.5 MB ([ingest] max_document_mb)" in reasons[2]
    assert result.read == 5 and result.quarantined == 3


def test_an_india_grant_list_with_a_row_over_the_limit_keeps_its_neighbours(db, tmp_path):
    from warning.config.schema import IngestConfig

    real = (FIXTURES / "exports" / "ipo_india_grants_2018_2019_cut.csv").read_bytes().split(b"\n")
    header, first, second = real[0], real[1], real[2]
    huge = (
        b"9,399999,1/DEL/2020,01/01/2020,,A TITLE "
        + b"x" * (3 * MB)
        + b",SOMEONE,,DELHI,01/2021 Dated 01/01/2021"
    )
    path = tmp_path / "grants.csv"
    path.write_bytes(b"\n".join([header, first, huge, second, b""]))
    result = ingest_paths(db, [path], limits=IngestConfig(max_document_mb=0.5))
    ids = [r[0] for r in db.execute("SELECT id FROM publications ORDER BY id")]
    assert ids == ["IN-315738-B", "IN-325016-B"] and result.quarantined == 1
    (reason,) = [r[0] for r in db.execute("SELECT reason FROM quarantine")]
    assert "line 3: line of 3.0 MB is larger than the limit, 0.5 MB" in reason
