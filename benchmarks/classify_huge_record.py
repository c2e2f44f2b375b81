"""Fault benchmark: `warning classify` over a store holding one huge record (issue 11, item 3).

Builds a store of the real USPTO weekly fragments in ../shared/corpus (every ``ipg*.small.xml``
and ``ipg120327.196.xml``) plus one publication whose abstract is a single ``--mb`` MB text field
(default 200), written straight through the store as an older version of the service would have
kept it. Then runs ``warning classify`` with the shipped watchlists in a subprocess, under an
address-space limit (``--limit-gb``, default 4) so that a run that would need more ends in a
MemoryError instead of taking the machine, and reports its exit status, wall time, peak RSS,
the publications scored and whether the huge one was scored too. A second ``classify`` shows the
cursor moved (nothing scored again).

    .venv/bin/python benchmarks/classify_huge_record.py            # 200 MB field
    .venv/bin/python benchmarks/classify_huge_record.py --mb 50
Writes benchmarks/out/classify_huge_record.json.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus")) / "uspto-bulk-xml"
OUT = ROOT / "benchmarks" / "out"
HUGE_ID = "US-99999999-B1"


def build_store(db_path: Path, mb: int) -> int:
    """The corpus fragments plus one publication with an ``mb`` MB abstract; returns the count."""
    from warning.models import Publication
    from warning.sources.ingest import ingest_paths
    from warning.store import open_db
    from warning.store.publications import save_publications

    db = open_db(db_path)
    folder = CORPUS / "PatentsView-DB"
    ingest_paths(db, [*sorted(folder.glob("ipg*.small.xml")), folder / "ipg120327.196.xml"])
    size = mb * 1_000_000
    text = ("motorcycle swing arm " * (size // 21 + 1))[:size]
    huge = Publication(HUGE_ID, "US", "99999999", "B1", titles={"en": "frame"}, abstracts={"en": text})
    save_publications(db, [huge])
    count = int(db.execute("SELECT count(*) FROM publications").fetchone()[0])
    db.conn.close()
    return count


def run_classify(config: Path, db_path: Path, limit_gb: float) -> dict:
    """One `warning classify` in a subprocess under an address-space limit: status, time, peak RSS."""
    limit = int(limit_gb * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    command = [sys.executable, "-c", "from warning.cli import main; main()", "--config", str(config),
               "--db", str(db_path), "classify"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, preexec_fn=cap, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    code = os.waitstatus_to_exitcode(status)
    scored = re.search(r"(\d+) publication\(s\) scored", stdout)
    last = (stderr.strip().splitlines() or [""])[-1]
    return {"exit": code, "seconds": round(seconds, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024),
            "scored": int(scored.group(1)) if scored else 0, "error": last if code else ""}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the huge text field")
    parser.add_argument("--limit-gb", type=float, default=4.0, help="address-space limit of classify")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text(f'watchlists = "{(ROOT / "watchlists").as_posix()}"\nclassifiers = "models"\n')
        count = build_store(folder / "store.db", args.mb)
        first = run_classify(config, folder / "store.db", args.limit_gb)
        again = run_classify(config, folder / "store.db", args.limit_gb)
        from warning.store import open_db

        db = open_db(folder / "store.db")
        huge_matched = db.execute(
            "SELECT count(*) FROM matches WHERE publication_id = ?", [HUGE_ID]
        ).fetchone()[0]
        db.conn.close()
    result = {"publications": count, "field_mb": args.mb, "limit_gb": args.limit_gb, "first": first,
              "second": again, "huge_record_matched": bool(huge_matched)}  # fmt: skip
    OUT.mkdir(exist_ok=True)
    (OUT / "classify_huge_record.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
