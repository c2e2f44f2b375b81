"""Training a watchlist's model: from labelled data, reviewers' judgements and a cold start.

Cold start (the seed/anti-seed method of automated patent landscaping): the watchlist's seeds and
the store's rule hits (a code prefix or a keyword, and no exclude word) are positives;
a reproducible random sample of the store is the background, taken as negatives. Reviewers'
labels outweigh everything else; weak examples count least.
"""

from __future__ import annotations

import hashlib
import json
import logging
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import scipy
import scipy.sparse as sp
import sklearn

from warning.classify.embed_store import embedding_source
from warning.classify.featurize import (
    DEFAULT_TEXT_CHARS,
    FAMILIES,
    FAMILY_WIDTH,
    FEATURIZER_VERSION,
    WORDS,
    TextBatch,
    featurize,
    publication_text,
)
from warning.classify.fit import SHORT_TEXT, fit_linear, term_lookup
from warning.classify.model import save_model
from warning.classify.rules import RuleSet, rule_prior
from warning.classify.run import row_chunks, row_codes, row_text
from warning.classify.watchlists import Watchlist, load_watchlist, load_watchlists
from warning.errors import ModelError, NotEnoughExamples
from warning.sources.jsonl import record_to_publication
from warning.store.matches import get_labels, iter_publication_rows, publication_rows, sample_publications

log = logging.getLogger(__name__)
WEIGHTS = {"reviewer": 3.0, "seed": 2.0, "data": 1.0, "rule": 0.5, "background": 0.3}
BACKGROUND = 5000
MAX_RULE_POSITIVES = 5000
# One keyword makes a cold-start positive: two were measured (quality.py, --validate) to find too
# few in titles (hard set: F1 0.18 against the keywords' 0.45; one keyword 0.46) and no better in
# abstracts (0.28 against 0.35).
RULE_KEYWORDS = 1


@dataclass
class Example:
    id: str
    text: str
    label: int
    weight: float
    origin: str
    codes: list[str] = field(default_factory=list)  # CPC and IPC: what the rules' prior reads
    applicants: list[str] = field(default_factory=list)


def read_labelled_jsonl(path: Path | str, text_chars: int = DEFAULT_TEXT_CHARS) -> list[Example]:
    """Labelled publications from the project's JSON Lines; a bad line is skipped with a warning.

    Each example's text is at most ``text_chars`` characters (`publication_text`).
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path}: cannot read labelled data ({exc})") from None
    examples, bad = [], []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            pub = record_to_publication(obj)
            label = obj["label"]
            if label not in (0, 1, True, False):
                raise ValueError(f"label must be 0 or 1, not {label!r}")
        except (ValueError, TypeError, KeyError) as exc:
            bad.append(f"line {lineno}: {exc}")
            continue
        text = publication_text(pub.titles, pub.abstracts, pub.claims, text_chars)
        codes = [*pub.cpc, *pub.ipc]
        examples.append(Example(pub.id, text, int(label), WEIGHTS["data"], "data", codes, pub.applicants))
    for reason in bad[:10]:
        log.warning("%s: skipped %s", path, reason)
    if not examples:
        raise ModelError(f"{path}: no usable labelled line ({len(bad)} bad)")
    return examples


def training_set(app, watchlist: Watchlist, data: Path | str | None = None) -> list[Example]:
    """Examples for one watchlist: data file or cold start, then seeds, then reviewers' labels."""
    examples: dict[str, Example] = {}
    chars = app.config.classify.max_text_chars
    base = with_store_codes(app.db, read_labelled_jsonl(data, chars)) if data else cold_start(app, watchlist)
    for ex in base:
        examples[ex.id] = ex
    for row in publication_rows(app.db, [*watchlist.seeds, *watchlist.negatives], text_chars=chars):
        label = 1 if row["id"] in watchlist.seeds else 0
        examples[row["id"]] = _row_example(row, chars, label, WEIGHTS["seed"], "seed")
    labels = {
        r["publication_id"]: r for r in get_labels(app.db, watchlist.name, owner=watchlist.owner or None)
    }
    for row in publication_rows(app.db, list(labels), text_chars=chars):
        lab = labels[row["id"]]
        weight = lab["weight"] or WEIGHTS.get(lab["origin"], 1.0)
        examples[row["id"]] = _row_example(row, chars, int(lab["label"]), weight, lab["origin"])
    return [e for e in examples.values() if e.text.strip()]


def with_store_codes(db, examples: list[Example]) -> list[Example]:
    """``examples``, each without codes or applicants given them from its publication in the store.

    A labelled file is often a list of titles and abstracts; the store holds the same
    publications with their CPC, IPC and applicants. The rules' score of an example must be read
    as the store's documents are, or a watchlist whose codes hit most relevant store documents
    looks, on its examples, as if its rules found few of them (and the store's share, estimated
    from the rules' hit rates, comes out double)."""
    bare = [e for e in examples if not e.codes or not e.applicants]
    if not bare:
        return examples
    rows = {r["id"]: r for r in publication_rows(db, [e.id for e in bare], text_chars=1)}
    for e in bare:
        row = rows.get(e.id)
        if row is not None:
            e.codes = e.codes or row_codes(row)
            e.applicants = e.applicants or list(row["applicants"])
    return examples


def _row_example(row: dict, chars: int, label: int, weight: float, origin: str) -> Example:
    return Example(row["id"], row_text(row, chars), label, weight, origin, row_codes(row), row["applicants"])


def cold_start(app, watchlist: Watchlist) -> list[Example]:
    """Rule hits of the store as weak positives, a random store sample as background."""
    rules = RuleSet([watchlist])
    positives: dict[str, Example] = {}
    chars = app.config.classify.max_text_chars
    for batch in iter_publication_rows(app.db, text_chars=chars):
        for part in row_chunks(batch):
            rows = batch[part]
            texts = [row_text(r, chars) for r in rows]
            codes = [row_codes(r) for r in rows]
            strong = strong_hits(rules, texts, codes, [r["applicants"] for r in rows])
            for d in np.flatnonzero(strong).tolist():
                positives[rows[d]["id"]] = _row_example(rows[d], chars, 1, WEIGHTS["rule"], "rule")
        if len(positives) >= MAX_RULE_POSITIVES:
            break
    background = [
        _row_example(r, chars, 0, WEIGHTS["background"], "background")
        for r in sample_publications(app.db, BACKGROUND, text_chars=chars)
        if r["id"] not in positives
    ]
    return [*positives.values(), *background]


def strong_hits(
    rules: RuleSet, texts: list[str], codes: list[list[str]], applicants: list[list[str]]
) -> np.ndarray:
    """Which texts are strong hits of the (one) watchlist of ``rules``: a code prefix, or
    `RULE_KEYWORDS` keywords, and no exclude word. Cold start takes them as weak positives."""
    hits = rules.match(TextBatch(texts), codes, applicants)
    coded = hits.code_hits.mask(hits.keyword_counts.shape)[:, 0]
    strong = (coded | (hits.keyword_counts[:, 0] >= RULE_KEYWORDS)) & (hits.exclude_counts[:, 0] == 0)
    return strong & np.array([bool(t.strip()) for t in texts], dtype=bool)


def train_watchlist(app, name_or_path: str, data: Path | str | None = None) -> dict:
    """Train, calibrate and save one watchlist's model with its card; returns the card."""
    watchlist = load_watchlist(name_or_path, app.config.watchlists_dir)
    examples = training_set(app, watchlist, data)
    if not examples:
        why = (
            f"no publication of {data} has a title, abstract or claims, in the file or in the store"
            if data
            else "the store is empty and no --data was given"
        )
        raise NotEnoughExamples(f"{watchlist.name}: no training examples ({why})")
    texts = [e.text for e in examples]
    labels = np.array([e.label for e in examples], dtype=np.int8)
    weights = np.array([e.weight for e in examples])
    features = training_features(texts)
    chars = app.config.classify.max_text_chars
    store_rows = [
        r for r in sample_publications(app.db, BACKGROUND, text_chars=chars) if row_text(r, chars).strip()
    ]
    store_texts = [row_text(r, chars) for r in store_rows]
    families = FAMILIES if features.indices.max(initial=0) >= FAMILY_WIDTH else WORDS
    store = featurize(store_texts, families) if store_rows else None
    source = embedding_source(app)
    dense = store_dense = None
    if source is not None:
        dense = source.vectors([e.id for e in examples], texts)
        store_dense = source.vectors([r["id"] for r in store_rows], store_texts) if store_rows else None
    # Rule-made positives (a cold start) cannot be blended with the rules that made them: there
    # the rules' score decides the union of their hits and the model's additions instead.
    weak = any(e.origin == "rule" for e in examples)
    prior = rule_prior(watchlist, texts, [e.codes for e in examples], [e.applicants for e in examples])
    store_prior = rule_prior(watchlist, store_texts, *_store_rule_inputs(examples, store_rows))
    model, report = fit_linear(
        features,
        labels,
        weights,
        watchlist.target_precision,
        dense=dense,
        store=store,
        store_dense=store_dense,
        prior=prior,
        store_prior=store_prior if store_rows else None,
        store_examples=_positions([e.id for e in examples], [r["id"] for r in store_rows]),
        rule_positives=weak,
        sampled=np.array([e.origin != "reviewer" for e in examples]),
    )
    if source is not None and model.dense is not None:  # a rules decision reads no embedding
        model.embedding = source.model.card()
    if source is not None and model.ranking is not None and model.ranking.dense is not None:
        model.ranking.embedding = source.model.card()
    model.terms = term_lookup(
        [t for t, y in zip(texts, labels, strict=True) if y == 1] + texts, model.indices
    )
    model.card = _card(watchlist, examples, report, data)
    save_model(model, app.config.classifiers_dir / watchlist.name)
    return {**model.card, "threshold": model.threshold}


def _store_rule_inputs(examples: list[Example], store_rows: list[dict]) -> tuple[list, list]:
    """(codes, applicants) of the store sample as the rules read them, counted as the examples'
    are: where no example carries codes (or applicants) at all, the store's are left out too, so
    the rules' hit rates on the examples and in the store (the store's share, the rules' recall
    and precision) are measured alike. Scoring still reads them: they only add rule hits."""
    with_codes, with_applicants = any(e.codes for e in examples), any(e.applicants for e in examples)
    if not (with_codes and with_applicants):
        log.info(
            "training examples carry no %s: the store sample's are not read for the rules' estimates",
            " or ".join(n for n, has in (("codes", with_codes), ("applicants", with_applicants)) if not has),
        )
    codes = [row_codes(r) if with_codes else [] for r in store_rows]
    applicants = [r["applicants"] if with_applicants else [] for r in store_rows]
    return codes, applicants


def _positions(ids: list[str], wanted: list[str]) -> np.ndarray:
    """Where each of ``wanted`` is among ``ids`` (-1 where it is not)."""
    where = {pid: k for k, pid in enumerate(ids)}
    return np.array([where.get(pid, -1) for pid in wanted], dtype=np.int64)


def training_features(texts: list[str]) -> sp.csr_matrix:
    """Features to choose from: words always; char n-grams too when the texts are short (titles),
    where `fit_linear` tries them (computing them for long texts would cost and not be tried)."""
    words = featurize(texts)
    return featurize(texts, FAMILIES) if _short(words) else words


def _short(words: sp.csr_matrix) -> bool:
    return bool(len(words.indptr) > 1 and np.median(np.diff(words.indptr)) <= SHORT_TEXT)


def _card(watchlist: Watchlist, examples: list[Example], report, data) -> dict:
    origins: dict[str, int] = {}
    for e in examples:
        origins[e.origin] = origins.get(e.origin, 0) + 1
    digest = hashlib.sha256()
    for e in sorted(examples, key=lambda e: e.id):
        digest.update(f"{e.id}\t{e.label}\t{e.weight}\t{e.text}\n".encode())
    return {
        "watchlist": watchlist.name,
        "trained_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "featurizer_version": FEATURIZER_VERSION,
        "data_file": str(Path(data).resolve()) if data else "",
        "data_hash": digest.hexdigest(),
        "counts": {
            "examples": len(examples),
            "positives": sum(e.label for e in examples),
            "negatives": sum(1 - e.label for e in examples),
            "by_origin": origins,
        },
        "cv": None
        if report is None
        else {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(report).items()},
        "target_precision": watchlist.target_precision,
        "libraries": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
        },
    }


def retrain_all(app) -> dict:
    """Retrain every watchlist (reusing the data file its last model was trained on); returns counts."""
    counts: dict = {"trained": 0, "skipped": 0, "failed": 0, "errors": {}}
    for watchlist in load_watchlists(app.config.watchlists_dir):
        data = _previous_data_file(app.config.classifiers_dir / watchlist.name)
        try:
            train_watchlist(app, str(watchlist.path or watchlist.name), data)
            counts["trained"] += 1
        except NotEnoughExamples as exc:
            # Normal in a new installation: the watchlist is scored by its rules until it can learn.
            counts["skipped"] += 1
            log.info("training %s skipped: %s", watchlist.name, exc)
        except ModelError as exc:
            counts["failed"] += 1
            counts["errors"][watchlist.name] = str(exc)
            log.error("training %s failed: %s", watchlist.name, exc)
    # The scheduler and `status` read a step's failure from ``status``; counts alone read as "ok".
    counts["status"] = "failed" if counts["failed"] else "ok"
    if counts["failed"]:
        counts["error"] = "; ".join(f"{name}: {err}" for name, err in counts["errors"].items())
    return counts


def _previous_data_file(directory: Path) -> str | None:
    try:
        card = json.loads((directory / "card.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    path = card.get("data_file") if isinstance(card, dict) else None
    return path if path and Path(path).exists() else None
