"""Benchmark: `warning ingest` of USPTO bulk XML against raw lxml parsing of the same bytes.

Builds a concatenated weekly-style file of at least ``--mb`` MB (default 200) from the real
USPTO grants in ../shared/corpus (each copy gets a new publication number), then measures in
the same run:

- raw lxml: every document through ``lxml.etree.fromstring`` and nothing else (the split into
  documents is done beforehand and not timed);
- the full ``warning ingest FILE`` into a fresh SQLite database, in a subprocess so its peak
  RSS is its own;
- the same ingest on the file doubled, to show that memory does not grow with file size;
- the same ingest of the first file zipped, as the weekly ``ipgYYMMDD.zip`` come (streamed
  from the zip, never extracted).

Prints the figures and writes them as JSON to benchmarks/out/ingest.json.

Example:
    .venv/bin/python benchmarks/ingest.py            # 200 MB and 400 MB files in a temp dir
    .venv/bin/python benchmarks/ingest.py --mb 50    # a quicker run
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus")) / "uspto-bulk-xml"
MB = 1024 * 1024
# The first doc-number of a grant is its publication number (publication-reference comes first).
_FIRST_NUMBER = re.compile(
    rb"(<publication-reference>\s*<document-id>\s*<country>US</country>\s*<doc-number>)([^<]+)"
)
_FILE_ATTR = re.compile(rb'file="[^"]*"')


def source_documents() -> list[bytes]:
    """Every real us-patent-grant document of the corpus's concatenated weekly fragments."""
    sys.path.insert(0, str(ROOT))
    from warning.sources.uspto.stream import iter_documents

    docs = []
    for path in sorted(CORPUS.rglob("ipg*.xml")):
        with path.open("rb") as fh:
            docs += [d.data for d in iter_documents(fh) if b"<us-patent-grant" in d.data[:2000]]
    return docs


def build_file(path: Path, docs: list[bytes], min_bytes: int, first_serial: int) -> tuple[int, int]:
    """Write copies of ``docs`` with fresh numbers until ``min_bytes``; returns (documents, bytes)."""
    written = count = 0
    serial = first_serial
    with path.open("wb") as out:
        while written < min_bytes:
            for doc in docs:
                serial += 1
                number = f"{serial:08d}".encode()
                doc = _FIRST_NUMBER.sub(rb"\g<1>" + number, doc, count=1)
                doc = _FILE_ATTR.sub(b'file="US' + number + b'"', doc, count=1)
                out.write(doc if doc.endswith(b"\n") else doc + b"\n")
                written += len(doc)
                count += 1
                if written >= min_bytes:
                    break
    return count, path.stat().st_size


def raw_lxml(path: Path) -> dict:
    """Seconds spent in ``lxml.etree.fromstring`` over every document of the file."""
    from lxml import etree

    from warning.sources.uspto.stream import iter_documents

    spent = 0.0
    count = 0
    with path.open("rb") as fh:
        for doc in iter_documents(fh):
            start = time.perf_counter()
            etree.fromstring(doc.data)
            spent += time.perf_counter() - start
            count += 1
    return {"seconds": spent, "documents": count}


def ingest_child(db: str, file: str) -> None:
    """Run `warning ingest` in this process and print its peak RSS (the parent reads it)."""
    from warning.cli import cli

    if os.environ.get("BENCH_PER_ROW_FTS"):  # the reference: the full-text index kept by triggers, row by row
        import warning.sources.ingest

        warning.sources.ingest.BULK_INDEX_BYTES = float("inf")
    start = time.perf_counter()
    try:
        cli.main(["--db", db, "ingest", "--no-progress", file], standalone_mode=False)
    finally:
        seconds = time.perf_counter() - start
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        # The forked parser process of a big file is a child of this one: its peak is reported too.
        parser_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(
            json.dumps(
                {"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "parser_peak_rss_mb": parser_kb / 1024}
            )
        )


def ingest(path: Path, db: Path, per_row_fts: bool = False) -> dict:
    """The full `warning ingest` of ``path`` into a fresh database, in a subprocess."""
    cmd = [sys.executable, __file__, "--child", str(db), str(path)]
    env = {**os.environ, **({"BENCH_PER_ROW_FTS": "1"} if per_row_fts else {})}
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["summary"] = done.stdout.strip().splitlines()[0]
    return figures


def measure(path: Path, docs: int, size: int, tmp: Path, with_raw: bool) -> dict:
    mb = size / MB
    result: dict = {"file_mb": round(mb, 1), "documents": docs}
    if with_raw:
        raw = raw_lxml(path)
        result["raw_lxml"] = {
            "seconds": round(raw["seconds"], 2),
            "mb_per_s": round(mb / raw["seconds"], 1),
            "docs_per_s": round(raw["documents"] / raw["seconds"]),
        }
    db = tmp / f"{path.name}.db"
    got = ingest(path, db)
    result["ingest"] = {
        "seconds": round(got["seconds"], 2),
        "mb_per_s": round(mb / got["seconds"], 1),
        "docs_per_s": round(docs / got["seconds"]),
        "peak_rss_mb": round(got["peak_rss_mb"], 1),
        "parser_process_peak_rss_mb": round(got["parser_peak_rss_mb"], 1),
        "cli_output": got["summary"],
    }
    if with_raw:
        result["ingest_to_raw_speed_ratio"] = round(
            result["ingest"]["mb_per_s"] / result["raw_lxml"]["mb_per_s"], 2
        )
        # The same ingest with the index kept row by row by the FTS5 triggers (before issue 18).
        per_row = ingest(path, tmp / f"{path.name}.per-row.db", per_row_fts=True)
        result["ingest_per_row_fts"] = {
            "seconds": round(per_row["seconds"], 2),
            "mb_per_s": round(mb / per_row["seconds"], 1),
        }
        result["per_row_fts_to_raw_speed_ratio"] = round(
            result["ingest_per_row_fts"]["mb_per_s"] / result["raw_lxml"]["mb_per_s"], 2
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200, help="size of the first file in MB (default 200)")
    parser.add_argument("--child", nargs=2, metavar=("DB", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        ingest_child(*args.child)
        return
    sys.path.insert(0, str(ROOT))
    docs = source_documents()
    with tempfile.TemporaryDirectory(prefix="warning-bench-") as tmp_name:
        tmp = Path(tmp_name)
        single, double = tmp / "ipg_bench.xml", tmp / "ipg_bench_double.xml"
        n1, s1 = build_file(single, docs, args.mb * MB, 20_000_000)
        n2, s2 = build_file(double, docs, 2 * args.mb * MB, 40_000_000)
        runs = {"single": measure(single, n1, s1, tmp, True), "double": measure(double, n2, s2, tmp, False)}
        weekly_zip = tmp / "ipg_bench.zip"
        with zipfile.ZipFile(weekly_zip, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.write(single, "ipg_bench.xml")
        runs["zip"] = measure(weekly_zip, n1, s1, tmp, False)  # MB/s of the XML inside, streamed from the zip
        runs["zip"]["zip_mb"] = round(weekly_zip.stat().st_size / MB, 1)
    report = {
        "source_documents": len(docs),
        **runs,
        "rss_growth_when_doubled": round(
            runs["double"]["ingest"]["peak_rss_mb"] / runs["single"]["ingest"]["peak_rss_mb"], 2
        ),
        "cpus": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": {
            "ingest_to_raw_speed_ratio": ">= 0.5",
            "peak_rss_mb": "< 300, flat when the file doubles",
        },
    }
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
