"""Defects found by running the service as an operator would (outside the other tests): each
test here failed before its fix."""

from __future__ import annotations

from click.testing import CliRunner
from web_support import build_world

from warning.cli import cli
from warning.store import users


def _run(tmp_path, *args):
    (tmp_path / "config.toml").write_text('database = "w.db"\n', encoding="utf-8")
    return CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), *args])


def test_audit_since_a_non_date_is_refused_not_an_empty_trail(tmp_path):
    bad = _run(tmp_path, "audit", "--since", "garbage")
    assert bad.exit_code == 2 and "'garbage' is not a date (use YYYY-MM-DD)" in bad.output
    assert _run(tmp_path, "audit", "--since", "2000-01-01").output == "no audit entries\n"


def test_audit_export_to_a_name_it_cannot_write_is_refused_before_writing(tmp_path):
    result = _run(tmp_path, "audit", "--export", str(tmp_path / "audit.xlsx"))
    assert result.exit_code != 0 and "use .csv" in result.output
    assert not (tmp_path / "audit.xlsx").exists()  # no CSV under an Excel name
    assert _run(tmp_path, "audit", "--export", str(tmp_path / "audit.csv")).exit_code == 0


def test_the_api_says_which_methods_an_address_takes_instead_of_http_405(tmp_path):
    world = build_world(tmp_path)
    app = world.app()
    token = users.create_token(app.db, int(users.find_user(app.db, "ana")["id"]), "tests")
    app.close()
    client = world.web().test_client()
    answer = client.get("/api/v1/cases/1", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 405
    assert answer.json["error"] == "This address does not take that method (allowed: PATCH)."
    assert "PATCH" in answer.headers["Allow"]


def test_the_api_401_names_the_token_command_as_it_is_typed(tmp_path):
    answer = build_world(tmp_path).web().test_client().get("/api/v1/matches")
    assert answer.status_code == 401
    # `warning tokens create USER` was refused: "Missing option '--name'"
    assert "warning tokens create LOGIN --name NAME" in answer.json["error"]


def test_writing_into_a_missing_folder_is_one_line_not_a_traceback(tmp_path):
    (tmp_path / "config.toml").write_text(
        'database = "w.db"\n[[subscribers]]\nname = "assoc"\nkind = "association"\nfile = "a.jsonl"\n',
        encoding="utf-8",
    )
    target = tmp_path / "missing" / "x"
    for args in (
        ["risks", "export", "--out", f"{target}.csv"],
        ["digest", "--subscriber", "assoc", "--out", f"{target}.html"],
    ):
        result = CliRunner().invoke(cli, ["--config", str(tmp_path / "config.toml"), *args])
        assert result.exit_code == 1, (args, result.exception)
        assert result.output == f"Error: {target}.{args[-1].rpartition('.')[2]}: no such file or directory\n"
