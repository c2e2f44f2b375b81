"""Generic webhook (HMAC, idempotency key) and the DingTalk, WeCom and Feishu robots, on the wire."""

from __future__ import annotations

import hashlib
import hmac
import json

from alerts_support import NOW, add_match, add_watchlist, alert_rows, make_test_app
from werkzeug import Response

from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts

SECRET = "webhook-signing-secret"


def robot_app(tmp_path, monkeypatch, lang="zh", **addresses):
    monkeypatch.setenv("T_WEBHOOK_SECRET", SECRET)
    lines = "\n".join(f"{channel} = {json.dumps(urls)}" for channel, urls in addresses.items())
    app = make_test_app(
        tmp_path,
        f"""
[webhook]
secret_env = "T_WEBHOOK_SECRET"
timeout = 5.0

[[subscribers]]
name = "acme"
language = "{lang}"
watchlists = ["motorcycles"]
{lines}
""",
    )
    add_watchlist(app)
    add_match(
        app,
        "EP-4123456-A1",
        titles={"de": "Motorrad mit Turbolader", "en": "Motorcycle with turbocharger"},
        lang="de",
    )
    queue_alerts(app, now=NOW)
    return app


def test_webhook_is_signed_and_carries_an_idempotency_key(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, lang="en", webhook=[httpserver.url_for("/hook")])
    httpserver.expect_request("/hook", method="POST").respond_with_data("accepted", status=202)
    assert dispatch(app, now=NOW)["sent"] == 1
    [(request, _)] = httpserver.log
    raw = request.get_data()
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Warning-Signature"], expected)
    body = json.loads(raw)
    assert request.headers["Idempotency-Key"] == body["id"]
    [item] = body["items"]
    assert item["publication_id"] == "EP-4123456-A1" and item["score"] == 0.9
    assert item["links"][0]["url"].endswith("EP4123456A1")
    assert body["subject"].startswith("[Patent early warning] Motorcycles")


def test_webhook_client_error_is_dead_at_once_server_error_retried(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, webhook=[httpserver.url_for("/gone"), httpserver.url_for("/busy")])
    httpserver.expect_request("/gone").respond_with_data("no such hook", status=404)
    httpserver.expect_request("/busy").respond_with_data("overloaded", status=503)
    result = dispatch(app, now=NOW)
    assert result["dead"] == 1 and result["failed"] == 1
    rows = {r["address"].rsplit("/", 1)[1]: r for r in alert_rows(app)}
    assert rows["gone"]["status"] == "dead" and rows["busy"]["status"] == "pending"
    assert rows["busy"]["next_attempt_at"] == "2026-11-24T17:31:00+00:00"  # backoff_seconds = 60


def test_dingtalk_markdown_robot(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, dingtalk=[httpserver.url_for("/robot/send?access_token=abc")])
    httpserver.expect_request("/robot/send", query_string="access_token=abc").respond_with_json(
        {"errcode": 0, "errmsg": "ok"}
    )
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("[专利预警] 摩托车")
    text = body["markdown"]["text"]
    assert text.startswith("#### [专利预警] 摩托车")  # robots guarded by the keyword 专利预警 accept it
    assert "[EP4123456A1](https://worldwide.espacenet.com/patent/search?q=pn%3DEP4123456A1)" in text
    assert "Motorrad mit Turbolader" in text and "申请人：HONDA MOTOR CO LTD" in text


def test_dingtalk_error_code_is_a_failure(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, dingtalk=[httpserver.url_for("/robot/send")])
    httpserver.expect_request("/robot/send").respond_with_json(
        {"errcode": 310000, "errmsg": "keywords not in content"}
    )
    assert dispatch(app, now=NOW)["dead"] == 1  # the robot refuses this message: no retry helps
    assert alert_rows(app)[0]["last_error"] == "dingtalk error 310000: keywords not in content"


def test_wecom_markdown_robot(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, wecom=[httpserver.url_for("/cgi-bin/webhook/send")])
    httpserver.expect_request("/cgi-bin/webhook/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert body["msgtype"] == "markdown" and "建议下一步" in body["markdown"]["content"]
    assert len(body["markdown"]["content"].encode()) <= 4096


def test_feishu_interactive_card(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, lang="en", feishu=[httpserver.url_for("/open-apis/bot/v2/hook/x")])
    httpserver.expect_request("/open-apis/bot/v2/hook/x").respond_with_json(
        {"code": 0, "msg": "success", "data": {}}
    )
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    assert body["msg_type"] == "interactive"
    assert body["card"]["header"]["title"]["content"].startswith("[Patent early warning] Motorcycles")
    [element] = body["card"]["elements"]
    assert element["text"]["tag"] == "lark_md" and "Suggested next step" in element["text"]["content"]


def test_robot_rate_limit_honours_retry_after(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, feishu=[httpserver.url_for("/hook")])
    httpserver.expect_ordered_request("/hook").respond_with_response(
        Response("", status=429, headers={"Retry-After": "2"})
    )
    httpserver.expect_ordered_request("/hook").respond_with_json({"code": 0, "msg": "success"})
    slept = []
    assert dispatch(app, now=NOW, sleep=slept.append)["sent"] == 1
    assert slept == [2.0]


def test_signed_dingtalk_robot_carries_timestamp_and_sign(tmp_path, httpserver, monkeypatch):
    import base64
    from urllib.parse import parse_qs

    monkeypatch.setenv("T_DING_SECRET", "SEC-ding")
    app = robot_app(tmp_path, monkeypatch, dingtalk=[httpserver.url_for("/robot/send?access_token=abc")])
    config = (
        (tmp_path / "config.toml")
        .read_text()
        .replace("timeout = 5.0", 'timeout = 5.0\ndingtalk_secret_env = "T_DING_SECRET"')
    )
    app = make_test_app(tmp_path, config)
    httpserver.expect_request("/robot/send").respond_with_json({"errcode": 0, "errmsg": "ok"})
    assert dispatch(app, now=NOW)["sent"] == 1
    query = parse_qs(httpserver.log[0][0].query_string.decode())
    assert query["access_token"] == ["abc"]
    stamp = query["timestamp"][0]
    expected = hmac.new(b"SEC-ding", f"{stamp}\nSEC-ding".encode(), hashlib.sha256).digest()
    assert base64.b64decode(query["sign"][0]) == expected


def test_signed_feishu_robot_carries_timestamp_and_sign(tmp_path, httpserver, monkeypatch):
    import base64

    monkeypatch.setenv("T_FEISHU_SECRET", "SEC-feishu")
    robot_app(tmp_path, monkeypatch, feishu=[httpserver.url_for("/hook")])
    config = (
        (tmp_path / "config.toml")
        .read_text()
        .replace("timeout = 5.0", 'timeout = 5.0\nfeishu_secret_env = "T_FEISHU_SECRET"')
    )
    app = make_test_app(tmp_path, config)
    httpserver.expect_request("/hook").respond_with_json({"code": 0, "msg": "success"})
    assert dispatch(app, now=NOW)["sent"] == 1
    body = json.loads(httpserver.log[0][0].get_data())
    expected = hmac.new(f"{body['timestamp']}\nSEC-feishu".encode(), b"", hashlib.sha256).digest()
    assert base64.b64decode(body["sign"]) == expected and body["msg_type"] == "interactive"


def test_wecom_batches_stay_small(tmp_path, httpserver, monkeypatch):
    app = robot_app(tmp_path, monkeypatch, wecom=[httpserver.url_for("/w")])
    config = (
        (tmp_path / "config.toml").read_text().replace('language = "zh"', 'language = "zh"\nbatch = true')
    )
    app = make_test_app(tmp_path, config)
    for n in range(6):
        add_match(app, f"CN-11700000{n}-A", titles={"zh": "一种摩托车发动机" * 3}, lang="zh")
    queue_alerts(app, now=NOW)
    httpserver.expect_request("/w").respond_with_json({"errcode": 0, "errmsg": "ok"})
    result = dispatch(app, now=NOW)
    assert result["sent"] == 7 and result["messages"] == 3  # at most 3 alerts per WeCom message
    for request, _ in httpserver.log:
        assert len(json.loads(request.get_data())["markdown"]["content"].encode()) <= 4096
