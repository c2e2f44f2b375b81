"""Configuration that used to pass and then fail (issue 11, item 10).

Every value is checked once, when the file is loaded, against the rules its dataclass (or source
plugin) declares; so `check-config` and every other command stop with the same readable lines,
naming the key, the rule and the allowed values, instead of a traceback or a silent wrong run.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from warning.cli import cli
from warning.config import schema as config_module
from warning.config.rules import Rule, violations
from warning.models import Publication
from warning.sources.registry import registered_kinds
from warning.store import open_db
from warning.store.publications import save_publications

REPO = Path(__file__).resolve().parents[1]
OPS = '[sources.ops]\nkind = "epo_ops"\ncountries = ["EP"]\n'
USPTO = '[sources.uspto]\nkind = "uspto_bulk"\n'
EP = '[sources.ep]\nkind = "ep_publication_server"\n'

# (config text, what the error must say): each was accepted, or ended in a traceback, before.
BAD = {
    "log level": (
        '[logging]\nlevel = "LOUD"\n',
        "logging.level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL (in any case), not 'LOUD'",
    ),
    "log file under a file": (
        '[logging]\nfile = "blocker/sub/warning.log"\n',
        "logging.file must be a file the service can write, in a folder that exists or can be created",
    ),
    "log file is a folder": ('[logging]\nfile = "."\n', "logging.file must be a file the service can write"),
    "classify batch_size 0": (
        "[classify]\nbatch_size = 0\n",
        "classify.batch_size must be from 1 to 100000, not 0",
    ),
    "top_terms -1": ("[classify]\ntop_terms = -1\n", "classify.top_terms must be from 0 to 100, not -1"),
    "max_text_chars 0": (
        "[classify]\nmax_text_chars = 0\n",
        "classify.max_text_chars must be from 100 to 1000000",
    ),
    "parser_processes 17": (
        "[ingest]\nparser_processes = 17\n",
        "ingest.parser_processes must be from 0 to 16, not 17",
    ),
    "smtp port too high": ("[smtp]\nport = 70000\n", "smtp.port must be from 1 to 65535, not 70000"),
    "smtp port 0": ("[smtp]\nport = 0\n", "smtp.port must be from 1 to 65535, not 0"),
    "smtp timeout negative": ("[smtp]\ntimeout = -1\n", "smtp.timeout must be greater than 0, not -1.0"),
    "smtp security": (
        '[smtp]\nsecurity = "tls"\n',
        "smtp.security must be one of starttls, ssl, none, not 'tls'",
    ),
    "smtp ca_file missing": ('[smtp]\nca_file = "no-ca.pem"\n', "smtp.ca_file must be an existing file"),
    "webhook timeout negative": (
        "[webhook]\ntimeout = -5\n",
        "webhook.timeout must be greater than 0, not -5.0",
    ),
    "source timeout negative": (
        OPS + "timeout = -1\n",
        "sources.ops.timeout must be greater than 0, not -1.0",
    ),
    "ops page_size above 100": (
        OPS + "page_size = 101\n",
        "sources.ops.page_size must be from 1 to 100, not 101",
    ),
    "ops batch_size above 100": (
        OPS + "batch_size = 150\n",
        "sources.ops.batch_size must be from 1 to 100, not 150",
    ),
    "ops quota share": (OPS + "max_quota_share = 0\n", "sources.ops.max_quota_share must be greater than 0"),
    "unknown datasets": (
        USPTO + 'datasets = ["grants", "patents"]\n',
        "sources.uspto.datasets[1] must be one of grants, applications, PTGRXML, APPXML, not 'patents'",
    ),
    "unknown EP kind": (EP + 'kinds = ["A1", "A7"]\n', "sources.ep.kinds[1] must be one of A1, A2, A3"),
    "source base_url": (
        OPS + 'base_url = "ops.epo.org/3.2/"\n',
        "sources.ops.base_url must be an http:// or https:// URL",
    ),
    "lower-case country": (OPS.replace('"EP"', '"ep"'), "sources.ops.countries[0] must be a two-letter"),
    "database under a file": ('database = "blocker/w.db"\n', "database must be a file the service can write"),
    "watchlists folder missing": (
        'watchlists = "no-such-folder"\n',
        "watchlists must be an existing folder (a relative path starts at the config file's folder), not 'no-such-folder'",
    ),
    "unknown severity": (
        '[[risks.auto_open]]\nseverity = "critical"\n',
        "risks.auto_open[0].severity must be one of low, medium, high, not 'critical'",
    ),
    "unknown legal_source": (
        OPS + '[risks]\nlegal_source = "opx"\n',
        "risks.legal_source must name an epo_ops source (configured: ops), not 'opx'",
    ),
    "unknown default_owner": (
        '[[subscribers]]\nname = "acme"\n[risks]\ndefault_owner = "nobody"\n',
        "risks.default_owner must be the name of a subscriber (known: acme), not 'nobody'",
    ),
    "unknown auto_open owner": (
        '[[subscribers]]\nname = "acme"\n[[risks.auto_open]]\nowner = "acmee"\n',
        "risks.auto_open[0].owner must be the name of a subscriber (known: acme), not 'acmee'",
    ),
    "email without smtp": (
        '[[subscribers]]\nname = "acme"\nemail = ["ip@acme.example"]\n',
        "subscribers[0] (acme) has e-mail addresses, so the config needs an [smtp] table",
    ),
    "slack without slack": (
        '[[subscribers]]\nname = "acme"\nslack = ["#ip"]\n',
        "subscribers[0] (acme) has Slack channels, so [slack] must name token_env (a bot token) or webhook_url_env",
    ),
    "subscriber mode": (
        '[[subscribers]]\nname = "acme"\nmode = "hourly"\n',
        "subscribers[0].mode must be one of immediate, daily, weekly",
    ),
    "subscriber min_score": (
        '[[subscribers]]\nname = "acme"\nmin_score = 1.5\n',
        "subscribers[0].min_score must be from 0.0 to 1.0",
    ),
    "duplicate subscriber": (
        '[[subscribers]]\nname = "acme"\n[[subscribers]]\nname = "acme"\n',
        "the name 'acme' is used by more than one subscriber",
    ),
    "alerts max_attempts 0": (
        "[alerts]\nmax_attempts = 0\n",
        "alerts.max_attempts must be at least 1, not 0",
    ),
    "alerts lookback negative": (
        "[alerts]\nlookback_days = -1\n",
        "alerts.lookback_days must be at least 0, not -1",
    ),
    "backoff cap below backoff": (
        "[alerts]\nbackoff_seconds = 600\nbackoff_cap_seconds = 60\n",
        "alerts.backoff_cap_seconds must be at least backoff_seconds (600.0), not 60.0",
    ),
    "reminder days negative": (
        "[risks]\nreminder_days = [30, -7]\n",
        "risks.reminder_days[1] must be at least 0, not -7",
    ),
    "time zone": (
        '[schedule]\ntimezone = "Mars/Olympus"\n',
        "schedule.timezone must be an IANA time zone name",
    ),
    "misfire grace 0": (
        "[schedule]\nmisfire_grace_seconds = 0\n",
        "schedule.misfire_grace_seconds must be at least 1, not 0",
    ),
    "cron": ('[schedule.jobs]\nalerts = "every 5 minutes"\n', "schedule.jobs.alerts = 'every 5 minutes'"),
    "unknown job": ('[schedule.jobs]\n"fetch:nope" = "0 3 * * *"\n', "fetch:nope"),
}


def write_config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "blocker").write_text("a file where a folder was expected\n", encoding="utf-8")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(config: Path, *args: str):
    return CliRunner().invoke(cli, ["--config", str(config), "--db", str(config.parent / "w.db"), *args])


def assert_readable_failure(result, expected: str) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # no traceback
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_a_wrong_value_stops_check_config_and_every_command_readably(tmp_path, case):
    text, expected = BAD[case]
    config = write_config(tmp_path, text)
    for command in (["check-config"], ["status"], ["classify"], ["alerts", "--dry-run"], ["risks", "list"]):
        assert_readable_failure(invoke(config, *command), expected)


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    config = write_config(
        tmp_path,
        '[logging]\nlevel = "LOUD"\n[classify]\nbatch_size = 0\ntop_terms = -1\n[smtp]\nport = 70000\n'
        + OPS
        + "page_size = 500\n",
    )
    result = invoke(config, "check-config")
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "must be" in line]
    assert len(lines) == 5, result.output
    assert all(str(config) in line for line in lines)


def test_the_two_tracebacks_of_the_issue_are_one_line_from_the_console_script(tmp_path):
    """As an operator runs it: the real process prints the rule, not a traceback."""
    for text, expected in (BAD["log level"], BAD["log file under a file"]):
        config = write_config(tmp_path, text)
        done = subprocess.run(
            [sys.executable, "-c", "from warning.cli import main; main()", "--config", str(config), "status"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 1 and expected in done.stderr and "Traceback" not in done.stderr, (
            done.stderr
        )


def test_a_log_file_in_a_folder_that_can_be_created_still_works(tmp_path):
    config = write_config(tmp_path, '[logging]\nfile = "logs/today/warning.log"\n')
    assert invoke(config, "status").exit_code == 0
    assert (tmp_path / "logs" / "today" / "warning.log").is_file()


def test_good_values_at_the_edges_pass(tmp_path):
    (tmp_path / "wl").mkdir()
    config = write_config(
        tmp_path,
        'watchlists = "wl"\n[logging]\nlevel = "debug"\n[classify]\nbatch_size = 1\ntop_terms = 0\n'
        '[smtp]\nport = 65535\n[[subscribers]]\nname = "acme"\nemail = ["ip@acme.example"]\n'
        + OPS
        + 'page_size = 100\nbatch_size = 1\n[risks]\nlegal_source = "ops"\ndefault_owner = "acme"\n',
    )
    result = invoke(config, "check-config")
    assert result.exit_code == 0 or "environment variable" in result.output, result.output
    assert "must be" not in result.output


# ---------------------------------------------------------------- names given on the command line


@pytest.fixture
def risks_site(tmp_path):
    (tmp_path / "watchlists").mkdir()
    for name in ("motorcycles", "rail-transit"):
        (tmp_path / "watchlists" / f"{name}.toml").write_text(
            f'name = "{name}"\ndescription = "x"\ncpc = ["B62K"]\n', encoding="utf-8"
        )
    config = write_config(tmp_path, 'watchlists = "watchlists"\n[[subscribers]]\nname = "acme-motor"\n')
    db = open_db(tmp_path / "w.db")
    save_publications(db, [Publication("EP-3383757-B1", "EP", "3383757", "B1", titles={"en": "frame"})])
    db.conn.close()
    return config


def test_risks_open_refuses_an_unknown_watchlist_or_owner(risks_site):
    typo = invoke(
        risks_site, "risks", "open", "EP3383757B1", "--enterprise", "Acme", "--watchlist", "motorcycle"
    )
    assert_readable_failure(typo, "watchlist must be one of the watchlists in")
    assert "(motorcycles, rail-transit), not 'motorcycle'" in typo.output
    nobody = invoke(risks_site, "risks", "open", "EP3383757B1", "--enterprise", "Acme", "--owner", "nobody")
    assert_readable_failure(nobody, "owner must be the name of a subscriber (acme-motor), not 'nobody'")
    assert "no risk cases" in invoke(risks_site, "risks", "list").output  # nothing was opened
    good = invoke(
        risks_site, "risks", "open", "EP3383757B1", "--enterprise", "Acme", "--watchlist", "motorcycles",
        "--owner", "acme-motor",
    )  # fmt: skip
    assert good.exit_code == 0, good.output


def test_risks_update_refuses_an_unknown_owner_and_closing_without_outcome(risks_site):
    assert invoke(risks_site, "risks", "open", "EP3383757B1", "--enterprise", "Acme").exit_code == 0
    assert_readable_failure(
        invoke(risks_site, "risks", "update", "1", "--owner", "nobody"),
        "owner must be the name of a subscriber",
    )
    closing = invoke(risks_site, "risks", "update", "1", "--status", "closed")
    assert_readable_failure(closing, "closing case 1 needs its outcome: warning risks close 1 --outcome TEXT")
    assert " new " in invoke(risks_site, "risks", "list").output  # still open
    done = invoke(risks_site, "risks", "update", "1", "--status", "closed", "--outcome", "licence signed")
    assert done.exit_code == 0 and "status new -> closed" in done.output


# ---------------------------------------------------------------- the declarations themselves


def declaring_classes() -> list[type]:
    """Every config dataclass and every source plugin's Options."""
    found = [
        v for v in vars(config_module).values()
        if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == config_module.__name__
    ]  # fmt: skip
    return found + [plugin.Options for plugin in registered_kinds().values()]


@pytest.mark.parametrize("cls", declaring_classes(), ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_every_declared_rule_names_a_field_and_the_defaults_keep_it(cls):
    checks = getattr(cls, "CHECKS", {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    assert set(checks) <= set(fields), f"{cls.__name__}.CHECKS names unknown fields"
    hints = typing.get_type_hints(cls)
    for name, rules in checks.items():
        assert all(isinstance(r, Rule) for r in (rules if isinstance(rules, tuple) else (rules,)))
        field = fields[name]
        if field.default is not dataclasses.MISSING:
            assert violations(rules, field.default, name, REPO) == [], f"{cls.__name__}.{name} default"
        assert name in hints


def test_check_config_names_unknown_watchlists_of_subscribers_and_auto_open_rules(tmp_path):
    shutil.copytree(REPO / "watchlists", tmp_path / "watchlists")
    config = write_config(
        tmp_path,
        'watchlists = "watchlists"\n[[subscribers]]\nname = "acme"\nwatchlists = ["motorcycle"]\n'
        '[[risks.auto_open]]\nwatchlists = ["motorcycles", "railway"]\n',
    )
    result = invoke(config, "check-config")
    assert result.exit_code == 1
    assert "subscriber 'acme' follows watchlist 'motorcycle', which is not in" in result.output
    assert "risks.auto_open[0] names watchlist 'railway', which is not in" in result.output


def test_parser_processes_by_default_two_to_four_by_the_cores(monkeypatch):
    monkeypatch.setattr(config_module.os, "sched_getaffinity", lambda pid: set(range(2)), raising=False)
    assert config_module.IngestConfig().parsers == 2  # 2 cores: two parsers beside the storer
    monkeypatch.setattr(config_module.os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert config_module.IngestConfig().parsers == 4  # capped: the storer cannot take more
    monkeypatch.setattr(config_module.os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert config_module.IngestConfig().parsers == 2
    assert config_module.IngestConfig(parser_processes=3).parsers == 3
