"""DingTalk, WeCom (企业微信) and Feishu/Lark custom robots: one webhook URL each, native JSON.

Each robot answers HTTP 200 with an error code in the body, so a non-zero code is a failure.
The codes each robot documents as "not now" are temporary (`TEMPORARY_CODES`, with how long the
robot stays throttled); any other non-zero code is the robot refusing this message or this address
(keyword or signature check failed, IP not allowed, robot removed, bad payload) and is permanent.
A 200 whose body is not JSON (a proxy's page) is temporary. HTTP statuses follow ``http``.

Formats follow each robot's documentation: DingTalk ``msgtype: markdown``, WeCom
``msgtype: markdown``, Feishu ``msg_type: interactive`` (a card with ``lark_md`` text). Office
text in them is escaped by ``warning.delivery.escaping.markdown_text`` (done by the templates; the
heading made of the subject here).
Signed robots: DingTalk gets ``timestamp`` and ``sign`` in the URL, Feishu in the body, when
``[webhook] dingtalk_secret_env`` / ``feishu_secret_env`` name the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import replace
from urllib.parse import quote_plus

from warning.config.secrets import secret
from warning.delivery.channels.base import (
    URL,
    AddressKey,
    Answer,
    DeliveryResult,
    Message,
    address_url,
    host_of,
)
from warning.delivery.channels.http import HttpChannel, response_result
from warning.delivery.escaping import markdown_text
from warning.errors import ConfigError


def robot_keys(channel: str) -> tuple[AddressKey, AddressKey]:
    """A robot's URL written in the file (its access token with it), or the variable holding it."""
    advice = (
        f"{channel} URLs in the config file carry their access token; put each in an environment "
        f'variable and name it: {channel}_env = ["..."]'
    )
    return AddressKey(channel, rule=URL, warning=advice), AddressKey(f"{channel}_env", env=True, rule=URL)


# Robots reject longer messages (WeCom: 4096 bytes of markdown; DingTalk and Feishu allow more).
WECOM_MAX_BYTES = 4000
MARKDOWN_MAX_CHARS = 15000


# Codes each robot documents as temporary, with the seconds it stays throttled (None: retry on
# the ordinary backoff). DingTalk: -1 system busy, 130101 more than 20 messages a minute
# (throttled for 10 minutes). WeCom: -1 system busy, 6000 data version conflict, 45009 call
# frequency limit, 45033 concurrency limit. Feishu: 11232 frequency limit, 230020 chat rate limit,
# 1500 and 2200 internal errors.
TEMPORARY_CODES: dict[str, dict[int, float | None]] = {
    "dingtalk": {-1: None, 130101: 600.0},
    "wecom": {-1: None, 6000: None, 45009: 60.0, 45033: 60.0},
    "feishu": {11232: 60.0, 230020: 60.0, 1500: None, 2200: None},
}


def titled_markdown(message: Message) -> str:
    """The subject as a heading, then the body: DingTalk and WeCom show no separate title, and a
    DingTalk robot guarded by keywords looks for them (e.g. 专利预警) in the text."""
    subject = message.markdown_subject or markdown_text(message.subject)
    return f"#### {subject}\n\n{message.markdown.strip()}\n"


def robot_code_result(robot: str, code: object, text: str) -> DeliveryResult:
    """A failed result for a robot's non-zero body code, by `TEMPORARY_CODES`."""
    try:
        number = int(code)  # Feishu's StatusCode and some proxies give it as text
    except (TypeError, ValueError):
        number = None
    temporary = TEMPORARY_CODES.get(robot, {})
    return DeliveryResult(
        ok=False,
        error=f"{robot} error {code}: {text}",
        permanent=number not in temporary,
        retry_after=temporary.get(number) if number is not None else None,
    )


def dingtalk_payload(message: Message) -> dict:
    return {
        "msgtype": "markdown",
        "markdown": {"title": message.subject, "text": titled_markdown(message)[:MARKDOWN_MAX_CHARS]},
    }


def wecom_payload(message: Message) -> dict:
    content = titled_markdown(message).encode("utf-8")[:WECOM_MAX_BYTES].decode("utf-8", errors="ignore")
    return {"msgtype": "markdown", "markdown": {"content": content}}


def feishu_payload(message: Message) -> dict:
    return {
        "msg_type": "interactive",
        "card": {
            "config": {"wide_screen_mode": True},
            "header": {"title": {"tag": "plain_text", "content": message.subject}, "template": "orange"},
            "elements": [
                {"tag": "div", "text": {"tag": "lark_md", "content": message.markdown[:MARKDOWN_MAX_CHARS]}}
            ],
        },
    }


def dingtalk_sign(secret_value: str, timestamp_ms: int) -> str:
    """DingTalk: base64 HMAC-SHA256 of ``timestamp\nsecret`` keyed by the secret."""
    digest = hmac.new(
        secret_value.encode(), f"{timestamp_ms}\n{secret_value}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret_value: str, timestamp: int) -> str:
    """Feishu/Lark: base64 HMAC-SHA256 of an empty message keyed by ``timestamp\nsecret``."""
    digest = hmac.new(f"{timestamp}\n{secret_value}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class RobotChannel(HttpChannel):
    """A chat robot: build the payload, POST it, read the error code from the body."""

    batchable = True
    max_batch = 10
    code_fields: tuple[str, ...] = ("errcode",)

    clock = staticmethod(time.time)

    def payload(self, message: Message) -> dict:
        raise TypeError(f"{type(self).__name__} does not define payload")

    def signed(self, address: str, payload: dict) -> tuple[str, dict]:
        """The URL and payload, signed where the robot has a secret (subclasses)."""
        return address, payload

    def account(self, address: str) -> str:
        """A robot is its whole URL (the access token is in it): each robot has its own limit."""
        return address

    def host(self, address: str) -> str:
        """The robot service's host, also for an address that names its URL's variable."""
        try:
            return host_of(address_url(address, f"{self.name} robot webhook URL"))
        except ConfigError:  # the variable is unset: the send itself reports it
            return address

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        url, payload = self.signed(
            address_url(address, f"{self.name} robot webhook URL"), self.payload(message)
        )
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response, failed = self.post(url, body, {})
        if failed:
            return failed
        bad_status = response_result(response)
        if bad_status:
            return bad_status
        try:
            reply = response.json()
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            return DeliveryResult(ok=False, error="robot answered with no JSON", response=response.text[:500])
        code = next((reply[f] for f in self.code_fields if f in reply), 0)
        if code not in (0, "0", None):
            text = reply.get("errmsg") or reply.get("msg") or reply.get("StatusMessage") or ""
            failure = robot_code_result(self.name, code, str(text)[:200])
            return replace(failure, response=response.text[:500])
        return DeliveryResult(ok=True, response=response.text[:500])


class DingTalkChannel(RobotChannel):
    name = "dingtalk"
    keys = robot_keys("dingtalk")

    def payload(self, message: Message) -> dict:
        return dingtalk_payload(message)

    def signed(self, address: str, payload: dict) -> tuple[str, dict]:
        if not self.config.webhook.dingtalk_secret_env:
            return address, payload
        key = secret(self.config.webhook.dingtalk_secret_env, "DingTalk robot signing")
        stamp = int(self.clock() * 1000)
        sep = "&" if "?" in address else "?"
        return f"{address}{sep}timestamp={stamp}&sign={quote_plus(dingtalk_sign(key, stamp))}", payload


class WeComChannel(RobotChannel):
    name = "wecom"
    keys = robot_keys("wecom")
    max_batch = 3  # WeCom refuses markdown over 4096 bytes

    def payload(self, message: Message) -> dict:
        return wecom_payload(message)


class FeishuChannel(RobotChannel):
    name = "feishu"
    keys = robot_keys("feishu")
    code_fields = ("code", "StatusCode")

    def payload(self, message: Message) -> dict:
        return feishu_payload(message)

    def signed(self, address: str, payload: dict) -> tuple[str, dict]:
        if not self.config.webhook.feishu_secret_env:
            return address, payload
        key = secret(self.config.webhook.feishu_secret_env, "Feishu robot signing")
        stamp = int(self.clock())
        return address, {"timestamp": str(stamp), "sign": feishu_sign(key, stamp), **payload}


CHANNELS = (DingTalkChannel, WeComChannel, FeishuChannel)
