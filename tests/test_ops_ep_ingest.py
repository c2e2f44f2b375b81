"""`warning ingest` of every real EP and OPS XML file: exactly the documents each holds, once."""

from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import CORPUS
from tests.test_ops_xml import EXPECTED
from warning.cli import cli
from warning.store import open_db
from warning.store.publications import get_publication


def ingest(tmp_path, files) -> str:
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "w.db"), "ingest", "--no-progress", *map(str, files)]
    )
    assert result.exit_code == 0, result.output
    return result.output


def stored_ids(tmp_path) -> list[str]:
    db = open_db(tmp_path / "w.db")
    try:
        return sorted(r["id"] for r in db.query("SELECT id FROM publications"))
    finally:
        db.conn.close()


def test_ingest_every_ep_file_stores_33_documents_once(corpus, tmp_path):
    folder = corpus("epo-eps-xml", "go-epo-eps")
    files = sorted(folder.glob("*.xml"))
    assert "33 file(s): 33 new, 0 merged, 0 unchanged, 0 quarantined" in ingest(tmp_path, files)
    assert "33 file(s): 0 new, 0 merged, 33 unchanged, 0 quarantined" in ingest(tmp_path, files)
    db = open_db(tmp_path / "w.db")
    pub = get_publication(db, "EP-3889521-A1")  # a repaired, not well-formed file
    assert (
        pub.titles["en"].startswith("CONTROL DEVICE AND AIR CONDITI")
        and pub.source == "ep_publication_server"
    )
    db.conn.close()


def test_ingest_every_ops_file_stores_each_document_once(corpus, tmp_path):
    corpus("epo-ops-patent-dev", "get_biblio__response.xml")
    files = sorted(CORPUS.glob("epo-ops-patent-dev/*.xml")) + sorted(
        CORPUS.glob("epo-ops-patent_client/*/*.xml")
    )
    expected = sorted({pid for ids in EXPECTED.values() if ids for pid in ids})
    errors = sum(1 for ids in EXPECTED.values() if ids is None)
    first = ingest(tmp_path, files)
    assert f"{len(files)} file(s): {len(expected)} new" in first and f"{errors} quarantined" in first
    assert stored_ids(tmp_path) == expected and len(expected) == 21
    second = ingest(tmp_path, files)
    assert f"{len(files)} file(s): 0 new, 0 merged" in second
    assert stored_ids(tmp_path) == expected
    db = open_db(tmp_path / "w.db")
    wo = get_publication(db, "WO-2009085664-A2")  # biblio and claims responses merged into one row
    assert wo.claims["en"] and set(wo.abstracts) == {"en", "fr"}
    db.conn.close()
