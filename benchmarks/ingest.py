"""Benchmark: `warning ingest` of USPTO bulk XML against raw lxml parsing of the same bytes.

Builds a concatenated weekly-style file of at least ``--mb`` MB (default 200) from the real
USPTO grants in ../shared/corpus (each copy gets a new publication number), then measures in
the same run:

- raw lxml, one process (the one-process limit): every document through ``lxml.etree.fromstring``
  and nothing else (the split into documents is not timed);
- raw lxml, two processes (the two-core limit): the same, each of two forked processes parsing
  alternate chunks of 32 documents (as ingest's parsers share them), held in memory beforehand;
  the wall time from the common start to the last one done;
- the full ``warning ingest FILE`` into a fresh SQLite database, in a subprocess so its peak
  RSS is its own; and its peer, the same ingest with the full-text index kept row by row by the
  FTS5 triggers (the reference before issue 18);
- the same ingest on the file doubled, to show that memory does not grow with file size;
- the same ingest of the first file zipped, as the weekly ``ipgYYMMDD.zip`` come (streamed
  from the zip, never extracted).

Each run's figures sit beside its peer and its limits, measured just before it (the load of a
shared machine changes from one minute to the next; the first file is measured in ``--rounds``
rounds and its median round reported, every round in the JSON): MB/s, its ratio to raw lxml in one
process and to the two-process limit, and the CPU seconds it used in all its processes
(on a machine shared with other work the kernel shares the cores between sessions, so the
wall-clock ratios then follow CPU seconds: raw lxml's CPU seconds over the ingest's is the ratio
it tends to). Prints a table and writes everything as JSON to benchmarks/out/ingest.json.

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
    """Seconds (wall and CPU) spent in ``lxml.etree.fromstring`` over every document of the file."""
    from lxml import etree

    from warning.sources.uspto.stream import iter_documents

    spent = cpu = 0.0
    count = 0
    with path.open("rb") as fh:
        for doc in iter_documents(fh):
            start, start_cpu = time.perf_counter(), time.process_time()
            etree.fromstring(doc.data)
            spent += time.perf_counter() - start
            cpu += time.process_time() - start_cpu
            count += 1
    return {"seconds": spent, "cpu_seconds": cpu, "documents": count}


def raw_lxml_processes(path: Path, processes: int = 2, chunk: int = 32) -> dict:
    """Wall seconds for ``processes`` forked processes to parse alternate chunks of the documents."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ready = context.Barrier(processes + 1)
    results = context.Queue()
    children = [
        context.Process(target=_raw_share, args=(path, k, processes, chunk, ready, results))
        for k in range(processes)
    ]
    for child in children:
        child.start()
    ready.wait()  # every share is in memory: the clock starts in each child now
    spans = [results.get() for _ in children]
    for child in children:
        child.join()
    return {
        "seconds": max(end for _, end, _ in spans) - min(start for start, _, _ in spans),
        "cpu_seconds": sum(cpu for _, _, cpu in spans),
    }


def _raw_share(path: Path, k: int, processes: int, chunk: int, ready, results) -> None:
    from lxml import etree

    from warning.sources.uspto.stream import iter_documents

    with path.open("rb") as fh:
        mine = [d.data for n, d in enumerate(iter_documents(fh)) if (n // chunk) % processes == k]
    ready.wait()
    start, start_cpu = time.perf_counter(), time.process_time()
    for data in mine:
        etree.fromstring(data)
    results.put((start, time.perf_counter(), time.process_time() - start_cpu))


def ingest_child(db: str, file: str) -> None:
    """Run `warning ingest` in this process and print its peak RSS (the parent reads it)."""
    from warning.cli import cli

    if os.environ.get("BENCH_PER_ROW_FTS"):  # the reference: the full-text index kept by triggers, row by row
        import warning.sources.ingest

        warning.sources.ingest.BULK_INDEX_BYTES = float("inf")
    start, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
    try:
        cli.main(["--db", db, "ingest", "--no-progress", file], standalone_mode=False)
    finally:
        seconds = time.perf_counter() - start
        me = resource.getrusage(resource.RUSAGE_SELF)
        # The forked parser processes of a big file are children of this one (joined by now).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = me.ru_utime + me.ru_stime - before.ru_utime - before.ru_stime
        print(
            json.dumps(
                {
                    "seconds": seconds,
                    "cpu_seconds": cpu + children.ru_utime + children.ru_stime,
                    "storer_cpu_seconds": cpu,
                    "peak_rss_mb": me.ru_maxrss / 1024,
                    "parser_peak_rss_mb": children.ru_maxrss / 1024,
                }
            )
        )


def ingest(path: Path, db: Path, per_row_fts: bool = False) -> dict:
    """The full `warning ingest` of ``path`` into a fresh database, in a subprocess.

    The database is created (its migrations run) before the clock starts: a weekly ingest goes
    into a store that exists, and creating one costs about 0.2 s whatever the file."""
    from warning.store import open_db

    open_db(db).conn.close()
    cmd = [sys.executable, __file__, "--child", str(db), str(path)]
    env = {**os.environ, **({"BENCH_PER_ROW_FTS": "1"} if per_row_fts else {})}
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["summary"] = done.stdout.strip().splitlines()[0]
    return figures


def _figures(got: dict, mb: float, docs: int) -> dict:
    return {
        "seconds": round(got["seconds"], 2),
        "cpu_seconds": round(got["cpu_seconds"], 2),
        "storer_cpu_seconds": round(got["storer_cpu_seconds"], 2),
        "mb_per_s": round(mb / got["seconds"], 1),
        "docs_per_s": round(docs / got["seconds"]),
        "peak_rss_mb": round(got["peak_rss_mb"], 1),
        "parser_process_peak_rss_mb": round(got["parser_peak_rss_mb"], 1),
        "cli_output": got["summary"],
    }


def limits(path: Path, docs: int, size: int) -> dict:
    """Raw lxml on ``path`` in one process and in two, measured now (each run's own limits)."""
    mb = size / MB
    raw, two = raw_lxml(path), raw_lxml_processes(path)
    return {
        "limits_file_mb": round(mb, 1),
        "raw_lxml": {
            "seconds": round(raw["seconds"], 2),
            "cpu_seconds": round(raw["cpu_seconds"], 2),
            "mb_per_s": round(mb / raw["seconds"], 1),
            "docs_per_s": round(raw["documents"] / raw["seconds"]),
        },
        "raw_lxml_2_processes": {
            "seconds": round(two["seconds"], 2),
            "cpu_seconds": round(two["cpu_seconds"], 2),
            "mb_per_s": round(mb / two["seconds"], 1),
            "docs_per_s": round(docs / two["seconds"]),
        },
    }


def measure(path: Path, docs: int, size: int, tmp: Path, base: tuple, with_peer: bool) -> dict:
    """One ingest run of ``path``, right after its limits measured on the first file (``base``:
    path, documents, size): the load of a shared machine changes from one minute to the next."""
    mb = size / MB
    result: dict = {"file_mb": round(mb, 1), "documents": docs, **limits(*base)}
    result["ingest"] = _figures(ingest(path, tmp / f"{path.name}.db"), mb, docs)
    if with_peer:
        # The peer: the same ingest with the index kept row by row by the FTS5 triggers (before issue 18).
        per_row = ingest(path, tmp / f"{path.name}.per-row.db", per_row_fts=True)
        result["ingest_per_row_fts"] = _figures(per_row, mb, docs)
    for name in (path.name + ".db", path.name + ".per-row.db"):
        for suffix in ("", "-wal", "-shm"):
            (tmp / (name + suffix)).unlink(missing_ok=True)
    add_ratios(result)
    return result


def add_ratios(run: dict) -> None:
    """Each ingest's ratios to the limits measured with it (MB/s of the XML against MB/s of the XML)."""
    for key in ("ingest", "ingest_per_row_fts"):
        if key in run:
            figures = run[key]
            figures["ratio_to_raw_lxml_1_process"] = round(
                figures["mb_per_s"] / run["raw_lxml"]["mb_per_s"], 2
            )
            figures["ratio_to_raw_lxml_2_processes"] = round(
                figures["mb_per_s"] / run["raw_lxml_2_processes"]["mb_per_s"], 2
            )
            raw_cpu_per_mb = run["raw_lxml"]["cpu_seconds"] / run["limits_file_mb"]
            figures["cpu_ratio_raw_lxml_to_ingest"] = round(
                raw_cpu_per_mb / (figures["cpu_seconds"] / run["file_mb"]), 2
            )


def table(report: dict) -> str:
    """The runs as a Markdown table, each beside its limits from the same run."""
    single = report["single"]
    rows = [
        "| run | MB/s | documents/s | peak RSS | ratio to raw lxml 1 process | ratio to 2-process limit | CPU s |",
        "|---|---|---|---|---|---|---|",
    ]
    raw, two = single["raw_lxml"], single["raw_lxml_2_processes"]
    name = f"{single['file_mb']:.0f} MB ({single['documents']:,} grants)"
    rows.append(
        f"| raw lxml, 1 process, {name} | {raw['mb_per_s']} | {raw['docs_per_s']:,} | - | 1 | "
        f"{raw['mb_per_s'] / two['mb_per_s']:.2f} | {raw['cpu_seconds']} |"
    )
    rows.append(
        f"| raw lxml, 2 processes (the limit), {name} | {two['mb_per_s']} | {two['docs_per_s']:,} | - | "
        f"{two['mb_per_s'] / raw['mb_per_s']:.2f} | 1 | {two['cpu_seconds']} |"
    )
    for label, run, key in (
        (f"`warning ingest`, {name}", single, "ingest"),
        (f"peer: `warning ingest`, FTS index per row (triggers), {name}", single, "ingest_per_row_fts"),
        (f"`warning ingest`, doubled, {report['double']['file_mb']:.0f} MB", report["double"], "ingest"),
        (f"`warning ingest`, zipped ({report['zip']['zip_mb']} MB), streamed", report["zip"], "ingest"),
    ):
        f = run[key]
        rss = f"{f['peak_rss_mb']:.0f} MB + {f['parser_process_peak_rss_mb']:.0f} MB per parser process"
        rows.append(
            f"| {label} | {f['mb_per_s']} | {f['docs_per_s']:,} | {rss} | "
            f"**{f['ratio_to_raw_lxml_1_process']}** | {f['ratio_to_raw_lxml_2_processes']} | {f['cpu_seconds']} |"
        )
    return "\n".join(rows)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200, help="size of the first file in MB (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds on the first file (default 3)")
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
        weekly_zip = tmp / "ipg_bench.zip"
        with zipfile.ZipFile(weekly_zip, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            archive.write(single, "ipg_bench.xml")
        load_at_start = [round(x, 2) for x in os.getloadavg()]
        base = (single, n1, s1)
        rounds = [measure(single, n1, s1, tmp, base, True) for _ in range(args.rounds)]
        # The round of the median ingest ratio stands for the file; every round is in the JSON.
        ranked = sorted(rounds, key=lambda r: r["ingest"]["ratio_to_raw_lxml_1_process"])
        runs = {"single": ranked[len(ranked) // 2], "double": measure(double, n2, s2, tmp, base, False)}
        runs["zip"] = measure(weekly_zip, n1, s1, tmp, base, False)  # MB/s of the XML inside, streamed
        runs["zip"]["zip_mb"] = round(weekly_zip.stat().st_size / MB, 1)
    report = {
        "source_documents": len(docs),
        **runs,
        "single_rounds": rounds,
        "ratio_to_raw_lxml_1_process_by_round": [r["ingest"]["ratio_to_raw_lxml_1_process"] for r in rounds],
        "peer_ratio_by_round": [r["ingest_per_row_fts"]["ratio_to_raw_lxml_1_process"] for r in rounds],
        "rss_growth_when_doubled": round(
            runs["double"]["ingest"]["peak_rss_mb"] / runs["single"]["ingest"]["peak_rss_mb"], 2
        ),
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "targets": {
            "ratio_to_raw_lxml_1_process": ">= 1.0 (issue 18), on the way to the 2-process limit",
            "peak_rss_mb": "< 300, flat when the file doubles",
        },
    }
    report["table"] = table(report)
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"\nload average {load_at_start} at the start, {report['load_average_at_end']} at the end\n")
    print(report["table"])
    print(f"\nratio to raw lxml 1 process by round: {report['ratio_to_raw_lxml_1_process_by_round']}"
          f" (peer: {report['peer_ratio_by_round']})")  # fmt: skip


if __name__ == "__main__":
    main()
