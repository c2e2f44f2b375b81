"""A database named by --db or $WARNING_DB must be in a folder that exists: a typo is an error, not a
new empty store in a new folder. The config's ``database`` and the default keep working."""

from __future__ import annotations

from click.testing import CliRunner

from warning.cli import cli


def test_db_in_a_missing_folder_is_a_clear_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "missing" / "dir" / "x.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "status"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --db ")
    assert f"the folder {missing.parent} does not exist" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "missing").exists()


def test_warning_db_in_a_missing_folder_is_the_same_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WARNING_DB", str(tmp_path / "nowhere" / "w.db"))
    result = CliRunner().invoke(cli, ["status"])
    assert result.exit_code == 1 and "Error: $WARNING_DB " in result.output
    assert not (tmp_path / "nowhere").exists()


def test_db_under_a_file_says_it_is_not_a_folder(tmp_path):
    (tmp_path / "blocker").write_text("a file")
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "blocker" / "w.db"), "status"])
    assert result.exit_code == 1 and "is not a folder" in result.output


def test_db_in_an_existing_folder_is_created(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "new.db"), "status"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new.db").is_file()


def test_default_and_config_paths_still_work(tmp_path, monkeypatch):
    monkeypatch.delenv("WARNING_DB")
    assert CliRunner().invoke(cli, ["status"]).exit_code == 0  # ./warning.db (the test's folder)
    assert (tmp_path / "warning.db").is_file()
    # The config's database is checked when the config is loaded; its folder is made on first use.
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "config.toml").write_text('database = "data/w.db"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "site" / "config.toml"), "status"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site" / "data" / "w.db").is_file()
