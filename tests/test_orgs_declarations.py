"""``[[subscribers]]`` and watchlist ``owner`` keys read as declarations (issue 13): applied to the
store idempotently, the file's subscribers fan out from the store's subscriptions, and an
enterprise's own watchlist reaches only that enterprise."""

from __future__ import annotations

from alerts_support import NOW, add_match, alert_rows, make_test_app

from warning.app import make_app
from warning.delivery.queue import queue_alerts
from warning.store import audit, orgs, subscriptions
from warning.store.scope import Scope
from warning.store.watchlists import watchlist_owner

CONFIG = """
watchlists = "wl"

[[subscribers]]
name = "Alpha Motors"
watchlists = ["motorcycles", "alpha-frames"]
file = "out/alpha.jsonl"

[[subscribers]]
name = "beta-lighting"
file = "out/beta.jsonl"

[[subscribers]]
name = "moto-association"
kind = "association"
members = ["alpha-motors"]
mode = "weekly"
file = "out/assoc.jsonl"
{extra}
"""

PROGRAMME = """
[[subscribers]]
name = "escort"
kind = "programme"
file = "out/escort.jsonl"
"""

OWN_WATCHLIST = """
name = "alpha-frames"
description = "Alpha's own scooter frames"
owner = "alpha-motors"
keywords = ["scooter frame"]
"""

SHARED_WATCHLIST = """
name = "motorcycles"
description = "Motorcycles"
title = { zh = "摩托车", en = "Motorcycles" }
keywords = ["motorcycle"]
"""


def site(tmp_path, extra: str = PROGRAMME):
    (tmp_path / "wl").mkdir(exist_ok=True)
    (tmp_path / "wl" / "alpha-frames.toml").write_text(OWN_WATCHLIST, encoding="utf-8")
    (tmp_path / "wl" / "motorcycles.toml").write_text(SHARED_WATCHLIST, encoding="utf-8")
    return make_test_app(tmp_path, CONFIG.format(extra=extra))


def test_subscribers_become_organisations_and_subscriptions(tmp_path):
    app = site(tmp_path)
    db = app.db
    assert [(o["id"], o["kind"]) for o in orgs.list_orgs(db)] == [
        ("moto-association", "association"),
        ("alpha-motors", "enterprise"),
        ("beta-lighting", "enterprise"),
        ("escort", "programme"),
    ]
    assert orgs.get_org(db, "alpha-motors")["name"] == "Alpha Motors"
    assert orgs.members(db, "moto-association") == ["alpha-motors"]
    subs = {s["name"]: s for s in subscriptions.list_subscriptions(db)}
    assert set(subs) == {"Alpha Motors", "beta-lighting", "moto-association", "escort"}
    assert subs["Alpha Motors"]["org_id"] == "alpha-motors" and subs["Alpha Motors"]["origin"] == "config"
    assert subs["moto-association"]["mode"] == "weekly"
    assert subs["beta-lighting"]["channels"] == {"file": "out/beta.jsonl"}
    assert [s.name for s in app.subscribers] == [
        "Alpha Motors",
        "beta-lighting",
        "moto-association",
        "escort",
    ]
    assert app.subscriber("Alpha Motors").org == "alpha-motors"
    assert (
        watchlist_owner(db, "alpha-frames") == "alpha-motors" and watchlist_owner(db, "motorcycles") is None
    )


def test_applying_the_same_file_again_changes_nothing(tmp_path):
    app = site(tmp_path)
    before = len(audit.history(app.db, Scope.programme()))
    assert before > 0
    app.close()
    again = make_app(str(tmp_path / "config.toml"), str(tmp_path / "alerts.db"))
    assert [s.name for s in again.subscribers] == [
        "Alpha Motors",
        "beta-lighting",
        "moto-association",
        "escort",
    ]
    assert len(audit.history(again.db, Scope.programme())) == before
    assert again.db["subscriptions"].count == 4 and again.db["orgs"].count == 4


def test_a_subscriber_left_out_of_the_file_is_switched_off_and_cli_ones_stay(tmp_path):
    app = site(tmp_path)
    subscriptions.save_subscription(
        app.db, "beta-weekly", org_id="beta-lighting", channels={"file": "out/b2.jsonl"}, origin="cli"
    )
    app.close()
    smaller = site(tmp_path, extra="")
    names = [s.name for s in smaller.subscribers]
    assert names == ["Alpha Motors", "beta-lighting", "moto-association", "beta-weekly"]
    assert subscriptions.get_subscription(smaller.db, "escort")["disabled_at"]
    assert subscriptions.get_subscription(smaller.db, "beta-weekly")["origin"] == "cli"
    assert [
        e["object_id"] for e in audit.history(smaller.db, Scope.programme(), action="subscription.disable")
    ] == ["escort"]


def test_alerts_fan_out_from_stored_subscriptions_within_each_scope(tmp_path):
    app = site(tmp_path)
    add_match(app, "EP-4123456-A1", watchlist="motorcycles", created_at="2026-11-24T09:00:00+00:00")
    add_match(app, "EP-4123457-A1", watchlist="alpha-frames", created_at="2026-11-24T09:00:00+00:00")
    # Made with the CLI, not in the file: still delivered; every watchlist, but only what beta sees.
    subscriptions.save_subscription(
        app.db, "beta-all", org_id="beta-lighting", channels={"file": "out/b.jsonl"}
    )
    app.close()
    app = make_app(str(tmp_path / "config.toml"), str(tmp_path / "alerts.db"))
    queue_alerts(app, now=NOW)
    got = {(r["subscriber"], r["publication_id"]) for r in alert_rows(app, kind="match")}
    assert got == {
        ("Alpha Motors", "EP-4123456-A1"),
        ("Alpha Motors", "EP-4123457-A1"),  # its own watchlist
        ("beta-lighting", "EP-4123456-A1"),  # every watchlist it sees: not alpha's own
        ("beta-all", "EP-4123456-A1"),
        ("moto-association", "EP-4123456-A1"),  # a member's own watchlist stays the member's
        ("escort", "EP-4123456-A1"),
        ("escort", "EP-4123457-A1"),  # the programme sees all
    }
    assert queue_alerts(app, now=NOW)["queued"] == 0


def test_a_config_without_subscribers_or_watchlists_still_runs(tmp_path):
    app = make_test_app(tmp_path, 'database = "x.db"\n')
    assert app.subscribers == () and app.db["orgs"].count == 0
    assert queue_alerts(app, now=NOW) == {"subscribers": 0, "matches": 0, "queued": 0, "updates": 0}


def test_a_broken_watchlist_folder_keeps_the_owners_recorded(tmp_path):
    app = site(tmp_path)
    assert watchlist_owner(app.db, "alpha-frames") == "alpha-motors"
    app.close()
    (tmp_path / "wl" / "broken.toml").write_text("name = 'broken'\nnot toml", encoding="utf-8")
    again = make_app(str(tmp_path / "config.toml"), str(tmp_path / "alerts.db"))
    assert watchlist_owner(again.db, "alpha-frames") == "alpha-motors"


def test_check_config_warns_of_a_subscriber_following_another_organisations_watchlist(tmp_path):
    from click.testing import CliRunner

    from warning.cli import cli

    site(
        tmp_path, extra=PROGRAMME + '\n[[subscribers]]\nname = "beta-frames"\nwatchlists = ["alpha-frames"]\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), "check-config"])
    assert result.exit_code == 0, result.output
    assert "follows watchlist 'alpha-frames', alpha-motors's own" in result.output
    assert result.output.count("follows watchlist") == 1  # Alpha's own and the programme's are fine


def test_another_config_or_none_on_the_same_database_switches_nothing_off(tmp_path):
    app = site(tmp_path)
    assert len(app.subscribers) == 4
    app.close()
    (tmp_path / "other.toml").write_text('watchlists = "wl"\n', encoding="utf-8")
    for config in (str(tmp_path / "other.toml"), None):
        other = make_app(config, str(tmp_path / "alerts.db"))
        assert [s.name for s in other.subscribers] == [
            "Alpha Motors",
            "beta-lighting",
            "moto-association",
            "escort",
        ]
        other.close()
    assert (
        audit.history(
            make_app(None, str(tmp_path / "alerts.db")).db, Scope.programme(), action="subscription.disable"
        )
        == []
    )


def test_the_effective_config_declares_nothing_again(tmp_path):
    app = site(tmp_path)
    subscriptions.save_subscription(app.db, "beta-cli", org_id="beta-lighting", channels={"file": "b.jsonl"})
    again = make_app(str(tmp_path / "config.toml"), str(tmp_path / "alerts.db"))
    from warning.app import App

    runner_app = App(config=again.effective_config, db_path=again.db_path)  # as the scheduler's jobs do
    assert [s.origin for s in runner_app.subscribers] == ["stored"] * 5
    assert subscriptions.get_subscription(runner_app.db, "beta-cli")["origin"] == "cli"
