"""Active learning, measured: a simulated reviewer labels what `--suggest` proposes, against at random.

For product lines of `quality.py` (the ordinary and hard sets, on their 70/30 split), a watchlist
starts from 10 seeds (known relevant publications) and its keywords, trained as `warning train`
does without a data file (seeds, strong keyword hits as weak positives, a store sample as
background; the training part is the store). Then a reviewer judges publications in rounds of
5 and the model is retrained after each round (reviewers' labels weigh 3, as in the service):

- suggest: the unlabelled publications whose score is nearest the threshold (`warning label
  --suggest`);
- random: unlabelled publications drawn at random (the same reviewer effort, no model).

F1 on the test part after 0, 10, 25 and 50 reviews; the reviewer's answer is the line's IPC code.

    .venv/bin/python benchmarks/active.py [--lines 3]
Writes benchmarks/out/active.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import HARD, ORDINARY, OUT, load_hard, load_ordinary, metrics, split  # noqa: E402

from warning.classify.fit import fit_linear  # noqa: E402
from warning.classify.rules import RuleSet  # noqa: E402
from warning.classify.train import BACKGROUND, WEIGHTS, strong_hits, training_features  # noqa: E402
from warning.classify.watchlists import parse_watchlist  # noqa: E402

CHECKPOINTS = (0, 10, 25, 50)
STEP = 5


def cold_examples(texts, train_idx, keywords, seeds, rng) -> dict[int, tuple[int, float]]:
    """The cold start's examples: background sample, strong keyword hits, seeds."""
    watchlist = parse_watchlist({"name": "line", "description": "line", "keywords": keywords}, Path("l.toml"))
    none = [[] for _ in train_idx]
    hit = strong_hits(RuleSet([watchlist]), [texts[i] for i in train_idx], none, none)
    sample = train_idx if len(train_idx) <= BACKGROUND else rng.choice(train_idx, BACKGROUND, replace=False)
    examples = {int(i): (0, WEIGHTS["background"]) for i in sample}
    examples |= {int(i): (1, WEIGHTS["rule"]) for i in train_idx[hit]}
    examples |= {int(i): (1, WEIGHTS["seed"]) for i in seeds}
    return examples


def train(features, examples, reviewed, y, store_idx):
    """Fit on the cold start's examples with the reviewer's labels on top (weight 3)."""
    merged = dict(examples) | {i: (int(y[i]), WEIGHTS["reviewer"]) for i in reviewed}
    idx = np.array(sorted(merged))
    labels = np.array([merged[i][0] for i in idx], dtype=np.int8)
    weights = np.array([merged[i][1] for i in idx])
    model, _ = fit_linear(features[idx], labels, weights, store=features[store_idx])
    return model


def loop(strategy, features, y, train_idx, test_idx, store_idx, examples, seeds, rng) -> dict:
    """F1 at each checkpoint for one reviewing strategy."""
    reviewed: list[int] = []
    out = {}
    pool = np.setdiff1d(train_idx, seeds)
    while True:
        model = train(features, examples, reviewed, y, store_idx)
        if len(reviewed) in CHECKPOINTS:
            scores = model.probability(features[test_idx])
            out[len(reviewed)] = metrics(y[test_idx], scores >= model.threshold, scores)["f1"]
        if len(reviewed) >= CHECKPOINTS[-1]:
            return out
        left = np.setdiff1d(pool, reviewed)
        if strategy == "suggest":
            distance = np.abs(model.probability(features[left]) - model.threshold)
            picked = left[np.argsort(distance, kind="stable")[:STEP]]
        else:
            picked = rng.choice(left, STEP, replace=False)
        reviewed += [int(i) for i in picked]


def run_line(name, prefixes, keywords, docs, features, texts) -> dict:
    y = np.array([any(c.startswith(prefixes) for c in d["codes"]) for d in docs], dtype=np.int8)
    train_mask, test_mask = split(docs, False)
    train_idx, test_idx = np.flatnonzero(train_mask), np.flatnonzero(test_mask)
    rng = np.random.default_rng(7)
    seeds = rng.choice(train_idx[y[train_idx] == 1], 10, replace=False)
    store_idx = np.sort(rng.choice(train_idx, min(BACKGROUND, len(train_idx)), replace=False))
    examples = cold_examples(texts, train_idx, keywords, seeds, np.random.default_rng(11))
    result = {"line": name}
    for strategy in ("suggest", "random"):
        result[strategy] = loop(
            strategy, features, y, train_idx, test_idx, store_idx, examples, seeds, np.random.default_rng(5)
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3, help="lines per set")
    args = parser.parse_args()
    results = []
    started = time.time()
    for label, lines, loader in (("ordinary", ORDINARY, load_ordinary), ("hard", HARD, load_hard)):
        docs = loader()
        texts = [d["text"] for d in docs]
        features = training_features(texts)
        for name, (prefixes, keywords) in list(lines.items())[: args.lines]:
            res = run_line(name, prefixes, keywords, docs, features, texts) | {"set": label}
            results.append(res)
            print(f"  {label} / {name} ({time.time() - started:.0f}s): {res}", file=sys.stderr, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "active.json").write_text(json.dumps(results, indent=2) + "\n")
    print("| set | line | reviews: 0 / 10 / 25 / 50, suggest | random |")
    print("|---|---|---|---|")
    for r in results:
        cells = [" / ".join(f"{r[s][c]:.2f}" for c in CHECKPOINTS) for s in ("suggest", "random")]
        print(f"| {r['set']} | {r['line']} | {cells[0]} | {cells[1]} |")
    for label in dict.fromkeys(r["set"] for r in results):
        rows = [r for r in results if r["set"] == label]
        means = [
            " / ".join(f"{np.mean([r[s][c] for r in rows]):.2f}" for c in CHECKPOINTS)
            for s in ("suggest", "random")
        ]
        print(f"| {label} | mean | {means[0]} | {means[1]} |")


if __name__ == "__main__":
    main()
