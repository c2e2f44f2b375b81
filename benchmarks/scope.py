"""What scoping costs: the same queries read as the programme (no clause) and as one enterprise.

A synthetic store: PUBLICATIONS publications, each matched by 2 of 40 watchlists (10 of them
owned by enterprises; one match time per batch of 2,000, as classification stamps them), CASES risk cases spread over 20 enterprises, a quarter shared with an
association, one label in ten matches. Times the web app's and the CLI's reads: the newest 100
matches, one watchlist's matches, the risk list, `status` counts, and password and token checks.

    .venv/bin/python benchmarks/scope.py [--publications 100000] [--cases 5000]
Writes benchmarks/out/scope.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warning.store import open_db, orgs, users  # noqa: E402
from warning.store.counts import store_counts  # noqa: E402
from warning.store.db import transaction  # noqa: E402
from warning.store.scope import Scope, scope_for_login, visible_cases, visible_matches  # noqa: E402
from warning.store.watchlists import record_watchlists  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def _batch_time(i: int) -> str:
    """Classification stamps a batch of 2,000 publications' matches with one time."""
    return f"2026-01-01T{(i // 2000) // 60 % 24:02d}:{(i // 2000) % 60:02d}:00+00:00"


def build(db, n_pubs: int, n_cases: int) -> None:
    rng = random.Random(7)
    orgs.create_org(db, "assoc", "Association", "association")
    for i in range(20):
        orgs.create_org(db, f"ent-{i}", f"Enterprise {i}", "enterprise")
        orgs.add_member(db, "assoc", f"ent-{i}")
    users.create_user(db, "ann", "ent-3", "reviewer", password="benchmark password")
    users.create_user(db, "ola", "assoc", "viewer")
    record_watchlists(db, [{"name": f"wl-{w}", "owner": f"ent-{w}" if w < 10 else None} for w in range(40)])
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO publications (id, country, titles, applicants, publication_date) VALUES (?, ?, ?, ?, ?)",
            [(f"US-{i}-A1", "US", '{"en": "t"}', "[]", "2026-01-01") for i in range(n_pubs)],
        )
        matches = [
            (
                f"US-{i}-A1",
                f"wl-{w}",
                rng.random(),
                0.5,
                "{}",
                "v1",
                _batch_time(i),
            )
            for i in range(n_pubs)
            for w in rng.sample(range(40), 2)
        ]
        db.conn.executemany("INSERT OR IGNORE INTO matches VALUES (?, ?, ?, ?, ?, ?, ?)", matches)
        db.conn.executemany(
            "INSERT OR IGNORE INTO labels (publication_id, watchlist, org_id, label, shared) VALUES (?, ?, ?, 1, 0)",
            [(m[0], m[1], f"ent-{rng.randrange(20)}") for m in matches[::10]],
        )
        for c in range(n_cases):
            db.execute(
                "INSERT INTO risk_cases (publication_id, status, severity, enterprises, org_id) VALUES (?, ?, ?, ?, ?)",
                [f"US-{c}-A1", "new", "low", "[]", f"ent-{c % 20}"],
            )
            if c % 4 == 0:
                db.execute("INSERT INTO risk_case_shares (case_id, org_id) VALUES (?, 'assoc')", [c + 1])


def timed(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 2)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_db(Path(tmp) / "scope.db")
        build(db, args.publications, args.cases)
        scopes = {
            "programme": Scope.programme(),
            "enterprise": scope_for_login(db, "ann"),
            "association": scope_for_login(db, "ola"),
        }
        result = {
            "publications": args.publications,
            "matches": db["matches"].count,
            "cases": args.cases,
            "ms": {},
        }
        for name, scope in scopes.items():
            result["ms"][name] = {
                "newest_100_matches": timed(lambda s=scope: visible_matches(db, s, limit=100)),
                "one_watchlist_100": timed(
                    lambda s=scope: visible_matches(db, s, watchlist="wl-30", limit=100)
                ),
                "unreviewed_100": timed(lambda s=scope: visible_matches(db, s, reviewed=False, limit=100)),
                "risk_list": timed(lambda s=scope: visible_cases(db, s)),
                "status_counts": timed(lambda s=scope: store_counts(db, s), repeat=3),
                "cases_seen": len(visible_cases(db, scope)),
            }
        result["ms"]["authenticate"] = timed(lambda: users.authenticate(db, "ann", "benchmark password"))
        token = users.create_token(db, 1, "bench")
        result["ms"]["verify_token"] = timed(lambda: users.verify_token(db, token))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "scope.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
