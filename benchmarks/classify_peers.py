"""What `benchmarks/classify.py` measures the service against, on the same rows in the same run.

- `sklearn_peer`: a plain scikit-learn pipeline, the baseline issue 18 names: HashingVectorizer
  (word 1-2 grams, 2**20 features, ``alternate_sign=False``, l2 norm) over title + abstract, one
  sparse product against the same watchlists' weights as a (2**20 x watchlists) CSR matrix, and
  a threshold to boolean matches (each watchlist's probability threshold turned into its decision
  value). No rules, no evidence, no rows.

  The service's weights sit at its own hashed columns, which mean nothing to scikit-learn's
  hashes: taken literally (``literal``), a publication's scikit-learn columns meet about 4 weights
  each instead of the service's 60 or so, and the product costs next to nothing. The peer that the
  ratios use (``aligned``) lays the same weight rows over scikit-learn's columns by document
  frequency (the k-th most frequent scikit-learn column gets the weights of the service's k-th
  most frequent one, frequencies counted over the corpus), so its product meets as many weights
  as the service's does. Its matches are still not meaningful (the weights are not its terms'),
  its cost is.
- `store_path`: `warning classify`'s own sweep (`run._sweep`) over a store holding the rows:
  reading them from SQLite, scoring, and writing the matches (evidence left to their readers, or
  with ``EAGER`` computed for every one) and cursors, batch by batch.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp

from warning.classify.featurize import FAMILY_WIDTH, featurize
from warning.classify.run import LAZY, Scorer, _sweep
from warning.models import Publication
from warning.store.db import open_db, transaction
from warning.store.publications import save_publications


def _vectorizer():
    from sklearn.feature_extraction.text import HashingVectorizer  # only the benchmark needs it

    return HashingVectorizer(
        ngram_range=(1, 2), n_features=FAMILY_WIDTH, alternate_sign=False, norm="l2", dtype=np.float32
    )


def peer_weights(scorer: Scorer, corpus: list[str]) -> dict[str, sp.csr_matrix]:
    """The watchlists' word weights as (2**20 x watchlists) CSR matrices: ``literal`` and
    ``aligned`` (rows moved by document frequency over ``corpus``; see the module's docstring)."""
    literal = sp.csr_matrix(
        sp.hstack([m.column() for m in scorer.models], format="csc")[:FAMILY_WIDTH], dtype=np.float32
    )
    ours = np.bincount(featurize(corpus).indices, minlength=2 * FAMILY_WIDTH)[:FAMILY_WIDTH]
    theirs = np.bincount(_vectorizer().transform(corpus).indices, minlength=FAMILY_WIDTH)
    source = np.empty(FAMILY_WIDTH, dtype=np.int64)  # scikit-learn column -> the service's column
    source[np.argsort(-theirs, kind="stable")] = np.argsort(-ours, kind="stable")
    return {"literal": literal, "aligned": literal[source]}


def decision_cuts(scorer: Scorer) -> np.ndarray:
    """Each watchlist's probability threshold as a decision value (the rules' prior left out)."""
    p = np.clip(scorer.thresholds, 1e-6, 1 - 1e-6)
    return (np.log(p / (1 - p)) - scorer.calib_b) / scorer.calib_a - scorer.bias


def sklearn_peer(scorer: Scorer, rows: list[dict], batch: int, weights: sp.csr_matrix) -> dict:
    """Publications/s of HashingVectorizer + one product + threshold, in batches of ``batch``."""
    vectorizer = _vectorizer()
    cut = decision_cuts(scorer)
    started, wall, matches = time.process_time(), time.perf_counter(), 0
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        features = vectorizer.transform([f"{r['title_text']}\n{r['abstract_text']}" for r in chunk])
        decision = (features @ weights).toarray()
        matches += int(np.count_nonzero(decision >= cut))
    return _figures(len(rows), started, wall, matches)


def build_store(folder: Path, rows: list[dict]):
    """A store holding ``rows`` as publications (through `save_publications`, as ingest writes)."""
    db = open_db(folder / "store.db")
    pubs = [
        Publication(
            id=r["id"],
            country=r["country"],
            number=r["id"].split("-")[1],
            kind="A1",
            titles={"en": r["title_text"]},
            abstracts={"en": r["abstract_text"]},
            applicants=list(r["applicants"]),
            ipc=list(r["ipc"]),
            cpc=list(r["cpc"]),
        )
        for r in rows
    ]
    for start in range(0, len(pubs), 5000):
        save_publications(db, pubs[start : start + 5000])
    return db


def store_path(scorer: Scorer, db, batch: int, text_chars: int, evidence: str = LAZY) -> dict:
    """Publications/s of `warning classify`'s sweep over the whole store, matches written
    (without evidence, as `classify` writes them; ``EAGER``: with it)."""
    with transaction(db):  # a fresh start: no matches, no cursors
        db.execute("DELETE FROM matches")
        db.execute("DELETE FROM classify_cursor")
    top = int(db.execute("SELECT max(rowid) FROM publications").fetchone()[0])
    config = SimpleNamespace(classify=SimpleNamespace(batch_size=batch, max_text_chars=text_chars))
    app = SimpleNamespace(db=db, config=config)
    counts = {"publications": 0, "scored": 0, "matches": 0, "updated": 0}
    started, wall = time.process_time(), time.perf_counter()
    _sweep(app, scorer, 0, top, counts, None, evidence)
    result = _figures(counts["publications"], started, wall, counts["updated"])
    result["stored"] = int(db.execute("SELECT count(*) FROM matches").fetchone()[0])
    return result


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory()


def _figures(n: int, started: float, wall: float, matches: int) -> dict:
    cpu, elapsed = time.process_time() - started, time.perf_counter() - wall
    return {
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "per_second": round(n / elapsed),
        "per_cpu_second": round(n / cpu) if cpu else 0,
        "matches": matches,
    }
