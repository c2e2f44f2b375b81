"""/api/v1/ with bearer tokens and the Atom feeds, through Flask's test client on a real store:
the contract's shapes, paging, labels and cases written, and 404 for what another organisation owns."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from web_support import build_world

from warning.store import users

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path)


@pytest.fixture
def web(world):
    return world.web()


@pytest.fixture
def token(world):
    app = world.app()

    def make(login: str) -> str:
        return users.create_token(app.db, int(users.find_user(app.db, login)["id"]), "tests")

    yield make
    app.close()


def api(web, token: str):
    client = web.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    return lambda method, path, **kw: client.open(path, method=method, headers=headers, **kw)


def test_without_a_valid_token_the_api_answers_401_and_the_session_is_not_enough(web, token):
    client = web.test_client()
    assert client.get("/api/v1/matches").status_code == 401
    assert client.get("/api/v1/matches", headers={"Authorization": "Bearer wpt_nonsense"}).status_code == 401
    assert client.get("/api/v1/matches").json["error"]
    assert client.get("/api/v1/openapi.json").status_code == 200  # the description is public


def test_matches_have_the_contracts_fields_and_pages(web, token):
    call = api(web, token("ana"))
    body = call("GET", "/api/v1/matches?limit=3").json
    assert [i["publication"] for i in body["items"]] == ["CN-1001-A", "EP-2002-A1", "US-3003-A1"]
    first = body["items"][0]
    assert set(first) >= {"publication", "watchlist", "score", "title", "country", "published", "label"}
    assert first["title"] == "一种锂离子电池包" and first["label"] is None and first["country"] == "CN"
    rest = call("GET", f"/api/v1/matches?limit=3&cursor={body['next']}").json
    assert [i["publication"] for i in rest["items"]] == ["JP-4004-A"] and rest["next"] is None
    filtered = call("GET", "/api/v1/matches?watchlist=nev-batteries&country=EP&since=2026-11-01").json
    assert [i["publication"] for i in filtered["items"]] == ["EP-2002-A1"]
    assert call("GET", "/api/v1/matches?limit=0").status_code == 400
    rival = api(web, token("rita"))("GET", "/api/v1/matches").json
    assert [i["publication"] for i in rival["items"]] == ["US-3003-A1"]


def test_a_publication_and_its_matches_and_404_for_another_organisations(web, token):
    body = api(web, token("ana"))("GET", "/api/v1/publications/CN-1001-A").json
    assert body["titles"]["zh"] == "一种锂离子电池包" and body["matches"][0]["watchlist"] == "nev-batteries"
    assert api(web, token("rita"))("GET", "/api/v1/publications/CN-1001-A").status_code == 404
    assert api(web, token("ana"))("GET", "/api/v1/publications/XX-9-A").status_code == 404


def test_labels_are_written_and_show_in_the_matches_and_refused_across_organisations(web, token, world):
    call = api(web, token("ana"))
    answer = call(
        "POST",
        "/api/v1/labels",
        json={"publication": "EP-2002-A1", "watchlist": "nev-batteries", "label": "irrelevant"},
    )
    assert answer.status_code == 201 and answer.json["label"] == "irrelevant"
    items = {i["publication"]: i["label"] for i in call("GET", "/api/v1/matches").json["items"]}
    assert items["EP-2002-A1"] == "irrelevant" and items["CN-1001-A"] is None
    assert (
        call(
            "POST",
            "/api/v1/labels",
            json={"publication": "EP-2002-A1", "watchlist": "nev-batteries", "label": "maybe"},
        ).status_code
        == 400
    )
    assert call("POST", "/api/v1/labels", data="not json", content_type="application/json").status_code == 400
    rival = api(web, token("rita"))
    refused = rival(
        "POST",
        "/api/v1/labels",
        json={"publication": "EP-2002-A1", "watchlist": "nev-batteries", "label": "relevant"},
    )
    assert refused.status_code == 404
    viewer = api(web, token("vic"))
    assert (
        viewer(
            "POST",
            "/api/v1/labels",
            json={"publication": "EP-2002-A1", "watchlist": "nev-batteries", "label": "relevant"},
        ).status_code
        == 403
    )
    app = world.app()
    assert [r["org_id"] for r in app.db.query("SELECT org_id FROM labels")] == ["acme"]
    app.close()


def test_cases_are_opened_listed_and_changed_and_invisible_to_another_organisation(web, token, world):
    call = api(web, token("ana"))
    opened = call("POST", "/api/v1/cases", json={"publication": "CN-1001-A", "watchlist": "nev-batteries"})
    assert opened.status_code == 201
    case_id = opened.json["id"]
    assert opened.json["publication"] == "CN-1001-A" and opened.json["status"] == "new"
    assert [c["id"] for c in call("GET", "/api/v1/cases").json["items"]] == [case_id]
    changed = call(
        "PATCH", f"/api/v1/cases/{case_id}", json={"status": "action", "action": "licence", "note": "谈判"}
    )
    assert (
        changed.status_code == 200
        and changed.json["status"] == "action"
        and changed.json["action"] == "licence"
    )
    assert (
        call("PATCH", f"/api/v1/cases/{case_id}", json={"status": "closed"}).status_code == 400
    )  # no outcome
    closed = call("PATCH", f"/api/v1/cases/{case_id}", json={"status": "closed", "outcome": "licensed"})
    assert closed.json["status"] == "closed"
    assert call("PATCH", f"/api/v1/cases/{case_id}", json={"status": "bogus"}).status_code == 400
    rival = api(web, token("rita"))
    assert rival("GET", "/api/v1/cases").json["items"] == []
    assert rival("PATCH", f"/api/v1/cases/{case_id}", json={"status": "new"}).status_code == 404
    assert (
        rival(
            "POST", "/api/v1/cases", json={"publication": "CN-1001-A", "watchlist": "nev-batteries"}
        ).status_code
        == 404
    )
    assert call("PATCH", "/api/v1/cases/99999", json={"status": "new"}).status_code == 404
    app = world.app()
    actions = [
        r["action"] for r in app.db.query("SELECT action FROM audit WHERE object_kind = 'case' ORDER BY id")
    ]
    app.close()
    assert actions == ["case.open", "case.update", "case.close"]  # each change audited, with who


def test_search_in_chinese_within_the_scope(web, token):
    assert [
        i["publication"] for i in api(web, token("ana"))("GET", "/api/v1/search?q=电池").json["items"]
    ] == ["CN-1001-A"]
    assert api(web, token("rita"))("GET", "/api/v1/search?q=电池").json["items"] == []
    assert api(web, token("ana"))("GET", "/api/v1/search?q=").json["items"] == []


def test_the_openapi_file_describes_every_route_of_the_api(web):
    spec = web.test_client().get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = set()
    for rule in web.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = (
                rule.rule.removeprefix("/api/v1")
                .replace("<int:case_id>", "{id}")
                .replace("<publication_id>", "{id}")
                .replace("<name>", "{name}")
            )
            served |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented


def test_the_atom_feed_of_a_watchlist_with_a_feed_token(web, token):
    client = web.test_client()
    feed = client.get(f"/feeds/nev-batteries.atom?token={token('ana')}")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text.split()[0] for e in entries] == [
        "CN-1001-A",
        "EP-2002-A1",
        "JP-4004-A",
    ]
    assert (
        entries[0].find(f"{ATOM}link").get("href").endswith("/publications/CN-1001-A?watchlist=nev-batteries")
    )
    assert client.get(f"/feeds/nev-batteries.atom?token={token('rita')}").status_code == 404
    assert client.get("/feeds/nev-batteries.atom?token=wpt_wrong").status_code == 404
    assert client.get("/feeds/nev-batteries.atom").status_code == 404
