"""A match stored without evidence (as `warning classify` stores it) shows its evidence on the
publication page and in the API, computed on the first read and cached; a store locked by the
daemon still serves the page, with the evidence computed and not cached."""

from __future__ import annotations

import json
import sqlite3

import pytest
from web_support import add_match, build_world, log_in

from warning.classify import evidence_on_read
from warning.store import users

PID = "EP-5005-A1"
SQL = "SELECT evidence FROM matches WHERE publication_id = ? AND watchlist = 'nev-batteries'"


@pytest.fixture
def world(tmp_path):
    world = build_world(tmp_path)
    app = world.app()
    for pid in (PID, "EP-6006-A1"):
        texts = {"en": "A battery pack whose cooling plate stops a thermal runaway."}
        add_match(app, pid, "nev-batteries", 0.9, "2026-11-25T10:00:00+00:00",
                  titles={"en": "Battery pack"}, abstracts=texts, evidence=None)  # fmt: skip
    app.close()
    return world


def cached(world, pid: str):
    app = world.app()
    try:
        value = app.db.execute(SQL, [pid]).fetchone()[0]
    finally:
        app.close()
    return json.loads(value) if value else None


def test_the_page_and_the_api_show_evidence_computed_on_first_read(world):
    evidence_on_read.clear_caches()
    assert cached(world, PID) is None
    client = world.web().test_client()
    assert log_in(client, "ana").status_code == 302
    html = client.get(f"/publications/{PID}?watchlist=nev-batteries").text
    assert "<mark>H01M10/613</mark>" in html  # the code the rules hit, marked
    assert "<mark>thermal runaway</mark>" in html.lower()  # a keyword hit, marked in the text
    stored = cached(world, PID)
    assert stored["model"] == "rules" and "thermal runaway" in stored["rules"]["keywords"]
    app = world.app()
    token = users.create_token(app.db, int(users.find_user(app.db, "ana")["id"]), "tests")
    app.close()
    body = (
        world.web()
        .test_client()
        .get(f"/api/v1/publications/{PID}", headers={"Authorization": f"Bearer {token}"})
    )
    (match,) = body.get_json()["matches"]
    assert match["evidence"] == stored


def test_a_page_read_while_the_daemon_holds_the_lock_is_served(world, monkeypatch):
    monkeypatch.setattr(evidence_on_read, "WRITE_WAIT_MS", 50)
    client = world.web().test_client()
    assert log_in(client, "ana").status_code == 302
    daemon = sqlite3.connect(world.db_path, isolation_level=None)
    daemon.execute("BEGIN IMMEDIATE")
    try:
        page = client.get("/publications/EP-6006-A1?watchlist=nev-batteries")
    finally:
        daemon.execute("ROLLBACK")
        daemon.close()
    assert page.status_code == 200 and "<mark>H01M10/613</mark>" in page.text
    assert cached(world, "EP-6006-A1") is None  # served, not cached: the next read computes it again
