"""Signed one-click feedback links for alerts: "relevant" / "not relevant" from the message itself.

A link's token carries the publication, the watchlist, the label, the recipient it was sent to
(subscriber and address), an expiry and a nonce, signed with HMAC-SHA256 under the web app's key
(``$WARNING_WEB_SECRET``, the same on the sender and the server). The server refuses a token
that is forged, expired, or already used (its nonce is recorded once), and records the label as
the recipient's organisation's. Without the key no links are made.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from urllib.parse import quote

SECRET_ENV = "WARNING_WEB_SECRET"
LIFETIME_S = 30 * 24 * 3600  # a month: a weekly digest read late still works


class BadToken(ValueError):
    """A feedback token that is malformed, forged or expired (the reason is for the log only)."""


@dataclass(frozen=True)
class Feedback:
    publication: str
    watchlist: str
    relevant: bool
    subscriber: str
    address: str
    expires: int
    nonce: str


def make_token(secret: str, feedback: Feedback) -> str:
    body = {
        "p": feedback.publication,
        "w": feedback.watchlist,
        "l": 1 if feedback.relevant else 0,
        "s": feedback.subscriber,
        "a": feedback.address,
        "e": feedback.expires,
        "n": feedback.nonce,
    }
    payload = _b64(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{payload}.{_b64(_sign(secret, payload))}"


def read_token(secret: str, token: str, now: float | None = None) -> Feedback:
    """The feedback a token carries; `BadToken` if it is not one this key signed, or has expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or not secret:
        raise BadToken("malformed")
    try:
        given = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError as exc:
        raise BadToken("malformed") from exc
    if not hmac.compare_digest(given, _sign(secret, payload)):
        raise BadToken("bad signature")
    try:
        feedback = Feedback(
            body["p"], body["w"], bool(body["l"]), body["s"], body["a"], int(body["e"]), body["n"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadToken("incomplete") from exc
    if feedback.expires < (time.time() if now is None else now):
        raise BadToken("expired")
    return feedback


def feedback_links(
    base_url: str, publication: str, watchlist: str, subscriber: str, address: str, now: float | None = None
) -> dict[str, str]:
    """``{"relevant", "irrelevant", "publication"}`` URLs for one alert to one recipient; {} when no
    key is set or no base URL is known (the message then carries no links)."""
    secret = os.environ.get(SECRET_ENV, "")
    if not secret or not base_url:
        return {}
    expires = int((time.time() if now is None else now) + LIFETIME_S)
    base = base_url.rstrip("/")
    links = {}
    for name, relevant in (("relevant", True), ("irrelevant", False)):
        feedback = Feedback(
            publication, watchlist, relevant, subscriber, address, expires, secrets.token_urlsafe(12)
        )
        links[name] = f"{base}/feedback/{make_token(secret, feedback)}"
    links["publication"] = f"{base}/publications/{quote(publication)}?watchlist={quote(watchlist)}"
    return links


def _sign(secret: str, payload: str) -> bytes:
    return hmac.new(secret.encode(), b"feedback:" + payload.encode(), hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
