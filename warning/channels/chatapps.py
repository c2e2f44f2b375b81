"""DingTalk, WeCom (企业微信) and Feishu/Lark custom robots: one webhook URL each, native JSON.

Each robot answers HTTP 200 with an error code in the body, so a non-zero code is a failure.
Formats follow each robot's documentation: DingTalk ``msgtype: markdown``, WeCom
``msgtype: markdown``, Feishu ``msg_type: interactive`` (a card with ``lark_md`` text).
Signed robots: DingTalk gets ``timestamp`` and ``sign`` in the URL, Feishu in the body, when
``[webhook] dingtalk_secret_env`` / ``feishu_secret_env`` name the secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import quote_plus

from warning.channels.base import Channel, DeliveryResult, Message, register
from warning.channels.http import post_json, status_result
from warning.config import secret

# An address naming the environment variable that holds a robot's URL (``dingtalk_env``): the URL
# and its token stay out of the config file, the outbox table and every printed line.
ENV_ADDRESS = "env:"


def robot_url(address: str, channel: str) -> str:
    """The webhook URL an address stands for: itself, or the value of ``env:NAME``'s variable."""
    if address.startswith(ENV_ADDRESS):
        return secret(address[len(ENV_ADDRESS) :], f"{channel} robot webhook URL")
    return address


# Robots reject longer messages (WeCom: 4096 bytes of markdown; DingTalk and Feishu allow more).
WECOM_MAX_BYTES = 4000
MARKDOWN_MAX_CHARS = 15000


def titled_markdown(message: Message) -> str:
    """The subject as a heading, then the body: DingTalk and WeCom show no separate title, and a
    DingTalk robot guarded by keywords looks for them (e.g. 专利预警) in the text."""
    return f"#### {message.subject}\n\n{message.markdown.strip()}\n"


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


class RobotChannel(Channel):
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

    def _send(self, address: str, message: Message) -> DeliveryResult:
        url, payload = self.signed(robot_url(address, self.name), self.payload(message))
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        response, failed = post_json(url, body, {}, self.config.webhook.timeout, self.sleep)
        if failed:
            return failed
        bad_status = status_result(response)
        if bad_status:
            return bad_status
        try:
            answer = response.json()
        except ValueError:
            return DeliveryResult(ok=False, error="robot answered with no JSON", response=response.text[:500])
        code = next((answer[f] for f in self.code_fields if f in answer), 0)
        if code not in (0, "0", None):
            message_text = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
            return DeliveryResult(
                ok=False, error=f"{self.name} error {code}: {message_text}", response=response.text[:500]
            )
        return DeliveryResult(ok=True, response=response.text[:500])


@register
class DingTalkChannel(RobotChannel):
    name = "dingtalk"

    def payload(self, message: Message) -> dict:
        return dingtalk_payload(message)

    def signed(self, address: str, payload: dict) -> tuple[str, dict]:
        if not self.config.webhook.dingtalk_secret_env:
            return address, payload
        key = secret(self.config.webhook.dingtalk_secret_env, "DingTalk robot signing")
        stamp = int(self.clock() * 1000)
        sep = "&" if "?" in address else "?"
        return f"{address}{sep}timestamp={stamp}&sign={quote_plus(dingtalk_sign(key, stamp))}", payload


@register
class WeComChannel(RobotChannel):
    name = "wecom"
    max_batch = 3  # WeCom refuses markdown over 4096 bytes

    def payload(self, message: Message) -> dict:
        return wecom_payload(message)


@register
class FeishuChannel(RobotChannel):
    name = "feishu"
    code_fields = ("code", "StatusCode")

    def payload(self, message: Message) -> dict:
        return feishu_payload(message)

    def signed(self, address: str, payload: dict) -> tuple[str, dict]:
        if not self.config.webhook.feishu_secret_env:
            return address, payload
        key = secret(self.config.webhook.feishu_secret_env, "Feishu robot signing")
        stamp = int(self.clock())
        return address, {"timestamp": str(stamp), "sign": feishu_sign(key, stamp), **payload}
