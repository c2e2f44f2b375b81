"""Reviewers' feedback: record a judgement, and suggest what to judge next (uncertainty sampling)."""

from __future__ import annotations

import zlib

import numpy as np

from warning.classify.embed_store import optional_source, require_source
from warning.classify.run import Scorer, load_models, row_chunks, score_publications
from warning.classify.watchlists import load_watchlist
from warning.errors import AccessDenied, ModelError, NotFound, WarningError
from warning.identity import normalise_id
from warning.store import audit
from warning.store.db import transaction
from warning.store.matches import get_labels, iter_publication_rows, save_label
from warning.store.publications import get_publication
from warning.store.scope import Scope, can_see_watchlist, visible_labels

REVIEWER_WEIGHT = 3.0
MAX_CANDIDATES = 50_000  # the newest publications `suggest` considers
SAMPLED = 0.4  # the share of suggestions drawn at random (`pick`)


def _ranking(model, embeddings):
    """What suggestions rank by: a rules decision's runner-up where it can be scored, else the model."""
    ranking = getattr(model, "ranking", None)
    if ranking is None:
        return model
    try:
        require_source(embeddings, ranking)
    except ModelError:  # its encoder is not configured now: the rules' own scores, ties and all
        return model
    return ranking


def label_publication(
    app, publication: str, watchlist: str, relevant: bool, who: str = "", scope: Scope | None = None
) -> dict:
    """Record that a reviewer judged ``publication`` relevant or not to ``watchlist``, as the
    label of the scope's organisation (the programme's without a scope), with an audit entry."""
    scope = scope or Scope.programme()
    if not scope.can_review:
        raise AccessDenied("labelling needs the reviewer or admin role")
    wl = load_watchlist(watchlist, app.config.watchlists_dir)
    if not can_see_watchlist(app.db, scope, wl.name):
        raise NotFound(f"no watchlist {wl.name!r}")
    pid = normalise_id(publication)
    if get_publication(app.db, pid) is None:
        raise WarningError(f"publication {pid} is not in the store (ingest or fetch it first)")
    label = 1 if relevant else 0
    with transaction(app.db):
        save_label(app.db, pid, wl.name, label, "reviewer", REVIEWER_WEIGHT, who, org_id=scope.label_org)
        audit.record(app.db, scope, "label", "publication", pid, watchlist=wl.name, label=label)
    return {"publication": pid, "watchlist": wl.name, "label": label, "org": scope.label_org}


def suggest(app, watchlist: str, limit: int = 10, scope: Scope | None = None) -> list[dict]:
    """What to review next among the newest `MAX_CANDIDATES` unlabelled publications: mostly
    those scored nearest the threshold, whose judgements teach the model most, and a few drawn at
    random (`pick`), each marked with why (``"why"``: ``"uncertain"`` or ``"sample"``).

    Unlabelled by the model's labels, and (with ``scope``) by any label the scope sees, so a
    reviewer is not asked again what their organisation judged. Where the watchlist decides by its
    rules, the score is that of the model the rules were preferred to (`LinearModel.ranking`): the
    labels that would let it overtake them are those it is least sure of. The random draw is the
    same until a label is added, so a reloaded queue does not change under the reviewer."""
    wl = load_watchlist(watchlist, app.config.watchlists_dir)
    embeddings = optional_source(app)
    usable, models, errors = load_models([wl], app.config.classifiers_dir, embeddings, ranking=True)
    if errors:
        raise ModelError(errors[wl.name])
    chars = app.config.classify.max_text_chars
    scorer = Scorer(
        usable, [_ranking(m, embeddings) for m in models], text_chars=chars, embeddings=embeddings
    )
    labelled = {r["publication_id"] for r in get_labels(app.db, wl.name, owner=wl.owner or None)}
    if scope is not None:
        labelled |= {r["publication_id"] for r in visible_labels(app.db, scope, wl.name)}
    ids, scores, titles = [], [], []
    for rows in iter_publication_rows(app.db, text_chars=chars, newest=MAX_CANDIDATES):
        rows = [r for r in rows if r["id"] not in labelled]
        if not rows:
            continue
        parts = row_chunks(rows)
        scores += np.concatenate([score_publications(scorer, rows[p])[0][:, 0] for p in parts]).tolist()
        ids += [r["id"] for r in rows]
        titles += [r["title_text"].partition("\n")[0] for r in rows]  # the first language's title
    distance = np.abs(np.array(scores, dtype=np.float64) - float(scorer.thresholds[0]))
    rng = np.random.default_rng([zlib.crc32(wl.name.encode("utf-8")), len(labelled)])
    return [
        {"publication": ids[i], "score": round(scores[i], 4), "title": titles[i], "why": why}
        for i, why in pick(distance, limit, rng)
    ]


def pick(distance: np.ndarray, limit: int, rng: np.random.Generator) -> list[tuple[int, str]]:
    """(index, why) of ``limit`` candidates: the nearest the threshold by ``distance``, and
    `SAMPLED` of them (rounded down) drawn at random from the rest.

    Only the nearest keeps asking about one region of the store while relevant publications the
    model has not learned to score lie elsewhere; the draws find them at the store's own rate.
    Chosen on simulated reviews (`benchmarks/active.py`'s loop on the validate split: a file of
    10 relevant and 40 irrelevant, then 5 reviews a round): mean F1 after 25 / 50 reviews on 8
    ordinary and 4 hard lines, the nearest only 0.303 / 0.378 and 0.422 / 0.451, two of five
    drawn 0.387 / 0.410 and 0.475 / 0.467, all at random 0.342 / 0.378 and 0.448 / 0.448."""
    order = np.argsort(distance, kind="stable")
    drawn = int(limit * SAMPLED)
    nearest = order[: limit - drawn]
    rest = order[limit - drawn :]
    sample = np.sort(rng.choice(rest, min(drawn, len(rest)), replace=False)) if drawn and len(rest) else []
    return [(int(i), "uncertain") for i in nearest] + [(int(i), "sample") for i in sample]
