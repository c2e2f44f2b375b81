"""The tenancy contract's store layer (issue 13): organisations, people, credentials, scoped
queries, audit. Real SQLite; each query is checked on what it returns to each organisation."""

from __future__ import annotations

import sqlite3

import pytest

from warning.errors import NotFound, WarningError
from warning.models import Publication
from warning.store import audit, orgs, subscriptions, users
from warning.store.matches import get_labels, record_batch, save_label, share_labels
from warning.store.publications import save_publications
from warning.store.risks import insert_case, list_cases, share_case
from warning.store.scope import (
    Scope,
    can_see_case,
    can_see_publication,
    can_see_watchlist,
    scope_for_login,
    scope_for_user,
    visible_cases,
    visible_labels,
    visible_matches,
    visible_watchlists,
)
from warning.store.watchlists import record_watchlists, set_owner


def _pub(n: int, country: str = "US") -> Publication:
    return Publication(
        id=f"{country}-2024000000{n}-A1",
        country=country,
        number=f"2024000000{n}",
        kind="A1",
        titles={"en": f"Publication {n}"},
        publication_date="2024-03-0" + str(n),
    )


@pytest.fixture
def world(db):
    """Programme, two enterprises, one association (member: ent-a), a shared watchlist ``led``
    and one own watchlist per enterprise; P1 matches led, P2 a-own, P3 b-own, P4 led and a-own."""
    orgs.create_org(db, "escort", "Escort programme", "programme", name_zh="护航项目")
    orgs.create_org(db, "ent-a", "Alpha Motors", "enterprise")
    orgs.create_org(db, "ent-b", "Beta Lighting", "enterprise")
    orgs.create_org(db, "assoc", "Lighting association", "association")
    orgs.add_member(db, "assoc", "ent-a")
    ids = {
        login: users.create_user(db, login, org, role, password="correct horse " + login)
        for login, org, role in (
            ("pat", "escort", "admin"),
            ("ann", "ent-a", "reviewer"),
            ("bob", "ent-b", "reviewer"),
            ("ola", "assoc", "viewer"),
        )
    }
    record_watchlists(
        db, [{"name": "led"}, {"name": "a-own", "owner": "ent-a"}, {"name": "b-own", "owner": "ent-b"}]
    )
    pubs = [_pub(1), _pub(2), _pub(3), _pub(4, "EP")]
    save_publications(db, pubs)
    at = "2024-03-10T00:00:00+00:00"
    rows = [
        (p.id, w, 0.9, 0.5, "{}", "v1", at)
        for p, w in zip(pubs, ["led", "a-own", "b-own", "led"], strict=True)
    ]
    rows.append((pubs[3].id, "a-own", 0.8, 0.5, "{}", "v1", at))
    record_batch(db, rows, [])
    return {"db": db, "ids": ids, "pubs": [p.id for p in pubs]}


def scopes(world) -> dict[str, Scope]:
    return {login: scope_for_login(world["db"], login) for login in world["ids"]}


def test_scope_of_a_person_and_the_programme(world):
    s = scopes(world)
    assert s["ann"] == Scope("ent-a", "enterprise", world["ids"]["ann"], "reviewer", "zh")
    assert s["ann"].can_review and not s["ann"].can_admin and not s["ann"].is_programme
    assert s["pat"].is_programme and s["pat"].is_instance_admin
    assert not s["ola"].can_review
    assert Scope.programme().is_programme and Scope.programme().org_id is None
    with pytest.raises(NotFound):
        scope_for_login(world["db"], "nobody")


def test_visible_watchlists_and_matches(world):
    db, s = world["db"], scopes(world)
    assert visible_watchlists(db, s["pat"]) == ["a-own", "b-own", "led"]
    assert visible_watchlists(db, Scope.programme()) == ["a-own", "b-own", "led"]
    assert visible_watchlists(db, s["ann"]) == ["a-own", "led"]
    assert visible_watchlists(db, s["bob"]) == ["b-own", "led"]
    assert visible_watchlists(db, s["ola"]) == ["led"]
    pairs = {
        login: {(m["publication_id"][:14], m["watchlist"]) for m in visible_matches(db, sc)}
        for login, sc in s.items()
    }
    p = [pid[:14] for pid in world["pubs"]]
    assert pairs["pat"] == {(p[0], "led"), (p[1], "a-own"), (p[2], "b-own"), (p[3], "led"), (p[3], "a-own")}
    assert pairs["ann"] == {(p[0], "led"), (p[1], "a-own"), (p[3], "led"), (p[3], "a-own")}
    assert pairs["bob"] == {(p[0], "led"), (p[2], "b-own"), (p[3], "led")}
    assert pairs["ola"] == {(p[0], "led"), (p[3], "led")}
    # filters narrow within the scope, never widen it
    assert visible_matches(db, s["bob"], watchlist="a-own") == []
    assert [m["country"] for m in visible_matches(db, s["ann"], country="ep")] == ["EP", "EP"]
    assert [m["score"] for m in visible_matches(db, s["ann"], min_score=0.85, watchlist="a-own")] == [0.9]
    assert visible_matches(db, s["ann"], min_score=0.95) == []
    assert len(visible_matches(db, s["pat"], limit=2)) == 2
    assert len(visible_matches(db, s["pat"], limit=10, offset=4)) == 1
    assert visible_matches(db, s["pat"], since="2025-01-01") == []
    assert can_see_watchlist(db, s["ann"], "a-own") and not can_see_watchlist(db, s["bob"], "a-own")
    assert can_see_watchlist(db, s["bob"], "never-recorded")  # unrecorded: shared
    assert can_see_watchlist(db, Scope.programme(), "b-own")
    assert can_see_publication(db, s["ann"], world["pubs"][1])
    assert not can_see_publication(db, s["bob"], world["pubs"][1])
    assert not can_see_publication(db, s["pat"], "US-0-A1")


def test_labels_kept_per_organisation_unless_shared(world):
    db, s, p = world["db"], scopes(world), world["pubs"]
    save_label(db, p[0], "led", 1, org_id="ent-a", who="ann")
    save_label(db, p[0], "led", 0, org_id="ent-b", who="bob")  # same pair, another judgement
    save_label(db, p[1], "a-own", 1, org_id="ent-a", who="ann")
    save_label(db, p[3], "led", 1, who="pat")  # the programme's: shared
    seen = {k: {(r["publication_id"], r["org_id"]) for r in visible_labels(db, sc)} for k, sc in s.items()}
    assert seen["pat"] == {(p[0], "ent-a"), (p[0], "ent-b"), (p[1], "ent-a"), (p[3], "")}
    assert seen["ann"] == {(p[0], "ent-a"), (p[1], "ent-a"), (p[3], "")}
    assert seen["bob"] == {(p[0], "ent-b"), (p[3], "")}
    assert seen["ola"] == {(p[3], "")}
    assert share_labels(db, "ent-a", "led") == 1
    assert {(r["publication_id"], r["org_id"]) for r in visible_labels(db, s["bob"], "led")} == {
        (p[0], "ent-a"),
        (p[0], "ent-b"),
        (p[3], ""),
    }
    # what the shared model learns from: shared labels; one per publication, programme's first
    assert {(r["publication_id"], r["org_id"]) for r in get_labels(db, "led")} == {
        (p[0], "ent-a"),
        (p[3], ""),
    }
    # an own watchlist learns from its owner's labels
    assert [r["org_id"] for r in get_labels(db, "a-own", owner="ent-a")] == ["ent-a"]


def test_risk_cases_seen_by_the_enterprise_the_programme_and_who_it_shared_with(world):
    db, s, p = world["db"], scopes(world), world["pubs"]
    base = {"status": "new", "severity": "medium", "opened_at": "2024-03-11", "updated_at": "2024-03-11"}
    a_case = insert_case(db, {**base, "publication_id": p[1], "org_id": "ent-a"}, "ann")
    b_case = insert_case(db, {**base, "publication_id": p[2], "org_id": "ent-b"}, "bob")
    legacy = insert_case(db, {**base, "publication_id": p[0]}, "pat")
    ids = {k: [c["id"] for c in visible_cases(db, sc)] for k, sc in s.items()}
    assert ids == {"pat": [a_case, b_case, legacy], "ann": [a_case], "bob": [b_case], "ola": []}
    assert share_case(db, a_case, "assoc", "ann") and not share_case(db, a_case, "assoc", "ann")
    assert [c["id"] for c in visible_cases(db, s["ola"])] == [a_case]
    assert [c["id"] for c in list_cases(db, status="new", scope=s["ola"])] == [a_case]
    assert visible_cases(db, s["ola"], status="closed") == []
    assert can_see_case(db, s["ola"], a_case) and not can_see_case(db, s["ola"], b_case)
    assert not can_see_case(db, s["bob"], a_case) and can_see_case(db, s["pat"], legacy)
    assert can_see_publication(db, s["ola"], p[1])  # through the shared case


def test_passwords_hashed_and_checked(world):
    db, ids = world["db"], world["ids"]
    stored = db.execute("SELECT password_hash FROM users WHERE login = 'ann'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.authenticate(db, "ann", "correct horse ann") == ids["ann"]
    assert users.authenticate(db, "ann", "wrong") is None
    assert users.authenticate(db, "nobody", "correct horse ann") is None
    users.set_password(db, ids["ann"], "a new one")
    assert users.authenticate(db, "ann", "correct horse ann") is None
    assert users.authenticate(db, "ann", "a new one") == ids["ann"]
    no_password = users.create_user(db, "eve", "ent-b", "viewer")
    assert users.authenticate(db, "eve", "") is None and no_password > 0
    with pytest.raises(WarningError):
        users.create_user(db, "ann", "ent-b", "viewer")
    with pytest.raises(WarningError):
        users.create_user(db, "zed", "ent-b", "owner")
    with pytest.raises(NotFound):
        users.create_user(db, "zed", "no-such-org", "viewer")


def test_tokens_shown_once_and_disabling_a_person_revokes_them(world):
    db, ids = world["db"], world["ids"]
    token = users.create_token(db, ids["bob"], "ci")
    second = users.create_token(db, ids["bob"], "laptop")
    assert token.startswith("wpt_") and len(token) > 40 and token != second
    assert db.execute("SELECT count(*) FROM api_tokens WHERE token_hash = ?", [token]).fetchone()[0] == 0
    assert users.verify_token(db, token) == ids["bob"]
    assert users.list_tokens(db, ids["bob"])[-1]["last_used_at"]
    assert users.verify_token(db, token + "x") is None and users.verify_token(db, "") is None
    listed = users.list_tokens(db, ids["bob"])
    assert {t["name"] for t in listed} == {"ci", "laptop"} and all(token not in str(t) for t in listed)
    assert users.disable_user(db, ids["bob"]) == 2
    assert users.verify_token(db, token) is None and users.verify_token(db, second) is None
    assert users.authenticate(db, "bob", "correct horse bob") is None
    with pytest.raises(NotFound):
        scope_for_user(db, ids["bob"])
    with pytest.raises(NotFound):
        users.create_token(db, ids["bob"], "again")
    third = users.create_token(db, ids["ann"], "x")
    assert users.revoke_token(db, users.list_tokens(db, ids["ann"])[0]["id"])
    assert users.verify_token(db, third) is None


def test_disabling_an_organisation_locks_its_people_out(world):
    db, ids = world["db"], world["ids"]
    token = users.create_token(db, ids["ann"], "ci")
    orgs.disable_org(db, "ent-a")
    assert users.authenticate(db, "ann", "correct horse ann") is None
    assert users.verify_token(db, token) is None
    assert [o["id"] for o in orgs.list_orgs(db)] == ["assoc", "ent-b", "escort"]


def test_memberships(world):
    db = world["db"]
    assert orgs.members(db, "assoc") == ["ent-a"]
    assert orgs.add_member(db, "assoc", "ent-b") and not orgs.add_member(db, "assoc", "ent-b")
    assert orgs.associations_of(db, "ent-b") == ["assoc"]
    with pytest.raises(WarningError):
        orgs.add_member(db, "ent-a", "ent-b")
    assert orgs.remove_member(db, "assoc", "ent-b") and orgs.members(db, "assoc") == ["ent-a"]
    assert orgs.slugify("Alpha Motors Co., Ltd.") == "alpha-motors-co-ltd"
    assert orgs.slugify("浙江 摩托") == "浙江-摩托"
    assert orgs.find_org(db, "alpha motors")["id"] == "ent-a"


def test_subscriptions_saved_idempotently(world):
    db = world["db"]
    fields = {
        "org_id": "assoc",
        "watchlists": ["led"],
        "channels": {"email": ["a@example.org"]},
        "mode": "weekly",
    }
    sub_id, changed = subscriptions.save_subscription(db, "assoc-weekly", origin="config", **fields)
    assert changed and subscriptions.save_subscription(db, "assoc-weekly", origin="config", **fields) == (
        sub_id,
        False,
    )
    got = subscriptions.get_subscription(db, "assoc-weekly")
    assert got["watchlists"] == ["led"] and got["channels"] == {"email": ["a@example.org"]}
    assert subscriptions.save_subscription(db, "assoc-weekly", **{**fields, "min_score": 0.7}) == (
        sub_id,
        True,
    )
    assert subscriptions.disable_subscription(db, "assoc-weekly")
    assert subscriptions.list_subscriptions(db, "assoc") == []
    assert subscriptions.save_subscription(db, "assoc-weekly", **{**fields, "min_score": 0.7}) == (
        sub_id,
        True,
    )
    with pytest.raises(WarningError):
        subscriptions.save_subscription(db, "bad", org_id="assoc", mode="hourly")
    with pytest.raises(NotFound):
        subscriptions.save_subscription(db, "bad", org_id="nope")


def test_audit_append_only_and_scoped(world):
    db, s = world["db"], scopes(world)
    base = {"status": "new", "severity": "low", "opened_at": "2024-03-11", "updated_at": "2024-03-11"}
    case = insert_case(db, {**base, "publication_id": world["pubs"][1], "org_id": "ent-a"}, "ann")
    audit.record(db, s["ann"], "case.open", "case", case, severity="low")
    audit.record(db, s["bob"], "label", "publication", world["pubs"][2], watchlist="b-own", label=1)
    audit.record(db, s["pat"], "subscription.disable", "subscription", "x")
    assert [e["action"] for e in audit.history(db, s["pat"])] == [
        "case.open",
        "label",
        "subscription.disable",
    ]
    assert [e["login"] for e in audit.history(db, s["ann"])] == ["ann"]
    assert [e["action"] for e in audit.history(db, s["bob"])] == ["label"]
    assert audit.history(db, s["ola"]) == []
    share_case(db, case, "assoc")
    assert [e["detail"] for e in audit.history(db, s["ola"], object_kind="case", object_id=case)] == [
        {"severity": "low"}
    ]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET action = 'nothing'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")


def test_legacy_labels_become_the_programmes_shared_labels(tmp_path):
    import sqlite_utils

    from warning.store.db import apply_migrations
    from warning.store.migrations import MIGRATIONS

    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "old.db", isolation_level=None))
    db["_migrations"].create({"name": str, "applied_at": str}, pk="name")
    for fn in MIGRATIONS[:9]:
        fn(db)
        db["_migrations"].insert({"name": fn.__name__, "applied_at": "2026-01-01"})
    db["labels"].insert(
        {"publication_id": "US-1-B1", "watchlist": "led", "label": 1, "origin": "reviewer", "who": "x"}
    )
    # later migrations of other areas (m020_* ...) follow these
    assert apply_migrations(db)[:4] == ["m010_orgs", "m011_org_ownership", "m012_audit", "m013_scope_indexes"]
    assert [(r["org_id"], r["shared"]) for r in db["labels"].rows] == [("", 1)]
    set_owner(db, "led", "ent-x")
    assert visible_watchlists(db, Scope("ent-y", "enterprise", None, "viewer")) == []
