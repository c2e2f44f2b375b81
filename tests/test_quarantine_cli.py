"""`warning quarantine`: what ingest kept out of the store, by kind and one by one, and the bytes
kept, on real files (the fixtures' IPO journal grant list, a real USPTO grant cut short)."""

from __future__ import annotations

import sqlite3

from tests.fixtures_support import Site, fixture
from warning.store import orgs, users
from warning.store.db import open_db
from warning.store.quarantine import reason_kind

INDIA = ("exports", "ipo_india_grants_2018_2019_cut.csv")


def quarantined_site(tmp_path) -> Site:
    site = Site(tmp_path)
    grant = fixture("uspto", "grant_v4-5_US11147202B2.xml").read_bytes()
    (tmp_path / "cut.xml").write_bytes(grant[: len(grant) // 2])  # a download cut off halfway
    site.run("ingest", str(fixture(*INDIA)), str(tmp_path / "cut.xml"))
    return site


def test_an_empty_quarantine_says_so(tmp_path):
    site = Site(tmp_path)
    site.run("ingest", str(fixture("uspto", "grant_v4-5_US11147202B2.xml")))
    assert "nothing quarantined" in site.run("quarantine").output
    assert site.json("quarantine", "--json") == [] and site.json("quarantine", "--list", "--json") == []


def test_kinds_of_problem_with_counts_and_an_example(tmp_path):
    site = quarantined_site(tmp_path)
    kinds = site.json("quarantine", "--json")
    assert sum(k["count"] for k in kinds) == 3 and len(kinds) == 2
    india = next(k for k in kinds if k["source"] == "ipo-journal")
    # the header and a row of another table of the journal: one kind, whatever their rows and values
    assert india["count"] == 2 and "is not an Indian patent number" in india["kind"]
    assert "row N: Patent Number '…'" in india["kind"] and india["example"].startswith("row ")
    text = site.run("quarantine").output
    assert "3 quarantined, 2 kind(s)" in text and "ipo-journal" in text
    # only one source's, or only what a text names
    assert [k["source"] for k in site.json("quarantine", "--source", "ipo-journal", "--json")] == [
        "ipo-journal"
    ]
    assert len(site.json("quarantine", "--grep", "cut.xml", "--json")) == 1
    status = site.run("status").output
    assert "`warning quarantine`" in status


def test_items_newest_first_and_the_bytes_kept_to_fix_and_ingest_again(tmp_path):
    site = quarantined_site(tmp_path)
    items = site.json("quarantine", "--list", "--json")
    assert len(items) == 3 and [i["id"] for i in items] == sorted((i["id"] for i in items), reverse=True)
    assert len(site.json("quarantine", "--list", "--limit", "1", "--json")) == 1
    row = next(i for i in items if "'DELHI'" in i["reason"])
    assert row["ref"].endswith("ipo_india_grants_2018_2019_cut.csv:8") and row["source"] == "ipo-journal"
    raw = site.run("quarantine", "--raw", str(row["id"])).stdout_bytes
    assert raw.startswith(b"1,DELHI,3531/DEL/2012,26/02/2018,") and raw.endswith(b"10/2018 Dated 09/03/2018")
    cut = next(i for i in items if "cut.xml" in i["ref"])
    assert site.run("quarantine", "--raw", str(cut["id"])).stdout_bytes.startswith(b"<?xml")
    unknown = site.run("quarantine", "--raw", "99999", code=1)
    assert "no quarantined item 99999" in unknown.output
    listed = site.run("quarantine", "--list", "--grep", "DELHI").output
    assert "'DELHI'" in listed and "cut.xml" not in listed


def test_bytes_over_the_size_kept_are_named_not_written(tmp_path):
    site = quarantined_site(tmp_path)
    with sqlite3.connect(site.db) as conn:
        conn.execute("UPDATE quarantine SET raw = x'', raw_size = 9000000 WHERE id = 1")
    refused = site.run("quarantine", "--raw", "1", code=1)
    assert "kept without its bytes: over the size kept (9,000,000 bytes)" in refused.output


def test_another_organisation_may_not_read_the_quarantine(tmp_path):
    site = quarantined_site(tmp_path)
    db = open_db(str(site.db))
    orgs.ensure_org(db, "rival-motors", "Rival Motors", "enterprise")
    users.create_user(db, "rita", "rival-motors", "admin", password="correct horse battery")
    db.conn.close()
    denied = site.run("--as", "rita", "quarantine", code=None)
    assert denied.exit_code == 1 and "for the programme's people" in denied.output


def test_reasons_alike_but_for_their_rows_files_and_values_are_one_kind():
    a = "/data/in/2018_grants.csv:1287: row 1287: Patent Number 'DELHI' is not an Indian patent number"
    b = "/other/2019.csv:9: row 9: Patent Number 'KOLKATA' is not an Indian patent number"
    assert (
        reason_kind(a) == reason_kind(b) == "FILE:N: row N: Patent Number '…' is not an Indian patent number"
    )
    assert reason_kind("line 3: no 'id'") != reason_kind("line 3: not JSON")


def test_kinds_among_the_newest_only_count_those(tmp_path):
    from warning.store.quarantine import quarantine_kinds

    site = quarantined_site(tmp_path)
    db = open_db(str(site.db))
    (newest,) = quarantine_kinds(db, among=1)  # the last item kept: the cut grant, ingested last
    assert newest["count"] == 1 and newest["source"] == "uspto_bulk"
    assert sum(k["count"] for k in quarantine_kinds(db)) == 3
    db.conn.close()
