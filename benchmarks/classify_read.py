"""What `benchmarks/classify.py` measures of evidence computed where it is read.

`warning classify` stores matches without evidence; a reader (an alerts run, a page) computes it
with `warning.classify.evidence_on_read.fill_evidence`, once, and caches it in the row. This
measures that read on the benchmark's store after the lazy sweep: the matches of ``publications``
publications (what an alerts run reads after a few classify batches), read as a reader reads
them, explained, written back and decoded; then the same rows read again (cached: decoded only,
what every read cost when classify stored the evidence). The reader is warmed first on the
matches of `WARM` other publications (not timed): its first batch encodes each term it shows
once, as the eager scorer's had in the scoring runs.

The watchlists and models are written to a temporary folder as the service keeps them (TOML
files, model folders), so the reader loads them itself: that load (`explainer_seconds`, once per
process and whenever a file changes) is reported apart from the per-match figures.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from types import SimpleNamespace

from warning.classify import evidence_on_read
from warning.classify.model import save_model
from warning.classify.run import EAGER, Scorer, match_rows
from warning.store.matches import publication_rows

WARM = 500
_READ = """
    SELECT m.publication_id, m.watchlist, m.score, m.evidence, m.model_version
    FROM matches m JOIN (SELECT id FROM publications ORDER BY rowid LIMIT ? OFFSET ?) p
    ON p.id = m.publication_id
    ORDER BY m.publication_id, m.watchlist
"""


def write_service_files(scorer: Scorer, folder: Path) -> SimpleNamespace:
    """The scorer's watchlists as TOML files and its models as model folders; the config a
    reader needs (`evidence_on_read.fill_evidence`)."""
    watchlists, classifiers = folder / "watchlists", folder / "classifiers"
    watchlists.mkdir(parents=True, exist_ok=True)
    for w, model in zip(scorer.watchlists, scorer.models, strict=True):
        text = Path(w.path).read_text(encoding="utf-8")
        text = re.sub(r'^name = ".*"$', f'name = "{w.name}"', text, count=1, flags=re.M)
        (watchlists / f"{w.name}.toml").write_text(text, encoding="utf-8")
        if model is not None:
            save_model(model, classifiers / w.name)
    classify = SimpleNamespace(top_terms=scorer.top_terms, max_text_chars=scorer.text_chars)
    return SimpleNamespace(watchlists_dir=watchlists, classifiers_dir=classifiers, classify=classify)


def evidence_on_read_cost(scorer: Scorer, db, folder: Path, publications: int) -> dict:
    """CPU and wall time per match of the first read (computed, written back) and of a second
    read (cached) of the matches of the first ``publications`` publications."""
    config = write_service_files(scorer, folder)
    evidence_on_read.clear_caches()
    started = time.process_time()
    evidence_on_read._explainer(config)  # the reader's one-off load of watchlists and models
    explainer_cpu = time.process_time() - started
    evidence_on_read.fill_evidence(db, config, [dict(r) for r in db.query(_READ, [WARM, 0])])
    rows = [dict(r) for r in db.query(_READ, [publications, WARM])]
    assert rows and all(r["evidence"] is None for r in rows), "the lazy sweep stores no evidence"
    cpu, wall = time.process_time(), time.perf_counter()
    evidence_on_read.fill_evidence(db, config, rows)
    first = time.process_time() - cpu, time.perf_counter() - wall
    again = [dict(r) for r in db.query(_READ, [publications, WARM])]
    cpu, wall = time.process_time(), time.perf_counter()
    evidence_on_read.fill_evidence(db, config, again)
    second = time.process_time() - cpu, time.perf_counter() - wall
    _check_against_eager(scorer, db, WARM)
    n = len(rows)
    return {
        "publications": publications,
        "matches": n,
        "explainer_cpu_seconds": round(explainer_cpu, 2),
        "first_read_cpu_us_per_match": round(first[0] / n * 1e6, 2),
        "first_read_wall_us_per_match": round(first[1] / n * 1e6, 2),
        "second_read_cpu_us_per_match": round(second[0] / n * 1e6, 2),
        "second_read_wall_us_per_match": round(second[1] / n * 1e6, 2),
    }


def _check_against_eager(scorer: Scorer, db, publications: int) -> None:
    """The cached evidence of the first publications equals what the eager path computes (a guard)."""
    ids = [r[0] for r in db.execute("SELECT id FROM publications ORDER BY rowid LIMIT ?", [publications])]
    rows = publication_rows(db, ids, text_chars=scorer.text_chars)
    eager = {(m[0], m[1]): m[4] for m in match_rows(scorer, rows, "now", EAGER)}
    marks = ", ".join("?" for _ in ids)
    sql = f"SELECT publication_id, watchlist, evidence FROM matches WHERE publication_id IN ({marks})"
    stored = {(r[0], r[1]): r[2] for r in db.execute(sql, ids)}
    assert stored == eager, "evidence on read differs from the eager path"
