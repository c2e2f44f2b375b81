"""What every channel shares: the rendered message, the result of a send, the registry by name.

A channel never raises into the caller (apprise style): `send` returns a `DeliveryResult` that the
dispatcher records; a failure carries its error and, where the service said so, when to retry.

Which failures are temporary and which permanent is decided in one place per channel (SMTP reply
codes in ``email``, HTTP statuses in ``http``, Slack's error names in ``slack``, the robots' body
codes in ``chatapps``); the rule is the same everywhere: the server saying "not now" (SMTP 4xx,
HTTP 408/425/429/5xx, rate limits, "system busy") is retried, the server saying "no" (SMTP 5xx,
other HTTP 4xx, a named refusal) is permanent.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from warning.config.schema import Config
from warning.config.secrets import redactor


@dataclass(frozen=True)
class Message:
    """One message to one address, rendered for every channel format.

    ``key`` is the idempotency key (a hash of the alert keys it carries): webhooks send it so a
    receiver drops a re-send after a crash, e-mail uses it for the Message-ID.
    """

    key: str
    kind: str
    language: str
    subject: str
    text: str
    html: str = ""
    markdown: str = ""  # DingTalk, WeCom, Feishu
    slack: str = ""  # Slack mrkdwn
    # The subject with its office text escaped for markdown (robot headings) and for Slack's
    # mrkdwn (the notification text); empty: the channel escapes ``subject`` whole.
    markdown_subject: str = ""
    slack_subject: str = ""
    data: dict[str, Any] = field(default_factory=dict)  # the items as JSON for webhooks and files


@dataclass(frozen=True)
class DeliveryResult:
    """What one send came to; the dispatcher records it and learns from it (`warning.delivery.holds`)."""

    ok: bool
    error: str = ""
    response: str = ""
    retry_after: float | None = None  # seconds the service asked us to wait (for the whole account)
    permanent: bool = False  # retrying cannot help (bad address, rejected by the service)
    unreachable: bool = False  # the host did not answer (timeout, refused connection, SMTP 421)
    refused_us: bool = False  # our login, token or TLS was refused: every send to the account fails alike


# Called by a channel with the result the moment the server answered (see `Channel.send`).
Answer = Callable[[DeliveryResult], None]


class Channel:
    """Base of the channels: ``name``, whether one message may carry several alerts, and `send`."""

    name: ClassVar[str] = ""
    batchable: ClassVar[bool] = False
    max_batch: ClassVar[int] = 50  # alerts in one message; chat robots cap message length

    def __init__(self, config: Config, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep

    def send(self, address: str, message: Message, on_answer: Answer | None = None) -> DeliveryResult:
        """Deliver ``message`` to ``address``; never raises (except what ``on_answer`` raises); the
        error and response it reports are redacted.

        ``on_answer`` is called once with the result as soon as the server has answered, before
        the channel tidies up (an SMTP QUIT, for one): the dispatcher records the attempt there,
        so a crash after the server accepted leaves as short a window as it can for a re-send.
        """
        answered: list[DeliveryResult] = []
        record_failed: list[BaseException] = []
        # A library error quotes the URL (a robot's token) and a service may echo a credential.
        clean = redactor(self.config)

        def answer(result: DeliveryResult) -> None:
            if answered:
                return
            result = dataclasses.replace(result, error=clean(result.error), response=clean(result.response))
            answered.append(result)
            if on_answer is not None:
                try:
                    on_answer(result)
                except Exception as exc:  # the record's own failure (the database) is the caller's
                    record_failed.append(exc)

        try:
            answer(self._send(address, message, answer))
        except Exception as exc:  # a channel bug or a library surprise must not stop the loop
            answer(DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}"))
        if record_failed:
            raise record_failed[0]
        return answered[0]

    def host(self, address: str) -> str:
        """Where the connection for ``address`` goes: a host that does not answer is one for all
        its addresses."""
        return host_of(address)

    def account(self, address: str) -> str:
        """Whose limits and credentials ``address`` is under (a Retry-After or a refused token
        holds every address of the account); by default the host."""
        return self.host(address)

    def finish(self) -> None:
        """Called once after a run of sends; channels that keep derived files update them here."""

    def _send(self, address: str, message: Message, answer: Answer) -> DeliveryResult:
        """Send; call ``answer(result)`` the moment the server accepted, if there is tidying up after."""
        raise TypeError(f"{type(self).__name__} does not implement _send")


CHANNELS: dict[str, type[Channel]] = {}

# How long a channel waits in-process for a Retry-After before handing the wait to the outbox.
MAX_INLINE_WAIT = 30.0


def register(cls: type[Channel]) -> type[Channel]:
    """Class decorator: make a channel available by its ``name``."""
    CHANNELS[cls.name] = cls
    return cls


def host_of(address: str) -> str:
    """``scheme://host:port`` of a URL; other addresses stand for themselves."""
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else address


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form); None when absent or unreadable."""
    try:
        return max(0.0, float(value)) if value not in (None, "") else None
    except ValueError:
        return None
