"""The people commands over the CLI (issue 13): orgs, users, tokens, subscriptions, audit; who may
run each, what each prints, and that credentials never show but once."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from warning.app import make_app
from warning.cli import cli
from warning.delivery.queue import queue_alerts
from warning.models import Publication
from warning.store import users
from warning.store.matches import record_batch
from warning.store.publications import save_publications

WATCHLIST = 'name = "{name}"\ndescription = "x"\nkeywords = ["lamp"]\n{owner}'


@pytest.fixture
def site(tmp_path):
    (tmp_path / "wl").mkdir()
    (tmp_path / "wl" / "lamps.toml").write_text(WATCHLIST.format(name="lamps", owner=""), encoding="utf-8")
    own = WATCHLIST.format(name="acme-own", owner='owner = "acme"\n')
    (tmp_path / "wl" / "acme-own.toml").write_text(own, encoding="utf-8")
    (tmp_path / "config.toml").write_text('watchlists = "wl"\ndatabase = "w.db"\n', encoding="utf-8")
    run = Runner(tmp_path)
    run("orgs", "add", "escort", "--name", "Escort", "--kind", "programme")
    run("orgs", "add", "acme", "--name", "Acme Motor", "--name-zh", "爱克摩托", "--kind", "enterprise")
    run("orgs", "add", "bolt", "--name", "Bolt Lamps", "--kind", "enterprise")
    run("orgs", "add", "assoc", "--name", "Lighting association", "--kind", "association")
    run("orgs", "members", "assoc", "--add", "acme")
    run("users", "add", "amy", "--org", "acme", "--role", "admin", "--password-stdin", stdin="amy secret\n")
    run("users", "add", "rob", "--org", "acme", "--role", "reviewer")
    run("users", "add", "bea", "--org", "bolt", "--role", "admin")
    return run


class Runner:
    def __init__(self, root):
        self.root = root

    def __call__(self, *args, who=None, code=0, stdin=None) -> str:
        base = ["--config", str(self.root / "config.toml")] + (["--as", who] if who else [])
        result = CliRunner().invoke(cli, [*base, *args], input=stdin)
        assert result.exit_code == code, f"{args}: {result.output}"
        return result.output

    def app(self):
        return make_app(str(self.root / "config.toml"))


def test_orgs_add_list_show_members(site):
    listed = site("orgs", "list")
    assert "acme" in listed and "爱克摩托" in listed and "association" in listed
    assert json.loads(site("orgs", "list", "--kind", "enterprise", "--json"))[0]["id"] == "acme"
    shown = json.loads(site("orgs", "show", "acme", "--json"))
    assert shown["associations"] == ["assoc"] and shown["people"] == ["amy", "rob"]
    assert shown["own_watchlists"] == ["acme-own"]
    assert "acme: Acme Motor" in site("orgs", "show", "acme")
    assert "assoc: acme" in site("orgs", "members", "assoc")
    # an enterprise sees itself only; an association itself and its members, not their people
    assert [o["id"] for o in json.loads(site("orgs", "list", "--json", who="rob"))] == ["assoc", "acme"]
    assert "no organisation 'bolt'" in site("orgs", "show", "bolt", who="rob", code=1)
    assert json.loads(site("orgs", "show", "assoc", "--json", who="rob"))["members"] == []
    assert "needs an admin of the programme" in site("orgs", "add", "x", "--name", "X", "--kind",
                                                     "enterprise", who="amy", code=1)  # fmt: skip
    assert "exists already" in site("orgs", "add", "acme", "--name", "A", "--kind", "enterprise", code=1)
    assert "needs an admin" in site("orgs", "members", "assoc", "--add", "bolt", who="amy", code=1)


def test_users_passwords_and_roles(site):
    db = site.app().db
    assert users.authenticate(db, "amy", "amy secret") is not None
    listed = site("users", "list", "--org", "acme")
    assert "amy" in listed and "rob" in listed and "bea" not in listed
    assert [u["login"] for u in json.loads(site("users", "list", "--json", who="rob"))] == ["amy", "rob"]
    assert "no organisation 'bolt'" in site("users", "list", "--org", "bolt", who="rob", code=1)
    # an organisation's admin manages its own people, not another's
    site("users", "add", "ivy", "--org", "acme", "--role", "viewer", who="amy")
    assert "needs an admin of bolt" in site("users", "add", "zed", "--org", "bolt", who="amy", code=1)
    assert "needs an admin" in site("users", "add", "zed", "--org", "acme", who="rob", code=1)
    # one's own password, or as an admin; never another organisation's
    site("users", "passwd", "rob", "--password-stdin", who="rob", stdin="rob pass\n")
    assert users.authenticate(db, "rob", "rob pass") is not None
    site("users", "passwd", "rob", "--password-stdin", who="amy", stdin="reset\n")
    assert users.authenticate(db, "rob", "reset") is not None
    assert "no person with login 'rob'" in site("users", "passwd", "rob", "--password-stdin", who="bea",
                                                 stdin="x\n", code=1)  # fmt: skip
    assert "needs an admin" in site(
        "users", "passwd", "amy", "--password-stdin", who="rob", stdin="x\n", code=1
    )
    assert "Error" in site("users", "add", "bad", "--org", "acme", "--role", "owner", code=2)


def test_tokens_shown_once_and_revoked_when_a_person_is_disabled(site):
    result = CliRunner().invoke(
        cli,
        [
            "--config",
            str(site.root / "config.toml"),
            "--as",
            "rob",
            "tokens",
            "create",
            "rob",
            "--name",
            "ci",
        ],
    )
    token = result.stdout.strip()
    assert result.exit_code == 0 and token.startswith("wpt_") and "shown once" in result.stderr
    db = site.app().db
    assert users.verify_token(db, token) is not None
    listed = site("tokens", "list", "--login", "rob")
    assert "ci" in listed and token not in listed and token[:10] in listed
    assert "no person with login 'rob'" in site("tokens", "list", "--login", "rob", who="bea", code=1)
    assert "no tokens" in site("tokens", "list", who="bea")
    assert "amy" not in site("tokens", "list", who="rob")
    assert "disabled rob; 1 token(s) revoked" in site("users", "disable", "rob", who="amy")
    assert users.verify_token(db, token) is None
    assert "no active person with login 'rob'" in site("status", who="rob", code=1)
    second = site("tokens", "create", "amy", "--name", "laptop").split()[0]
    token_id = str(users.list_tokens(db)[0]["id"])
    assert "no token" in site("tokens", "revoke", token_id, who="bea", code=1)
    assert f"token {token_id} revoked" in site("tokens", "revoke", token_id, who="amy")
    assert "was revoked already" in site("tokens", "revoke", token_id)
    assert users.verify_token(db, second) is None


def test_subscriptions_add_list_disable_and_delivery(site):
    site("subscriptions", "add", "acme-weekly", "--org", "acme", "--watchlist", "acme-own", "--watchlist", "lamps",
         "--country", "EP", "--mode", "weekly", "--channel", "file=out/acme.jsonl",
         "--channel", "email=ip@acme.example", "--channel", "email=legal@acme.example", who="amy")  # fmt: skip
    [sub] = json.loads(site("subscriptions", "list", "--json", who="rob"))
    assert sub["channels"] == {"email": ["ip@acme.example", "legal@acme.example"], "file": "out/acme.jsonl"}
    assert sub["origin"] == "cli" and sub["countries"] == ["EP"] and sub["mode"] == "weekly"
    assert "no watchlist 'acme-own'" in site("subscriptions", "add", "bolt-x", "--org", "bolt", "--watchlist",
                                             "acme-own", "--channel", "file=b.jsonl", who="bea", code=1)  # fmt: skip
    assert "email" in site("subscriptions", "add", "bad", "--org", "bolt", "--channel", "email=not-an-address",
                           who="bea", code=1)  # fmt: skip
    assert "KEY=VALUE" in site("subscriptions", "add", "bad", "--org", "bolt", "--channel", "fax=1", code=2)
    assert "needs an admin of acme" in site("subscriptions", "add", "x", "--org", "acme", who="rob", code=1)
    assert "no subscriptions" in site("subscriptions", "list", who="bea")
    # a stored subscription is delivered like a [[subscribers]] table
    app = site.app()
    save_publications(
        app.db, [Publication(id="EP-1-A1", country="EP", number="1", kind="A1", titles={"en": "lamp"})]
    )
    record_batch(app.db, [("EP-1-A1", "acme-own", 0.9, 0.5, "{}", "v1", "2026-12-02T00:00:00+00:00")], [])
    assert queue_alerts(app)["queued"] == 3  # two e-mail addresses and the file
    assert "3 alert(s)" in site("alerts", "--list", who="rob") and "0 alert(s)" in site(
        "alerts", "--list", who="bea"
    )
    assert "switched off" in site("subscriptions", "disable", "acme-weekly", who="amy")
    assert "no subscription 'acme-weekly'" in site(
        "subscriptions", "disable", "acme-weekly", who="bea", code=1
    )
    assert "acme-weekly" in site("subscriptions", "list", "--all")


def test_audit_trail_lists_and_exports_formula_safe(site):
    site("subscriptions", "add", "=HYPERLINK(1)", "--org", "acme", "--channel", "file=a.jsonl", who="amy")
    site("users", "disable", "rob", who="amy")
    entries = json.loads(site("audit", "--json", who="amy"))
    # what acme's people did, and what the programme did to acme (adding its people)
    assert {"subscription.save", "user.disable", "user.add"} == {e["action"] for e in entries}
    assert {e["login"] for e in entries if e["action"] == "user.add"} == {""}  # the instance's CLI
    assert all(e["org_id"] in (None, "acme") or e["object_kind"] == "case" for e in entries)
    assert [(e["action"], e["object_id"]) for e in json.loads(site("audit", "--json", who="bea"))] == [
        ("user.add", "bea")
    ]  # nothing of acme's
    assert "user.disable" in site("audit", "--object", "user:rob")
    path = site.root / "audit.csv"
    assert "written to" in site("audit", "--export", str(path), "--action", "subscription.save")
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["object_id"] for r in rows] == ["'=HYPERLINK(1)"]  # cannot run as a formula in a spreadsheet
    assert rows[0]["login"] == "amy"
