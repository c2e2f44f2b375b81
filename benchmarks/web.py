"""The web app's speed with a big store: server time of the inbox and of search, 100,000 matches.

Builds a store of N publications (titles and abstracts in Chinese or English, as the offices give
them) each matched by one of six watchlists over 90 days, two organisations (an enterprise that
owns one watchlist, and the programme), then asks the running Flask app (its WSGI handler through
the test client: server time, no network) for the inbox's first page, a filtered page and a
search, each ``--repeat`` times, and reports the median and the worst.

    nice .venv/bin/python benchmarks/web.py [--matches 100000] [--repeat 20] [--keep DIR]
Writes benchmarks/out/web.json.
"""

from __future__ import annotations

import argparse
import json
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
from warning.store import orgs, users  # noqa: E402
from warning.store.matches import record_batch  # noqa: E402
from warning.store.publications import save_publications  # noqa: E402
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
    for login in ("ana", "admin"):
        client = web.test_client()
        log_in(client, login)
        for path in (
            "/",
            "/?watchlist=nev-batteries&reviewed=no",
            "/?country=EP&min_score=0.9",
            "/?country=FR",  # nothing matches: every match is read
            "/search?q=电池",
            "/search?q=battery+cooling",
            "/search?q=池",
        ):
            results["pages"].setdefault(login, []).append(timed(client, path, args.repeat))
    OUT.mkdir(exist_ok=True)
    (OUT / "web.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
