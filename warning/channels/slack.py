"""Slack through slack-sdk: ``chat.postMessage`` with Block Kit (bot token), or an incoming webhook.

The address is a channel (``#patent-alerts`` or an id) for the bot token, or an incoming-webhook
URL. Without ``[slack] token_env``, the URL in ``[slack] webhook_url_env`` is used for every
address. A 429 is honoured: a short Retry-After is waited out (injected sleep), a long one is
handed to the outbox. ``"ok": false`` is a failure carrying Slack's error code.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from warning.channels.base import MAX_INLINE_WAIT, Channel, DeliveryResult, Message, register
from warning.config import secret

SECTION_MAX = 2900  # Slack refuses section text over 3000 characters
MAX_BLOCKS = 48
TRIES = 3
# Errors of one address or message that no retry can fix: dead-lettered at once. Token problems
# (invalid_auth, token_revoked) stay retryable: once the operator fixes the token, they go out.
PERMANENT_ERRORS = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "no_service",
    "msg_too_long",
    "invalid_blocks",
}


def slack_blocks(message: Message) -> list[dict]:
    """Block Kit: a header and the mrkdwn body in sections cut at paragraph boundaries."""
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}}]
    for part in _paragraph_chunks(message.slack or message.text, SECTION_MAX):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": part}})
    return blocks[:MAX_BLOCKS]


def _paragraph_chunks(text: str, limit: int) -> list[str]:
    chunks, current = [], ""
    for para in text.strip().split("\n\n"):
        candidate = f"{current}\n\n{para}" if current else para
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        current = para[:limit]
    if current:
        chunks.append(current)
    return chunks


def _retry_after(headers: dict | None) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None


@register
class SlackChannel(Channel):
    name = "slack"
    batchable = True
    max_batch = 10

    def _send(self, address: str, message: Message) -> DeliveryResult:
        settings = self.config.slack
        if address.startswith(("http://", "https://")):
            return self._via_webhook(address, message)
        if settings.token_env:
            return self._via_api(address, message)
        if settings.webhook_url_env:
            return self._via_webhook(secret(settings.webhook_url_env, "Slack incoming webhook"), message)
        return DeliveryResult(ok=False, error="[slack] has neither token_env nor webhook_url_env")

    def _via_api(self, channel: str, message: Message) -> DeliveryResult:
        client = WebClient(
            token=secret(self.config.slack.token_env, "Slack bot token"),
            base_url=self.config.slack.base_url,
            timeout=30,
            retry_handlers=[],  # retries are the outbox's job; a hidden sleep is not
        )
        for _ in range(TRIES):
            try:
                response = client.chat_postMessage(
                    channel=channel, text=message.subject, blocks=slack_blocks(message)
                )
                return DeliveryResult(ok=True, response=f"ts={response.get('ts')}")
            except SlackApiError as exc:
                status, headers = exc.response.status_code, exc.response.headers
                error = exc.response.get("error") or f"HTTP {status}"
            if status != 429:
                return DeliveryResult(ok=False, error=f"slack: {error}", permanent=error in PERMANENT_ERRORS)
            wait = _retry_after(headers)
            if wait is None or wait > MAX_INLINE_WAIT:
                return DeliveryResult(ok=False, error="slack: ratelimited", retry_after=wait)
            self.sleep(wait)
        return DeliveryResult(ok=False, error="slack: ratelimited (still after waiting)", retry_after=60.0)

    def _via_webhook(self, url: str, message: Message) -> DeliveryResult:
        client = WebhookClient(url, timeout=30, retry_handlers=[])
        for _ in range(TRIES):
            response = client.send(text=message.subject, blocks=slack_blocks(message))
            if response.status_code == 200:
                return DeliveryResult(ok=True, response=str(response.body)[:200])
            if response.status_code != 429:
                error = str(response.body)[:200]
                return DeliveryResult(
                    ok=False,
                    error=f"slack webhook: HTTP {response.status_code} {error}",
                    permanent=error in PERMANENT_ERRORS or response.status_code in (404, 410),
                )
            wait = _retry_after(response.headers)
            if wait is None or wait > MAX_INLINE_WAIT:
                return DeliveryResult(ok=False, error="slack webhook: rate limited", retry_after=wait)
            self.sleep(wait)
        return DeliveryResult(
            ok=False, error="slack webhook: rate limited (still after waiting)", retry_after=60.0
        )
