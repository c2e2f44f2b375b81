"""Secrets in every form they travel in stay out of the database, the log, ``status`` and printed lines.

Real local servers: an OPS token endpoint that refuses the login and echoes the HTTP Basic
header (base64 of ``key:secret``) and the URL-quoted secret back, as misconfigured gateways do;
DingTalk/WeCom/Feishu robots on pytest-httpserver, whose webhook URLs carry their tokens.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner
from werkzeug import Request, Response

from warning.app import make_app
from warning.cli import cli
from warning.config.loading import load_config
from warning.config.redact import MASK, redact, redact_data, secret_forms
from warning.config.secrets import secret_values
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import enqueue, subscriber_addresses

KEY, SECRET = "k3y-ops-consumer", "s3cr+t/Val=ue&9"
BASIC = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
TOKEN = "6a1f0c9e2b7d44f1a5c3e8b90d2f7a61"  # a DingTalk robot's access token
WATCHLISTS = Path(__file__).resolve().parents[1] / "watchlists"


def forms_of_the_ops_secret() -> list[str]:
    return [
        SECRET,
        BASIC,
        quote(SECRET, safe=""),
        quote_plus(SECRET),
        base64.b64encode(SECRET.encode()).decode(),
    ]


def echo_basic_header(request: Request) -> Response:
    """An OPS gateway refusing the login and quoting what it got, credentials and all."""
    body = {
        "error": "invalid_client",
        "error_description": f"rejected {request.headers.get('Authorization')} "
        f"client_secret={quote_plus(SECRET)} {quote(SECRET, safe='')}",
    }
    return Response(json.dumps(body), status=401, content_type="application/json")


@pytest.fixture
def refusing_ops(httpserver, tmp_path, monkeypatch):
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    httpserver.expect_request("/3.2/auth/accesstoken", method="POST").respond_with_handler(echo_basic_header)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[logging]\nfile = "logs/warning.log"\n[sources.ops]\nkind = "epo_ops"\n'
        f'base_url = "{httpserver.url_for("/3.2/")}"\ncountries = ["EP", "VN"]\nmax_retries = 0\n',
        encoding="utf-8",
    )
    return config


def database_bytes(folder: Path) -> bytes:
    """The database file and its WAL, as they lie on disk."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("ops.db*")))


def test_an_ops_401_echoing_the_basic_header_leaves_no_form_of_the_secret(refusing_ops, tmp_path):
    runner = CliRunner()
    base = ["--config", str(refusing_ops), "--db", str(tmp_path / "ops.db")]
    fetched = runner.invoke(cli, [*base, "fetch"])
    assert fetched.exit_code == 1 and "authentication refused: HTTP 401" in fetched.output
    as_json = runner.invoke(cli, [*base, "status", "--json"])
    as_text = runner.invoke(cli, [*base, "status"])
    info = json.loads(as_json.output)
    assert "HTTP 401" in info["sources"][0]["last_error"] and MASK in info["sources"][0]["last_error"]
    stored, log = database_bytes(tmp_path), (tmp_path / "logs" / "warning.log").read_text()
    assert b"invalid_client" in stored and "invalid_client" in log  # the reason is kept ...
    for form in forms_of_the_ops_secret():  # ... without the credential in any form
        for where, text in (("fetch", fetched.output), ("log", log), ("status", as_text.output)):
            assert form not in text, (where, form)
        assert form not in as_json.output and form.encode() not in stored, form


def test_every_form_a_secret_travels_in_is_masked():
    forms = secret_forms([KEY, SECRET])
    for form in forms_of_the_ops_secret():
        assert redact(f"x {form} y", forms) == f"x {MASK} y"
    assert json.dumps(SECRET)[1:-1] in forms  # as a JSON document spells it
    assert base64.b64encode(f"\0{KEY}\0{SECRET}".encode()).decode() in forms  # SMTP AUTH PLAIN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POST https://oapi.dingtalk.com/robot/send?access_token=abc123&timestamp=1&sign=x%2By failed",
         "POST https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=1&sign=*** failed"),
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/0d8e1c2a-4f2a-9b1c", "https://open.feishu.cn/open-apis/bot/v2/hook/***"),
        ("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "https://hooks.slack.com/services/***"),
        ("url: /x?secret=s&token=t&api_key=k", "url: /x?secret=***&token=***&api_key=***"),
        ("Authorization: Bearer eyJhbGciOi.J9x", "Authorization: Bearer ***"),
        ("Basic information on Bearer tokens", "Basic information on Bearer tokens"),
        ("a key=value in prose", "a key=value in prose"),
    ],
)  # fmt: skip
def test_credentials_the_config_does_not_name_are_masked_by_their_shape(text, expected):
    assert redact(text) == expected


def test_structures_are_redacted_key_and_value():
    data = {"errors": [f"refused {BASIC}"], f"?token={TOKEN}": 3}
    assert redact_data(data, secret_forms([KEY, SECRET])) == {
        "errors": [f"refused {MASK}"],
        f"?token={MASK}": 3,
    }


def channel_lines(output: str) -> list[str]:
    """test-channel's own lines (the local robot server's request log shares the stream)."""
    return [line for line in output.splitlines() if line.startswith(("dingtalk ", "wecom ", "feishu "))]


def robot_config(tmp_path: Path, lines: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'watchlists = "{WATCHLISTS}"\n[[subscribers]]\nname = "acme"\nlanguage = "en"\n{lines}\n',
        encoding="utf-8",
    )
    return path


def test_robot_urls_come_from_the_environment_and_test_channel_prints_no_token(
    tmp_path, httpserver, monkeypatch
):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    monkeypatch.setenv("ACME_DINGTALK_URL", httpserver.url_for(f"/robot/send?access_token={TOKEN}"))
    config = robot_config(tmp_path, 'dingtalk_env = ["ACME_DINGTALK_URL"]')
    assert subscriber_addresses(load_config(config).subscriber("acme")) == [
        ("dingtalk", "env:ACME_DINGTALK_URL")
    ]
    result = CliRunner().invoke(cli, ["--config", str(config), "test-channel", "acme"])
    assert result.exit_code == 0, result.output
    assert channel_lines(result.output) == ["dingtalk env:ACME_DINGTALK_URL: ok"]
    [(request, _)] = httpserver.log
    assert request.args["access_token"] == TOKEN  # the robot got its token; nobody else saw it
    checked = CliRunner().invoke(cli, ["--config", str(config), "check-config"])
    assert checked.exit_code == 0 and "warning:" not in checked.output, checked.output


def test_the_old_list_form_still_works_but_check_config_warns(tmp_path, httpserver, monkeypatch):
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    feishu_token = "0d8e1c2a-4f2a-9b1c-77aa-5e2b1f0c9d3e"
    httpserver.expect_request(f"/open-apis/bot/v2/hook/{feishu_token}").respond_with_json({"code": 0})
    urls = {
        "dingtalk": httpserver.url_for(f"/robot/send?access_token={TOKEN}"),
        "wecom": httpserver.url_for(f"/cgi-bin/webhook/send?key={TOKEN[::-1]}"),
        "feishu": httpserver.url_for(f"/open-apis/bot/v2/hook/{feishu_token}"),
    }
    config = robot_config(tmp_path, "\n".join(f"{c} = [{json.dumps(u)}]" for c, u in urls.items()))
    result = CliRunner().invoke(cli, ["--config", str(config), "test-channel", "acme"])
    assert result.exit_code == 0, result.output
    lines = channel_lines(result.output)
    assert len(lines) == 3 and all(line.endswith(": ok") and MASK in line for line in lines)
    for token in (TOKEN, TOKEN[::-1], feishu_token):
        assert token not in result.output
    checked = CliRunner().invoke(cli, ["--config", str(config), "check-config"])
    assert checked.exit_code == 0, checked.output
    assert (
        checked.output.count("warning: subscriber acme:") == 3 and 'dingtalk_env = ["..."]' in checked.output
    )
    assert TOKEN not in checked.output


def test_a_failing_robot_prints_and_stores_no_token(tmp_path, monkeypatch):
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens: the library's error quotes the whole URL
    monkeypatch.setenv("ACME_DINGTALK_URL", f"http://127.0.0.1:{port}/robot/send?access_token={TOKEN}")
    config = robot_config(tmp_path, 'dingtalk_env = ["ACME_DINGTALK_URL"]\n[webhook]\ntimeout = 2.0')
    result = CliRunner().invoke(cli, ["--config", str(config), "test-channel", "acme"])
    assert (
        result.exit_code == 1
        and "FAILED no answer: ConnectionError" in result.output
        and TOKEN not in result.output
    )
    app = make_app(str(config), str(tmp_path / "alerts.db"))
    enqueue(app.db, [{"key": "test:acme", "kind": "test", "subscriber": "acme", "channel": "dingtalk",
                      "address": "env:ACME_DINGTALK_URL", "payload": {"title": "t", "body": "b"}}])  # fmt: skip
    assert dispatch(app)["failed"] == 1
    error = app.db.execute("SELECT error FROM delivery_attempts").fetchone()[0]
    assert "ConnectionError" in error and TOKEN not in error
    app.close()
    assert not any(TOKEN.encode() in p.read_bytes() for p in tmp_path.glob("alerts.db*"))


def test_secret_values_cover_robot_url_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("ACME_DINGTALK_URL", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}")
    config = load_config(robot_config(tmp_path, 'dingtalk_env = ["ACME_DINGTALK_URL"]'))
    assert "ACME_DINGTALK_URL" in config.secret_names()
    assert TOKEN in secret_values(config)  # the token alone, as a robot's error may quote it
    assert redact(f"errmsg: token {TOKEN} invalid", secret_values(config)) == f"errmsg: token {MASK} invalid"


def test_a_generic_webhook_url_comes_from_the_environment_too(tmp_path, httpserver, monkeypatch):
    """``webhook_env`` names the variable holding a receiver's URL, whose path or query may carry
    a token: it is sent to, never printed, stored or logged (issue 12: declared by the channel)."""
    received = []
    httpserver.expect_request(f"/hooks/{TOKEN}").respond_with_handler(
        lambda request: received.append(json.loads(request.get_data())) or Response("ok")
    )
    monkeypatch.setenv("ACME_HOOK_URL", httpserver.url_for(f"/hooks/{TOKEN}?token={TOKEN}"))
    config = robot_config(tmp_path, 'webhook_env = ["ACME_HOOK_URL"]')
    assert subscriber_addresses(load_config(config).subscriber("acme")) == [("webhook", "env:ACME_HOOK_URL")]
    result = CliRunner().invoke(cli, ["--config", str(config), "test-channel", "acme"])
    assert result.exit_code == 0, result.output
    assert "webhook env:ACME_HOOK_URL: ok" in result.output and TOKEN not in result.output
    assert len(received) == 1 and received[0]["kind"] == "test"
    app = make_app(str(config), str(tmp_path / "alerts.db"))
    enqueue(app.db, [{"key": "test:acme:hook", "kind": "test", "subscriber": "acme", "channel": "webhook",
                      "address": "env:ACME_HOOK_URL", "payload": {"title": "t", "body": "b"}}])  # fmt: skip
    assert dispatch(app)["sent"] == 1 and len(received) == 2
    app.close()
    assert not any(TOKEN.encode() in p.read_bytes() for p in tmp_path.glob("alerts.db*"))
    monkeypatch.setenv("ACME_HOOK_URL", "hooks.example/no-scheme")
    checked = CliRunner().invoke(cli, ["--config", str(config), "check-config"])
    assert checked.exit_code == 1 and "webhook_env variable ACME_HOOK_URL does not hold" in checked.output
