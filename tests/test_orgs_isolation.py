"""Done-when of issue 13, end to end over the CLI and a real store: two enterprises, one
association and the programme, with overlapping watchlists and cases. No output (alerts, each
digest, exports, status, risk lists, labels, audit) carries anything another organisation may not
see, and the programme sees all.

The publications are ingested from a JSON Lines file and classified by the watchlists' rules, as
on a real instance; people act with ``--as``. Each organisation's secrets carry markers (its own
watchlist's name, titles of publications only it watches, its people's logins, its private
cases' publications), and every output each organisation receives is searched for the others'.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from warning.app import make_app
from warning.cli import cli
from warning.delivery.digest import build_digest

WATCHLISTS = {
    "lighting": 'description = "LED lighting, shared"\nkeywords = ["luminaire", "LED driver"]\ncpc = ["F21"]\n',
    "alpha-frames": 'description = "Alpha\'s scooter frames"\nowner = "alpha"\nkeywords = ["scooter frame"]\ncpc = ["B62K"]\n',
    "beta-lamps": 'description = "Beta\'s lamp housings"\nowner = "beta"\nkeywords = ["lamp housing"]\ncpc = ["F21V31", "B29C45"]\n',
}
PUBLICATIONS = [
    ("EP-4000001-A1", "SHARED-LED luminaire with an LED driver", ["F21S8/08"]),
    ("EP-4000002-A1", "ALPHA-ONLY scooter frame of welded tubes", ["B62K11/02"]),
    ("EP-4000003-A1", "OVERLAP lamp housing of a street luminaire", ["F21V31/00"]),  # beta-lamps and lighting
    ("EP-4000004-A1", "ALPHA-CASE scooter frame with a folding joint", ["B62K15/00"]),
    ("EP-4000005-A1", "SHARED-CASE luminaire for tunnels", ["F21S8/00"]),
    ("EP-4000006-A1", "BETA-ONLY lamp housing with a gasket", ["B29C45/00"]),
]
CONFIG = """
watchlists = "wl"
database = "w.db"

[[subscribers]]
name = "alpha"
language = "en"
file = "out/alpha.jsonl"

[[subscribers]]
name = "beta"
language = "en"
file = "out/beta.jsonl"

[[subscribers]]
name = "lighting-assoc"
kind = "association"
members = ["alpha", "beta"]
language = "en"
watchlists = ["lighting", "alpha-frames", "beta-lamps"]
file = "out/lighting-assoc.jsonl"

[[subscribers]]
name = "escort"
kind = "programme"
language = "en"
file = "out/escort.jsonl"
"""
PEOPLE = {  # login: (organisation, role, subscriber)
    "ann.alpha": ("alpha", "reviewer", "alpha"),
    "bob.beta": ("beta", "reviewer", "beta"),
    "ola.assoc": ("lighting-assoc", "viewer", "lighting-assoc"),
    "pat.escort": ("escort", "admin", "escort"),
}
# What only the organisation (and the programme) may see.
SECRETS = {
    "alpha": ["alpha-frames", "ALPHA-ONLY", "ALPHA-CASE", "EP-4000004-A1", "EP4000004A1"],
    "beta": ["beta-lamps", "BETA-ONLY", "EP-4000006-A1", "EP4000006A1", "bob.beta"],
}


class Site:
    def __init__(self, root: Path) -> None:
        self.root = root

    def run(self, *args: str, who: str | None = None, code: int = 0, stdin: str | None = None) -> str:
        base = ["--config", str(self.root / "config.toml")] + (["--as", who] if who else [])
        result = CliRunner().invoke(cli, [*base, *args], input=stdin)
        assert result.exit_code == code, f"{args} as {who}: {result.output}"
        return result.output

    def read(self, name: str) -> str:
        path = self.root / name
        return path.read_text(encoding="utf-8-sig") if path.exists() else ""


@pytest.fixture
def site(tmp_path):
    (tmp_path / "wl").mkdir()
    for name, text in WATCHLISTS.items():
        (tmp_path / "wl" / f"{name}.toml").write_text(f'name = "{name}"\n{text}', encoding="utf-8")
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    lines = [
        json.dumps({"id": pid, "title": title, "abstract": title.lower(), "cpc": cpc, "lang": "en"})
        for pid, title, cpc in PUBLICATIONS
    ]
    (tmp_path / "pubs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = Site(tmp_path)
    s.run("ingest", str(tmp_path / "pubs.jsonl"))
    s.run("classify")
    for login, (org, role, _sub) in PEOPLE.items():
        s.run(
            "users",
            "add",
            login,
            "--org",
            org,
            "--role",
            role,
            "--password-stdin",
            stdin="pw " + login + "\n",
        )
    _work(s)
    return s


def _work(s: Site) -> None:
    """What the organisations do: open cases, share one, label, and what they may not do."""
    assert "case 1" in s.run("risks", "open", "EP-4000004-A1", "--enterprise", "Alpha", "--watchlist",
                             "alpha-frames", who="ann.alpha")  # fmt: skip
    s.run(
        "risks", "open", "EP-4000005-A1", "--enterprise", "Alpha", "--watchlist", "lighting", who="ann.alpha"
    )
    s.run(
        "risks", "open", "EP-4000006-A1", "--enterprise", "Beta", "--watchlist", "beta-lamps", who="bob.beta"
    )
    s.run("risks", "share", "2", "lighting-assoc", who="ann.alpha")
    s.run("label", "EP-4000001-A1", "lighting", "relevant", who="ann.alpha")
    s.run("label", "EP-4000001-A1", "lighting", "irrelevant", who="bob.beta")
    s.run("label", "EP-4000002-A1", "alpha-frames", "relevant", who="ann.alpha")
    s.run("label", "EP-4000003-A1", "beta-lamps", "relevant", who="bob.beta")
    s.run("alerts")
    for _login, (_org, _role, sub) in PEOPLE.items():
        s.run("digest", "--subscriber", sub, "--period", "week", "--out", f"digest-{sub}.html")
        s.run("digest", "--subscriber", sub, "--period", "week", "--out", f"digest-{sub}.txt")


def outputs(s: Site, login: str) -> dict[str, str]:
    """Everything one person's organisation receives or reads."""
    sub = PEOPLE[login][2]
    s.run("risks", "export", "--out", str(s.root / f"export-{sub}.csv"), who=login)
    s.run("audit", "--export", str(s.root / f"audit-{sub}.csv"), who=login)
    return {
        "alerts": s.read(f"out/{sub}.jsonl"),
        "alert list": s.run("alerts", "--list", who=login),
        "digest html": s.read(f"digest-{sub}.html"),
        "digest text": s.read(f"digest-{sub}.txt"),
        "own digest": s.run("digest", "--subscriber", sub, "--period", "week", "--out", "mine.txt", who=login)
        + s.read("mine.txt"),
        "export": s.read(f"export-{sub}.csv"),
        "risk list": s.run("risks", "list", "--json", who=login),
        "risk text": s.run("risks", "list", who=login),
        "status": s.run("status", "--json", who=login),
        "status text": s.run("status", who=login),
        "labels": s.run("labels", "--json", who=login),
        "audit": s.run("audit", "--json", who=login),
        "audit csv": s.read(f"audit-{sub}.csv"),
        "orgs": s.run("orgs", "list", who=login),
        "subscriptions": s.run("subscriptions", "list", who=login),
    }


def leaks(found: dict[str, str], markers: list[str]) -> list[str]:
    return [f"{marker!r} in {where}" for where, text in found.items() for marker in markers if marker in text]


def test_no_output_carries_what_another_organisation_may_not_see(site):
    alpha, beta = outputs(site, "ann.alpha"), outputs(site, "bob.beta")
    assoc = outputs(site, "ola.assoc")
    assert leaks(alpha, SECRETS["beta"]) == []
    assert leaks(beta, SECRETS["alpha"] + ["ann.alpha"]) == []
    assert leaks(assoc, SECRETS["alpha"] + SECRETS["beta"]) == []
    # not vacuous: each sees its own, and everyone the shared watchlist
    assert leaks(alpha, ["alpha-frames", "ALPHA-ONLY", "ALPHA-CASE", "SHARED-LED", "OVERLAP"]) != []
    for where in ("alerts", "digest text", "export", "risk list", "status", "labels", "audit"):
        assert leaks({where: alpha[where]}, SECRETS["alpha"]), f"alpha's {where} lacks its own"
    for where in ("alerts", "digest text", "export", "status", "labels", "audit"):
        assert leaks({where: beta[where]}, SECRETS["beta"]), f"beta's {where} lacks its own"
    assert "SHARED-LED" in assoc["alerts"] and "OVERLAP" in assoc["digest html"]
    assert "SHARED-CASE" in assoc["export"] and "EP-4000005-A1" in assoc["risk list"]


def test_the_programme_sees_all(site):
    for login in (None, "pat.escort"):
        s = site
        everything = {
            "alerts": s.read("out/escort.jsonl"),
            "digest": s.read("digest-escort.html"),
            "export": s.run("risks", "export", who=login),
            "risk list": s.run("risks", "list", "--json", who=login),
            "labels": s.run("labels", "--json", who=login),
            "audit": s.run("audit", "--json", who=login),
            "status": s.run("status", "--json", who=login),
        }
        for marker in SECRETS["alpha"] + SECRETS["beta"] + ["ann.alpha", "SHARED-CASE"]:
            assert leaks(everything, [marker]), f"the programme does not see {marker}"
        assert [c["id"] for c in json.loads(everything["risk list"])] == [1, 2, 3]
        assert set(json.loads(everything["status"])["matches_by_watchlist"]) == set(WATCHLISTS)


def test_each_view_holds_exactly_what_it_may(site):
    views = {}
    for login in PEOPLE:
        status = json.loads(site.run("status", "--json", who=login))
        views[login] = {
            "cases": [c["id"] for c in json.loads(site.run("risks", "list", "--json", who=login))],
            "watchlists": sorted(status["matches_by_watchlist"]),
            "labels": sorted({(r["org_id"], r["who"]) for r in json.loads(site.run("labels", "--json", who=login))}),
            "alerted": sorted({json.dumps(i["watchlist"]) for line in site.read(f"out/{PEOPLE[login][2]}.jsonl").splitlines() for i in json.loads(line)["items"]}),
        }  # fmt: skip
    assert views["ann.alpha"] == {
        "cases": [1, 2],
        "watchlists": ["alpha-frames", "lighting"],
        "labels": [("alpha", "ann.alpha")],
        "alerted": ['"alpha-frames"', '"lighting"'],
    }
    assert views["bob.beta"] == {
        "cases": [3],
        "watchlists": ["beta-lamps", "lighting"],
        "labels": [("beta", "bob.beta")],
        "alerted": ['"beta-lamps"', '"lighting"'],
    }
    # the association follows all three, and receives only the shared one; sees only case 2
    assert views["ola.assoc"] == {
        "cases": [2],
        "watchlists": ["lighting"],
        "labels": [],
        "alerted": ['"lighting"'],
    }
    assert views["pat.escort"]["cases"] == [1, 2, 3] and len(views["pat.escort"]["labels"]) == 2
    # the digests' cases, from the store: the association's shows only the case shared with it
    app = make_app(str(site.root / "config.toml"))
    stats = {
        sub: build_digest(app, sub, "week").stats for sub in ("alpha", "beta", "lighting-assoc", "escort")
    }
    opened = {sub: [c["id"] for c in st["cases_opened"]] for sub, st in stats.items()}
    assert opened == {"alpha": [1, 2], "beta": [3], "lighting-assoc": [2], "escort": [1, 2, 3]}
    assert {w for st in stats.values() for w, _ in st["by_watchlist"]} == set(WATCHLISTS)
    assert {w for w, _ in stats["lighting-assoc"]["by_watchlist"]} == {"lighting"}


def test_what_may_not_be_done_answers_as_if_it_did_not_exist(site):
    assert "no risk case 1" in site.run("risks", "show", "1", who="bob.beta", code=1)
    assert "no risk case 3" in site.run("risks", "update", "3", "--note", "x", who="ann.alpha", code=1)
    assert "no risk case 1" in site.run("risks", "share", "1", "lighting-assoc", who="bob.beta", code=1)
    assert "no watchlist 'alpha-frames'" in site.run("label", "EP-4000002-A1", "alpha-frames", "relevant",
                                                      who="bob.beta", code=1)  # fmt: skip
    assert "reviewer" in site.run("label", "EP-4000001-A1", "lighting", "relevant", who="ola.assoc", code=1)
    assert "reviewer" in site.run(
        "risks", "open", "EP-4000001-A1", "--enterprise", "X", who="ola.assoc", code=1
    )
    site.run("users", "add", "oli.assoc", "--org", "lighting-assoc", "--role", "reviewer", who="pat.escort")
    assert "association" in site.run(
        "risks", "open", "EP-4000001-A1", "--enterprise", "X", who="oli.assoc", code=1
    )
    assert "programme" in site.run("alerts", who="ann.alpha", code=1)
    assert "no subscriber named 'alpha'" in site.run("digest", "--subscriber", "alpha", "--out", "x.txt",
                                                      who="bob.beta", code=1)  # fmt: skip
    assert "needs an admin" in site.run("users", "add", "eve", "--org", "alpha", who="bob.beta", code=1)
    assert "no organisation 'alpha'" in site.run("orgs", "show", "alpha", who="bob.beta", code=1)
    assert "no active person with login 'someone'" in site.run("status", who="someone", code=1)
    assert "no subscriber named 'alpha'" in site.run(
        "risks", "update", "3", "--owner", "alpha", who="bob.beta", code=1
    )
    assert "owner -> beta" in site.run("risks", "update", "3", "--owner", "beta", who="bob.beta").replace(
        "- ", ""
    )
    assert [c["id"] for c in json.loads(site.run("risks", "list", "--json", who="bob.beta"))] == [3]


def test_shared_labels_reach_others_and_the_shared_case_history(site):
    assert "1 label(s) of lighting shared" in site.run("labels", "--share", "lighting", who="ann.alpha")
    seen = {
        (r["org_id"], r["publication_id"]) for r in json.loads(site.run("labels", "--json", who="bob.beta"))
    }
    assert seen == {("alpha", "EP-4000001-A1"), ("beta", "EP-4000001-A1"), ("beta", "EP-4000003-A1")}
    history = site.run("risks", "show", "2", who="ola.assoc")
    assert "case.share" in history and "SHARED-CASE" in history
    trail = list(csv.DictReader(io.StringIO(site.read("audit-escort.csv") or _export(site))))
    assert {"case.open", "case.share", "label", "user.add", "subscription.declare"} <= {
        r["action"] for r in trail
    }


def _export(site: Site) -> str:
    site.run("audit", "--export", str(site.root / "audit-escort.csv"))
    return site.read("audit-escort.csv")
