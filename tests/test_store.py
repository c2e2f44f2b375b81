import sqlite3

import pytest

from warning.errors import StoreError
from warning.models import Publication, QuarantinedDocument
from warning.store import open_db
from warning.store.db import apply_migrations
from warning.store.migrations import MIGRATIONS
from warning.store.operations import get_source_state, quarantine, save_source_state
from warning.store.publications import get_publication, save_publications


def test_migrations_on_empty_database(tmp_path):
    db = open_db(tmp_path / "a.db")
    names = {r["name"] for r in db["_migrations"].rows}
    assert names == {fn.__name__ for fn in MIGRATIONS}
    for table in (
        "publications",
        "publications_fts",
        "source_state",
        "runs",
        "quarantine",
        "watchlists",
        "matches",
        "labels",
        "alerts",
        "delivery_attempts",
        "risk_cases",
        "risk_deadlines",
    ):
        assert db[table].exists(), table
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_on_existing_database_apply_only_new(tmp_path):
    path = tmp_path / "b.db"
    conn = sqlite3.connect(path)
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    MIGRATIONS[0](db)
    db["_migrations"].insert({"name": MIGRATIONS[0].__name__, "applied_at": "2026-01-01"})
    db["publications"].insert({"id": "US-1-B1", "country": "US", "titles": "{}"})
    conn.close()
    db = open_db(path)
    assert db["publications"].count == 1
    assert db["alerts"].exists()
    assert apply_migrations(db) == []


def test_newer_database_is_refused(tmp_path):
    db = open_db(tmp_path / "c.db")
    db["_migrations"].insert({"name": "m999_future", "applied_at": "x"})
    db.conn.close()
    with pytest.raises(StoreError, match="newer version"):
        open_db(tmp_path / "c.db")


def pub(**kw):
    base = dict(id="EP-1000000-A1", country="EP", number="1000000", kind="A1")
    base.update(kw)
    return Publication(**base)


def test_same_publication_from_two_sources_merges(db):
    first = pub(
        titles={"en": "Battery pack"},
        ipc=["H01M 10/42"],
        source="ep_publication_server",
        publication_date="2024-01-03",
    )
    second = pub(
        titles={"de": "Batteriepack", "en": "Battery pack"},
        cpc=["H01M10/425"],
        applicants=["ACME"],
        abstracts={"en": "A battery pack with cooling."},
        source="ops",
        family_id="12345",
    )
    r1 = save_publications(db, [first])
    r2 = save_publications(db, [second])
    assert (r1.inserted, r2.inserted, r2.merged) == (1, 0, 1)
    assert db["publications"].count == 1
    stored = get_publication(db, "EP-1000000-A1")
    assert stored.titles == {"en": "Battery pack", "de": "Batteriepack"}
    assert stored.ipc == ["H01M 10/42"] and stored.cpc == ["H01M10/425"]
    assert stored.family_id == "12345" and stored.publication_date == "2024-01-03"
    row = db["publications"].get("EP-1000000-A1")
    assert "ops" in row["sources"] and "ep_publication_server" in row["sources"]
    again = save_publications(db, [second])
    assert again.unchanged == 1 and again.merged == 0


def test_full_text_search_covers_every_language(db):
    save_publications(
        db,
        [
            pub(
                titles={"zh": "摩托车发动机", "en": "Motorcycle engine"},
                abstracts={"en": "A two-stroke engine"},
            )
        ],
    )
    hits = list(db["publications"].search("engine"))
    assert [h["id"] for h in hits] == ["EP-1000000-A1"]


def test_quarantine_is_kept_once(db):
    item = QuarantinedDocument("uspto_bulk", "truncated: root never closes", "ipg.zip:doc3", b"<us-patent")
    assert quarantine(db, item) is True
    assert quarantine(db, item) is False
    assert db["quarantine"].count == 1


def test_source_state_roundtrip(db):
    state = get_source_state(db, "ops", "VN")
    assert state.cursor == ""
    state.cursor = "2024-05-01"
    save_source_state(db, state)
    assert get_source_state(db, "ops", "VN").cursor == "2024-05-01"


def _match(pid: str, watchlist: str = "moto") -> tuple:
    return (pid, watchlist, 0.9, 0.5, "{}", "rules", "2026-11-24T00:00:00+00:00")


def test_a_batch_that_fails_halfway_leaves_nothing_behind(db):
    from warning.store.matches import count_matches, get_cursors, record_batch

    record_batch(db, [_match("US-1-A1")], [("moto", 1, "rules", "t0")])
    bad = [_match("US-2-A1"), _match("US-3-A1"), ("US-4-A1", "moto")]  # the third row is malformed
    with pytest.raises(sqlite3.ProgrammingError):
        record_batch(db, bad, [("moto", 4, "rules", "t1")])
    assert count_matches(db, ["moto"]) == 1  # US-2 and US-3 were rolled back with it
    assert get_cursors(db, ["moto"]) == {"moto": 1}  # the cursor did not move past them
    assert not db.conn.in_transaction
    record_batch(db, bad[:2], [("moto", 4, "rules", "t1")])  # the re-run stores them once
    assert count_matches(db, ["moto"]) == 3


def test_a_nested_transaction_is_a_savepoint(db):
    from warning.store.db import transaction

    with transaction(db):
        db.execute("INSERT INTO watchlists (name) VALUES ('outer')")
        with pytest.raises(RuntimeError), transaction(db):
            db.execute("INSERT INTO watchlists (name) VALUES ('inner')")
            raise RuntimeError("inner fails")
        assert db.conn.in_transaction  # the outer one goes on
    assert [r["name"] for r in db.query("SELECT name FROM watchlists")] == ["outer"]


def test_a_second_writer_waits_for_the_first(tmp_path):
    from warning.store.db import transaction

    first, second = open_db(tmp_path / "s.db"), open_db(tmp_path / "s.db")
    second.execute("PRAGMA busy_timeout=50")
    with transaction(first):
        first.execute("INSERT INTO watchlists (name) VALUES ('a')")
        with pytest.raises(sqlite3.OperationalError, match="locked"), transaction(second):
            pass  # BEGIN IMMEDIATE asks for the write lock first, and times out
    with transaction(second):
        second.execute("INSERT INTO watchlists (name) VALUES ('b')")
    assert sorted(r["name"] for r in first.query("SELECT name FROM watchlists")) == ["a", "b"]
