"""A match's evidence, computed where it is read, once, then cached in its row.

`warning classify` stores matches without evidence (`run.LAZY`): top terms and rules hit cost
about as much as the scores, and most matches are never read. Every reader (alerts, digests,
risk auto-open, the publication page and API, the demo) passes its match rows through
`with_evidence`: stored evidence is decoded; the rest is computed for the whole batch at once
(the publications read as classify reads them, featurized once per batch of texts, then the same
`Scorer.evidence_texts` the eager path runs) and written back in one transaction per batch, so
the next read costs a JSON decode. A reader never fails on it:

- the watchlist's current model explains the match; where that is not the model that scored it
  (retrained, not rescored), the evidence says so: ``"scored_by"`` names the scoring version,
  ``"model_version"`` the one that explains;
- a model that is gone (the match was scored by one) or cannot be loaded: the rules' evidence
  alone, marked ``"fallback"``;
- a watchlist no longer configured, or a publication whose text is gone or unreadable: empty
  evidence marked ``"fallback"``. Fallbacks are not cached (the model may come back);
- a write-back that fails (the daemon holding the lock, a read-only store) is logged and the
  computed evidence served anyway; its match is explained again on its next read.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from warning.classify.model import load_model, model_exists
from warning.classify.run import Scorer, row_chunks, row_text
from warning.classify.watchlists import Watchlist, load_watchlist_file
from warning.errors import ConfigError
from warning.store.matches import decoded_evidence, get_matches, publication_rows, save_evidence

log = logging.getLogger(__name__)
SLICE = 2000  # publications read, explained and written back together (bounds memory)
WRITE_WAIT_MS = 1000  # how long a write-back waits for the lock before serving uncached
_LOCK = threading.Lock()  # `TermTables` works in shared scratch arrays: one batch at a time
_EXPLAINERS: dict[tuple, _Explainer] = {}  # by the signature of the files they were built from
# Loaded models by (directory, its files' stats): an explainer for other watchlists reuses them.
_MODELS: dict[tuple, Any] = {}
MODEL_CACHE = 256
_EMPTY_RULES = {"cpc": [], "keywords": [], "competitors": [], "exclude": []}


@dataclass
class _Explainer:
    """A scorer over the configured watchlists (their current models), and what went wrong."""

    scorer: Scorer
    column: dict[str, int]  # watchlist name -> its index in ``scorer``
    problems: dict[str, str]  # watchlist name -> why its model is not used (rules only)


def with_evidence(app: Any, rows: list[dict], *, write: bool = True) -> list[dict]:
    """``rows`` (match rows: publication_id, watchlist, evidence, score, model_version) with
    ``evidence`` decoded, computing (and, with ``write``, caching) the missing ones. In place."""
    return fill_evidence(app.db, app.config, rows, write=write)


def matches_with_evidence(app: Any, watchlist: str | None = None) -> list[dict]:
    """`warning.store.matches.get_matches` with every match's evidence (computed where missing)."""
    return with_evidence(app, get_matches(app.db, watchlist))


def fill_evidence(db, config: Any, rows: list[dict], *, write: bool = True) -> list[dict]:
    """`with_evidence` from a store and a config (``watchlists_dir``, ``classifiers_dir``,
    ``classify.top_terms``, ``classify.max_text_chars``)."""
    pending = []
    for row in rows:
        value = row.get("evidence")
        if not isinstance(value, dict):
            row["evidence"] = value = decoded_evidence(value) if isinstance(value, str) else None
        if value is None:
            pending.append(row)
    for part in _slices(pending):
        _fill(db, config, part, write)
    return rows


def _slices(pending: list[dict]) -> Iterable[list[dict]]:
    """The pending rows in runs of at most `SLICE` distinct publications."""
    part: list[dict] = []
    seen: set[str] = set()
    for row in pending:
        if row["publication_id"] not in seen and len(seen) == SLICE:
            yield part
            part, seen = [], set()
        seen.add(row["publication_id"])
        part.append(row)
    if part:
        yield part


def _fill(db, config: Any, rows: list[dict], write: bool) -> None:
    """Explain ``rows`` (one slice), decode their evidence into them, cache what may be cached."""
    with _LOCK:
        explainer = _explainer(config, {r["watchlist"] for r in rows})
        texts = explain_rows(db, explainer, rows, config.classify.max_text_chars)
    cache = []
    for row, (text, cacheable) in zip(rows, texts, strict=True):
        row["evidence"] = json.loads(text)
        if cacheable and "model_version" in row and "score" in row:
            cache.append((text, row["publication_id"], row["watchlist"], row["score"], row["model_version"]))
    if write and cache:
        _write_back(db, cache)


def explain_rows(db, explainer: _Explainer, rows: list[dict], text_chars: int) -> list[tuple[str, bool]]:
    """(evidence JSON, cacheable) of each match row, in order: the publications read once each,
    explained a batch of texts at a time."""
    out: list[tuple[str, bool] | None] = [None] * len(rows)
    ids = list(dict.fromkeys(r["publication_id"] for r in rows))
    try:
        pubs = {p["id"]: p for p in publication_rows(db, ids, text_chars=text_chars)}
    except (sqlite3.Error, ValueError, TypeError) as exc:
        log.warning("evidence: publications could not be read (%s)", exc)
        pubs = {}
    by_pub: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        name, pid = row["watchlist"], row["publication_id"]
        if name not in explainer.column:
            out[i] = _fallback(f"watchlist {name!r} is not configured any more"), False
        elif pid not in pubs:
            out[i] = _fallback(f"publication {pid} is not in the store"), False
        else:
            by_pub.setdefault(pid, []).append(i)
    found = [pubs[pid] for pid in by_pub]
    for part in row_chunks(found):
        _explain_part(explainer, found[part], by_pub, rows, out)
    return out  # type: ignore[return-value]


def _explain_part(explainer: _Explainer, pubs: list[dict], by_pub: dict, rows: list[dict], out: list) -> None:
    """Fill ``out`` for the matches of ``pubs`` (one batch of texts); a batch that fails is
    explained one publication at a time, so one unreadable text fails alone."""
    try:
        _explain_batch(explainer, pubs, by_pub, rows, out)
    except Exception as exc:  # a corrupt text: find which, explain the others
        if len(pubs) == 1:
            log.warning("evidence of %s cannot be computed: %s", pubs[0]["id"], exc)
            for i in by_pub[pubs[0]["id"]]:
                out[i] = _fallback(f"the publication's text cannot be read ({type(exc).__name__})"), False
            return
        for pub in pubs:
            _explain_part(explainer, [pub], by_pub, rows, out)


def _explain_batch(
    explainer: _Explainer, pubs: list[dict], by_pub: dict, rows: list[dict], out: list
) -> None:
    scorer = explainer.scorer
    texts = [row_text(p, scorer.text_chars) for p in pubs]
    codes = [[*p["cpc"], *p["ipc"]] for p in pubs]
    features, hits = scorer.explained(texts, codes, [p["applicants"] for p in pubs])
    which = [(d, i) for d, p in enumerate(pubs) for i in by_pub[p["id"]]]
    docs = np.array([d for d, _ in which], dtype=np.int64)
    wls = np.array([explainer.column[rows[i]["watchlist"]] for _, i in which], dtype=np.int64)
    texts = scorer.evidence_texts(docs, wls, features, hits).tolist()
    for (_, i), text, wl in zip(which, texts, wls.tolist(), strict=True):
        out[i] = _marked(text, rows[i], scorer.versions[wl], explainer.problems.get(rows[i]["watchlist"]))


def _marked(text: str, row: dict, version: str, problem: str | None) -> tuple[str, bool]:
    """The evidence with what a reader must know: scored by another model, or rules only."""
    extra = {}
    scored_by = row.get("model_version")
    if scored_by is not None and scored_by != version:
        extra["scored_by"] = scored_by
    if problem is None and version == "rules" and str(scored_by).startswith("trained:"):
        problem = "the model that scored this match is no longer there"
    if problem is not None:
        extra["fallback"] = f"rules only: {problem}"
    if not extra:
        return text, True
    tail = ", ".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in extra.items())
    return f"{text[:-1]}, {tail}}}", problem is None


def _fallback(reason: str) -> str:
    evidence = {"terms": [], "rules": _EMPTY_RULES, "model": "none", "model_version": "", "fallback": reason}
    return json.dumps(evidence, ensure_ascii=False)


def _write_back(db, cache: list[tuple]) -> None:
    """Cache the evidence; a lock held too long or a read-only store only costs the cache."""
    try:
        previous = db.execute("PRAGMA busy_timeout").fetchone()[0]
    except sqlite3.Error:
        previous = None
    try:
        db.execute(f"PRAGMA busy_timeout={WRITE_WAIT_MS}")
        save_evidence(db, cache)
    except sqlite3.Error as exc:
        log.warning("evidence of %d matches computed but not cached: %s", len(cache), exc)
    finally:
        if previous is not None:
            try:
                db.execute(f"PRAGMA busy_timeout={int(previous)}")
            except sqlite3.Error:
                pass


def _explainer(config: Any, names: set[str] | None = None) -> _Explainer:
    """The scorer of the configured watchlists named in ``names`` (None: all), rebuilt only when
    their files or models change. Only those models are loaded: a page showing one publication
    does not load the models of a hundred watchlists."""
    folder, models_dir = Path(config.watchlists_dir), Path(config.classifiers_dir)
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    wanted = None if names is None else tuple(sorted(names))
    dirs = _model_dirs(models_dir) if wanted is None else [models_dir / n for n in wanted]
    key = (
        str(folder),
        str(models_dir),
        config.classify.top_terms,
        config.classify.max_text_chars,
        tuple(_stats(files)),
        wanted,
        tuple(_stats(p for d in dirs if d.is_dir() for p in sorted(d.iterdir()))),
    )
    found = _EXPLAINERS.get(key)
    if found is None:
        watchlists = [w for w in _readable(files) if wanted is None or w.name in names]
        found = _build(watchlists, models_dir, config.classify.top_terms, config.classify.max_text_chars)
        if len(_EXPLAINERS) >= 8:
            _EXPLAINERS.pop(next(iter(_EXPLAINERS)))
        _EXPLAINERS[key] = found
    return found


def _build(watchlists: list[Watchlist], models_dir: Path, top_terms: int, text_chars: int) -> _Explainer:
    models, problems = [], {}
    for w in watchlists:
        model = _model(models_dir / w.name)
        if isinstance(model, Exception):  # a damaged file: any reader still gets the rules' evidence
            problems[w.name] = f"the model cannot be loaded ({model})"
            model = None
        models.append(model)
    try:
        scorer = Scorer(watchlists, models, top_terms, text_chars)
    except Exception as exc:  # models that cannot be stacked together (embedding widths)
        problems = {w.name: f"the models cannot be used together ({exc})" for w in watchlists}
        scorer = Scorer(watchlists, [None] * len(watchlists), top_terms, text_chars)
    return _Explainer(scorer, {w.name: k for k, w in enumerate(watchlists)}, problems)


def clear_caches() -> None:
    """Forget every loaded model and explainer (the next read loads them again)."""
    _EXPLAINERS.clear()
    _MODELS.clear()


def _model(directory: Path) -> Any:
    """The model in ``directory`` (None: there is none; an exception: it cannot be loaded),
    loaded once for as long as its files are unchanged."""
    key = (str(directory), tuple(_stats(sorted(directory.iterdir()) if directory.is_dir() else [])))
    if key not in _MODELS:
        try:
            found: Any = load_model(directory) if model_exists(directory) else None
        except Exception as exc:
            found = exc
        if len(_MODELS) >= MODEL_CACHE:
            _MODELS.pop(next(iter(_MODELS)))
        _MODELS[key] = found
    return _MODELS[key]


def _readable(files: list[Path]) -> list[Watchlist]:
    """The watchlist files that load (one being edited into an invalid state is left out)."""
    found: dict[str, Watchlist] = {}
    for path in files:
        try:
            w = load_watchlist_file(path)
        except ConfigError as exc:
            log.warning("evidence: %s", exc)
            continue
        found.setdefault(w.name, w)
    return sorted(found.values(), key=lambda w: w.name)


def _model_dirs(models_dir: Path) -> list[Path]:
    return sorted(d for d in models_dir.iterdir() if d.is_dir()) if models_dir.is_dir() else []


def _stats(paths: Iterable[Path]) -> Iterable[tuple]:
    for p in paths:
        try:
            s = p.stat()
        except OSError:
            continue
        yield str(p), s.st_mtime_ns, s.st_size
