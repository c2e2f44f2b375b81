"""`warning demo` end to end: every stage on the bundled sample, offline."""

import json

from click.testing import CliRunner

from warning.cli import cli
from warning.store import open_db


def test_demo_runs_every_stage_and_explains(tmp_path):
    workdir = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--dir", str(workdir)], prog_name="warning")
    assert result.exit_code == 0, result.output
    assert "Stored 283 new publications (0 already stored, 0 quarantined)" in result.output
    assert "40 fetched from the EP mirror" in result.output  # through the real ep_publication_server source
    assert "why / 原因:" in result.output
    assert (
        "=== [Patent early warning] New-energy vehicle batteries" in result.output
    )  # the console channel, the watchlist by its title

    db = open_db(workdir / "warning.db")
    assert db["publications"].count == 283
    countries = {r["country"] for r in db.query("SELECT DISTINCT country FROM publications")}
    assert {"US", "EP", "CN", "JP", "KR", "VN", "IN", "BR"} <= countries
    assert db["matches"].count > 50
    watchlists = {r["watchlist"] for r in db.query("SELECT DISTINCT watchlist FROM matches")}
    assert watchlists == {
        "motorcycles",
        "nev-batteries",
        "led-lighting",
        "rail-transit",
        "medical-devices",
        "drones",
    }
    evidence = json.loads(db.execute("SELECT evidence FROM matches ORDER BY score DESC").fetchone()[0])
    assert evidence["terms"] and evidence["rules"]

    alerts = (workdir / "out" / "acme-motor-alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert alerts and all(json.loads(line)["language"] == "zh" for line in alerts)
    sent = db.execute("SELECT count(*) FROM alerts WHERE status = 'sent'").fetchone()[0]
    assert sent >= len(alerts)

    digest = (workdir / "out" / "digest.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in digest

    # One alert per invention: the sample's families published in several countries give updates
    # to their first alert, replying in its thread; two spellings of DJI count once in the digest.
    payloads = [json.loads(r[0]) for r in db.execute("SELECT payload FROM alerts WHERE kind = 'match'")]
    updates = [p["family_update"] for p in payloads if "family_update" in p]
    assert updates and all(u["of"] and u["reason"] in ("member", "grant") for u in updates)
    # Every alert says why in words, or (a watchlist deciding by its rules, matched on a code
    # alone) by the rule that hit; never by a stem.
    assert all(p["reasons"] or any(p["rules"].values()) for p in payloads)
    assert sum(bool(p["reasons"]) for p in payloads) >= 0.9 * len(payloads)
    assert not any(r in ("cylind", "batter", "obstac") for p in payloads for r in p["reasons"])
    text = (workdir / "out" / "digest.txt").read_text(encoding="utf-8")
    assert "SZ DJI TECHNOLOGY CO LTD: 8 (also: SZ DJI TECHNOLOGY CO., LTD.)" in text

    deadlines = list(db.query("SELECT kind, date FROM risk_deadlines WHERE kind = 'ep-opposition'"))
    assert deadlines, "a competitor's EP B1 grant should open a case with its opposition deadline"

    # A fresh demo store holds older publications than the last Bulletin: status does not say the
    # service stopped checking for a release it never waited for.
    status = CliRunner().invoke(
        cli, ["--config", str(workdir / "config.toml"), "--db", str(workdir / "warning.db"), "status"]
    )
    assert status.exit_code == 0, status.output
    assert "checks stopped" not in status.output and "已停止检查" not in status.output

    # Run again on the same folder: nothing is stored, scored or sent twice.
    again = CliRunner().invoke(cli, ["demo", "--dir", str(workdir)], prog_name="warning")
    assert again.exit_code == 0, again.output
    assert "Stored 0 new publications (283 already stored, 0 quarantined)" in again.output
    db = open_db(workdir / "warning.db")
    assert db["publications"].count == 283
    assert db.execute("SELECT count(*) FROM alerts WHERE status = 'sent'").fetchone()[0] == sent
    lines_after = (workdir / "out" / "acme-motor-alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines_after) == len(alerts)
