"""Slack through slack-sdk: ``chat.postMessage`` with Block Kit (bot token), or an incoming webhook.

The address is a channel (``#patent-alerts`` or an id) for the bot token, or an incoming-webhook
URL. Without ``[slack] token_env``, the URL in ``[slack] webhook_url_env`` is used for every
address. A 429 is honoured: a short Retry-After is waited out (injected sleep), a long one is
handed to the outbox, which holds the whole workspace until then.

What a failure means is decided in `api_failure`: HTTP 429 and 5xx and the errors Slack documents
as transient (`TEMPORARY_ERRORS`) are retried; every other error Slack names (channel_not_found,
invalid_auth, msg_too_long ...) is permanent, and the token errors (`TOKEN_ERRORS`) also hold the
workspace for the rest of the run. Incoming webhooks answer with HTTP statuses (400
invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived, 500
rollup_error): the HTTP rule of ``warning.delivery.channels.http``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from urllib.parse import urlsplit

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from warning.clock import retry_after
from warning.config.secrets import secret
from warning.delivery.catalogues import messages
from warning.delivery.channels.base import (
    MAX_INLINE_WAIT,
    AddressKey,
    Answer,
    Channel,
    DeliveryResult,
    Message,
    host_of,
)
from warning.delivery.channels.http import status_result
from warning.delivery.escaping import slack_text

SECTION_MAX = 2900  # Slack refuses section text over 3000 characters
MAX_BLOCKS = 48
TRIES = 3
TIMEOUT = 30
# Errors Slack documents as "try again": its own trouble, not the request's.
TEMPORARY_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
# The token itself is refused: every message to the workspace would fail alike.
SLACK_SIGNING_ENV = "WARNING_SLACK_SIGNING_SECRET"  # the web app's `/slack/actions` checks presses with it
TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive", "missing_scope"}
)


def slack_blocks(message: Message) -> list[dict]:
    """Block Kit: a header and the mrkdwn body in sections cut at paragraph boundaries. Sections
    are ``verbatim``: Slack then makes no link or mention of its own out of the text."""
    blocks: list[dict] = [{"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}}]
    for part in _paragraph_chunks(message.slack or slack_text(message.text), SECTION_MAX):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": part, "verbatim": True}})
    buttons = feedback_buttons(message)
    return blocks[: MAX_BLOCKS - len(buttons)] + buttons


def feedback_buttons(message: Message) -> list[dict]:
    """Relevant / not relevant buttons for a one-match alert carrying feedback links, when the web
    app can check Slack's signature on the press (``$WARNING_SLACK_SIGNING_SECRET``): the button's
    value is the link's signed token, which `/slack/actions` records once."""
    items = (message.data or {}).get("items") or []
    feedback = items[0].get("feedback") if len(items) == 1 else None
    if not feedback or not os.environ.get(SLACK_SIGNING_ENV):
        return []
    word = messages(message.language)
    buttons = [
        {
            "type": "button",
            "action_id": f"feedback_{name}",
            "text": {"type": "plain_text", "text": word[f"feedback_{name}"]},
            "value": feedback[name].rsplit("/", 1)[-1],
            **({"style": "primary"} if name == "relevant" else {}),
        }
        for name in ("relevant", "irrelevant")
    ]
    return [{"type": "actions", "elements": buttons}]


def fallback_text(message: Message) -> str:
    """The notification text (mrkdwn, shown where blocks are not): the escaped subject."""
    return message.slack_subject or slack_text(message.subject)


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
    """The Retry-After of slack-sdk's headers (any case; a list of values or one)."""
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            return retry_after(value[0] if isinstance(value, list) else value)
    return None


def api_failure(status: int, error: str, headers: dict | None) -> DeliveryResult:
    """A failed ``chat.postMessage``, by the rule in the module docstring."""
    if status == 429 or error in ("ratelimited", "rate_limited"):
        return DeliveryResult(ok=False, error="slack: ratelimited", retry_after=_retry_after(headers))
    temporary = status >= 500 or error in TEMPORARY_ERRORS
    return DeliveryResult(
        ok=False, error=f"slack: {error}", permanent=not temporary, refused_us=error in TOKEN_ERRORS
    )


def webhook_workspace(url: str) -> str:
    """``https://hooks.slack.com/services/T123``: the workspace part of an incoming-webhook URL."""
    parts = urlsplit(url)
    team = parts.path.strip("/").split("/")[:2]
    return f"{parts.scheme}://{parts.netloc}/{'/'.join(team)}"


class SlackChannel(Channel):
    name = "slack"
    keys = (AddressKey("slack"),)  # a channel (#alerts or an id) for the bot token, or a webhook URL
    batchable = True
    max_batch = 10

    @classmethod
    def section_problem(cls, config, data) -> str:
        if config.slack.token_env or config.slack.webhook_url_env:
            return ""
        return "has Slack channels, so [slack] must name token_env (a bot token) or webhook_url_env"

    def host(self, address: str) -> str:
        return host_of(address if address.startswith(("http://", "https://")) else self.config.slack.base_url)

    def account(self, address: str) -> str:
        """A webhook's workspace, or the bot token's workspace (one token: one workspace)."""
        if address.startswith(("http://", "https://")):
            return webhook_workspace(address)
        if self.config.slack.token_env:
            return f"{self.config.slack.base_url} token {self.config.slack.token_env}"
        return "slack incoming webhook"

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
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
            timeout=TIMEOUT,
            retry_handlers=[],  # retries are the outbox's job; a hidden sleep is not
        )
        for _ in range(TRIES):
            try:
                response = client.chat_postMessage(
                    channel=channel,
                    text=fallback_text(message),
                    blocks=slack_blocks(message),
                    unfurl_links=False,
                    unfurl_media=False,
                    thread_ts=message.thread_ts or None,  # an update replies in its invention's thread
                )
                return DeliveryResult(ok=True, response=f"ts={response.get('ts')}")
            except SlackApiError as exc:
                failure = api_failure(
                    exc.response.status_code,
                    exc.response.get("error") or f"HTTP {exc.response.status_code}",
                    exc.response.headers,
                )
            except OSError as exc:  # urllib's URLError, timeouts, refused connections
                return DeliveryResult(
                    ok=False, error=f"slack: no answer: {type(exc).__name__}", unreachable=True
                )
            if failure.retry_after is None or failure.retry_after > MAX_INLINE_WAIT:
                return failure  # only a rate limit carries a Retry-After: a short one is waited out
            self.sleep(failure.retry_after)
        return DeliveryResult(ok=False, error="slack: ratelimited (still after waiting)", retry_after=60.0)

    def _via_webhook(self, url: str, message: Message) -> DeliveryResult:
        client = WebhookClient(url, timeout=TIMEOUT, retry_handlers=[])
        for _ in range(TRIES):
            try:
                response = client.send(
                    text=fallback_text(message),
                    blocks=slack_blocks(message),
                    unfurl_links=False,
                    unfurl_media=False,
                )
            except OSError as exc:
                return DeliveryResult(
                    ok=False, error=f"slack webhook: no answer: {type(exc).__name__}", unreachable=True
                )
            failure = status_result(response.status_code, str(response.body), _retry_after(response.headers))
            if failure is None:
                return DeliveryResult(ok=True, response=str(response.body)[:200])
            failure = replace(failure, error=f"slack webhook: {failure.error} {str(response.body)[:200]}")
            wait = failure.retry_after
            if response.status_code != 429 or wait is None or wait > MAX_INLINE_WAIT:
                return failure
            self.sleep(wait)
        return DeliveryResult(
            ok=False, error="slack webhook: rate limited (still after waiting)", retry_after=60.0
        )


CHANNELS = (SlackChannel,)
