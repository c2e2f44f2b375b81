"""What every channel shares: the rendered message, the result of a send, the registry by name.

A channel never raises into the caller (apprise style): `send` returns a `DeliveryResult` that the
dispatcher records; a failure carries its error and, where the service said so, when to retry.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from warning.config import Config
from warning.redact import redactor


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
    data: dict[str, Any] = field(default_factory=dict)  # the items as JSON for webhooks and files


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    error: str = ""
    response: str = ""
    retry_after: float | None = None  # seconds the service asked us to wait
    permanent: bool = False  # retrying cannot help (bad address, rejected by the service)


class Channel:
    """Base of the channels: ``name``, whether one message may carry several alerts, and `send`."""

    name: ClassVar[str] = ""
    batchable: ClassVar[bool] = False
    max_batch: ClassVar[int] = 50  # alerts in one message; chat robots cap message length

    def __init__(self, config: Config, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep

    def send(self, address: str, message: Message) -> DeliveryResult:
        """Deliver ``message`` to ``address``; never raises. The error and response are redacted:
        a library error quotes the URL (a robot's token) and a service may echo a credential."""
        try:
            result = self._send(address, message)
        except Exception as exc:  # a channel bug or a library surprise must not stop the loop
            result = DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}")
        clean = redactor(self.config)
        return dataclasses.replace(result, error=clean(result.error), response=clean(result.response))

    def finish(self) -> None:
        """Called once after a run of sends; channels that keep derived files update them here."""

    def _send(self, address: str, message: Message) -> DeliveryResult:
        raise TypeError(f"{type(self).__name__} does not implement _send")


CHANNELS: dict[str, type[Channel]] = {}

# How long a channel waits in-process for a Retry-After before handing the wait to the outbox.
MAX_INLINE_WAIT = 30.0


def register(cls: type[Channel]) -> type[Channel]:
    """Class decorator: make a channel available by its ``name``."""
    CHANNELS[cls.name] = cls
    return cls


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds form); None when absent or unreadable."""
    try:
        return max(0.0, float(value)) if value not in (None, "") else None
    except ValueError:
        return None
