"""Cluster files: bound strictly, checked against the config by `warning check-config`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.clusters_support import CLUSTER_TOML, write_setup
from warning.cli import cli
from warning.clusters.definitions import cluster_problems, load_cluster_file, load_clusters
from warning.clusters.queries import cluster_filters
from warning.config.loading import load_config
from warning.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_motorcycle_cluster_is_valid_and_searchable():
    config = load_config(None)
    config = type(config)(base_dir=ROOT)
    clusters = load_clusters(config)
    moto = next(c for c in clusters if c.name == "motorcycles")
    assert moto.countries[:3] == ("VN", "TH", "ID") and moto.years == 5
    assert moto.competitor_of("HONDA MOTOR CO LTD") == "Honda Motor Co., Ltd."
    assert moto.competitor_of("本田技研工業株式会社") == "Honda Motor Co., Ltd."
    assert moto.competitor_of("Suzuki Motor Corporation") == ""
    assert cluster_problems(config) == []
    filters = cluster_filters(config, moto)
    assert filters[0] == "(cpc=B62K or cpc=B62J or cpc=B62M or cpc=B60K or cpc=F02B)"
    assert any("ta=motorcycl*" in f for f in filters) and any('pa="honda motor"' in f for f in filters)
    assert all(f.count(" or ") < 8 for f in filters)  # OPS limits the terms of one query
    assert moto.window(date(2024, 2, 29)) == (date(2019, 2, 28), date(2024, 2, 29))


def write_cluster(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "clusters"
    folder.mkdir(exist_ok=True)
    path = folder / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ('name = "x"\ncountries = ["VN"]\nkeywords = ["a"]\nyaers = 5', "unknown key 'yaers'"),
        ('name = "x"\ncountries = ["vn"]\nkeywords = ["a"]', "countries[0] must be a two-letter"),
        ('name = "X Y"\nkeywords = ["a"]', "name must be lower-case letters"),
        ('name = "x"\nkeywords = ["a"]\nyears = 0', "years must be from 1 to 30"),
        ('name = "x"\nkeywords = ["a"]\nmax_quota_share = 1.5', "max_quota_share must be from 0.01 to 1.0"),
        ('name = "x"\nkeywords = ["a"]\nowner = "Some Org!"', "owner must be an organisation name"),
        ('name = "x"\ncountries = ["VN"]', "a cluster needs watchlists, keywords, cpc or competitors"),
        ('name = "x"\ncompetitors = [3]', "competitors[0] must be a name or a { name, aliases } table"),
        ('name = "x"\nkeywords = "abc"', "keywords must be a list"),
    ],
)
def test_a_wrong_cluster_file_says_what_and_where(tmp_path, text, message):
    path = write_cluster(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        load_cluster_file(path)
    assert str(path) in str(exc.value) and message in str(exc.value)


def test_check_config_reports_names_the_config_does_not_know(tmp_path):
    config = write_setup(tmp_path, "http://127.0.0.1:9/3.2/")
    text = CLUSTER_TOML.replace('subscribers = ["park", "rival"]', 'subscribers = ["park", "nobody"]')
    text = text.replace("years = 15", 'years = 15\nwatchlists = ["motorbikes"]\nsource = "register"')
    (tmp_path / "clusters" / "bluetooth.toml").write_text(text, encoding="utf-8")
    (tmp_path / "clusters" / "twin.toml").write_text(CLUSTER_TOML, encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "check-config"], env={"OPS_KEY": "k", "OPS_SECRET": "s"}
    )
    assert result.exit_code == 1
    errors = result.output
    assert "clusters: the name 'bluetooth' is used by more than one cluster" in errors
    assert "watchlists names 'motorbikes', which is not in" in errors
    assert (
        "subscribers names 'nobody', which is neither a configured subscriber nor a stored subscription"
        in errors
    )
    assert "source must name an epo_ops source (configured: ops), not 'register'" in errors


def test_check_config_passes_a_good_cluster(tmp_path):
    config = write_setup(tmp_path, "http://127.0.0.1:9/3.2/")
    result = CliRunner().invoke(
        cli, ["--config", str(config), "check-config"], env={"OPS_KEY": "k", "OPS_SECRET": "s"}
    )
    assert result.exit_code == 0, result.output
    assert "clusters: bluetooth" in result.output


def test_clusters_written_in_the_config_file_itself(tmp_path):
    (tmp_path / "watchlists").mkdir()
    path = tmp_path / "config.toml"
    path.write_text(
        '[[clusters]]\nname = "batteries"\ncountries = ["KR", "JP"]\ncpc = ["H01M"]\n'
        '[[clusters.competitors]]\nname = "LG Energy Solution"\naliases = ["LG ENERGY SOLUTION LTD"]\n',
        encoding="utf-8",
    )
    config = load_config(path)
    [batteries] = load_clusters(config)
    assert batteries.countries == ("KR", "JP") and batteries.competitor_of("LG ENERGY SOLUTION LTD")
    assert cluster_problems(config) == []
    result = CliRunner().invoke(cli, ["--config", str(path), "check-config"])
    assert result.exit_code == 0 and "clusters: batteries" in result.output
    path.write_text(
        '[[clusters]]\nname = "batteries"\ncountries = ["kr"]\ncpc = ["H01M"]\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["--config", str(path), "check-config"])
    assert result.exit_code == 1 and "clusters[0].countries[0] must be a two-letter" in result.output


def test_a_cluster_may_name_a_stored_subscription(tmp_path):
    from warning.store import open_db, orgs
    from warning.store.subscriptions import save_subscription

    config = write_setup(tmp_path, "http://127.0.0.1:9/3.2/")
    text = CLUSTER_TOML.replace('subscribers = ["park", "rival"]', 'subscribers = ["park", "escort-desk"]')
    (tmp_path / "clusters" / "bluetooth.toml").write_text(text, encoding="utf-8")
    env = {"OPS_KEY": "k", "OPS_SECRET": "s"}
    db_path = tmp_path / "store.db"
    args = ["--config", str(config), "--db", str(db_path), "check-config"]
    before = CliRunner().invoke(cli, args, env=env)
    assert before.exit_code == 1 and "'escort-desk', which is neither" in before.output
    assert not db_path.exists()  # check-config makes no store
    db = open_db(db_path)
    orgs.ensure_org(db, "district-escort", "District escort desk", "programme")
    save_subscription(db, "escort-desk", org_id="district-escort", channels={"console": True})
    db.conn.close()
    after = CliRunner().invoke(cli, args, env=env)
    assert after.exit_code == 0, after.output
