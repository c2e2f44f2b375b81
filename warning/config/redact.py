"""Secrets never leave the process: the one place that knows their forms and blanks them out.

Everything that logs (`warning.service.logging`), prints (the CLI, ``test-channel``), stores an error
(runs, source states, delivery attempts) or shows ``status`` passes its text through `redact`.
A secret travels in more forms than its raw value, and each is masked:

- the raw value of every environment variable the config names (``*_env`` keys), URL-quoted,
  JSON-escaped, and base64-encoded (standard and URL-safe, with and without padding);
- base64 of every ``key:secret`` pair (HTTP Basic, as an OPS 401 may echo it back) and of
  ``\\0user\\0password`` (SMTP AUTH PLAIN);
- for a secret that is a URL (a chat robot's webhook), its token parts alone: query values
  and the last path segment;
- whatever the config does not name: credential query parameters in any URL (``access_token``,
  ``token``, ``sign``, ``key``, ``secret`` ...), ``Basic``/``Bearer`` credentials, and the
  token in Feishu/Lark and Slack webhook paths.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import permutations
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

MASK = "***"
# Shorter values ("1", "yes") would blank ordinary words out of every line.
MIN_SECRET_LENGTH = 4
CREDENTIAL_PARAMETERS = (
    "access_token",
    "api_key",
    "apikey",
    "client_secret",
    "key",
    "password",
    "secret",
    "sig",
    "sign",
    "signature",
    "token",
)
_QUERY_CREDENTIAL = re.compile(
    r"([?&;](?:" + "|".join(CREDENTIAL_PARAMETERS) + r")=)[^&;#\s\"'<>\\:,()\[\]]+", re.IGNORECASE
)
# A credential after the scheme word: 8 or more token characters, one of them a digit or + / =
# (so that prose such as "Basic information" stays as it is).
_AUTH_CREDENTIAL = re.compile(r"\b(Basic|Bearer)(\s+)(?=[\w+/=.~-]*[\d+/=])[A-Za-z0-9+/=._~-]{8,}")
# Robots whose token is the URL's path, not a parameter.
_PATH_TOKEN = re.compile(
    r"((?:/open-apis/bot/v2/hook/)|(?:hooks\.slack\.com/(?:services|workflows|triggers)/))[\w/-]+"
)


def secret_forms(values: Iterable[str]) -> list[str]:
    """The forms ``values`` travel in (see the module doc), longest first so a longer one wins."""
    return list(_forms(tuple(dict.fromkeys(values))))


@lru_cache(maxsize=16)
def _forms(raw: tuple[str, ...]) -> tuple[str, ...]:
    forms: set[str] = set()
    for value in raw:
        forms.update(_encodings(value))
        forms.update(_url_tokens(value))
    for first, second in permutations(raw, 2):
        forms.update(_base64_forms(f"{first}:{second}"))  # HTTP Basic
        forms.update(_base64_forms(f"\0{first}\0{second}"))  # SMTP AUTH PLAIN
    forms.update([json.dumps(f, ensure_ascii=False)[1:-1] for f in forms])
    return tuple(sorted((f for f in forms if len(f) >= MIN_SECRET_LENGTH), key=lambda f: (-len(f), f)))


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret form and every credential in a URL or header replaced by ``***``.

    >>> redact("GET /robot/send?access_token=abc123&x=1 failed")
    'GET /robot/send?access_token=***&x=1 failed'
    """
    known = _alternation(tuple(s for s in secrets if s))
    if known is not None:
        text = known.sub(MASK, text)
    text = _QUERY_CREDENTIAL.sub(rf"\g<1>{MASK}", text)
    text = _AUTH_CREDENTIAL.sub(rf"\g<1>\g<2>{MASK}", text)
    return _PATH_TOKEN.sub(rf"\g<1>{MASK}", text)


@lru_cache(maxsize=16)
def _alternation(secrets: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for all forms, longest first: one pass over the text instead of one per form."""
    if not secrets:
        return None
    return re.compile("|".join(re.escape(s) for s in sorted(secrets, key=len, reverse=True)))


def redact_data(data: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of a JSON-like structure with `redact` applied to every string in it, keys too."""
    secrets = list(secrets)
    if isinstance(data, str):
        return redact(data, secrets)
    if isinstance(data, dict):
        return {redact_data(k, secrets): redact_data(v, secrets) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(v, secrets) for v in data]
    return data


def _encodings(value: str) -> set[str]:
    return {value, quote(value, safe=""), quote_plus(value), *_base64_forms(value)}


def _base64_forms(value: str) -> set[str]:
    data = value.encode("utf-8")
    encoded = {base64.b64encode(data).decode(), base64.urlsafe_b64encode(data).decode()}
    return encoded | {e.rstrip("=") for e in encoded}


def _url_tokens(value: str) -> list[str]:
    """The parts of a URL secret that carry its token: query values, the last path segment."""
    if not value.startswith(("http://", "https://")):
        return []
    parts = urlsplit(value)
    tokens = [v for _, v in parse_qsl(parts.query)]
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    # A path segment is a token only when it looks like one (long, with digits), not "send".
    if len(last) >= 16 and any(c.isdigit() for c in last):
        tokens.append(last)
    return [t for t in tokens if len(t) >= MIN_SECRET_LENGTH]
