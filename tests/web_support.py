"""A store with organisations, people, publications and matches for the web tests, built through
the service's own functions, and a logged-in Flask test client."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from warning.app import make_app
from warning.models import Publication
from warning.store import orgs, users
from warning.store.matches import record_batch
from warning.store.publications import save_publications
from warning.web import create_app

WATCHLISTS = Path(__file__).resolve().parents[1] / "warning" / "demo" / "watchlists"
PASSWORD = "correct horse battery"
EVIDENCE = {
    "terms": [["battery", 0.41], ["电池", 0.33], ["cooling", 0.1]],
    "rules": {"cpc": ["H01M10/613"], "keywords": ["battery"], "competitors": [], "exclude": []},
    "model": "trained",
    "model_version": "v1",
}
# (id, watchlist, score, matched at, titles, abstracts)
MATCHES = [
    (
        "CN-1001-A",
        "nev-batteries",
        0.95,
        "2026-11-24T10:00:00+00:00",
        {"zh": "一种锂离子电池包", "en": "Lithium-ion battery pack"},
        {"zh": "电池包包括冷却板。", "en": "The battery pack has a cooling plate."},
    ),
    (
        "EP-2002-A1",
        "nev-batteries",
        0.80,
        "2026-11-24T10:00:00+00:00",
        {"en": "Battery cooling plate", "de": "Batteriekühlplatte"},
        {"en": "A cooling plate for battery cells."},
    ),
    (
        "US-3003-A1",
        "motorcycles",
        0.90,
        "2026-11-23T10:00:00+00:00",
        {"en": "Motorcycle frame"},
        {"en": "A frame of aluminium."},
    ),
    (
        "JP-4004-A",
        "nev-batteries",
        0.70,
        "2026-11-20T10:00:00+00:00",
        {"ja": "電池の製造方法"},
        {"ja": "電池を製造する。"},
    ),
]


@dataclass
class World:
    root: Path
    config_path: Path
    db_path: Path

    def app(self):
        return make_app(str(self.config_path), str(self.db_path))

    def web(self):
        """The Flask app on this store (session cookies over plain HTTP, as in a test)."""
        app = self.app()
        try:
            return create_app(app.config, self.db_path, secure_cookies=False)
        finally:
            app.close()


def build_world(root: Path) -> World:
    """Organisations acme and rival (enterprises) and the programme; nev-batteries is acme's own
    watchlist, motorcycles is shared; four matches."""
    # nev-batteries is acme's own: its file says so (a file is the truth about its owner).
    watchlists = root / "watchlists"
    watchlists.mkdir()
    for path in WATCHLISTS.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        if path.stem == "nev-batteries":
            text = text.replace('name = "nev-batteries"\n', 'name = "nev-batteries"\nowner = "acme"\n', 1)
        (watchlists / path.name).write_text(text, encoding="utf-8")
    config = root / "config.toml"
    config.write_text(
        f'database = "web.db"\nwatchlists = "{watchlists}"\nclassifiers = "classifiers"\n\n'
        '[[subscribers]]\nname = "acme-motor"\nkind = "enterprise"\norg = "acme"\nlanguage = "zh"\n'
        'watchlists = ["nev-batteries"]\nconsole = true\n',
        encoding="utf-8",
    )
    world = World(root, config, root / "web.db")
    app = world.app()
    db = app.db
    orgs.ensure_org(db, "escort", "Overseas escort programme", "programme", name_zh="海外护航")
    orgs.ensure_org(db, "acme", "Acme Motor", "enterprise", name_zh="阿克米摩托")
    orgs.ensure_org(db, "rival", "Rival Batteries", "enterprise")
    users.create_user(db, "admin", "escort", "admin", password=PASSWORD, language="en")
    users.create_user(db, "ana", "acme", "reviewer", password=PASSWORD, language="zh")
    users.create_user(db, "vic", "acme", "viewer", password=PASSWORD, language="en")
    users.create_user(db, "rita", "rival", "reviewer", password=PASSWORD, language="en")
    for pid, watchlist, score, at, titles, abstracts in MATCHES:
        add_match(app, pid, watchlist, score, at, titles=titles, abstracts=abstracts)
    app.close()
    return world


def add_match(
    app, pid: str, watchlist: str, score: float, at: str, *, evidence: dict | None = EVIDENCE, **fields
) -> None:
    """A publication and its match; ``evidence`` None: as `warning classify` stores it, the
    evidence left to be computed where read (the others as a store written before that holds them)."""
    country, number, *kind = pid.split("-")
    defaults = {"applicants": ["ACME BATTERY CO"], "cpc": ["H01M10/613"], "publication_date": at[:10]}
    pub = Publication(
        id=pid, country=country, number=number, kind=kind[0] if kind else "", **{**defaults, **fields}
    )
    save_publications(app.db, [pub])
    record_batch(
        app.db, [(pid, watchlist, score, 0.5, _json(evidence), "v1" if evidence else "rules", at)], []
    )


def _json(evidence: dict | None) -> str | None:
    return json.dumps(evidence, ensure_ascii=False) if evidence is not None else None


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def log_in(client, login: str, password: str = PASSWORD):
    """Log ``client`` in through the form, as a browser does; returns the answer to the POST."""
    page = client.get("/login")
    return client.post(
        "/login", data={"login": login, "password": password, "csrf_token": csrf_of(page.text)}
    )


def form_token(client, path: str = "/") -> str:
    """A CSRF token of the logged-in session, read from a page's form."""
    return csrf_of(client.get(path).text)
