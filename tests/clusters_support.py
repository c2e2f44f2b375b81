"""A store, config and cluster for the cluster tests, against the local OPS of tests/ops_server.py.

The cluster follows the real corpus's 9Solutions Bluetooth family (EP-2400812, EP-2533477,
CA-2744162, US-20120057518): its competitor is 9SOLUTIONS OY, its keyword "bluetooth", its target
markets EP, US and CA, fifteen years back from `TODAY`.
"""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps, real_documents
from warning.app import App
from warning.config.loading import parse_config

TODAY = date(2026, 12, 1)
CLUSTER_TOML = """
name = "bluetooth"
title = { zh = "蓝牙组网集群", en = "Bluetooth networking cluster" }
owner = "district-escort"
countries = ["EP", "US", "CA"]
keywords = ["bluetooth"]
years = 15
subscribers = ["park", "rival"]  # rival is named by mistake: never told
max_quota_share = 0.5

[[competitors]]
name = "9Solutions Oy"
aliases = ["9SOLUTIONS OY"]
"""


def serve_corpus(httpserver, monkeypatch) -> FakeOps:
    """The local OPS serving the corpus's real documents, with the credentials it expects."""
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    fake = FakeOps(httpserver, CORPUS)
    fake.add(real_documents(CORPUS))
    return fake


def write_setup(tmp_path: Path, base_url: str, cluster_toml: str = CLUSTER_TOML, **ops_options) -> Path:
    """Config, watchlists and clusters folders under ``tmp_path``; returns the config file."""
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    (tmp_path / "clusters").mkdir(exist_ok=True)
    (tmp_path / "clusters" / "bluetooth.toml").write_text(cluster_toml, encoding="utf-8")
    (tmp_path / "outbox").mkdir(exist_ok=True)
    options = {"window_days": 400, **ops_options}
    lines = [
        'watchlists = "watchlists"',
        'clusters = "clusters"',
        "[sources.ops]",
        'kind = "epo_ops"',
        f'base_url = "{base_url}"',
        'countries = ["EP"]',
        *(f"{k} = {json.dumps(v)}" for k, v in options.items()),
        "[[subscribers]]",
        'name = "park"',
        'language = "en"',
        'org = "district-escort"',  # the cluster's owner
        f'file = "{tmp_path / "outbox" / "park.jsonl"}"',
        "[[subscribers]]",
        'name = "rival"',
        'language = "en"',
        'org = "rival-motors"',  # another organisation: may not see the cluster
        f'file = "{tmp_path / "outbox" / "rival.jsonl"}"',
    ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_app(tmp_path: Path, base_url: str, **ops_options) -> App:
    path = write_setup(tmp_path, base_url, **ops_options)
    config = parse_config(tomllib.loads(path.read_text(encoding="utf-8")), path)
    return App(config=config, db_path=tmp_path / "clusters.db")


def stored_ids(app: App) -> list[str]:
    return sorted(r[0] for r in app.db.execute("SELECT id FROM publications").fetchall())
