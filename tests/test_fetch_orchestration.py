"""fetch_all / fetch_source / `warning fetch`: configured sources only, runs and states recorded,
one failing source does not stop the others, cursors never move backwards.

The sources are the real plugins against local servers (see tests/ops_server.py and
tests/test_ep_publication_server.py for what is recorded and what is built from documentation).
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps, real_documents
from tests.test_ep_publication_server import WEEKS, FakePublicationServer
from warning.app import App
from warning.cli import cli
from warning.config.loading import parse_config
from warning.errors import ConfigError
from warning.service.status import collect_status
from warning.sources.fetch import fetch_all, fetch_source
from warning.store.operations import get_source_state


@pytest.fixture
def servers(httpserver, corpus, monkeypatch):
    corpus("epo-eps-xml", "go-epo-eps", "grant__v1-5-1-B2.xml")
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    ops = FakeOps(httpserver, CORPUS)
    ops.add(real_documents(CORPUS))
    return ops, FakePublicationServer(httpserver, WEEKS)


def sources_table(servers, dead_url: str = "http://127.0.0.1:9/") -> dict:
    ops, eps = servers
    return {
        "ops": {"kind": "epo_ops", "base_url": ops.base_url, "countries": ["EP", "US"], "window_days": 400},
        "ep": {"kind": "ep_publication_server", "base_url": eps.base_url, "countries": ["EP"]},
        "mirror": {
            "kind": "ep_publication_server",
            "base_url": dead_url,
            "countries": ["EP"],
            "max_retries": 0,
        },
        "old": {"kind": "epo_ops", "enabled": False, "base_url": ops.base_url, "countries": ["VN"]},
    }


def make_app(tmp_path, table: dict) -> App:
    return App(config=parse_config({"sources": table}, tmp_path / "c.toml"), db_path=tmp_path / "f.db")


def test_fetch_all_runs_enabled_sources_and_survives_a_failing_one(servers, tmp_path):
    app = make_app(tmp_path, sources_table(servers))
    result = fetch_all(app, date(2011, 12, 1), date(2021, 10, 31), sleep=lambda s: None)
    assert set(result["sources"]) == {"ops", "ep", "mirror"}  # "old" is disabled
    assert result["sources"]["ops"]["status"] == "ok" and result["sources"]["ep"]["status"] == "ok"
    assert result["sources"]["mirror"]["status"] == "failed" and result["failed_sources"] == ["mirror"]
    assert result["status"] == "failed"
    assert result["inserted"] == result["sources"]["ops"]["inserted"] + result["sources"]["ep"]["inserted"]
    runs = {r["job"]: r for r in app.db.query("SELECT job, status, counts, error FROM runs")}
    assert runs["fetch:ops"]["status"] == "ok" and runs["fetch:mirror"]["status"] == "failed"
    assert "ConnectionError" in runs["fetch:mirror"]["error"]
    assert json.loads(runs["fetch:ep"]["counts"])["inserted"] == 4
    mirror = get_source_state(app.db, "mirror", "EP")
    assert mirror.error_count == 1 and mirror.last_failure and "ConnectionError" in mirror.last_error
    assert get_source_state(app.db, "old", "VN").last_success == ""


def test_status_shows_each_source_and_country(servers, tmp_path):
    app = make_app(tmp_path, sources_table(servers))
    fetch_all(app, date(2011, 12, 1), date(2012, 12, 31), sleep=lambda s: None)
    rows = {(s["source"], s["country"]): s for s in collect_status(app.db)["sources"]}
    assert rows[("ops", "EP")]["cursor"] == "2012-12-31" and rows[("ops", "US")]["last_success"]
    assert rows[("mirror", "EP")]["last_error"]


def test_unknown_or_disabled_source_is_a_config_error(servers, tmp_path):
    app = make_app(tmp_path, sources_table(servers))
    with pytest.raises(ConfigError, match="no source named 'nope'.*ops, ep, mirror, old"):
        fetch_source(app, "nope")
    with pytest.raises(ConfigError, match="disabled"):
        fetch_source(app, "old")


def test_backfill_never_moves_the_cursor_back(servers, tmp_path):
    app = make_app(tmp_path, sources_table(servers))
    fetch_source(app, "ops", date(2012, 1, 1), date(2014, 12, 31))
    backfill = fetch_source(app, "ops", date(2011, 1, 1), date(2011, 12, 31))
    assert backfill["inserted"] == 1  # EP-2400812-A1, published 2011-12-28
    assert get_source_state(app.db, "ops", "EP").cursor == "2014-12-31"


def write_config(tmp_path, table: dict) -> str:
    lines = []
    for name, src in table.items():
        lines.append(f"[sources.{name}]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in src.items()]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_cli_fetch_one_source_prints_a_summary(servers, tmp_path):
    config = write_config(tmp_path, sources_table(servers))
    args = ["--config", config, "fetch", "--source", "ep", "--since", "2021-09-01", "--until", "20211031"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "ep (ep_publication_server): 4 new, 0 merged, 0 unchanged, 0 quarantined — ok" in result.output
    assert "EP: 4 new, 0 merged, 0 quarantined, cursor 2021-10-06" in result.output


def test_cli_fetch_all_exits_1_when_a_source_failed(servers, tmp_path):
    config = write_config(tmp_path, sources_table(servers))
    result = CliRunner().invoke(
        cli, ["--config", config, "fetch", "--since", "2021-09-01", "--until", "2021-10-31"]
    )
    assert result.exit_code == 1
    assert "mirror (ep_publication_server): 0 new" in result.output and "failed" in result.output
    assert "ep (ep_publication_server): 4 new" in result.output


def test_cli_fetch_rejects_bad_dates_and_unknown_sources(servers, tmp_path):
    config = write_config(tmp_path, sources_table(servers))
    bad = CliRunner().invoke(cli, ["--config", config, "fetch", "--since", "2021-13-01"])
    assert bad.exit_code == 2 and "is not a date" in bad.output
    order = CliRunner().invoke(
        cli, ["--config", config, "fetch", "--since", "2021-10-01", "--until", "2021-09-01"]
    )
    assert order.exit_code == 2 and "--since is after --until" in order.output
    unknown = CliRunner().invoke(cli, ["--config", config, "fetch", "--source", "nope"])
    assert unknown.exit_code == 1 and "no source named 'nope'" in unknown.output
    assert "Traceback" not in unknown.output


def test_cli_fetch_without_sources_says_so(tmp_path):
    result = CliRunner().invoke(cli, ["fetch"])
    assert result.exit_code == 0 and "no enabled sources configured" in result.output


def test_cli_fetch_progress_bar_on_request(servers, tmp_path):
    config = write_config(tmp_path, sources_table(servers))
    args = ["--config", config, "fetch", "--source", "ep", "--since", "2021-09-01", "--until", "2021-10-31"]
    result = CliRunner().invoke(cli, [*args, "--progress"])
    assert result.exit_code == 0 and "4 docs" in result.output and "ep/EP" in result.output
