"""Reviewers' feedback: record a judgement, and suggest what to judge next (uncertainty sampling)."""

from __future__ import annotations

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
MAX_CANDIDATES = 50_000


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
    """Unlabelled publications whose score is nearest the threshold: judging them teaches the model
    most. Unlabelled by the model's labels, and (with ``scope``) by any label the scope sees, so a
    reviewer is not asked again what their organisation judged. Where the watchlist decides by its
    rules, the score is that of the model the rules were preferred to (`LinearModel.ranking`): the
    labels that would let it overtake them are those it is least sure of."""
    wl = load_watchlist(watchlist, app.config.watchlists_dir)
    embeddings = optional_source(app)
    usable, models, errors = load_models([wl], app.config.classifiers_dir, embeddings)
    if errors:
        raise ModelError(errors[wl.name])
    chars = app.config.classify.max_text_chars
    scorer = Scorer(
        usable, [_ranking(m, embeddings) for m in models], text_chars=chars, embeddings=embeddings
    )
    labelled = {r["publication_id"] for r in get_labels(app.db, wl.name, owner=wl.owner or None)}
    if scope is not None:
        labelled |= {r["publication_id"] for r in visible_labels(app.db, scope, wl.name)}
    candidates: list[tuple[float, str, float, str]] = []
    seen = 0
    for rows in iter_publication_rows(app.db, text_chars=chars):
        rows = [r for r in rows if r["id"] not in labelled]
        if not rows:
            continue
        parts = row_chunks(rows)
        scores = np.concatenate([score_publications(scorer, rows[p])[0][:, 0] for p in parts]).tolist()
        for row, score in zip(rows, scores, strict=True):
            title = row["title_text"].partition("\n")[0]  # the first language's title
            candidates.append((abs(score - float(scorer.thresholds[0])), row["id"], score, title))
        seen += len(rows)
        if seen >= MAX_CANDIDATES:
            break
    order = np.argsort([c[0] for c in candidates], kind="stable")[:limit]
    return [
        {"publication": candidates[i][1], "score": round(candidates[i][2], 4), "title": candidates[i][3]}
        for i in order
    ]
