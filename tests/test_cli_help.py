"""Every command, and every subcommand of a group, has help text with an example."""

import click
import pytest
from click.testing import CliRunner

from warning.cli import cli

CONTRACT = [
    "demo",
    "check-config",
    "fetch",
    "ingest",
    "classify",
    "train",
    "evaluate",
    "label",
    "alerts",
    "test-channel",
    "digest",
    "risks",
    "run",
    "status",
]


def all_commands(group: click.Group, prefix=()):
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


COMMANDS = list(all_commands(cli))


@pytest.mark.parametrize("path, command", COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_has_example(path, command):
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="warning")
    assert result.exit_code == 0, result.output
    assert "Usage: warning " + " ".join(path) in result.output
    assert "Example" in result.output, f"warning {' '.join(path)} --help shows no example"


def test_top_level_help_lists_commands():
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.output


def test_contract_commands_exist():
    missing = [name for name in CONTRACT if name not in cli.commands]
    assert not missing, f"commands of the CLI contract not registered: {missing}"
