"""Benchmark: the export readers (PATENTSCOPE CSV, Lens CSV and JSON Lines, IPO journal grant
lists) on the corpus's real files, against the plain reading of the same bytes in the same run.

For each file, in the same process and round after round (the median round is reported):

- the reference: Python's ``csv.reader`` over the decoded file (CSV), or ``json.loads`` of every
  line (JSON Lines), and nothing else: the least any reader of that format does;
- the service's reader (`warning.sources.files.parse_file`): detection, the rows to
  `Publication` records (numbers, dates, lists, classes), quarantine of bad rows;
- the whole ``warning ingest FILE`` into a fresh SQLite database, in a subprocess (its start-up
  of about 0.3 s included), which also stores every publication and its full-text index.

Prints rows per second and the reader's ratio to its reference, and writes JSON to
benchmarks/out/ingest_exports.json.

Example:
    .venv/bin/python benchmarks/ingest_exports.py
    .venv/bin/python benchmarks/ingest_exports.py --rounds 5
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus"))
OUT = ROOT / "benchmarks" / "out"
FILES = (
    ("PATENTSCOPE CSV", "wipo-patentscope-export-pizza/patentscope_pizza_all_24294.DERIVED.csv"),
    ("Lens CSV", "lens-exports-oldham/pizza_lens_1000_raw.csv"),
    ("Lens JSON Lines", "lens-exports-oldham/Coronavirus-CPC-based-patents.blopeur.jsonl"),
    ("IPO journal grants 2018", "india-ipo-journal-titles/2018_grants.csv"),
    ("IPO journal grants 2019", "india-ipo-journal-titles/2019_grants.csv"),
)


def reference(path: Path) -> int:
    """Rows read the plain way: csv.reader, or json.loads per line."""
    data = path.read_bytes().decode("utf-8-sig", errors="replace")
    if path.suffix == ".jsonl":
        return sum(1 for line in data.splitlines() if line.strip() and json.loads(line))
    return sum(1 for _ in csv.reader(io.StringIO(data, newline="")))


def reader(path: Path) -> int:
    from warning.sources.files import parse_file

    return sum(1 for _ in parse_file(path))


def timed(fn, path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    n = fn(path)
    return time.perf_counter() - start, n


def ingest_seconds(path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("warning")),
                "--db",
                str(Path(tmp) / "b.db"),
                "ingest",
                "--no-progress",
                str(path),
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results = []
    print(f"{'file':<26}{'rows':>8}{'reference':>14}{'reader':>14}{'ratio':>8}{'ingest':>10}")
    for name, rel in FILES:
        path = CORPUS / rel
        if not path.exists():
            print(f"{name:<26}  missing: {path}")
            continue
        ref = [timed(reference, path) for _ in range(args.rounds)]
        own = [timed(reader, path) for _ in range(args.rounds)]
        ref_s, own_s = statistics.median(t for t, _ in ref), statistics.median(t for t, _ in own)
        rows = own[0][1]
        whole = ingest_seconds(path)
        run = {
            "file": name,
            "path": rel,
            "rows": rows,
            "reference_s": round(ref_s, 4),
            "reader_s": round(own_s, 4),
            "ratio": round(ref_s / own_s, 3),
            "ingest_s": round(whole, 3),
            "rounds": {"reference": [round(t, 4) for t, _ in ref], "reader": [round(t, 4) for t, _ in own]},
        }
        results.append(run)
        print(
            f"{name:<26}{rows:>8,}{rows / ref_s:>10,.0f}/s{rows / own_s:>10,.0f}/s"
            f"{run['ratio']:>7.2f}x{whole:>9.2f}s",
            flush=True,
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingest_exports.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
