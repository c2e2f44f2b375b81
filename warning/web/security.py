"""What keeps a browser safe: CSRF tokens on every form, security headers, a login throttle."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque

from flask import Flask, Response, abort, request, session

CSRF_FIELD = "csrf_token"
# POSTs that carry their own proof: a bearer token, a signed feedback link, Slack's signature.
_OWN_PROOF = ("/api/", "/feedback/", "/slack/")
# Pages: nothing but this origin's own files; no inline script, no framing, forms only to us.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# A digest shown as sent: its own inline styles and embedded chart, nothing it could run or fetch.
SENT_DOCUMENT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def csrf_token() -> str:
    """This session's CSRF token (made on first use); every form carries it in a hidden field."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse (400) a POST whose form token is not this session's. Exempt are the POSTs that use no
    session: the JSON API (bearer tokens only, never the cookie, so a foreign page cannot ride on
    it), signed feedback links and Slack's signed actions."""
    if request.method != "POST" or request.path.startswith(_OWN_PROOF):
        return
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="csrf")


def add_security_headers(response: Response) -> Response:
    """The headers of every answer: a content security policy, no sniffing, no referrer leaks."""
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.path != "/static" and not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class LoginThrottle:
    """At most ``limit`` failed logins per ``window`` seconds for one login and for one address.

    Kept in memory: `warning serve` is one process, and a restart forgetting the count is fine
    for a throttle (the password hash is what makes guessing slow per try)."""

    def __init__(self, limit: int = 5, window: float = 300.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(key)) >= self.limit for key in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self.clock())

    def succeeded(self, login_key: str) -> None:
        with self._lock:
            self._failures.pop(login_key, None)

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= self.clock() - self.window:
            times.popleft()
        return times


def install(app: Flask) -> None:
    """Wire CSRF checking and the headers into ``app``."""
    app.before_request(check_csrf)
    app.after_request(add_security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
