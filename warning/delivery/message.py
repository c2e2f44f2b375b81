"""One message to one address, whose forms are rendered when a channel first reads them.

A message has several forms (the plain text, HTML, markdown for the chat robots, Slack mrkdwn,
three escapings of the subject, the JSON items, a digest's .xlsx), and each channel sends one or
two of them: Slack its mrkdwn and its subject, e-mail its text and HTML, a robot its markdown.
Rendering them all for every delivery cost more than half of an alert's time (issue 18), so a
form is made by its maker (`Forms`) the first time it is read, once, and kept. A channel needs no
declaration of what it sends: what it reads is what is rendered, so a plug-in channel reading
``message.markdown`` gets it as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warning.errors import WarningError

# Every form a message has, with the value a message without that form carries.
FORM_DEFAULTS: dict[str, Callable[[], Any]] = {
    "subject": str,
    "text": str,
    "html": str,
    "markdown": str,  # DingTalk, WeCom, Feishu
    "slack": str,  # Slack mrkdwn
    # The subject with its office text escaped for markdown (robot headings) and for Slack's
    # mrkdwn (the notification text); empty: the channel escapes ``subject`` whole.
    "markdown_subject": str,
    "slack_subject": str,
    "data": dict,  # the items as JSON for webhooks and files
    # Files e-mail attaches (a digest's matches as .xlsx): (file name, MIME type, content).
    "attachments": tuple,
}
FORMS = tuple(FORM_DEFAULTS)
_PLAIN = ("key", "kind", "language", "reply_to_key", "thread_ts")


class RenderError(WarningError):
    """A form could not be rendered (a bad payload): `Channel.send` reports it as the attempt's
    error, ``cannot render: ...``, as it was when every form was rendered before the send."""


class Forms:
    """Makers of a message's forms by name, each called at most once, when the form is first read.

    Copies of a message (`Message.replace`) share it, so a form is rendered once for all of them.
    """

    def __init__(self, **makers: Callable[[], Any]) -> None:
        unknown = set(makers) - set(FORMS)
        if unknown:
            raise TypeError(f"no message form {', '.join(sorted(unknown))}")
        self._makers = makers
        self._made: dict[str, Any] = {}

    def get(self, name: str) -> Any:
        """Form ``name``: made now if it was not yet (RenderError if its maker fails), kept after."""
        if name in self._made:
            return self._made[name]
        maker = self._makers.get(name)
        if maker is None:
            return FORM_DEFAULTS[name]()
        try:
            made = self._made[name] = maker()
        except Exception as exc:
            raise RenderError(f"{name}: {type(exc).__name__}: {exc}") from exc
        return made

    def made(self) -> tuple[str, ...]:
        """The forms made so far, in the order they were (what a channel read of those it has makers for)."""
        return tuple(self._made)


class _Form:
    """A message's form: the value it was made with, else its maker's, else the empty default."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, message: Message | None, owner: type | None = None) -> Any:
        if message is None:
            return self
        given = message._given
        if self.name in given:
            return given[self.name]
        return message._forms.get(self.name)

    def __set__(self, message: Message, value: Any) -> None:
        raise AttributeError("a Message does not change: use message.replace(...)")


class Message:
    """One message to one address, in every channel format, each rendered when first read.

    ``key`` is the idempotency key (a hash of the alert keys it carries): webhooks send it so a
    receiver drops a re-send after a crash, e-mail uses it for the Message-ID. A later family
    member's update replies in its invention's first alert: ``reply_to_key`` is that message's
    key (e-mail In-Reply-To and References), ``thread_ts`` its Slack ``ts`` (the thread).
    The forms (`FORMS`) are given as values, or made by ``forms`` when a channel reads them.
    """

    subject = _Form()
    text = _Form()
    html = _Form()
    markdown = _Form()
    slack = _Form()
    markdown_subject = _Form()
    slack_subject = _Form()
    data = _Form()
    attachments = _Form()

    def __init__(
        self,
        key: str,
        kind: str,
        language: str,
        *,
        reply_to_key: str = "",
        thread_ts: str = "",
        forms: Forms | None = None,
        **given: Any,
    ) -> None:
        unknown = set(given) - set(FORMS)
        if unknown:
            raise TypeError(f"Message has no field {', '.join(sorted(unknown))}")
        set_ = object.__setattr__
        for name, value in zip(_PLAIN, (key, kind, language, reply_to_key, thread_ts), strict=True):
            set_(self, name, value)
        set_(self, "_given", given)
        set_(self, "_forms", forms if forms is not None else Forms())

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Message does not change: use message.replace(...)")

    def replace(self, **changes: Any) -> Message:
        """A copy with ``changes`` (plain fields or forms); forms not yet rendered stay lazy and
        are rendered once for both."""
        plain = {name: changes.pop(name, getattr(self, name)) for name in _PLAIN}
        return Message(**plain, forms=self._forms, **{**self._given, **changes})

    def rendered(self) -> tuple[str, ...]:
        """The forms made so far by the renderer (given ones not counted)."""
        return self._forms.made()

    def __repr__(self) -> str:
        return f"Message(key={self.key!r}, kind={self.kind!r}, language={self.language!r})"
