"""Competitor tracking on the corpus's recorded INPADOC legal replies, served by the local OPS."""

from __future__ import annotations

import json

import pytest
from lxml import etree

from tests.clusters_support import TODAY, make_app, serve_corpus
from tests.conftest import CORPUS
from tests.ops_server import FakeOps
from warning.clusters.backfill import backfill
from warning.clusters.competitors import derive_status, track_competitors
from warning.delivery.dispatch import dispatch
from warning.risks import open_case
from warning.sources.epo_ops.legal import OPS, parse_legal_events
from warning.store import clusters as store
from warning.store import risks as risks_store

LEGAL = CORPUS / "epo-ops-patent-dev" / "get_legal__response.xml"
FAMILY_LEGAL = CORPUS / "epo-ops-patent-dev" / "get_family_with_legal__response.xml"
IPR = CORPUS / "epo-ops-patent_client" / "fixtures" / "legal__fixtures__example_3.xml"


def events(path):
    return parse_legal_events(path.read_bytes())


def until(path, day: str) -> bytes:
    """The real legal reply as OPS gave it before ``day`` (its later events left out)."""
    root = etree.fromstring(path.read_bytes())
    for legal in list(root.iter(f"{OPS}legal")):
        if (legal.findtext(f"{OPS}L007EP") or "").replace("-", "") >= day:
            legal.getparent().remove(legal)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_status_from_the_real_legal_events(corpus):
    corpus("epo-ops-patent-dev", "get_legal__response.xml")
    assert derive_status("EP-2400812-A1", events(LEGAL)) == ("granted", "2019-11-27")
    # PG25: lapsed in 32 designated states, each national; the EP itself stays granted
    assert derive_status("EP-2400812-A1", [e for e in events(LEGAL) if e.date < "2019-06-01"]) == (
        "pending",
        "",
    )
    family = events(FAMILY_LEGAL)
    assert derive_status("CA-2744162-A1", family) == ("lapsed", "2017-08-06")  # FZDE
    assert derive_status("US-20120057518-A1", family) == ("granted", "2017-04-19")  # STCF
    assert derive_status("US-10465445-B2", events(IPR)) == ("opposed", "2020-09-15")  # an IPR filed
    assert derive_status("EP-9999999-A1", family) == ("pending", "")
    assert derive_status("EP-9999999-A1", [], granted_kind=True) == ("granted", "")


@pytest.fixture
def ops(httpserver, corpus, monkeypatch):
    corpus("epo-ops-patent-dev", "get_legal__response.xml")
    fake = serve_corpus(httpserver, monkeypatch)
    fake.legal_body = FAMILY_LEGAL.read_bytes()
    return fake


def before_the_grant(ops: FakeOps) -> None:
    """OPS as it was before EP-2400812-B1 was published: the A1 only, its events until mid-2019."""
    del ops.docs["EP.2400812.B1"], ops.dates["EP.2400812.B1"]
    ops.legal_bodies["EP.2400812.A1"] = until(LEGAL, "20190601")


def tracked(app):
    return {f["publication_id"]: (f["competitor"], f["status"]) for f in store.filings(app.db, "bluetooth")}


def test_a_grant_in_a_target_market_is_one_alert_and_one_case_entry(ops, tmp_path):
    app = make_app(tmp_path, ops.base_url)
    before_the_grant(ops)
    backfill(app, "bluetooth", today=TODAY)
    case = open_case(app.db, "EP-2400812-A1", "Acme Networks", who="test")
    first = track_competitors(app, "bluetooth")
    assert first["status"] == "ok" and first["changed"] == 0  # the first look is the baseline
    assert tracked(app) == {
        "CA-2744162-A1": ("9Solutions Oy", "lapsed"),
        "EP-2400812-A1": ("9Solutions Oy", "pending"),
        "EP-2533477-A1": ("9Solutions Oy", "granted"),  # its B1 is stored
        "US-20120057518-A1": ("9Solutions Oy", "granted"),  # 9Solutions is its original applicant
    }
    ops.legal_bodies["EP.2400812.A1"] = LEGAL.read_bytes()
    second = track_competitors(app, "bluetooth")
    assert second["changed"] == 1 and second["queued"] == 1
    assert tracked(app)["EP-2400812-A1"][1] == "granted"
    third = track_competitors(app, "bluetooth")
    assert third["changed"] == 0 and third["queued"] == 0
    alerts = list(app.db.query("SELECT * FROM alerts"))
    assert len(alerts) == 1 and alerts[0]["key"].startswith(
        "cluster:bluetooth:EP-2400812-A1:granted:2019-11-27:park"
    )
    history = [h for h in risks_store.case_history(app.db, case) if h["field"] == "legal:cluster-status"]
    assert [(h["new"], h["who"]) for h in history] == [("granted", "cluster:bluetooth")]
    sent = dispatch(app)
    assert sent["sent"] == 1
    line = json.loads((tmp_path / "outbox" / "park.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert "9Solutions Oy's EP-2400812-A1 granted" in json.dumps(line, ensure_ascii=False)
    assert not (tmp_path / "outbox" / "rival.jsonl").exists()  # another organisation's subscriber
    runs = app.db.execute("SELECT count(*) FROM runs WHERE job = 'clusters:track:bluetooth'").fetchone()[0]
    assert runs == 3


def test_a_crash_after_queueing_neither_loses_nor_repeats_the_change(ops, tmp_path, monkeypatch):
    app = make_app(tmp_path, ops.base_url)
    before_the_grant(ops)
    backfill(app, "bluetooth", today=TODAY)
    case = open_case(app.db, "EP-2400812-A1", "Acme Networks", who="test")
    track_competitors(app, "bluetooth")
    ops.legal_bodies["EP.2400812.A1"] = LEGAL.read_bytes()
    real_record = store.record_status

    def crash(db, cluster, pid, status, *args, **kwargs):
        if pid == "EP-2400812-A1" and status == "granted":
            raise KeyboardInterrupt("power cut")
        return real_record(db, cluster, pid, status, *args, **kwargs)

    monkeypatch.setattr(store, "record_status", crash)
    with pytest.raises(KeyboardInterrupt):
        track_competitors(app, "bluetooth")
    assert app.db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1  # queued before the crash
    monkeypatch.setattr(store, "record_status", real_record)
    again = track_competitors(app, "bluetooth")
    assert again["changed"] == 1 and again["queued"] == 0  # the same change, its alert already queued
    assert app.db.execute("SELECT count(*) FROM alerts").fetchone()[0] == 1
    history = [h for h in risks_store.case_history(app.db, case) if h["field"] == "legal:cluster-status"]
    assert len(history) == 1


def test_tracking_stops_within_the_quota_share_and_resumes(ops, tmp_path):
    app = make_app(tmp_path, ops.base_url)
    backfill(app, "bluetooth", today=TODAY)
    used = app.db.execute("SELECT sum(json_extract(counts, '$.plugin.bytes')) FROM runs").fetchone()[0]
    # A share that the backfill alone has used up: no legal request is made.
    app.config.sources["ops"] = _with_quota(app.config.sources["ops"], used / 1024 / 1024 / 0.5)
    calls = len(ops.calls["inpadoc"])
    paused = track_competitors(app, "bluetooth")
    assert paused["clusters"]["bluetooth"]["status"] == "paused" and len(ops.calls["inpadoc"]) == calls
    app.config.sources["ops"] = _with_quota(app.config.sources["ops"], 100.0)
    assert track_competitors(app, "bluetooth")["checked"] == 4


def test_a_garbage_legal_reply_is_retried_then_counted_failed(ops, tmp_path):
    app = make_app(tmp_path, ops.base_url, max_retries=1, backoff_seconds=0)
    backfill(app, "bluetooth", today=TODAY)
    ops.legal_bodies["EP.2400812.A1"] = b"<html><body>Service unavailable</body></html>"
    result = track_competitors(app, "bluetooth", sleep=lambda s: None)
    assert result["failed"] == 1 and result["checked"] == 3
    assert tracked(app)["EP-2400812-A1"][1] == ""  # not checked yet: no status invented


def _with_quota(source, mb: float):
    import dataclasses

    return dataclasses.replace(source, options=dataclasses.replace(source.options, weekly_quota_mb=mb))


def test_the_schedule_runs_tracking_as_the_clusters_job(ops, tmp_path):
    from warning.service.runner import JobRunner
    from warning.service.scheduler import plan_jobs

    app = make_app(tmp_path, ops.base_url)
    planned = {p.name: p.cron for p in plan_jobs(app.config)}
    assert planned["clusters"] == "0 3 * * tue"
    backfill(app, "bluetooth", today=TODAY)
    app.close()
    [result] = JobRunner(app.config, app.db_path).run("clusters")
    assert result.ok, result.error
    assert len(tracked(app)) == 4 and all(status for _, status in tracked(app).values())


def test_status_shows_each_clusters_backfill_and_tracked_filings(ops, tmp_path):
    from click.testing import CliRunner

    from warning.cli import cli

    app = make_app(tmp_path, ops.base_url)
    backfill(app, "bluetooth", today=TODAY)
    track_competitors(app, "bluetooth")
    base = ["--config", str(tmp_path / "config.toml"), "--db", str(app.db_path)]
    app.close()
    info = json.loads(CliRunner().invoke(cli, [*base, "status", "--json"]).output)
    assert info["clusters"]["bluetooth"] == {
        "windows": {"done": 6},
        "publications": 7,
        "backfilled": 7,
        "filings": {"granted": 3, "lapsed": 1},
    }
    text = CliRunner().invoke(cli, [*base, "status"]).output
    assert "clusters 产业集群" in text and "7 (7 backfilled)" in text and "granted 3, lapsed 1" in text
