"""Scoring speed: publications per second against 100 watchlists on one core, and peak memory.

Real texts (US grant titles + abstracts of `uspto-latam-lucaslopes`, and PATENTSCOPE titles)
are replicated to 100,000 publications. 100 watchlists are the six shipped ones repeated under new
names, each with a trained model (models trained here on the corpus, one per IPC line, assigned
in turn; never saved). Scoring runs the service's own code path in batches of `batch_size`:

- scores: featurize once, rules of all watchlists, one sparse product, thresholds;
- core: the same plus the evidence JSON (top terms, rules hit) of every match (eager);
- rows: the whole `classify` scoring path (`match_rows`): scores, target markets and the
  `matches` rows ready for SQLite, without evidence (computed where read), as `classify` stores
  them (the SQLite insert itself aside);
- rows with evidence: the same with every match's evidence computed now (`run.EAGER`, the path
  before evidence moved to its readers, and the reference the lazy evidence is checked against);
- evidence on read (`classify_read`): per match, what a reader pays the first time it reads a
  match (the publication read, featurized, explained, the JSON written back) and the next time.

Beside them, in the same run on the same rows (`classify_peers`):

- peer: a plain scikit-learn pipeline (HashingVectorizer word 1-2 grams, 2**20 features, l2;
  one sparse product with the same 100 watchlists' weights; thresholds), measured before and
  after the service's paths; each path's ratio is to the faster of the two peer runs;
- store: `warning classify`'s own sweep over a SQLite store holding the same rows: reading rows,
  scoring and writing the matches (what an hourly run does, start to end), and the same with
  evidence (eager) for reference.

Ratios are of CPU time (`time.process_time`), which the other work on a shared machine disturbs
less than wall time; both are printed. Store cost: the matches of 20,000 publications written into
a fresh SQLite store, per match.

Memory: the process's peak RSS (the benchmark's own model training included) and, measured
apart, the peak allocated while scoring batches.

    .venv/bin/python benchmarks/classify.py [--publications 100000] [--watchlists 100]
Writes benchmarks/out/classify.json.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core: no hidden BLAS threads

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from classify_peers import build_store, peer_weights, sklearn_peer, store_path, temporary_folder  # noqa: E402
from classify_read import evidence_on_read_cost  # noqa: E402
from quality import ORDINARY, load_hard, load_ordinary  # noqa: E402

from warning.classify.featurize import featurize  # noqa: E402
from warning.classify.fit import fit_linear, term_lookup  # noqa: E402
from warning.classify.run import EAGER, Scorer, match_rows  # noqa: E402
from warning.classify.watchlists import load_watchlists  # noqa: E402
from warning.store.db import open_db  # noqa: E402
from warning.store.matches import record_batch  # noqa: E402

OUT = ROOT / "benchmarks" / "out"


def build_models(docs: list[dict]) -> list:
    texts = [d["text"] for d in docs]
    features = featurize(texts)
    models = []
    for prefixes, _ in ORDINARY.values():
        labels = np.array([any(c.startswith(prefixes) for c in d["codes"]) for d in docs], dtype=np.int8)
        model = fit_linear(features, labels)[0]
        model.terms = term_lookup(texts, model.indices, limit=3000)
        models.append(model)
    return models


def build_rows(docs: list[dict], n: int) -> list[dict]:
    rows = []
    for i in range(n):
        d = docs[i % len(docs)]
        title, _, abstract = d["text"].partition("\n")
        rows.append(
            {
                "id": f"XX-{i}-A1",
                "country": "US",
                "title_text": title,
                "abstract_text": abstract,
                "claims_text": "",
                "ipc": d["codes"],
                "cpc": [],
                "applicants": ["Honda Motor Co., Ltd."] if i % 50 == 0 else ["Some Company Inc."],
            }
        )
    return rows


def measure(scorer: Scorer, rows: list[dict], batch: int, mode: str) -> dict:
    started = time.process_time()
    wall = time.perf_counter()
    matches = 0
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        if mode == "rows":
            matches += len(match_rows(scorer, chunk, "2026-01-01T00:00:00Z"))
        elif mode == "rows_eager":
            matches += len(match_rows(scorer, chunk, "2026-01-01T00:00:00Z", EAGER))
        else:
            matches += _core(scorer, chunk, evidence=mode == "core")
    cpu, elapsed = time.process_time() - started, time.perf_counter() - wall
    return {"seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2), "per_second": round(len(rows) / elapsed),
            "per_cpu_second": round(len(rows) / cpu), "matches": matches}  # fmt: skip


def store_cost(scorer: Scorer, rows: list[dict], batch: int) -> dict:
    """What `classify` adds by storing: the matches of ``rows`` written with `record_batch` into a
    fresh SQLite store (WAL, one transaction per batch, as `classify` writes them)."""
    with tempfile.TemporaryDirectory() as folder:
        db = open_db(Path(folder) / "store.db")
        batches = [
            match_rows(scorer, rows[s : s + batch], "2026-01-01T00:00:00Z")
            for s in range(0, len(rows), batch)
        ]
        started = time.perf_counter()
        for found in batches:
            record_batch(db, found, [("wl-0", 0, "bench", "2026-01-01T00:00:00Z")])
        elapsed = time.perf_counter() - started
        db.conn.close()
    matches = sum(len(b) for b in batches)
    return {
        "matches": matches,
        "seconds": round(elapsed, 2),
        "us_per_match": round(elapsed / matches * 1e6, 1),
    }


def scoring_memory(scorer: Scorer, rows: list[dict], batch: int, evidence: str = "lazy") -> float:
    """Peak memory allocated while scoring batches (the whole path), beyond what was held before.

    Measured apart from the timed runs: tracing allocations slows them. numpy reports its arrays
    to tracemalloc, so this counts the batch's feature matrix, dense blocks, scores and evidence.
    """
    tracemalloc.start()
    for start in range(0, len(rows), batch):
        match_rows(scorer, rows[start : start + batch], "2026-01-01T00:00:00Z", evidence)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return round(peak / 2**20, 1)


def _core(scorer: Scorer, chunk: list[dict], evidence: bool) -> int:
    texts = [f"{r['title_text']}\n{r['abstract_text']}" for r in chunk]
    scores, features, hits = scorer.score(texts, [r["ipc"] for r in chunk], [r["applicants"] for r in chunk])
    docs, wls = np.nonzero(scores >= scorer.thresholds)
    if evidence:
        scorer.evidence_json(docs, wls, features, hits)
    return len(docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publications", type=int, default=100_000)
    parser.add_argument("--watchlists", type=int, default=100)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--read", type=int, default=10_000, help="publications whose matches are read")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    ordinary = load_ordinary()
    docs = ordinary + load_hard()
    models = build_models(ordinary)
    shipped = load_watchlists(ROOT / "watchlists")
    watchlists = [
        dataclasses.replace(shipped[i % len(shipped)], name=f"wl-{i}") for i in range(args.watchlists)
    ]
    scorer = Scorer(watchlists, [models[i % len(models)] for i in range(args.watchlists)])
    rows = build_rows(docs, args.publications)
    folder = temporary_folder()
    db = build_store(Path(folder.name), rows)
    gc.collect()
    gc.freeze()  # the benchmark's own rows, corpus and training are not the service's garbage
    weights = peer_weights(scorer, [d["text"] for d in docs])
    peer = [sklearn_peer(scorer, rows, args.batch, weights["aligned"])]
    result = {
        "publications": args.publications,
        "watchlists": args.watchlists,
        "batch": args.batch,
        "mean_text_chars": round(float(np.mean([len(d["text"]) for d in docs]))),
        "scores": measure(scorer, rows, args.batch, "scores"),
        "core": measure(scorer, rows, args.batch, "core"),
        "rows": measure(scorer, rows, args.batch, "rows"),
        "rows_eager": measure(scorer, rows, args.batch, "rows_eager"),
        "store_path_eager": store_path(scorer, db, args.batch, scorer.text_chars, EAGER),
        "store_path": store_path(scorer, db, args.batch, scorer.text_chars),
    }
    # after the lazy store path: its matches have no evidence, as `classify` leaves them
    read = min(args.read, args.publications - 500)  # after the reader's warm-up publications
    result["evidence_on_read"] = evidence_on_read_cost(scorer, db, Path(folder.name) / "service", read)
    result |= {
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "scoring_peak_mib": scoring_memory(scorer, rows[: 5 * args.batch], args.batch),
        "scoring_peak_mib_eager": scoring_memory(scorer, rows[: 5 * args.batch], args.batch, EAGER),
        "store": store_cost(scorer, rows[: 10 * args.batch], args.batch),
        "weights_nnz": int(scorer.weights.nnz),
    }
    peer.append(sklearn_peer(scorer, rows, args.batch, weights["aligned"]))
    result["peer_literal_weights"] = sklearn_peer(scorer, rows, args.batch, weights["literal"])
    db.conn.close()
    folder.cleanup()
    result["peer"] = peer
    result["ratios"] = ratios(result, peer)
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "classify.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print_table(result)


PATHS = {
    "scores": "scores only",
    "core": "+ evidence of every match (eager)",
    "rows": "whole path: scores + match rows (evidence where read)",
    "rows_eager": "scores + evidence + match rows (eager, reference)",
    "store_path": "whole path from the store (read, score, write)",
    "store_path_eager": "from the store with evidence (eager, reference)",
}


def ratios(result: dict, peer: list[dict]) -> dict:
    """Each path's speed over the faster peer run's, by CPU time and by wall time."""
    best_cpu = max(p["per_cpu_second"] for p in peer)
    best_wall = max(p["per_second"] for p in peer)
    return {
        key: {
            "cpu": round(result[key]["per_cpu_second"] / best_cpu, 2),
            "wall": round(result[key]["per_second"] / best_wall, 2),
        }
        for key in PATHS
    }


def print_table(result: dict) -> None:
    peer = result["peer"]
    print(f"\nload average {result['load_average']}")
    print(f"{'path':58} {'pubs/s (cpu)':>13} {'pubs/s (wall)':>14} {'ratio cpu':>10} {'wall':>6}")
    for i, p in enumerate(peer):
        label = f"peer: scikit-learn HashingVectorizer + product ({'before' if i == 0 else 'after'})"
        print(f"{label:58} {p['per_cpu_second']:>13,} {p['per_second']:>14,}")
    p = result["peer_literal_weights"]
    label = "peer, weights at the service's columns (literal)"
    print(f"{label:58} {p['per_cpu_second']:>13,} {p['per_second']:>14,}")
    for key, label in PATHS.items():
        r, q = result[key], result["ratios"][key]
        print(f"{label:58} {r['per_cpu_second']:>13,} {r['per_second']:>14,} {q['cpu']:>10} {q['wall']:>6}")
    e = result["evidence_on_read"]
    print(
        f"\nevidence on read, the matches of {e['publications']:,} publications ({e['matches']:,} matches): "
        f"first read {e['first_read_cpu_us_per_match']} us/match CPU ({e['first_read_wall_us_per_match']} wall, "
        f"computed and cached), second read {e['second_read_cpu_us_per_match']} us/match CPU (cached); "
        f"loading the watchlists and models once {e['explainer_cpu_seconds']} s CPU"
    )


if __name__ == "__main__":
    main()
