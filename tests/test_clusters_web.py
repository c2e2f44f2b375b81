"""A cluster's landscape in the web app: who sees which cluster, the page, its workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from web_support import build_world, log_in

from warning.web import create_app

SHARED = """
name = "moto"
title = { zh = "摩托车集群", en = "Motorcycle cluster" }
watchlists = ["motorcycles"]
countries = ["US", "EP"]
"""
ACMES = """
name = "acme-batteries"
title = { zh = "阿克米电池集群", en = "Acme battery cluster" }
owner = "acme"
watchlists = ["nev-batteries"]
countries = ["CN", "EP", "JP"]
"""
# Shared, but built on acme's own watchlist: only who sees that watchlist sees the cluster.
LEAKY = """
name = "everyone-batteries"
watchlists = ["nev-batteries"]
countries = ["CN"]
"""


@pytest.fixture
def web(tmp_path):
    world = build_world(tmp_path)
    folder = tmp_path / "clusters"
    folder.mkdir()
    for name, text in (("moto", SHARED), ("acme", ACMES), ("leaky", LEAKY)):
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    app = world.app()
    flask_app = create_app(app.config, world.db_path, secure_cookies=False)
    app.close()
    return flask_app


def client(web, login):
    c = web.test_client()
    assert log_in(c, login).status_code == 302
    return c


def test_each_organisation_sees_its_clusters_and_the_shared_ones(web):
    ana, rita, admin = client(web, "ana"), client(web, "rita"), client(web, "admin")
    assert all(n in ana.get("/clusters").text for n in ("摩托车集群", "阿克米电池集群", "everyone-batteries"))
    listed = rita.get("/clusters").text
    assert (
        "Motorcycle cluster" in listed and "Acme battery" not in listed and "everyone-batteries" not in listed
    )
    assert rita.get("/clusters/acme-batteries").status_code == 404
    assert rita.get("/clusters/everyone-batteries").status_code == 404
    assert rita.get("/clusters/acme-batteries/report.xlsx").status_code == 404
    assert rita.get("/clusters/nope").status_code == 404
    assert admin.get("/clusters/acme-batteries").status_code == 200


def test_the_landscape_page_and_its_workbook(web):
    ana = client(web, "ana")
    page = ana.get("/clusters/acme-batteries")
    assert page.status_code == 200
    html = page.text
    assert "阿克米电池集群" in html and "各年度、各国家/地区申请量" in html
    assert html.count('src="data:image/svg+xml;base64,') == 4  # the page's policy forbids inline SVG styles
    assert "<svg" not in html and "CN" in html and "EP" in html
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    book = ana.get("/clusters/acme-batteries/report.xlsx")
    assert book.status_code == 200 and book.mimetype.endswith("spreadsheetml.sheet")
    sheets = load_workbook(io.BytesIO(book.data)).sheetnames
    assert sheets[0] == "概览" and len(sheets) == 9
    moto = client(web, "rita").get("/clusters/moto").text
    assert "US-3003-A1" not in moto and "Filings per year and country" in moto  # counts, not documents


def test_the_api_answers_within_the_tokens_organisation(web, tmp_path):
    from warning.app import make_app
    from warning.store import users

    app = make_app(str(tmp_path / "config.toml"), str(tmp_path / "web.db"))
    tokens = {
        login: users.create_token(app.db, int(users.find_user(app.db, login)["id"]), "t")
        for login in ("ana", "rita")
    }
    app.close()
    c = web.test_client()

    def get(login, path):
        return c.get(path, headers={"Authorization": f"Bearer {tokens[login]}"})

    assert c.get("/api/v1/clusters").status_code == 401  # no token
    assert {i["name"] for i in get("ana", "/api/v1/clusters").json["items"]} == {
        "moto",
        "acme-batteries",
        "everyone-batteries",
    }
    assert [i["name"] for i in get("rita", "/api/v1/clusters").json["items"]] == ["moto"]
    body = get("ana", "/api/v1/clusters/acme-batteries").json
    assert body["cluster"] == "acme-batteries" and body["filings"] == 3 and body["statuses"] == {"pending": 3}
    assert set(body["per_year_country"]["2026"]) == {"CN", "EP", "JP"}
    assert get("rita", "/api/v1/clusters/acme-batteries").status_code == 404
