"""What every channel shares: what it declares, the rendered message and the result of a send.

A channel declares everything about itself on its class: its ``name``, the ``[[subscribers]]``
keys it reads addresses from (`AddressKey`: ``email = [...]``, ``dingtalk_env = [...]``, each
with the rule its values must keep, checked when the config is loaded), how an address is
checked when it is used (`Channel.address_problem`), what its section of the config must say
(`Channel.section_problem`) and how it sends (``_send``, with its message format). Its module
names it in ``CHANNELS``; `warning.delivery.channels` lists the modules once.

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
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from warning.config.rules import Rule, http_url
from warning.config.schema import Config
from warning.config.secrets import redactor, secret
from warning.delivery.message import Message, RenderError  # Message: channels and plug-ins import it here

# An address naming the environment variable that holds a secret URL (``dingtalk_env``,
# ``webhook_env``): the URL and its token stay out of the config file, the outbox table and every
# printed line.
ENV_ADDRESS = "env:"
URL = http_url(empty_ok=False)


@dataclass(frozen=True)
class AddressKey:
    """A ``[[subscribers]]`` key a channel reads addresses from.

    ``type`` is how the file writes it (a list of addresses; ``bool`` for a flag such as
    ``console = true``; ``str`` for one path); ``rule`` is what each value must be, checked when
    the config is loaded; with ``env`` each value names an environment variable that holds the
    address (a URL with a token in it), and ``rule`` applies to that variable's value when the
    address is used. ``warning`` is what check-config advises when the key is used.
    """

    name: str
    type: Any = tuple[str, ...]
    rule: Rule | None = None
    env: bool = False
    warning: str = ""


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
    keys: ClassVar[tuple[AddressKey, ...]] = ()  # the subscriber keys its addresses are written in
    batchable: ClassVar[bool] = False
    max_batch: ClassVar[int] = 50  # alerts in one message; chat robots cap message length

    @classmethod
    def addresses(cls, values: dict[str, Any]) -> list[str]:
        """The addresses a subscriber's values of `keys` stand for (``env:NAME`` for an ``env`` key)."""
        found: list[str] = []
        for key in cls.keys:
            value = values.get(key.name) or ()
            items = [value] if isinstance(value, str) else list(value)
            found += [ENV_ADDRESS + v if key.env else v for v in items]
        return found

    @classmethod
    def address_problem(cls, address: str) -> str:
        """What is wrong with an address as it stands now (its variable's value), or ""."""
        env_key = next((k for k in cls.keys if k.env), None)
        if env_key is None or env_key.rule is None or not address.startswith(ENV_ADDRESS):
            return ""
        name = address[len(ENV_ADDRESS) :]
        value = os.environ.get(name, "")
        if value and not env_key.rule.holds(value, Path(".")):
            return f"{env_key.name} variable {name} does not hold {env_key.rule.says}"
        return ""

    @classmethod
    def section_problem(cls, config: Config, data: dict[str, Any]) -> str:
        """What the config lacks for this channel to send at all ("" when nothing), said after
        "subscribers[0] (acme)"; ``data`` is the file's tables (a section left out is not there)."""
        return ""

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
        except RenderError as exc:  # a form read for the first time here failed: nothing was sent
            answer(DeliveryResult(ok=False, error=f"cannot render: {exc}"))
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


# How long a channel waits in-process for a Retry-After before handing the wait to the outbox.
MAX_INLINE_WAIT = 30.0


def address_url(address: str, what: str) -> str:
    """The URL an address stands for: itself, or the value of ``env:NAME``'s variable."""
    if address.startswith(ENV_ADDRESS):
        return secret(address[len(ENV_ADDRESS) :], what)
    return address


def host_of(address: str) -> str:
    """``scheme://host:port`` of a URL; other addresses stand for themselves."""
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else address
