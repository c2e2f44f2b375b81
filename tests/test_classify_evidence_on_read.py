"""Evidence computed where a match is read (`warning.classify.evidence_on_read`) is byte for byte
what classify's eager path stores, is computed once, and never fails a reader: a missing or
damaged model, a deleted or unreadable publication, a locked or read-only store, a kill."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils
from test_classify_fast_path import setting  # noqa: F401  (the fixture: real grants, two models)

from warning.classify import evidence_on_read, run
from warning.classify.evidence_on_read import fill_evidence
from warning.classify.model import MODEL_FILE, load_model, save_model
from warning.classify.run import EAGER, LAZY, Scorer, _sweep
from warning.store.db import open_db
from warning.store.matches import get_matches, record_batch
from warning.store.publications import save_publications

REPO = Path(__file__).resolve().parents[1]
SQL = "SELECT publication_id, watchlist, score, threshold, evidence, model_version FROM matches"


@pytest.fixture
def stores(setting, tmp_path):  # noqa: F811
    """The same publications classified eagerly (the reference) and lazily, the models on disk."""
    db, watchlists, models, pubs = setting
    classifiers = tmp_path / "classifiers"
    for w, model in zip(watchlists, models, strict=True):
        if model is not None:
            save_model(model, classifiers / w.name)
    loaded = [
        load_model(classifiers / w.name) if m is not None else None
        for w, m in zip(watchlists, models, strict=True)
    ]
    classify = SimpleNamespace(batch_size=128, max_text_chars=20_000, top_terms=8)
    config = SimpleNamespace(
        watchlists_dir=REPO / "watchlists", classifiers_dir=classifiers, classify=classify
    )
    sweep(db, Scorer(watchlists, loaded, 8, 20_000), len(pubs), EAGER)
    lazy = open_db(tmp_path / "lazy.db")
    save_publications(lazy, pubs)
    sweep(lazy, Scorer(watchlists, loaded, 8, 20_000), len(pubs), LAZY)
    evidence_on_read.clear_caches()
    yield SimpleNamespace(eager=db, lazy=lazy, config=config, pubs=pubs, classifiers=classifiers)
    lazy.conn.close()


def sweep(db, scorer: Scorer, top: int, evidence: str) -> None:
    config = SimpleNamespace(classify=SimpleNamespace(batch_size=128, max_text_chars=20_000))
    counts = {"publications": 0, "scored": 0, "matches": 0, "updated": 0}
    _sweep(SimpleNamespace(db=db, config=config), scorer, 0, top, counts, None, evidence)


def stored(db) -> dict[tuple, tuple]:
    return {(r[0], r[1]): r for r in db.execute(SQL).fetchall()}


def featurize_calls(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = run.featurize_batch

    def counting(batch, families):
        calls.append(batch.n_docs)
        return real(batch, families)

    monkeypatch.setattr(run, "featurize_batch", counting)
    return calls


def test_lazy_evidence_equals_the_eager_path_byte_for_byte_and_is_computed_once(stores, monkeypatch):
    eager, lazy = stored(stores.eager), stored(stores.lazy)
    assert eager.keys() == lazy.keys() and len(eager) > 100
    assert all(r[4] is None for r in lazy.values())  # classify stored no evidence
    assert {k: r[:4] + r[5:] for k, r in lazy.items()} == {k: r[:4] + r[5:] for k, r in eager.items()}
    calls = featurize_calls(monkeypatch)
    # one watchlist's matches first (as a page reads them), then every match (as an alerts run)
    fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy, "medical-devices"))
    rows = fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy))
    assert stored(stores.lazy) == eager  # the cached JSON text is the eager path's, byte for byte
    assert [r["evidence"] for r in rows] == [
        json.loads(eager[(r["publication_id"], r["watchlist"])][4]) for r in rows
    ]
    assert any(e["evidence"]["terms"] for e in rows) and any(e["evidence"]["rules"]["keywords"] for e in rows)
    assert any(e["evidence"]["model"] == "rules" for e in rows)  # rules-only watchlists: hit keywords
    # featurized per batch of texts, never per match; the second reading featurizes nothing
    assert 0 < len(calls) <= 4 and sum(calls) <= 2 * len(stores.pubs)
    calls.clear()
    again = fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy))
    assert calls == [] and [r["evidence"] for r in again] == [r["evidence"] for r in rows]


def test_a_reader_loads_only_the_models_of_the_watchlists_it_reads(stores, monkeypatch):
    loaded: list[str] = []
    real = evidence_on_read.load_model

    def counting(directory):
        loaded.append(Path(directory).name)
        return real(directory)

    monkeypatch.setattr(evidence_on_read, "load_model", counting)
    trained = sorted(d.name for d in stores.classifiers.iterdir())
    assert len(trained) >= 2 and "medical-devices" in trained
    page = fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy, "medical-devices")[:3])
    assert loaded == ["medical-devices"] and all(r["evidence"]["model"] == "trained" for r in page)
    # a reader of every watchlist loads the others, and the model already loaded not again
    fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy))
    assert sorted(loaded) == trained and loaded.count("medical-devices") == 1
    # a model saved again (a retrain, seconds later: the file's time moves on) is loaded again
    model = real(stores.classifiers / "medical-devices")
    save_model(model, stores.classifiers / "medical-devices")
    saved = stores.classifiers / "medical-devices" / MODEL_FILE
    os.utime(saved, ns=(saved.stat().st_atime_ns, saved.stat().st_mtime_ns + 2_000_000_000))
    evidence_on_read._EXPLAINERS.clear()
    rows = [{**r, "evidence": None} for r in get_matches(stores.lazy, "medical-devices")[:1]]
    fill_evidence(stores.lazy, stores.config, rows, write=False)
    assert loaded.count("medical-devices") == 2


def test_a_deleted_and_an_unreadable_publication_fall_back_alone(stores, monkeypatch):
    rows = get_matches(stores.lazy)
    gone, broken = (
        rows[0]["publication_id"],
        next(r["publication_id"] for r in rows[1:] if r["publication_id"] != rows[0]["publication_id"]),
    )
    stores.lazy.execute("DELETE FROM publications WHERE id = ?", [gone])
    real = evidence_on_read.row_text

    def unreadable(row, limit):  # a text that cannot be decoded (the store holds it, classify read it)
        if row["id"] == broken:
            raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")
        return real(row, limit)

    monkeypatch.setattr(evidence_on_read, "row_text", unreadable)
    filled = fill_evidence(stores.lazy, stores.config, rows)
    eager, after = stored(stores.eager), stored(stores.lazy)
    for r in filled:
        key = (r["publication_id"], r["watchlist"])
        if r["publication_id"] in (gone, broken):
            assert r["evidence"]["fallback"] and r["evidence"]["terms"] == [] and after[key][4] is None
        else:
            assert after[key][4] == eager[key][4] and "fallback" not in r["evidence"]
    assert (
        "not in the store" in next(r for r in filled if r["publication_id"] == gone)["evidence"]["fallback"]
    )
    assert (
        "cannot be read" in next(r for r in filled if r["publication_id"] == broken)["evidence"]["fallback"]
    )


def test_a_retrained_deleted_or_damaged_model_is_said_so(stores):
    rows = get_matches(stores.lazy, "medical-devices")
    scored = rows[0]["model_version"]
    model = load_model(stores.classifiers / "medical-devices")
    model.card = {**model.card, "trained_at": "2026-12-24T10:00:00", "data_hash": "fedcba9876"}
    save_model(model, stores.classifiers / "medical-devices")  # retrained, not rescored
    (first,) = fill_evidence(stores.lazy, stores.config, [dict(rows[0])])
    assert first["evidence"]["model_version"] == "trained:2026-12-24-fedcba98"
    assert first["evidence"]["scored_by"] == scored and "fallback" not in first["evidence"]
    cached = stores.lazy.execute("SELECT evidence FROM matches WHERE publication_id = ? AND watchlist = ?",
                                 [rows[0]["publication_id"], "medical-devices"]).fetchone()[0]  # fmt: skip
    assert json.loads(cached) == first["evidence"]  # valid evidence of the current model: cached
    shutil.rmtree(stores.classifiers / "medical-devices")
    (second,) = fill_evidence(stores.lazy, stores.config, [dict(rows[1])])
    assert second["evidence"]["model"] == "rules" and second["evidence"]["terms"] == []
    assert "no longer there" in second["evidence"]["fallback"] and second["evidence"]["scored_by"] == scored
    save_model(model, stores.classifiers / "medical-devices")
    (stores.classifiers / "medical-devices" / MODEL_FILE).write_bytes(b"not a zip file")
    (third,) = fill_evidence(stores.lazy, stores.config, [dict(rows[2])])
    assert third["evidence"]["model"] == "rules" and "cannot be loaded" in third["evidence"]["fallback"]
    assert set(third["evidence"]["rules"]) == {"cpc", "keywords", "competitors", "exclude"}
    nulls = "SELECT count(*) FROM matches WHERE evidence IS NULL AND publication_id IN (?, ?)"
    assert (
        stores.lazy.execute(nulls, [rows[1]["publication_id"], rows[2]["publication_id"]]).fetchone()[0] == 2
    )


def test_a_locked_or_read_only_store_serves_the_evidence_uncached(stores, monkeypatch, tmp_path):
    monkeypatch.setattr(evidence_on_read, "WRITE_WAIT_MS", 50)
    path = stores.lazy.execute("PRAGMA database_list").fetchone()[2]
    daemon = sqlite3.connect(path, isolation_level=None)
    daemon.execute("BEGIN IMMEDIATE")  # another process writing
    rows = fill_evidence(stores.lazy, stores.config, get_matches(stores.lazy)[:20])
    daemon.execute("ROLLBACK")
    daemon.close()
    assert all(r["evidence"]["rules"] is not None for r in rows)
    assert stores.lazy.execute("SELECT count(*) FROM matches WHERE evidence IS NOT NULL").fetchone()[0] == 0
    reader = sqlite_utils.Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None))
    rows = fill_evidence(reader, stores.config, get_matches(reader)[:20])
    assert all("terms" in r["evidence"] for r in rows)
    assert stores.lazy.execute("SELECT count(*) FROM matches WHERE evidence IS NOT NULL").fetchone()[0] == 0


CHILD = """
import os, signal, sys
from types import SimpleNamespace
from pathlib import Path
import warning.classify.evidence_on_read as on_read
from warning.store.db import open_db
from warning.store.matches import SAVE_EVIDENCE, get_matches

def dying(db, rows):  # killed inside the write-back's transaction, half of it written
    db.conn.execute("BEGIN IMMEDIATE")
    db.conn.executemany(SAVE_EVIDENCE, rows[: len(rows) // 2])
    os.kill(os.getpid(), signal.SIGKILL)

on_read.save_evidence = dying
classify = SimpleNamespace(max_text_chars=20_000, top_terms=8)
config = SimpleNamespace(watchlists_dir=Path(sys.argv[2]), classifiers_dir=Path(sys.argv[3]), classify=classify)
db = open_db(sys.argv[1])
on_read.fill_evidence(db, config, get_matches(db))
"""


def test_a_kill_between_scoring_and_reading_loses_nothing(stores):
    path = stores.lazy.execute("PRAGMA database_list").fetchone()[2]
    child = subprocess.run(
        [sys.executable, "-c", CHILD, path, str(REPO / "watchlists"), str(stores.classifiers)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == -9, child.stderr
    db = open_db(path)
    assert db.execute("SELECT count(*) FROM matches WHERE evidence IS NOT NULL").fetchone()[0] == 0
    fill_evidence(db, stores.config, get_matches(db))
    assert stored(db) == stored(stores.eager)
    db.conn.close()


def test_a_rescore_that_changes_a_score_clears_the_evidence_and_one_that_does_not_writes_nothing(tmp_path):
    db = open_db(tmp_path / "store.db")
    first = [("US-1-B1", "drones", 0.9, 0.5, '{"terms": []}', "rules", "2026-01-01T00:00:00Z")]
    record_batch(db, first, [])
    before = db.conn.total_changes
    record_batch(db, [("US-1-B1", "drones", 0.9, 0.5, None, "rules", "2026-02-01T00:00:00Z")], [])
    assert db.conn.total_changes == before  # unchanged (lazy, no evidence given): the cache stays
    assert db.execute("SELECT evidence FROM matches").fetchone()[0] == '{"terms": []}'
    record_batch(db, [("US-1-B1", "drones", 0.7, 0.5, None, "rules", "2026-02-01T00:00:00Z")], [])
    assert db.execute("SELECT score, evidence, created_at FROM matches").fetchone() == (
        0.7, None, "2026-01-01T00:00:00Z",
    )  # fmt: skip
    db.conn.close()


def test_a_text_stored_as_bytes_is_explained_as_classify_reads_it(stores):
    """A BLOB where text belongs (a bad restore) does not fail a reader: it is read as classify
    reads it (SQLite hands bytes, the featurizer sees their repr), and explained the same way."""
    rows = get_matches(stores.lazy)
    pid = rows[0]["publication_id"]
    stores.lazy.execute(
        "UPDATE publications SET title_text = X'FFFE00', abstract_text = X'FF' WHERE id = ?", [pid]
    )
    filled = fill_evidence(stores.lazy, stores.config, [r for r in rows if r["publication_id"] == pid])
    assert filled and all(set(r["evidence"]) >= {"terms", "rules", "model", "model_version"} for r in filled)
