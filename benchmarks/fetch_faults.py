"""Fault loop: `warning fetch` of EPO OPS against a local OPS that spoils replies at random.

A loopback OPS (tests/ops_server.py: real ``exchange-document`` elements of the corpus, cloned
under new numbers) serves ``--docs`` publications of one country over ``--days`` publication
days. Each search or biblio reply is spoiled with probability ``--p``, in one of the ways real
servers and proxies fail: a body cut off, a body cut in transit (fewer bytes than
Content-Length), an HTML error page, an OPS ``<fault>`` under HTTP 200, an empty body, a 503.
The fetch is run again and again, as the schedule would, until a run succeeds. After every run
the cursor is checked against the store: a publication on or before the cursor that is not
stored is lost for good (no later run asks for it again).

Reports per seed and in total: runs needed, requests spoiled, publications lost (cursor past
them), missing at the end, duplicated (stored beyond the expected set), quarantined (every
document served is good, so a quarantine row is a reply taken for a bad document). Writes
benchmarks/out/fetch_faults.json.

Example:
    .venv/bin/python benchmarks/fetch_faults.py                 # 10 seeds, 500 docs, p = 0.3
    .venv/bin/python benchmarks/fetch_faults.py --seeds 3 --p 0.5
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus"))

from pytest_httpserver import HTTPServer  # noqa: E402
from werkzeug import Response  # noqa: E402

from tests.ops_server import KEY, SECRET, FakeOps, clone, real_documents  # noqa: E402
from warning.app import App  # noqa: E402
from warning.config.loading import parse_config  # noqa: E402
from warning.sources.fetch import fetch_source  # noqa: E402
from warning.store.operations import get_source_state  # noqa: E402

FIRST = date(2024, 1, 1)
FAULT = (CORPUS / "epo-ops-patent-dev/testdata__error_429.xml").read_bytes()


def spoilers() -> dict:
    def cut(r):
        body = r.get_data()
        return Response(body[: len(body) // 2], content_type="application/xml")

    def cut_in_transit(r):
        body = r.get_data()
        return Response(body[: len(body) // 2], headers={"Content-Length": str(len(body))})

    return {
        "cut": cut,
        "cut_in_transit": cut_in_transit,
        "html": lambda r: Response("<!DOCTYPE html><html><body>502</body></html>", content_type="text/html"),
        "fault_200": lambda r: Response(FAULT, content_type="application/xml"),
        "empty": lambda r: Response(b"", content_type="application/xml"),
        "http_503": lambda r: Response("busy", status=503),
    }


def spoil_at_random(ops: FakeOps, rng: random.Random, p: float, tally: dict) -> None:
    kinds = spoilers()
    for service, real in (("search", ops._search), ("retrieval", ops._biblio)):

        def rule(request, real=real):
            if rng.random() >= p:
                return None
            kind = rng.choice(sorted(kinds))
            tally[kind] = tally.get(kind, 0) + 1
            return kinds[kind](real(request))

        ops.rules[service] = rule


def one_seed(seed: int, docs: int, days: int, p: float, workdir: Path) -> dict:
    rng = random.Random(seed)
    server = HTTPServer(threaded=True)
    server.start()
    try:
        ops = FakeOps(server, CORPUS)
        template = real_documents(CORPUS)["EP.2533477.B1"]
        expected = {}
        for i in range(docs):
            day = FIRST + timedelta(days=i % days)
            number = str(9200000 + i)
            ops.add({f"EP.{number}.B1": clone(template, number, f"{day:%Y%m%d}")})
            expected[f"EP-{number}-B1"] = day.isoformat()
        tally: dict[str, int] = {}
        spoil_at_random(ops, rng, p, tally)
        table = {
            "kind": "epo_ops",
            "base_url": ops.base_url,
            "countries": ["EP"],
            "window_days": 2,
            "batch_size": 25,
            "page_size": 50,
            "max_retries": 2,
            "backoff_seconds": 0.0,
            "lookback_days": days - 1,
        }  # fmt: skip  (the first run, cursor empty, starts at FIRST)
        config = parse_config({"sources": {"ops": table}}, workdir / f"config-{seed}.toml")
        app = App(config=config, db_path=workdir / f"ops-{seed}.db")
        last = FIRST + timedelta(days=days - 1)
        runs, lost = 0, set()
        while runs < 50:
            runs += 1
            result = fetch_source(app, "ops", None, last, sleep=lambda s: None)  # as scheduled
            cursor = get_source_state(app.db, "ops", "EP").cursor
            have = {r[0] for r in app.db.execute("SELECT id FROM publications")}
            lost |= {i for i, d in expected.items() if cursor and d <= cursor and i not in have}
            if result["status"] == "ok":
                break
        have = {r[0] for r in app.db.execute("SELECT id FROM publications")}
        quarantined = app.db.execute("SELECT count(*) FROM quarantine").fetchone()[0]
        app.close()
        return {
            "seed": seed,
            "runs": runs,
            "spoiled": sum(tally.values()),
            "spoiled_by_kind": tally,
            "requests": len(ops.calls["search"]) + len(ops.calls["retrieval"]),
            "lost": len(lost),
            "missing_at_end": len(set(expected) - have),
            "duplicated": len(have - set(expected)),
            "quarantined": quarantined,  # every document served is good: any row here is a batch lost
        }
    finally:
        server.clear()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--p", type=float, default=0.3, help="probability that a reply is spoiled")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the loopback server's request lines
    logging.getLogger("warning").setLevel(logging.ERROR)  # the retries it causes, one line each
    os.environ.setdefault("OPS_KEY", KEY)
    os.environ.setdefault("OPS_SECRET", SECRET)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [one_seed(s, args.docs, args.days, args.p, Path(tmp)) for s in range(args.seeds)]
    total = {
        k: sum(r[k] for r in rows)
        for k in ("runs", "spoiled", "requests", "lost", "missing_at_end", "duplicated", "quarantined")
    }
    report = {
        "settings": vars(args),
        "seeds": rows,
        "total": total,
        "seconds": round(time.perf_counter() - started, 1),
    }
    for r in rows:
        print(
            f"seed {r['seed']}: {r['runs']} run(s), {r['spoiled']} of {r['requests']} replies spoiled, "
            f"lost {r['lost']}, missing {r['missing_at_end']}, duplicated {r['duplicated']}, "
            f"quarantined {r['quarantined']}"
        )
    print(f"total: {json.dumps(total)} in {report['seconds']} s")
    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    (out / "fetch_faults.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
