"""The full-text index built in bulk for big ingests: the same index, and consistent after kill -9.

FTS5's own ``integrity-check`` (with rank 1: against the external content table) is the judge:
it fails with "database disk image is malformed" when the index and the rows disagree.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.test_faults_ingest import MB, USPTO, WEEKLY, big_weekly_file
from warning.models import Publication
from warning.service.runner import recover_stale_runs
from warning.sources.ingest import BULK_INDEX_BYTES, ingest_paths
from warning.store import open_db
from warning.store.fts import (
    NORMAL_TRIGGERS,
    begin_bulk_index,
    bulk_pending,
    catch_up_bulk_index,
    finish_bulk_index,
)
from warning.store.publications import save_publications


def check_index(db) -> None:
    db.execute("INSERT INTO publications_fts(publications_fts, rank) VALUES('integrity-check', 1)")


def triggers(db) -> list[str]:
    sql = "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'publications' ORDER BY name"
    return [r[0] for r in db.execute(sql)]


def matching(db, query: str) -> list[str]:
    sql = (
        "SELECT p.id FROM publications_fts JOIN publications p ON p.rowid = publications_fts.rowid "
        "WHERE publications_fts MATCH ? ORDER BY p.id"
    )
    return [r[0] for r in db.execute(sql, [query])]


def test_a_bulk_ingest_builds_the_same_index_as_the_triggers(corpus, tmp_path):
    weekly = corpus(USPTO, *WEEKLY)
    per_row, bulk = open_db(tmp_path / "per-row.db"), open_db(tmp_path / "bulk.db")
    ingest_paths(per_row, [weekly], bulk_index=False)
    result = ingest_paths(bulk, [weekly], bulk_index=True)
    assert result.saved.inserted == 25
    for db in (per_row, bulk):
        check_index(db)
    for query in ("device", "semiconductor OR vehicle", "claims_text:method"):
        assert matching(bulk, query) == matching(per_row, query) != []
    assert sorted(triggers(bulk)) == sorted(NORMAL_TRIGGERS) and not bulk_pending(bulk)


def grant(number: str, **texts: dict[str, str]) -> Publication:
    return Publication(id=f"US-{number}-B1", country="US", number=number, kind="B1", **texts)


def test_rows_merged_and_updated_during_a_bulk_stay_consistent(db):
    save_publications(db, [grant("1", titles={"en": "Old indexed brake lever"})])
    begin_bulk_index(db)
    save_publications(db, [grant("2", titles={"en": "Fresh battery pack"})])
    # Both rows change during the bulk: the indexed one through the trigger, the new one later.
    save_publications(db, [grant("1", abstracts={"en": "A lever for scooters"})])
    save_publications(db, [grant("2", abstracts={"en": "Cells cooled by air"})])
    assert matching(db, "battery") == []  # not indexed yet
    assert finish_bulk_index(db) == 1
    check_index(db)
    assert matching(db, "scooters") == ["US-1-B1"] and matching(db, "cooled") == ["US-2-B1"]
    assert matching(db, "battery") == ["US-2-B1"]


def test_a_bulk_caught_up_batch_by_batch_is_searchable_at_once_and_stays_consistent(db):
    save_publications(db, [grant("1", titles={"en": "Old indexed brake lever"})])
    begin_bulk_index(db)
    save_publications(db, [grant("2", titles={"en": "Fresh battery pack"})])
    assert matching(db, "battery") == [] and catch_up_bulk_index(db) == 1
    assert matching(db, "battery") == ["US-2-B1"] and catch_up_bulk_index(db) == 0
    check_index(db)
    # Caught up, the row is at or below the mark: its update goes through the trigger at once.
    save_publications(db, [grant("2", abstracts={"en": "Cells cooled by air"})])
    save_publications(db, [grant("3", titles={"en": "Scooter frame"})])
    assert matching(db, "cooled") == ["US-2-B1"] and matching(db, "scooter") == []
    assert bulk_pending(db) and finish_bulk_index(db) == 1
    check_index(db)
    assert matching(db, "scooter") == ["US-3-B1"] and sorted(triggers(db)) == sorted(NORMAL_TRIGGERS)


def test_small_ingests_keep_the_per_row_triggers(corpus, db):
    ingest_paths(db, [corpus(USPTO, *WEEKLY)])  # far under BULK_INDEX_BYTES
    assert not bulk_pending(db) and sorted(triggers(db)) == sorted(NORMAL_TRIGGERS)
    assert matching(db, "device")


def stored_count(path) -> int:
    """Rows committed so far, read as another reader would (never migrating the store)."""
    if not path.exists():
        return 0
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM publications").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        conn.close()


@pytest.mark.parametrize("then", ["ingest-again", "service-start"])
def test_a_bulk_ingest_killed_halfway_leaves_a_consistent_index(corpus, tmp_path, then):
    path = tmp_path / "weekly.xml"
    big_weekly_file(corpus, path, BULK_INDEX_BYTES + 64 * MB)  # more than one batch of 1,000
    cmd = [sys.executable, "-c", "from warning.cli import main; main()", "--db", str(tmp_path / "w.db")]
    proc = subprocess.Popen([*cmd, "ingest", "--no-progress", str(path)], stdout=subprocess.DEVNULL)
    try:
        while stored_count(tmp_path / "w.db") == 0:  # the first batch committed: kill it now
            assert proc.poll() is None, "ingest ended before it was killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    db = open_db(tmp_path / "w.db")
    stored = db.execute("SELECT count(*) FROM publications").fetchone()[0]
    assert stored >= 100 and bulk_pending(db)  # the rows above the mark wait for their index
    if then == "ingest-again":
        result = ingest_paths(db, [path])
        total = db.execute("SELECT count(*) FROM publications").fetchone()[0]
        assert total == stored + result.saved.inserted and result.saved.unchanged >= stored
    else:
        db.conn.close()
        recover_stale_runs(tmp_path / "w.db")  # `warning run` at start-up heals the index
        db = open_db(tmp_path / "w.db")
    check_index(db)
    db.execute("INSERT INTO search_index(search_index) VALUES('integrity-check')")
    assert not bulk_pending(db) and sorted(triggers(db)) == sorted(NORMAL_TRIGGERS)
    total = db.execute("SELECT count(*) FROM publications").fetchone()[0]
    indexed = db.execute("SELECT count(*) FROM publications_fts_docsize").fetchone()[0]
    assert indexed == total
