"""The web app's speed with a big store: server time of the inbox and of search, 100,000 matches.

Builds a store of N publications (titles and abstracts in Chinese or English, as the offices give
them) each matched by one of six watchlists over 90 days, two organisations (an enterprise that
owns one watchlist, and the programme), then asks the running Flask app (its WSGI handler through
the test client: server time, no network) for the inbox's first page, a filtered page and a
search, each ``--repeat`` times, and reports the median and the worst. Beside each page, in the
same run: its peer, the store query the page makes (`scope.visible_matches` with the page's
filters, `search.search_visible`) called directly with the same person's scope, so the rest is
the web stack's and the template's; and the floor, a Flask route returning a word through the
same test client.

    nice .venv/bin/python benchmarks/web.py [--matches 100000] [--repeat 20] [--keep DIR]
Writes benchmarks/out/web.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from web_support import PASSWORD, WATCHLISTS, log_in  # noqa: E402

from warning.app import make_app  # noqa: E402
from warning.models import Publication  # noqa: E402
from warning.store import open_db, orgs, users  # noqa: E402
from warning.store.matches import record_batch  # noqa: E402
from warning.store.publications import save_publications  # noqa: E402
from warning.store.scope import scope_for_login, visible_matches  # noqa: E402
from warning.store.search import search_visible  # noqa: E402
from warning.store.watchlists import set_owner  # noqa: E402
from warning.web import create_app  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
NAMES = ("nev-batteries", "motorcycles", "led-lighting", "rail-transit", "medical-devices", "drones")
ZH = (
    "电池",
    "电动车",
    "充电",
    "冷却",
    "车架",
    "照明",
    "轨道",
    "医疗",
    "无人机",
    "控制",
    "电机",
    "传感器",
    "壳体",
    "模块",
)
EN = (
    "battery",
    "vehicle",
    "charging",
    "cooling",
    "frame",
    "lighting",
    "rail",
    "medical",
    "drone",
    "control",
    "motor",
    "sensor",
    "housing",
    "module",
)


def build_store(root: Path, n: int, seed: int = 7) -> Path:
    config = root / "config.toml"
    config.write_text(
        f'database = "web.db"\nwatchlists = "{WATCHLISTS}"\nclassifiers = "classifiers"\n', encoding="utf-8"
    )
    app = make_app(str(config), str(root / "web.db"))
    db = app.db
    orgs.create_org(db, "escort", "Escort programme", "programme")
    orgs.create_org(db, "acme", "Acme", "enterprise")
    users.create_user(db, "admin", "escort", "admin", password=PASSWORD)
    users.create_user(db, "ana", "acme", "reviewer", password=PASSWORD)
    set_owner(db, "nev-batteries", "acme")
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    for batch in range(0, n, 5000):
        pubs, matches = [], []
        for i in range(batch, min(n, batch + 5000)):
            pid = f"CN-{100000000 + i}-A" if i % 2 else f"EP-{4000000 + i}-A1"
            words = rng.sample(range(len(ZH)), 4)
            titles = (
                {"zh": "一种" + "".join(ZH[w] for w in words)}
                if i % 2
                else {"en": " ".join(EN[w] for w in words)}
            )
            abstracts = {k: v * 5 for k, v in titles.items()}
            at = (start + timedelta(minutes=i * 129_600 // n)).isoformat()
            pubs.append(
                Publication(
                    id=pid,
                    country=pid[:2],
                    number=pid.split("-")[1],
                    kind=pid.split("-")[2],
                    titles=titles,
                    abstracts=abstracts,
                    publication_date=at[:10],
                )
            )
            matches.append((pid, NAMES[i % len(NAMES)], round(rng.uniform(0.5, 1.0), 4), 0.5, "{}", "v1", at))
        save_publications(db, pubs)
        record_batch(db, matches, [])
    app.close()
    return config


def timed(client, path: str, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return {"path": path, "median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def timed_call(call, repeat: int) -> dict:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


def data_query(db, scope, path: str):
    """The store query behind ``path``, as the page makes it (its filters, its page size)."""
    from urllib.parse import parse_qs, urlsplit

    from werkzeug.datastructures import MultiDict

    from warning.web.inbox import PAGE_SIZE, match_filters
    from warning.web.search import PAGE_SIZE as HITS

    parts = urlsplit(path)
    args = MultiDict([(k, v) for k, vs in parse_qs(parts.query).items() for v in vs])
    if parts.path == "/search":
        return lambda: search_visible(db, scope, args.get("q", ""), limit=HITS)
    filters = match_filters(args)
    return lambda: visible_matches(db, scope, **filters, limit=PAGE_SIZE + 1)


def floor(repeat: int) -> dict:
    """A route that returns one word, through Flask's test client: what no page can beat."""
    from flask import Flask

    bare = Flask("floor")
    bare.add_url_rule("/", "word", lambda: "ok")
    client = bare.test_client()
    return timed(client, "/", repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="build the store here and keep it")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="warning-web-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    config = root / "config.toml" if (root / "web.db").exists() else build_store(root, args.matches)
    built_s = time.perf_counter() - began
    app = make_app(str(config), str(root / "web.db"))
    web = create_app(app.config, root / "web.db", secure_cookies=False)
    app.close()
    results = {"matches": args.matches, "store_build_s": round(built_s, 1), "pages": {}}
    results["floor"] = floor(args.repeat)
    db = open_db(root / "web.db")
    for login in ("ana", "admin"):
        client = web.test_client()
        log_in(client, login)
        scope = scope_for_login(db, login)
        for path in (
            "/",
            "/?watchlist=nev-batteries&reviewed=no",
            "/?country=EP&min_score=0.9",
            "/?country=FR",  # nothing matches: every match is read
            "/search?q=电池",
            "/search?q=battery+cooling",
            "/search?q=池",
        ):
            page = timed(client, path, args.repeat)
            page["data_query"] = timed_call(data_query(db, scope, path), args.repeat)
            results["pages"].setdefault(login, []).append(page)
    db.conn.close()
    results["load_average"] = list(os.getloadavg())
    OUT.mkdir(exist_ok=True)
    (OUT / "web.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))
    print(table(results))


def table(results: dict) -> str:
    """The pages beside their data query and the floor, as a Markdown table."""
    lines = [
        "| page | person | page: median (worst) ms | its store query alone | the rest (web, template) |",
        "|---|---|---|---|---|",
    ]
    for login, pages in results["pages"].items():
        for page in pages:
            data = page["data_query"]
            rest = page["median_ms"] - data["median_ms"]
            lines.append(
                f"| `{page['path']}` | {login} | {page['median_ms']} ({page['max_ms']}) | "
                f"{data['median_ms']} ({data['max_ms']}) | {rest:.1f} |"
            )
    floor_ms = results["floor"]
    lines.append(
        f"| floor: a route returning one word | - | {floor_ms['median_ms']} ({floor_ms['max_ms']}) | - | - |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
