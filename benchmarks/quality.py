"""Quality of the relevance classifier on real labelled patents, text only.

Reproduces the README table: for product lines defined by classification codes, how well each
method finds a line's documents from their text alone (the codes define the truth and are never
shown to a method):

- ordinary background: US grants of `uspto-latam-lucaslopes` (title + abstract), one line per IPC
  prefix, every other grant a negative;
- hard in-domain negatives: the PATENTSCOPE "pizza" export (titles only), where every document
  shares one topic and a line (ovens, packaging, dough, ordering systems) must be told from the rest.

Methods, on the same train/test split (a fixed rule on the publication number, 70 % / 30 %):
keywords (the line's keywords as a boolean query), reference (plain TF-IDF + logistic regression,
scikit-learn defaults, threshold 0.5), the same reference with class_weight="balanced", ours (the
service's featurizer and `fit_linear`). Learning curve: the classifiers are trained with 10, 25,
100 or all labelled positives of the training part (plus its negatives) and always tested on the
whole test part. Cold start: `warning train` without labels, from 0, 10, 25 or 100 seeds, the
line's keywords and the training part as the store (see `cold_start`).

    .venv/bin/python benchmarks/quality.py            # prints a markdown table
    .venv/bin/python benchmarks/quality.py --quick    # 'all' only, fewer lines
    .venv/bin/python benchmarks/quality.py --validate # held-out part of the training split only
Writes benchmarks/out/quality.json (with --validate: quality_validate.json).

Choose methods and settings with ``--validate``: it trains on 70 % of the training part and tests on
the other 30 % of it (another fixed hash), so the test part is never looked at while choosing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warning.classify.featurize import featurize  # noqa: E402
from warning.classify.fit import fit_linear  # noqa: E402
from warning.classify.rules import RuleSet  # noqa: E402
from warning.classify.train import BACKGROUND, WEIGHTS, strong_hits  # noqa: E402
from warning.classify.watchlists import keyword_pattern, parse_watchlist  # noqa: E402

CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus"))
OUT = ROOT / "benchmarks" / "out"
SIZES = (10, 25, 100, "all")
COLD_SIZES = (0, 10, 25, 100)  # seeds given to the cold start

# Product lines and the keywords a user would write for them (the keyword baseline).
ORDINARY = {
    "A61K pharmaceuticals": (
        ("A61K",),
        ["pharmaceutical", "drug", "composition", "formulation", "tablet", "medicament", "dosage"],
    ),
    "G06F computing": (
        ("G06F",),
        ["computer", "software", "processor", "memory", "data processing", "user interface"],
    ),
    "H04L networks": (
        ("H04L",),
        ["network", "packet", "protocol", "communication", "encrypt", "transmission"],
    ),
    "C12N biotech": (("C12N",), ["gene", "cell", "dna", "rna", "vector", "enzyme", "plant", "transgenic"]),
    "F16 machine elements": (
        ("F16",),
        ["bearing", "valve", "gear", "shaft", "coupling", "seal", "pipe", "spring"],
    ),
    "B01D separation": (
        ("B01D",),
        ["filter", "separation", "separator", "membrane", "distillation", "adsorption"],
    ),
    "H01L semiconductors": (
        ("H01L",),
        ["semiconductor", "transistor", "wafer", "solar cell", "light emitting diode", "substrate"],
    ),
    "A61B diagnosis/surgery": (
        ("A61B",),
        ["surgical", "catheter", "patient", "diagnos", "endoscop", "imaging", "sensor"],
    ),
}
HARD = {
    "ovens F24C/A21B": (
        ("F24C", "A21B"),
        ["oven", "cooking apparatus", "baking", "heating element", "microwave"],
    ),
    "packaging B65D": (("B65D",), ["package", "packaging", "container", "box", "carton", "tray", "lid"]),
    "dough A21C": (("A21C",), ["dough", "sheeting", "rolling", "pressing", "forming"]),
    "ordering G06Q": (
        ("G06Q",),
        ["order", "ordering", "delivery", "payment", "customer", "system and method"],
    ),
}


def load_ordinary() -> list[dict]:
    """US grants with title, abstract and IPC codes, one per patent number."""
    folder = CORPUS / "uspto-latam-lucaslopes" / "uspto_to_be_classified"
    docs, seen = [], set()
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) < 6 or parts[0] in seen:
                continue
            seen.add(parts[0])
            codes = [c.split("(")[0].replace(" ", "") for c in parts[5].split(";") if c.strip()]
            docs.append({"id": parts[0], "text": f"{parts[1]}\n{parts[2]}", "codes": codes})
    return docs


def load_hard() -> list[dict]:
    """PATENTSCOPE pizza export: English titles and IPC codes, one per publication number."""
    path = CORPUS / "wipo-patentscope-export-pizza" / "patentscope_pizza_all_24294.DERIVED.csv"
    docs, seen = [], set()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            number = row["Publication Number"]
            if number in seen or not row["Title"].strip():
                continue
            seen.add(number)
            codes = [c.replace(" ", "") for c in row["IPC"].split(";") if c.strip()]
            docs.append({"id": number, "text": row["Title"], "codes": codes})
    return docs


def in_test(doc_id: str) -> bool:
    """The fixed split rule: 30 % of publication numbers are test documents."""
    return _share(doc_id) < 3


def _share(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 10


def split(docs: list[dict], validate: bool) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the documents to train on and to test on.

    With ``validate`` both come from the training part: 30 % of it (by a second hash) is held out
    and the test part is dropped, so choosing settings never sees the test documents.
    """
    test = np.array([in_test(d["id"]) for d in docs])
    if not validate:
        return ~test, test
    held_out = np.array([_share("inner:" + d["id"]) < 3 for d in docs])
    return ~test & ~held_out, ~test & held_out


def metrics(y: np.ndarray, predicted: np.ndarray, scores: np.ndarray) -> dict:
    return {
        "precision": round(float(precision_score(y, predicted, zero_division=0)), 4),
        "recall": round(float(recall_score(y, predicted, zero_division=0)), 4),
        "f1": round(float(f1_score(y, predicted, zero_division=0)), 4),
        "pr_auc": round(float(average_precision_score(y, scores)), 4),
    }


def keyword_baseline(keywords: list[str], texts: list[str], y: np.ndarray) -> dict:
    pattern = keyword_pattern(keywords)
    hits = np.array([bool(pattern.search(t)) for t in texts])
    return metrics(y, hits, hits.astype(float))


def reference(train_texts, y_train, test_texts, y_test, class_weight=None) -> dict:
    """Plain TF-IDF + logistic regression, scikit-learn defaults, threshold 0.5."""
    vec = TfidfVectorizer()
    clf = LogisticRegression(max_iter=1000, class_weight=class_weight).fit(
        vec.fit_transform(train_texts), y_train
    )
    scores = clf.predict_proba(vec.transform(test_texts))[:, 1]
    return metrics(y_test, scores >= 0.5, scores)


def ours(x_train, y_train, x_test, y_test) -> dict:
    model, _ = fit_linear(x_train, y_train)
    scores = model.probability(x_test)
    return metrics(y_test, scores >= model.threshold, scores)


def cold_start(features, texts, train_idx, y, keywords, seeds, x_test, y_test) -> dict:
    """`warning train` without a data file: seeds, strong keyword hits and background, no labels.

    As `warning.classify.train.cold_start` builds it from a store (here the training part): its
    strong rule hits (two or more keywords, as the text carries no codes) are weak positives, a
    random sample of the store the background, the seeds outweigh both. No labelled negative.
    """
    watchlist = parse_watchlist(
        {"name": "line", "description": "line", "keywords": keywords}, Path("line.toml")
    )
    none = [[] for _ in train_idx]
    hit = strong_hits(RuleSet([watchlist]), [texts[i] for i in train_idx], none, none)
    strong = train_idx[hit].tolist()
    rng = np.random.default_rng(11)
    sample = train_idx if len(train_idx) <= BACKGROUND else rng.choice(train_idx, BACKGROUND, replace=False)
    examples = {int(i): (0, WEIGHTS["background"]) for i in sample}
    examples |= {i: (1, WEIGHTS["rule"]) for i in strong}
    examples |= {int(i): (1, WEIGHTS["seed"]) for i in seeds}
    idx = np.array(sorted(examples))
    labels = np.array([examples[i][0] for i in idx], dtype=np.int8)
    weights = np.array([examples[i][1] for i in idx])
    model, _ = fit_linear(features[idx], labels, weights)
    scores = model.probability(x_test)
    return metrics(y_test, scores >= model.threshold, scores)


def run_line(name, prefixes, keywords, docs, features, sizes, rng, validate=False) -> dict:
    y = np.array([any(c.startswith(prefixes) for c in d["codes"]) for d in docs], dtype=np.int8)
    train, test = split(docs, validate)
    texts = [d["text"] for d in docs]
    test_idx, train_idx = np.flatnonzero(test), np.flatnonzero(train)
    y_test = y[test_idx]
    result = {"line": name, "positives_train": int(y[train_idx].sum()), "positives_test": int(y_test.sum())}
    result["n_test"] = len(test_idx)
    result["keywords"] = keyword_baseline(keywords, [texts[i] for i in test_idx], y_test)
    if len(sizes) > 1:
        positives = train_idx[y[train_idx] == 1]
        for size in COLD_SIZES:
            seeds = np.random.default_rng(7).choice(positives, min(size, len(positives)), replace=False)
            result[f"cold@{size}"] = cold_start(
                features, texts, train_idx, y, keywords, seeds, features[test_idx], y_test
            )
    for size in sizes:
        idx = _subsample(train_idx, y, size, rng)
        y_train = y[idx]
        train_texts, test_texts = [texts[i] for i in idx], [texts[i] for i in test_idx]
        result[f"reference@{size}"] = reference(train_texts, y_train, test_texts, y_test)
        result[f"balanced@{size}"] = reference(train_texts, y_train, test_texts, y_test, "balanced")
        result[f"ours@{size}"] = ours(features[idx], y_train, features[test_idx], y_test)
    return result


def _subsample(train_idx: np.ndarray, y: np.ndarray, size, rng) -> np.ndarray:
    """``size`` labelled positives of the training part, plus all its negatives."""
    pos, neg = train_idx[y[train_idx] == 1], train_idx[y[train_idx] == 0]
    if size != "all" and size < len(pos):
        pos = rng.choice(pos, size=size, replace=False)
    return np.sort(np.concatenate([pos, neg]))


def run_set(label: str, lines: dict, docs: list[dict], sizes, validate=False) -> list[dict]:
    started = time.time()
    features = featurize([d["text"] for d in docs])
    results = []
    for name, (prefixes, keywords) in lines.items():
        rng = np.random.default_rng(7)
        res = run_line(name, prefixes, keywords, docs, features, sizes, rng, validate)
        res["set"] = label
        results.append(res)
        print(f"  {label} / {name}: done ({time.time() - started:.0f}s)", file=sys.stderr)
    return results


def markdown(results: list[dict], sizes) -> str:
    """One row per product line: F1 of every method with all labels, then ours and the balanced
    reference with 10, 25 and 100 labelled positives."""
    small = [s for s in sizes if s != "all"]
    head = ["set", "line", "pos train/test", "keywords", "reference", "ref. balanced", "ours", "ours P/R"]
    head += ["ours PR-AUC"] + [f"ours @{s}" for s in small] + [f"ref. bal. @{s}" for s in small]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        o = r["ours@all"]
        cells = [r["set"], r["line"], f"{r['positives_train']}/{r['positives_test']}", r["keywords"]["f1"]]
        cells += [r["reference@all"]["f1"], r["balanced@all"]["f1"], o["f1"]]
        cells += [f"{o['precision']:.2f}/{o['recall']:.2f}", o["pr_auc"]]
        cells += [r[f"ours@{s}"]["f1"] for s in small] + [r[f"balanced@{s}"]["f1"] for s in small]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def summary_table(summary: dict) -> str:
    """Mean F1 per set and method, by number of labelled positives."""
    columns = list(summary[next(iter(summary))])
    lines = ["| set | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for label, row in summary.items():
        lines.append(f"| {label} | " + " | ".join(str(row[c]) for c in columns) + " |")
    return "\n".join(lines)


def averages(results: list[dict], sizes) -> dict:
    out = {}
    for label in sorted({r["set"] for r in results}):
        rows = [r for r in results if r["set"] == label]
        out[label] = {"keywords": round(float(np.mean([r["keywords"]["f1"] for r in rows])), 4)}
        for size in sizes:
            out[label][f"ours@{size}"] = round(float(np.mean([r[f"ours@{size}"]["f1"] for r in rows])), 4)
            for method in ("reference", "balanced"):
                scores = [r[f"{method}@{size}"]["f1"] for r in rows]
                out[label][f"{method}@{size}"] = round(float(np.mean(scores)), 4)
        for size in COLD_SIZES:
            if f"cold@{size}" in rows[0]:
                out[label][f"cold@{size}"] = round(float(np.mean([r[f"cold@{size}"]["f1"] for r in rows])), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 'all' labelled examples")
    parser.add_argument("--table", action="store_true", help="print the tables of the last run's JSON")
    parser.add_argument(
        "--validate", action="store_true", help="test on a held-out part of the training split (for choices)"
    )
    args = parser.parse_args()
    out_file = OUT / ("quality_validate.json" if args.validate else "quality.json")
    sizes = ("all",) if args.quick else SIZES
    if args.table:
        saved = json.loads(out_file.read_text())
        results, summary = saved["lines"], saved["average_f1"]
        sizes = tuple(saved.get("sizes", SIZES))
    else:
        results = run_set("ordinary", ORDINARY, load_ordinary(), sizes, args.validate)
        results += run_set("hard", HARD, load_hard(), sizes, args.validate)
        summary = averages(results, sizes)
        OUT.mkdir(parents=True, exist_ok=True)
        payload = {"lines": results, "average_f1": summary, "sizes": list(sizes)}
        out_file.write_text(json.dumps(payload, indent=2) + "\n")
    print(markdown(results, sizes))
    print()
    print(summary_table(summary))


if __name__ == "__main__":
    main()
