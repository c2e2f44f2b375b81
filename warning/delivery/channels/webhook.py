"""Generic JSON webhook, signed with HMAC-SHA256 and carrying an idempotency key.

Headers: ``X-Warning-Signature: sha256=<hex>`` (HMAC of the raw body with the secret named by
``[webhook] secret_env``; absent when no secret is configured), ``Idempotency-Key`` and
``X-Warning-Delivery`` (the same key: the receiver drops a re-send after a crash). A 409 answer
means the receiver already has it, which counts as delivered; other statuses follow the rule in
``warning.delivery.channels.http``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

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
from warning.errors import ConfigError

SIGNATURE_HEADER = "X-Warning-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(secret_value: str, body: bytes) -> str:
    """The signature header value for ``body``: ``sha256=`` and the hex HMAC-SHA256."""
    return "sha256=" + hmac.new(secret_value.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(message: Message) -> bytes:
    """The JSON document a webhook receives."""
    doc = {
        "id": message.key,
        "kind": message.kind,
        "language": message.language,
        "subject": message.subject,
        "text": message.text,
        **message.data,
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


class WebhookChannel(HttpChannel):
    name = "webhook"
    # A URL written in the file, or the variable that holds it (a receiver's URL may carry a token).
    keys = (AddressKey("webhook", rule=URL), AddressKey("webhook_env", env=True, rule=URL))
    batchable = True

    def host(self, address: str) -> str:
        """The receiver's host, also for an address that names its URL's variable."""
        try:
            return host_of(address_url(address, "webhook URL"))
        except ConfigError:  # the variable is unset: the send itself reports it
            return address

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        body = webhook_body(message)
        url = address_url(address, "webhook URL")
        headers = {IDEMPOTENCY_HEADER: message.key, "X-Warning-Delivery": message.key}
        if self.config.webhook.secret_env:
            headers[SIGNATURE_HEADER] = sign(secret(self.config.webhook.secret_env, "webhook signing"), body)
        response, failed = self.post(url, body, headers)
        if failed:
            return failed
        if response.status_code == 409:
            return DeliveryResult(ok=True, response="409: receiver already had it")
        return response_result(response) or DeliveryResult(ok=True, response=response.text[:500])


CHANNELS = (WebhookChannel,)
