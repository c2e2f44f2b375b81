"""Active learning, measured: a simulated reviewer labels what `--suggest` proposes, against at random.

For product lines of `quality.py` (the ordinary and hard sets, on their 70/30 split), a watchlist
starts from 10 labels and its keywords, in one of two ways the service trains:

- cold: 10 seeds (known relevant publications) and no data file, as `warning train` does (seeds,
  strong keyword hits as weak positives, a store sample as background; the decision is every
  keyword hit plus what the model adds, `decide.rule_union`);
- labelled: a labelled file of 10 relevant and 40 irrelevant publications drawn at random, as
  `warning train --data` does (the rules' prior blended in, the decision chosen among the model,
  the rules and their union, judged for the store).

Then a reviewer judges publications in rounds of 5 and the watchlist is retrained after each round
(reviewers' labels weigh 3, as in the service):

- suggest: what `warning label --suggest` proposes (`feedback.pick`): three of five scored
  nearest the threshold (by `feedback._ranking`: a rules decision's set-aside model, else the
  watchlist's), two drawn at random from the rest;
- alerts: the unlabelled publications the watchlist scores highest, what reviewers judge when
  they answer their alerts;
- random: unlabelled publications drawn at random (the same reviewer effort, no model).

Reviewers' labels train the model and do not judge it (`judging.judging_rows`), as in the service.

The training part is the store. F1 on the test part after 0, 10, 25 and 50 reviews, by the
watchlist's decision (with the rules' scores, as the service scores); the reviewer's answer is the
line's IPC code.

    .venv/bin/python benchmarks/active.py [--lines 3] [--starts cold,labelled]
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

from quality import HARD, ORDINARY, OUT, line_prior, load_hard, load_ordinary, metrics, positions, split  # noqa: E402

from warning.classify.feedback import pick  # noqa: E402
from warning.classify.fit import fit_linear  # noqa: E402
from warning.classify.rules import RuleSet  # noqa: E402
from warning.classify.train import BACKGROUND, WEIGHTS, strong_hits, training_features  # noqa: E402
from warning.classify.watchlists import parse_watchlist  # noqa: E402

CHECKPOINTS = (0, 10, 25, 50)
STEP = 5
STARTS = ("cold", "labelled")
STRATEGIES = ("suggest", "alerts", "random")
LABELLED_NEGATIVES = 40


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


def labelled_examples(train_idx, y, seeds, rng) -> dict[int, tuple[int, float]]:
    """A small labelled file: the 10 seeds as relevant, `LABELLED_NEGATIVES` irrelevant at random."""
    negatives = rng.choice(train_idx[y[train_idx] == 0], LABELLED_NEGATIVES, replace=False)
    examples = {int(i): (0, WEIGHTS["data"]) for i in negatives}
    return examples | {int(i): (1, WEIGHTS["data"]) for i in seeds}


def train(features, rules, examples, reviewed, y, store_idx, cold: bool):
    """Fit as the service does on the start's examples with the reviewer's labels on top (weight 3)."""
    merged = dict(examples) | {i: (int(y[i]), WEIGHTS["reviewer"]) for i in reviewed}
    idx = np.array(sorted(merged))
    labels = np.array([merged[i][0] for i in idx], dtype=np.int8)
    weights = np.array([merged[i][1] for i in idx])
    model, _ = fit_linear(
        features[idx], labels, weights, store=features[store_idx], prior=rules[idx],
        store_prior=rules[store_idx], store_examples=positions(idx, store_idx), rule_positives=cold,
        sampled=~np.isin(idx, reviewed),
    )  # fmt: skip
    return model


def loop(strategy, start, features, rules, y, train_idx, test_idx, store_idx, examples, seeds, rng) -> dict:
    """F1 at each checkpoint for one reviewing strategy."""
    reviewed: list[int] = []
    out = {}
    pool = np.setdiff1d(train_idx, np.array(sorted(examples)) if start == "labelled" else seeds)
    while True:
        model = train(features, rules, examples, reviewed, y, store_idx, start == "cold")
        if len(reviewed) in CHECKPOINTS:
            scores = model.probability(features[test_idx], None, rules[test_idx])
            out[len(reviewed)] = metrics(y[test_idx], scores >= model.threshold, scores)["f1"]
        if len(reviewed) >= CHECKPOINTS[-1]:
            return out
        left = np.setdiff1d(pool, reviewed)
        if strategy == "suggest":
            ranking = model.ranking or model  # what `feedback.suggest` ranks by, and picks
            distance = np.abs(ranking.probability(features[left], None, rules[left]) - ranking.threshold)
            picked = left[[i for i, _ in pick(distance, STEP, rng)]]
        elif strategy == "alerts":
            picked = left[
                np.argsort(-model.probability(features[left], None, rules[left]), kind="stable")[:STEP]
            ]
        else:
            picked = rng.choice(left, STEP, replace=False)
        reviewed += [int(i) for i in picked]


def run_line(name, prefixes, keywords, docs, features, texts, starts) -> list[dict]:
    y = np.array([any(c.startswith(prefixes) for c in d["codes"]) for d in docs], dtype=np.int8)
    train_mask, test_mask = split(docs, False)
    train_idx, test_idx = np.flatnonzero(train_mask), np.flatnonzero(test_mask)
    rng = np.random.default_rng(7)
    seeds = rng.choice(train_idx[y[train_idx] == 1], 10, replace=False)
    store_idx = np.sort(rng.choice(train_idx, min(BACKGROUND, len(train_idx)), replace=False))
    rules = line_prior(keywords, texts)
    results = []
    for start in starts:
        if start == "cold":
            examples = cold_examples(texts, train_idx, keywords, seeds, np.random.default_rng(11))
        else:
            examples = labelled_examples(train_idx, y, seeds, np.random.default_rng(11))
        result = {"line": name, "start": start}
        for strategy in STRATEGIES:
            result[strategy] = loop(
                strategy, start, features, rules, y, train_idx, test_idx, store_idx, examples, seeds,
                np.random.default_rng(5),
            )  # fmt: skip
        results.append(result)
    return results


def table(results: list[dict]) -> str:
    """Per line and mean per (set, start): F1 after each checkpoint, per strategy."""
    head = " | ".join(STRATEGIES)
    rows = [
        f"| set | start | line | F1 after 0 / 10 / 25 / 50 reviews: {head} |",
        "|---|---|---|" + "---|" * 3,
    ]
    for r in results:
        cells = [" / ".join(f"{r[s][c]:.2f}" for c in CHECKPOINTS) for s in STRATEGIES]
        rows.append(f"| {r['set']} | {r['start']} | {r['line']} | " + " | ".join(cells) + " |")
    for key in dict.fromkeys((r["set"], r["start"]) for r in results):
        group = [r for r in results if (r["set"], r["start"]) == key]
        means = [
            " / ".join(f"{np.mean([r[s][c] for r in group]):.3f}" for c in CHECKPOINTS) for s in STRATEGIES
        ]
        rows.append(f"| {key[0]} | {key[1]} | mean | " + " | ".join(means) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=3, help="lines per set")
    parser.add_argument("--starts", default=",".join(STARTS), help="cold, labelled or both")
    args = parser.parse_args()
    starts = [s for s in args.starts.split(",") if s in STARTS]
    results = []
    started = time.time()
    for label, lines, loader in (("ordinary", ORDINARY, load_ordinary), ("hard", HARD, load_hard)):
        docs = loader()
        texts = [d["text"] for d in docs]
        features = training_features(texts)
        for name, (prefixes, keywords) in list(lines.items())[: args.lines]:
            for res in run_line(name, prefixes, keywords, docs, features, texts, starts):
                results.append(res | {"set": label})
                print(
                    f"  {label} / {name} ({time.time() - started:.0f}s): {res}", file=sys.stderr, flush=True
                )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "active.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
