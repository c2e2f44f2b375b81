"""The `classify` step: score new publications against every watchlist and write matches.

A batch is featurized once; every trained watchlist is scored by one sparse matrix product
(features x stacked weights), watchlists without a model by their rules. A watchlist whose model
cannot be loaded is reported and skipped; the others run.

Matches are stored without their evidence (``LAZY``): it is computed where a match is read, once,
and cached in the row (`warning.classify.evidence_on_read`). ``EAGER`` computes it here, for every
match, as before: the reference the lazy path is tested against, and a benchmark row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from warning.classify.embed_store import EmbeddingSource, optional_source, read_blocks, require_source
from warning.classify.evidence import TermTables
from warning.classify.evidence_text import assemble, model_tail
from warning.classify.featurize import (
    DEFAULT_TEXT_CHARS,
    MAX_BATCH_CHARS,
    N_FEATURES,
    TextBatch,
    chunks_by_chars,
    classification_text,
    featurize_batch,
)
from warning.classify.model import LinearModel, load_model, model_exists
from warning.classify.product import StackedWeights
from warning.classify.rules import RULES_THRESHOLD, BatchRules, RuleSet
from warning.classify.watchlists import Watchlist, load_watchlist, load_watchlists, watchlist_record
from warning.clock import utcnow
from warning.errors import ModelError
from warning.store.matches import (
    count_matches,
    get_cursors,
    max_rowid,
    publications_after,
    record_batch,
    reset_cursors,
)
from warning.store.operations import finish_run, start_run
from warning.store.watchlists import sync_watchlists

log = logging.getLogger(__name__)
LAZY, EAGER = "lazy", "eager"  # evidence computed where a match is read, or with every match here
EXCLUDE_FACTOR = 0.5  # an exclude keyword halves a trained model's probability


@dataclass
class Scorer:
    """Every watchlist's model stacked into one weight matrix, plus the rules of all of them."""

    watchlists: list[Watchlist]
    models: list[LinearModel | None]  # None: scored by rules alone
    top_terms: int = 8
    text_chars: int = DEFAULT_TEXT_CHARS  # characters of one publication read (`classification_text`)
    embeddings: EmbeddingSource | None = None  # where publications' vectors come from, if configured
    rules: RuleSet = field(init=False)
    weights: StackedWeights = field(init=False)

    def __post_init__(self) -> None:
        self.rules = RuleSet(self.watchlists)
        cols = [
            m.column() if m is not None else sp.csc_matrix((N_FEATURES, 1), dtype=np.float32)
            for m in self.models
        ]
        self.weights = StackedWeights(
            sp.hstack(cols, format="csr", dtype=np.float32)
            if cols
            else sp.csr_matrix((N_FEATURES, 0), dtype=np.float32)
        )
        self.bias = np.array([m.bias if m else 0.0 for m in self.models])
        self.families, self.dense = read_blocks(self.models)
        self.calib_a = np.array([m.calib_a if m else 1.0 for m in self.models])
        self.calib_b = np.array([m.calib_b if m else 0.0 for m in self.models])
        self.calib_prior = np.array([m.calib_prior if m else 0.0 for m in self.models])
        self.trained = np.array([m is not None for m in self.models], dtype=bool)
        self.thresholds = np.array(
            [threshold_of(w, m) for w, m in zip(self.watchlists, self.models, strict=True)]
        )
        self.names = np.array([w.name for w in self.watchlists], dtype=object)
        self.versions = np.array([model_version(m) for m in self.models], dtype=object)
        self.tables = TermTables(self.models)
        self.tails = np.empty(len(self.models), dtype=object)
        self.tails[:] = [
            model_tail("trained" if m is not None else "rules", model_version(m)) for m in self.models
        ]

    def score(self, texts: list[str], codes: list[list[str]], applicants: list[list[str]], ids=None):
        """(docs x watchlists) scores, the feature matrix and the rule hits of one batch."""
        features, hits = self.explained(texts, codes, applicants)
        decision = self.weights.product(features) + self.bias
        if self.embeddings is not None and ids is not None:
            vectors = self.embeddings.vectors(ids, texts)  # stored once per publication
            if self.dense is not None:
                decision += vectors @ self.dense
        elif self.dense is not None:
            raise ModelError(
                "a model trained with embeddings cannot score without them: set [classify] embedding_model"
            )
        evidence = hits.evidence_score()  # the rules' score, and the prior some models blend in
        z = self.calib_a * decision + self.calib_b + self.calib_prior * evidence
        probs = 1.0 / (1.0 + np.exp(-z))
        probs = np.where(hits.exclude_counts > 0, probs * EXCLUDE_FACTOR, probs)
        scores = np.where(self.trained, probs, hits.rules_score(evidence))
        return scores, features, hits

    def explained(
        self, texts: list[str], codes: list[list[str]], applicants: list[list[str]]
    ) -> tuple[sp.csr_matrix, BatchRules]:
        """The feature matrix and the rule hits of one batch: all evidence needs, no product."""
        batch = TextBatch(texts)
        return featurize_batch(batch, self.families), self.rules.match(batch, codes, applicants)

    def evidence_json(
        self, docs: np.ndarray, wls: np.ndarray, features: sp.csr_matrix, hits: BatchRules
    ) -> list[str]:
        """Why each (document, watchlist) pair matched, as evidence JSON text, in the order given."""
        return self.evidence_texts(docs, wls, features, hits).tolist()

    def evidence_texts(
        self, docs: np.ndarray, wls: np.ndarray, features: sp.csr_matrix, hits: BatchRules
    ) -> np.ndarray:
        """`evidence_json` as an object array (fastest with ``wls`` ascending)."""
        if not len(docs):
            return np.zeros(0, dtype=object)
        terms = self.tables.terms_json(wls, features, self.top_terms, docs)
        cpc, keywords, competitors, exclude = hits.evidence_json(docs, wls)
        return assemble(terms, cpc, keywords, competitors, exclude, self.tails[wls])


def threshold_of(watchlist: Watchlist, model: LinearModel | None) -> float:
    """The watchlist's own threshold, else the trained model's, else the rules' default."""
    if watchlist.threshold is not None:
        return watchlist.threshold
    return model.threshold if model is not None else RULES_THRESHOLD


def model_version(model: LinearModel | None) -> str:
    return f"trained:{model.version}" if model is not None else "rules"


def load_models(
    watchlists: list[Watchlist],
    classifiers_dir: Path,
    embeddings: EmbeddingSource | None = None,
    ranking: bool = False,
) -> tuple[list, list, dict[str, str]]:
    """(watchlists that can run, their models or None, errors by watchlist name); ``ranking``: with
    a rules decision's set-aside model (`model.load_model`)."""
    usable, models, errors = [], [], {}
    for w in watchlists:
        directory = classifiers_dir / w.name
        try:
            model = load_model(directory, ranking) if model_exists(directory) else None
            if model is not None:
                require_source(embeddings, model)
        except ModelError as exc:
            errors[w.name] = str(exc)
            log.error("watchlist %s skipped: %s", w.name, exc)
            continue
        usable.append(w)
        models.append(model)
    return usable, models, errors


def classify_pending(
    app, watchlist: str | None = None, progress: bool = False, rescore: bool = False, evidence: str = LAZY
) -> dict:
    """Score, for each watchlist, the publications past its cursor; write matches. Returns counts.

    With ``rescore`` the chosen watchlists' cursors go back to the start first (e.g. after
    retraining): existing matches are updated in place, never duplicated, and a match that now
    falls below the threshold is kept as it was, since an alert may already have gone out for it.
    A rescore that changes a match's score (or threshold, or model version) clears its cached
    evidence, recomputed where it is next read; ``evidence=EAGER`` computes every match's now.
    """
    directory = app.config.watchlists_dir
    chosen = [load_watchlist(watchlist, directory)] if watchlist else load_watchlists(directory)
    sync_watchlists(app.db, [watchlist_record(w) for w in chosen])  # alerts show their titles
    run_id = start_run(app.db, "classify")
    try:
        counts = _classify(app, chosen, progress, rescore, evidence)
    except Exception as exc:
        finish_run(app.db, run_id, "failed", error=str(exc))
        raise
    finish_run(app.db, run_id, "ok", counts, "; ".join(counts["errors"].values()))
    return counts


def _classify(app, chosen: list[Watchlist], progress: bool, rescore: bool, evidence: str) -> dict:
    embeddings = optional_source(app)
    usable, models, errors = load_models(chosen, app.config.classifiers_dir, embeddings)
    counts = {"watchlists": len(usable), "publications": 0, "scored": 0, "matches": 0, "updated": 0}
    counts["errors"] = errors
    if not usable:
        return counts
    names = [w.name for w in usable]
    if rescore:
        reset_cursors(app.db, names)
    before = count_matches(app.db, names)
    cursors = get_cursors(app.db, names)
    top = max_rowid(app.db)
    bar = _progress_bar(progress)
    # Sweep the rowid ranges between distinct cursors: the watchlists behind catch up alone, then
    # join the others, so watchlists sharing a cursor (the common case) share one sparse product.
    # A publication merged later by another source keeps its rowid, so it is not scored again;
    # that is accepted (its text rarely changes), and `--rescore` scores everything anew.
    levels = sorted({c for c in cursors.values() if c < top})
    for level, upto in zip(levels, [*levels[1:], top][: len(levels)], strict=True):
        active = [k for k, name in enumerate(names) if cursors[name] <= level]
        scorer = Scorer(
            [usable[k] for k in active],
            [models[k] for k in active],
            app.config.classify.top_terms,
            app.config.classify.max_text_chars,
            embeddings,
        )
        _sweep(app, scorer, level, upto, counts, bar, evidence)
    if bar is not None:
        bar.close()
    counts["matches"] = count_matches(app.db, names) - before
    counts["updated"] -= counts["matches"]
    return counts


def _sweep(app, scorer: Scorer, after: int, upto: int, counts: dict, bar, evidence: str = LAZY) -> None:
    """Score the publications with rowid in (after, upto] against every watchlist of ``scorer``."""
    versions = [model_version(m) for m in scorer.models]
    names = [w.name for w in scorer.watchlists]
    size, chars = app.config.classify.batch_size, app.config.classify.max_text_chars
    while rows := publications_after(app.db, after, upto, size, text_chars=chars):
        after = rows[-1]["rid"]
        now = utcnow()
        matches = match_rows(scorer, rows, now, evidence)
        cursors = [(name, after, version, now) for name, version in zip(names, versions, strict=True)]
        record_batch(app.db, matches, cursors)
        counts["publications"] += len(rows)
        counts["scored"] += len(rows) * len(names)
        counts["updated"] += len(matches)
        if bar is not None:
            bar.update(len(rows))


def score_publications(scorer: Scorer, rows: list[dict]) -> tuple[np.ndarray, sp.csr_matrix, BatchRules]:
    """(docs x watchlists) scores of publication rows, with their features and rule hits.

    ``rows`` as the store reads them for classification (`publications_after`); one batch, so
    keep its characters within `MAX_BATCH_CHARS` (`row_chunks`).
    """
    limit = scorer.text_chars
    texts = [classification_text(r["title_text"], r["abstract_text"], r["claims_text"], limit) for r in rows]
    codes = [row_codes(r) for r in rows]
    return scorer.score(texts, codes, [r["applicants"] for r in rows], [r["id"] for r in rows])


def row_text(row: dict, limit: int = DEFAULT_TEXT_CHARS) -> str:
    """The text a store row is classified on (`classification_text`)."""
    return classification_text(row["title_text"], row["abstract_text"], row["claims_text"], limit)


def row_codes(row: dict) -> list[str]:
    """The codes of a store row as the rules read them: CPC, then IPC."""
    return [*row["cpc"], *row["ipc"]]


def row_chunks(rows: list[dict]) -> list[slice]:
    """Slices of ``rows`` of at most `MAX_BATCH_CHARS` characters of text each."""
    sizes = [len(r["title_text"]) + len(r["abstract_text"]) + len(r["claims_text"]) for r in rows]
    return chunks_by_chars(sizes, MAX_BATCH_CHARS)


def match_rows(scorer: Scorer, rows: list[dict], now: str, evidence: str = LAZY) -> list[tuple]:
    """The matches of a batch of publication rows, as `matches` table rows.

    (publication_id, watchlist, score, threshold, evidence JSON (None with ``LAZY``: computed
    where read), model_version, created_at),
    watchlist by watchlist, each in the batch's order; a batch of long texts is scored a few
    rows at a time (`row_chunks`) with the same result.
    """
    if evidence not in (LAZY, EAGER):
        raise ValueError(f"evidence must be {LAZY!r} or {EAGER!r}, not {evidence!r}")
    parts = [_chunk_matches(scorer, rows[part], part.start, evidence) for part in row_chunks(rows)]
    docs, wls, scores, evidence = parts[0] if len(parts) == 1 else _joined(parts)
    ids = np.array([r["id"] for r in rows], dtype=object)
    return list(
        zip(
            ids[docs].tolist(),
            scorer.names[wls].tolist(),
            np.round(scores, 4).tolist(),
            scorer.thresholds[wls].tolist(),
            evidence.tolist(),
            scorer.versions[wls].tolist(),
            repeat(now, len(docs)),
            strict=True,
        )
    )


def _joined(parts: list[tuple[np.ndarray, ...]]) -> tuple[np.ndarray, ...]:
    """The matches of several chunks of one batch, watchlist by watchlist, each in the batch's order."""
    docs, wls, scores, evidence = (np.concatenate([p[i] for p in parts]) for i in range(4))
    order = np.lexsort((docs, wls))
    return docs[order], wls[order], scores[order], evidence[order]


def _chunk_matches(scorer: Scorer, rows: list[dict], offset: int, evidence: str) -> tuple[np.ndarray, ...]:
    """(document index + ``offset``, watchlist index, score, evidence JSON or None) of each match
    of ``rows``, watchlist by watchlist, each in the rows' order."""
    scores, features, hits = score_publications(scorer, rows)
    markets = _in_markets(scorer.watchlists, [r.get("country") or "" for r in rows])
    # watchlist-major order: each watchlist's matches are contiguous for the evidence
    wls, docs = np.nonzero(((scores >= scorer.thresholds) & markets).T)
    if evidence == EAGER:
        texts = scorer.evidence_texts(docs, wls, features, hits)
    else:
        texts = np.full(len(docs), None, dtype=object)
    return docs + offset, wls, scores[docs, wls], texts


def _in_markets(watchlists: list[Watchlist], countries: list[str]) -> np.ndarray:
    """(docs x watchlists): is the publication's country one of the watchlist's target markets?"""
    if not countries:
        return np.zeros((0, len(watchlists)), dtype=bool)
    distinct, which = np.unique(np.array(countries, dtype=object), return_inverse=True)
    table = np.array(
        [[not w.countries or c in w.countries for w in watchlists] for c in distinct.tolist()], dtype=bool
    )
    return table.reshape(len(distinct), len(watchlists))[which]


def _progress_bar(progress: bool):
    if not progress:
        return None
    from tqdm import tqdm  # deferred for start-up time: only a progress bar needs tqdm

    return tqdm(unit="pub", desc="classify")
