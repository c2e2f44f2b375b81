"""Industry clusters, measured: a backfill through a loopback OPS, a kill -9 and resume, and a report.

Part 1, backfill: a loopback OPS (tests/ops_server.py: the corpus's real ``exchange-document``
elements, one of them cloned under ``--docs`` new numbers over five years of EP publication days)
answers the test cluster of tests/clusters_support.py (keyword "bluetooth", competitor
9Solutions, EP/US/CA, 15 years). Measured: the dry run's estimate against what the backfill then
asked (requests, bytes), window splits, seconds and publications per second.

Part 2, kill -9: the same backfill in a child process, killed with SIGKILL after ``--kill-after``
pages, then resumed in this one: publications lost, duplicated, and the pages asked again.

Part 3, report: a cluster filled from the real PATENTSCOPE export 2012-2015 and the Lens export
(``warning clusters add``), its landscape, the HTML and .xlsx reports (timed), and a screenshot of
the HTML page by chromium headless where /usr/bin/chromium exists.

Writes benchmarks/out/clusters.json (and the reports and screenshot beside it).

Example:
    nice .venv/bin/python benchmarks/clusters.py --docs 3000
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus"))
OUT = ROOT / "benchmarks" / "out"

from pytest_httpserver import HTTPServer  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

from tests.clusters_support import TODAY, write_setup  # noqa: E402
from tests.ops_server import KEY, SECRET, FakeOps, clone, real_documents  # noqa: E402
from warning.app import App  # noqa: E402
from warning.clusters.backfill import backfill  # noqa: E402
from warning.clusters.files import add_files  # noqa: E402
from warning.clusters.report import write_report  # noqa: E402
from warning.config.loading import parse_config  # noqa: E402
from warning.identity import make_id  # noqa: E402

FOOD = """
name = "food-equipment"
title = { zh = "食品装备产业集群（披萨设备）", en = "Food equipment cluster (pizza)" }
owner = "district-escort"
countries = ["US", "EP", "WO", "CA", "AU", "JP", "KR", "CN", "DE", "GB"]
keywords = ["pizza"]
years = 15
[[competitors]]
name = "Pizza Hut, Inc."
aliases = ["PIZZA HUT INC", "Pizza Hut Inc."]
[[competitors]]
name = "Nestec S.A."
aliases = ["NESTEC SA", "Nestec S.A.", "SOCIETE DES PRODUITS NESTLE S.A."]
[[competitors]]
name = "Kraft Foods"
aliases = ["KRAFT FOODS GLOBAL BRANDS LLC", "Kraft Foods Group Brands LLC", "KRAFT FOODS HOLDINGS INC"]
[[competitors]]
name = "General Mills"
aliases = ["GENERAL MILLS INC", "General Mills, Inc.", "GENERAL MILLS MARKETING INC"]
"""


def app_for(config_path: Path, db: Path) -> App:
    config = parse_config(tomllib.loads(config_path.read_text(encoding="utf-8")), config_path)
    return App(config=config, db_path=db)


def loopback_ops(docs: int) -> tuple[HTTPServer, FakeOps]:
    server = HTTPServer(threaded=True)
    server.start()
    ops = FakeOps(server, CORPUS)
    real = real_documents(CORPUS)
    ops.add(real)
    template = real["EP.2400812.A1"]
    first = date(2020, 1, 6)
    for i in range(docs):
        day = first + timedelta(days=(i * 7) % (5 * 365))
        ops.add({f"EP.{8100000 + i}.A1": clone(template, str(8100000 + i), f"{day:%Y%m%d}")})
    return server, ops


def replay(requests_asked: list) -> tuple[float, list[bytes]]:
    """Seconds to ask the same requests again over one keep-alive session, and the answers."""
    import requests

    session, bodies = requests.Session(), []
    started = time.perf_counter()
    for request in requests_asked:
        if request.path.endswith("/accesstoken"):
            continue  # a new token would void the one the backfill's requests carry
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        response = session.request(request.method, request.url, data=request.get_data(), headers=headers)
        if not 200 <= response.status_code < 300:
            raise SystemExit(f"a replayed request was answered {response.status_code}: {request.url}")
        bodies.append(response.content)
    return time.perf_counter() - started, bodies


def raw_parse(bodies: list[bytes]) -> float:
    """Seconds lxml takes to parse the same answers, nothing read out of them."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    started = time.perf_counter()
    for body in bodies:
        etree.fromstring(body, parser)
    return time.perf_counter() - started


def part_backfill(workdir: Path, docs: int) -> dict:
    server, ops = loopback_ops(docs)
    try:
        config = write_setup(workdir, ops.base_url)
        app = app_for(config, workdir / "backfill.db")
        estimate = backfill(app, "bluetooth", dry_run=True, today=TODAY)
        started = time.perf_counter()
        result = backfill(app, "bluetooth", today=TODAY)
        seconds = time.perf_counter() - started
        stored = app.db.execute("SELECT count(*) FROM publications").fetchone()[0]
        est = estimate["estimate"]
        asked = [request for request, _ in server.log][len(server.log) - result["plugin"]["requests"] :]
        http_only, bodies = replay(asked)
        parse_only = raw_parse(bodies)
        return {
            "docs_served": docs + len(real_documents(CORPUS)),
            "stored": stored,
            "estimate": est,
            "asked": {"requests": result["plugin"]["requests"], "bytes": result["plugin"]["bytes"]},
            "splits": result["splits"],
            "windows_done": result.get("windows_done", 0),
            "seconds": round(seconds, 2),
            "publications_per_second": round(stored / seconds, 1),
            # The peer, same run: the backfill's own requests asked again of the same server by
            # requests alone, nothing parsed or stored (the loopback HTTP limit).
            "peer_http_only_seconds": round(http_only, 2),
            "peer_http_bytes": sum(map(len, bodies)),
            "ratio_to_http_only": round(http_only / seconds, 2),
            # and lxml's parse of the same answers: together, what a backfill cannot go below
            "peer_raw_lxml_seconds": round(parse_only, 2),
            "ratio_to_http_and_parse": round((http_only + parse_only) / seconds, 2),
        }
    finally:
        server.stop()


_CHILD = """
import sys, tomllib
sys.path.insert(0, sys.argv[3])
from warning.app import App
from warning.config.loading import parse_config
from warning.clusters.backfill import backfill
from tests.clusters_support import TODAY
path = __import__("pathlib").Path(sys.argv[1])
app = App(config=parse_config(tomllib.loads(path.read_text()), path), db_path=sys.argv[2])
backfill(app, "bluetooth", progress=lambda n, t: print("page", flush=True), today=TODAY)
"""


def part_kill(workdir: Path, docs: int, kill_after: int) -> dict:
    server, ops = loopback_ops(docs)
    try:
        config = write_setup(workdir, ops.base_url, page_size=50, batch_size=50)
        db = workdir / "kill.db"
        env = {**os.environ, "OPS_KEY": KEY, "OPS_SECRET": SECRET}
        child = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(config), str(db), str(ROOT)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        pages = 0
        for line in child.stdout:
            pages += line.startswith("page")
            if pages >= kill_after:
                os.kill(child.pid, signal.SIGKILL)
                break
        child.wait(timeout=60)
        app = app_for(config, db)
        before = app.db.execute("SELECT count(*) FROM publications").fetchone()[0]
        asked = len(ops.calls["retrieval"])
        result = backfill(app, "bluetooth", today=TODAY)
        expected = {
            make_id(*n.split("."))
            for n, day in ops.dates.items()
            if n[:3] in ("EP.", "US.", "CA.") and day >= "20111201"
        }
        have = {r[0] for r in app.db.execute("SELECT id FROM publications")}
        marks = app.db.execute(
            "SELECT count(*), count(DISTINCT publication_id) FROM cluster_publications"
        ).fetchone()
        return {
            "killed_after_pages": pages,
            "child_exit": child.returncode,
            "stored_before_resume": before,
            "stored_after_resume": len(have),
            "lost": len(expected - have),
            "marks": marks[0],
            "marks_duplicated": marks[0] - marks[1],
            "biblio_requests_resumed": len(ops.calls["retrieval"]) - asked,
            "status": result["status"],
        }
    finally:
        server.stop()


def part_report(workdir: Path) -> dict:
    folder = workdir / "food"
    (folder / "clusters").mkdir(parents=True)
    (folder / "watchlists").mkdir()
    (folder / "clusters" / "food.toml").write_text(FOOD, encoding="utf-8")
    config = folder / "config.toml"
    config.write_text('watchlists = "watchlists"\nclusters = "clusters"\n', encoding="utf-8")
    app = app_for(config, folder / "food.db")
    files = [
        CORPUS / "wipo-patentscope-export-pizza" / "patentscope_pizza_2012_2015_6177.xls",
        CORPUS / "lens-exports-oldham" / "pizza_lens_1000_raw.csv",
    ]
    started = time.perf_counter()
    added = add_files(app, "food-equipment", files)
    add_seconds = time.perf_counter() - started
    figures = {
        "files": [f.name for f in files],
        "read": added["read"],
        "added": added["marked"],
        "add_seconds": round(add_seconds, 2),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, suffix in (("en", "html"), ("zh", "html"), ("en", "xlsx")):
        out = OUT / f"cluster-report-{lang}.{suffix}"
        started = time.perf_counter()
        land = write_report(app, "food-equipment", out, lang, today=date(2016, 2, 9))
        figures[f"report_{lang}_{suffix}_seconds"] = round(time.perf_counter() - started, 2)
        figures[f"report_{lang}_{suffix}_bytes"] = out.stat().st_size
    figures.update(filings=len(land.filings), publications=land.publications, statuses=land.statuses)
    figures["top_applicants"] = land.top_applicants[:5]
    figures["families_multi_market"] = len(land.families)
    figures["screenshot"] = screenshot(OUT / "cluster-report-en.html", OUT / "cluster-report.png")
    return figures


def screenshot(page: Path, png: Path) -> str:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        return "no chromium"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--screenshot={png}",
         "--window-size=1100,2000", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return str(png)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--docs", type=int, default=3000, help="cloned EP publications the loopback OPS serves"
    )
    parser.add_argument("--kill-after", type=int, default=20, help="pages stored before the child is killed")
    args = parser.parse_args()
    os.environ.setdefault("OPS_KEY", KEY)
    os.environ.setdefault("OPS_SECRET", SECRET)
    with tempfile.TemporaryDirectory(prefix="clusters-bench-") as tmp:
        work = Path(tmp)
        (work / "a").mkdir()
        (work / "b").mkdir()
        figures = {
            "backfill": part_backfill(work / "a", args.docs),
            "kill_9": part_kill(work / "b", args.docs, args.kill_after),
            "report": part_report(work),
        }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "clusters.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
