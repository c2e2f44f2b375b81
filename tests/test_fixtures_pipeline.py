"""The whole pipeline on tests/fixtures/ alone: ingest, train, evaluate, classify, alerts, digest,
the three office sources fetched from loopback servers, and a risk case's INPADOC legal events.

Only the CLI, its ``--json`` outputs and the SQLite database are used (see fixtures_support.py);
nothing here reads ../shared/corpus.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.fixtures_support import (
    OPS_KEY,
    OPS_SECRET,
    LoopbackOps,
    Site,
    data_folders,
    fixture,
    serve_ep_publication_server,
    serve_odp,
)
from warning.app import make_app
from warning.classify.evidence_on_read import matches_with_evidence

REPO = Path(__file__).resolve().parents[1]
SUBSCRIBER = """
[[subscribers]]
name = "clinic-exporters"
language = "en"
watchlists = ["medical-devices"]
file = "out/clinic.jsonl"
"""


@pytest.fixture
def site(tmp_path) -> Site:
    """The shipped watchlists, an empty classifiers folder and one subscriber on the file channel."""
    shutil.copytree(REPO / "watchlists", tmp_path / "watchlists")
    return Site(tmp_path, f'watchlists = "watchlists"\nclassifiers = "classifiers"\n{SUBSCRIBER}')


MEDICAL = {"US-10780248", "US-10716587", "US-10849732"}  # a catheter, a surgical device, a prosthesis
NOT_MEDICAL = {"US-11147202-B2", "EP-3383757-B1", "US-20130101709-A1"}  # hand truck, closure, pizza


def test_ingest_train_evaluate_classify_alert_and_digest(site, tmp_path):
    out = site.run("ingest", *data_folders()).output
    assert "95 new, 0 merged, 4 unchanged, 3 quarantined, 2 skipped (not patent documents)" in out
    train_and_evaluate(site, tmp_path)
    assert "95 publication(s) scored against 6 watchlist(s)" in site.run("classify").output
    app = make_app(str(site.config), str(site.db))
    rows = matches_with_evidence(app, "medical-devices")  # computed where read (classify leaves it)
    app.close()
    matched = {r["publication_id"] for r in rows}
    assert MEDICAL <= matched and not matched & NOT_MEDICAL
    card = json.loads((tmp_path / "classifiers" / "medical-devices" / "card.json").read_text())
    # The trained model explains by its terms, or, where its examples chose the rules alone
    # (`cv.mode`), by the rules that hit.
    explained = "terms" if card["cv"]["mode"] != "rules" else "rules"
    assert all(r["evidence"]["model"] == "trained" and any_of(r["evidence"][explained]) for r in rows)
    send_alerts(site, tmp_path, matched)
    status = site.json("status", "--json")
    # besides medical devices, one match of another line: the Indian grant of Honda's handlebar lock
    moto = {
        r["publication_id"]
        for r in site.rows("SELECT publication_id FROM matches WHERE watchlist = 'motorcycles'")
    }
    assert moto == {"IN-300255-B"}
    assert (status["publications"], status["quarantined"], status["matches"]) == (95, 3, len(matched) + 1)
    assert (status["alerts_pending"], status["alerts_sent"]) == (0, len(matched))
    check_digest(site, tmp_path / "digest.html", matched)


def any_of(value) -> bool:
    """A non-empty list, or a dict with some non-empty value (the rules that hit)."""
    return any(value.values()) if isinstance(value, dict) else bool(value)


def train_and_evaluate(site: Site, tmp_path: Path) -> None:
    """Train medical-devices on the 40 labelled fixture rows, evaluate on the 12 held out."""
    train = str(fixture("labels", "medical_train.jsonl"))
    trained = site.run("train", "medical-devices", "--data", train).output
    assert "trained medical-devices: 16 relevant, 24 irrelevant examples" in trained
    card = json.loads((tmp_path / "classifiers" / "medical-devices" / "card.json").read_text())
    assert card["counts"]["examples"] == 40 and card["counts"]["positives"] == 16
    test = str(fixture("labels", "medical_test.jsonl"))
    held_out = site.json("evaluate", "medical-devices", "--data", test, "--json")
    assert set(held_out) == {"precision", "recall", "f1", "pr_auc", "n", "baseline"} and held_out["n"] == 12
    assert held_out["f1"] >= held_out["baseline"]["f1"] and held_out["precision"] >= 0.75


def send_alerts(site: Site, tmp_path: Path, matched: set[str]) -> None:
    """One file-channel record per match, exactly once."""
    assert f"sent {len(matched)}, failed 0" in site.run("alerts").output
    lines = (tmp_path / "out" / "clinic.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(matched) and all(r["kind"] == "match" for r in records)
    catheter = "Radial and trans-endocardial delivery catheter (US10780248)"
    assert any(catheter in r["subject"] for r in records)
    assert "sent 0, failed 0" in site.run("alerts").output


def check_digest(site: Site, out: Path, matched: set[str]) -> None:
    """`warning digest` writes the week so far, every match in it, those made in the very second
    the digest is built included (the window ends at the next whole second)."""
    written = site.run("digest", "--subscriber", "clinic-exporters", "--out", str(out)).output
    assert f"({len(matched)} match(es)," in written
    html = out.read_text(encoding="utf-8")
    assert "Radial and trans-endocardial delivery catheter" in html and "Wheeled hand truck" not in html


def test_fetch_a_weekly_grant_file_listed_by_the_odp(site, httpserver, monkeypatch):
    monkeypatch.setenv("FIXTURE_ODP_KEY", "odp-key")
    weekly = fixture("uspto", "ipg060103.zip").read_bytes()
    base = serve_odp(httpserver, "PTGRXML", {"ipg060103.zip": ("2006-01-03", weekly)}, "odp-key")
    site.config.write_text(
        site.config.read_text()
        + f'\n[sources.uspto]\nkind = "uspto_bulk"\nbase_url = "{base}"\napi_key_env = "FIXTURE_ODP_KEY"\n'
        f'datasets = ["grants"]\ndownload_dir = "dl"\nmax_retries = 0\n'
    )
    site.run("fetch", "--source", "uspto", "--since", "2006-01-01", "--until", "2006-01-08")
    assert site.ids() == {"US-D513425-S", "US-6981431-B2", "US-6981920-B1"}
    assert site.publication("US-6981920-B1")["titles"]["en"] == "Magic trick device and method"
    (state,) = site.rows("SELECT cursor FROM source_state WHERE source = 'uspto'")
    assert state["cursor"] == "2006-01-03"  # the day of the last whole weekly file
    again = site.run("fetch", "--source", "uspto", "--since", "2006-01-01", "--until", "2006-01-08")
    assert again.exit_code == 0 and len(site.ids()) == 3


def test_fetch_the_ep_publication_server(site, httpserver):
    weeks = {
        "20210224": {"EP3782854NWA1": fixture("ep", "EP3782854A1_v1-5.xml")},
        "20210707": {"EP3383757NWB1": fixture("ep", "EP3383757B1_v1-5-1.xml")},
    }
    base = serve_ep_publication_server(httpserver, weeks)
    site.config.write_text(
        site.config.read_text()
        + f'\n[sources.ep]\nkind = "ep_publication_server"\nbase_url = "{base}"\nmax_retries = 0\n'
    )
    site.run("fetch", "--source", "ep", "--since", "2021-02-01", "--until", "2021-07-31")
    assert site.ids() == {"EP-3782854-A1", "EP-3383757-B1"}
    b1 = site.publication("EP-3383757-B1")
    assert set(b1["claims"]) == {"de", "en", "fr"} and b1["sources"] == ["ep_publication_server"]
    (state,) = site.rows("SELECT cursor FROM source_state WHERE source = 'ep'")
    assert state["cursor"] == "2021-07-07"


def ops_site(site: Site, base_url: str) -> None:
    site.config.write_text(
        site.config.read_text()
        + f"""
[sources.ops]
kind = "epo_ops"
base_url = "{base_url}"
countries = ["EP", "CA"]
key_env = "FIXTURE_OPS_KEY"
secret_env = "FIXTURE_OPS_SECRET"
max_retries = 0
backoff_seconds = 0.0

[risks]
legal_source = "ops"
default_owner = "clinic-exporters"
"""
    )


def test_fetch_ops_then_follow_a_risk_case_through_inpadoc_legal_events(site, httpserver, monkeypatch):
    monkeypatch.setenv("FIXTURE_OPS_KEY", OPS_KEY)
    monkeypatch.setenv("FIXTURE_OPS_SECRET", OPS_SECRET)
    ops = LoopbackOps(
        httpserver,
        {"EP.2400812.A1": "20111228"},
        biblio=fixture("ops", "biblio_EP2400812A1.xml"),
        legal=fixture("ops", "legal_EP2400812_cut.xml"),
    )
    ops_site(site, ops.base_url)
    fetched = site.run("fetch", "--source", "ops", "--since", "2011-12-26", "--until", "2011-12-31")
    assert fetched.exit_code == 0 and site.ids() == {"EP-2400812-A1"}  # CA: the real 404 fault, no hit
    assert len(ops.paths("/search")) == 2 and len(ops.paths("/biblio")) == 1
    assert site.publication("EP-2400812-A1")["family_id"] == "43088294"

    site.run("ingest", str(fixture("ops", "family_biblio_EP2400812_cut.xml")))
    opened = site.run(
        "risks", "open", "EP-2400812-B1", "--enterprise", "Acme Medical", "--owner", "clinic-exporters"
    )
    assert "ep-opposition" in opened.output and "2020-08-27" in opened.output  # nine months from the B1
    site.run("risks", "legal")
    assert ops.paths("/legal/") == ["/3.2/rest-services/legal/publication/docdb/EP.2400812.B1"]
    (case,) = site.json("risks", "list", "--json")
    shown = site.json("risks", "show", str(case["id"]), "--json")
    codes = {e["code"] for e in shown["legal_events"]}
    assert {"INTG", "GRAA", "26N", "PLBE", "PG25", "17P"} <= codes and len(shown["legal_events"]) == 24
    no_opposition = next(e for e in shown["legal_events"] if e["code"] == "26N")
    assert no_opposition["category"] == "no-opposition"
    assert {"kind": "ep-opposition", "date": "2020-08-27"} in [
        {"kind": d["kind"], "date": d["date"]} for d in case["deadlines"]
    ]
    legal_rows = site.rows("SELECT code FROM legal_events")
    assert len(legal_rows) == 24
    site.run("risks", "legal")  # the same events again: nothing new is stored
    assert len(site.rows("SELECT code FROM legal_events")) == 24
