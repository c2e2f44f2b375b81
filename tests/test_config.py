from pathlib import Path

import pytest
from click.testing import CliRunner

from warning.cli import cli
from warning.config.loading import load_config
from warning.config.secrets import secret
from warning.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_file_gives_defaults(tmp_path):
    config = load_config(None)
    assert config.sources == {}
    assert config.subscribers == ()
    assert config.watchlists == "watchlists"


def test_smtp_and_one_subscriber_is_valid(tmp_path):
    path = write(
        tmp_path,
        '[smtp]\nhost = "mail.example.org"\nport = 465\nsecurity = "ssl"\nfrom = "alerts@example.org"\n'
        '[[subscribers]]\nname = "acme"\nemail = ["ops@acme.example"]\n',
    )
    config = load_config(path)
    assert config.smtp.port == 465
    assert config.smtp.sender == "alerts@example.org"
    assert config.subscriber("acme").channels["email"] == ("ops@acme.example",)


def test_unknown_key_names_file_path_and_supported_keys(tmp_path):
    path = write(tmp_path, '[smtp]\nhots = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message and "'hots'" in message and "[smtp]" in message
    assert "host" in message and "password_env" in message


def test_unknown_top_level_key(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'databse'"):
        load_config(write(tmp_path, 'databse = "x.db"\n'))


def test_wrong_type_names_key_path(tmp_path):
    with pytest.raises(ConfigError, match=r"smtp.port must be an integer, not a string"):
        load_config(write(tmp_path, '[smtp]\nport = "587"\n'))


def test_wrong_type_inside_array_of_tables(tmp_path):
    with pytest.raises(ConfigError, match=r"subscribers\[0\].*|subscribers.min_score"):
        load_config(write(tmp_path, '[[subscribers]]\nname = "a"\nmin_score = "high"\n'))


def test_missing_required_key(tmp_path):
    with pytest.raises(ConfigError, match="name is required"):
        load_config(write(tmp_path, '[[subscribers]]\nemail = ["a@b.c"]\n'))


def test_invalid_toml_is_one_readable_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[smtp\n"))


def test_relative_paths_are_relative_to_config_file(tmp_path):
    sub = tmp_path / "etc"
    sub.mkdir()
    path = sub / "config.toml"
    (sub / "wl").mkdir()
    path.write_text('database = "data/w.db"\nwatchlists = "wl"\n')
    config = load_config(path)
    assert config.resolve(config.database) == sub.resolve() / "data" / "w.db"
    assert config.watchlists_dir == sub.resolve() / "wl"


def test_missing_secret_variable(monkeypatch):
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="NOPE_TOKEN is not set"):
        secret("NOPE_TOKEN", "slack")
    monkeypatch.setenv("NOPE_TOKEN", "xoxb-1")
    assert secret("NOPE_TOKEN", "slack") == "xoxb-1"


def test_check_config_reports_missing_secret_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.delenv("SMTP_PASS_FOR_TEST", raising=False)
    path = write(tmp_path, '[smtp]\npassword_env = "SMTP_PASS_FOR_TEST"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "check-config"])
    assert result.exit_code == 1
    assert "SMTP_PASS_FOR_TEST is not set" in result.output


def test_broken_config_gives_one_line_and_exit_1(tmp_path):
    path = write(tmp_path, "[smtp]\nport = 'x'\n")
    result = CliRunner().invoke(cli, ["--config", str(path), "status"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "smtp.port must be an integer" in result.output


def test_config_lookup_order(tmp_path, monkeypatch):
    env_cfg = write(tmp_path, 'database = "from-env.db"\n')
    monkeypatch.setenv("WARNING_CONFIG", str(env_cfg))
    monkeypatch.delenv("WARNING_DB")
    from warning.app import make_app

    assert make_app().db_path.name == "from-env.db"
    monkeypatch.setenv("WARNING_DB", str(tmp_path / "env.db"))
    assert make_app().db_path.name == "env.db"
    assert make_app(db_path="cli.db").db_path.name == "cli.db"


def test_secret_values_are_redacted_from_logs(monkeypatch):
    import logging

    from warning.service.logging import RedactingFormatter

    monkeypatch.setenv("MY_TOKEN", "xoxb-very-secret")
    record = logging.LogRecord("x", logging.INFO, "", 0, "token is %s", ("xoxb-very-secret",), None)
    line = RedactingFormatter("%(message)s", ["xoxb-very-secret"]).format(record)
    assert line == "token is ***"


def test_every_env_key_is_a_secret_name(tmp_path):
    path = write(
        tmp_path,
        '[smtp]\npassword_env = "P"\n[webhook]\nsecret_env = "W"\ndingtalk_secret_env = "D"\n'
        '[sources.ops]\nkind = "epo_ops"\nkey_env = "K"\nsecret_env = "S"\n',
    )
    names = load_config(path).secret_names()
    assert {"P", "W", "D", "K", "S"} <= set(names)


def test_check_config_accepts_the_example_and_the_shipped_watchlists(tmp_path, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    text = (root / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('watchlists = "watchlists"', f'watchlists = "{(root / "watchlists").as_posix()}"', 1)
    path = write(tmp_path, text)
    config = load_config(path)
    for name in config.secret_names():
        monkeypatch.setenv(name, "set-for-test")
    result = CliRunner().invoke(cli, ["--config", str(path), "check-config"])
    assert result.exit_code == 0, result.output
    assert "config OK" in result.output


def test_check_config_names_an_unknown_followed_watchlist(tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    path = write(
        tmp_path,
        f'watchlists = "{(root / "watchlists").as_posix()}"\n'
        '[[subscribers]]\nname = "a"\nconsole = true\nwatchlists = ["motorcycels"]\n',
    )
    result = CliRunner().invoke(cli, ["--config", str(path), "check-config"])
    assert result.exit_code == 1
    assert "follows watchlist 'motorcycels'" in result.output


def test_source_paths_are_relative_to_the_config_file(tmp_path):
    sub = tmp_path / "etc"
    sub.mkdir()
    path = sub / "config.toml"
    path.write_text('[sources.uspto]\nkind = "uspto_bulk"\ndownload_dir = "dl/uspto"\n')
    source = load_config(path).sources["uspto"]
    assert source.resolve(source.options.download_dir) == sub.resolve() / "dl" / "uspto"
