"""HTTP client for EPO Open Patent Services: OAuth2, throttling, quotas, retries.

What OPS documents and this client honours:

- OAuth2 client credentials: ``POST {base}auth/accesstoken`` with HTTP Basic (consumer key and
  secret) and ``grant_type=client_credentials``; the JSON answer carries ``access_token`` and
  ``expires_in`` (seconds, as a string). The token is renewed shortly before it expires and
  at once when OPS answers 401.
- ``X-Throttling-Control: busy (images=green:100, inpadoc=yellow:45, other=green:1000,
  retrieval=red:10, search=black:0)``: the system state, then per service a colour and the
  requests per minute allowed. Green: go on. Yellow: pace to the allowed rate. Red: pace at
  half of it. Black: the service is closed; wait ``Retry-After`` (milliseconds) and retry.
- 403 with ``X-Rejection-Reason``: ``ThrottlingControlQuota`` (wait ``Retry-After``, retry);
  ``IndividualQuotaPerHour``, ``RegisteredQuotaPerWeek`` and other quotas: stop the source
  for this run (`SourceExhausted`), never hammer a closed quota.
- Fair use: response bytes are counted, added to what earlier runs of the last 7 days counted
  (OPS's own ``X-RegisteredQuotaPerWeek-Used`` is taken when larger); the client stops before
  ``max_quota_share`` of ``weekly_quota_mb``.
- 5xx, 429, timeouts, connection errors and cut bodies: retried with exponential backoff; so
  is a 2xx reply that is no well-formed answer to the request (the caller's ``read`` refuses it).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests

from warning.clock import retry_after
from warning.config.secrets import secret
from warning.errors import ParseError, SourceUnavailable
from warning.sources.base import SourceExhausted
from warning.sources.http import NETWORK_ERRORS, TryAgain, with_retries

log = logging.getLogger(__name__)
MB = 1024 * 1024
_SERVICE = re.compile(r"(\w+)=(green|yellow|red|black):(\d+)")
_TOKEN_MARGIN = 60.0  # renew this many seconds before OPS says the token expires
T = TypeVar("T")


@dataclass(frozen=True)
class Throttle:
    """One service's state from ``X-Throttling-Control``."""

    system: str
    colour: str
    per_minute: int


def parse_throttling(header: str | None, service: str) -> Throttle | None:
    """The colour and rate of ``service`` (search, retrieval, inpadoc ...) in the header."""
    if not header:
        return None
    system = header.split("(", 1)[0].strip()
    for name, colour, rate in _SERVICE.findall(header):
        if name == service:
            return Throttle(system, colour, int(rate))
    return None


def retry_after_seconds(header: str | None, default: float) -> float:
    """OPS writes Retry-After in milliseconds; a missing or odd value gives ``default``."""
    seconds = retry_after(header, per_second=1000.0)
    return default if seconds is None else seconds


@dataclass
class OpsClient:
    """Authenticated, throttled, quota-counting requests to one OPS base URL."""

    base_url: str
    key_env: str
    secret_env: str
    session: requests.Session
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    timeout: float = 60.0
    max_retries: int = 4
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 600.0
    quota_bytes: float = 4096 * MB
    earlier_bytes: int = 0  # fetched by earlier runs in the last 7 days
    counts: dict[str, int] = field(default_factory=dict)
    _token: str = ""
    _token_expires: float = 0.0
    _week_used_by_ops: int = 0

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")

    def request(self, method: str, path: str, service: str, **kwargs) -> requests.Response:
        """One OPS request with auth, throttling, quota and retries; 2xx and 404 are returned."""
        return self.request_read(method, path, service, lambda resp: resp, **kwargs)

    def request_read(
        self, method: str, path: str, service: str, read: Callable[[requests.Response], T], **kwargs
    ) -> T:
        """A request whose 2xx or 404 reply ``read`` turns into its result.

        A reply ``read`` refuses with ParseError (cut off, an HTML page, a ``<fault>`` under 200)
        is not an answer to the request: it is retried like a 5xx, and after the last attempt
        the request fails with SourceUnavailable, so nothing of it is stored or skipped.
        """
        headers = kwargs.pop("headers", {})
        renewed = False

        def attempt() -> T:
            nonlocal renewed
            self._check_quota()
            auth = {**headers, "Authorization": f"Bearer {self._access_token()}"}
            try:
                resp = self.session.request(
                    method, self.url(path), timeout=self.timeout, headers=auth, **kwargs
                )
            except NETWORK_ERRORS as exc:
                raise TryAgain(f"{type(exc).__name__}: {exc}") from None
            self._count(resp)
            if _token_rejected(resp) and not renewed:
                self._token, renewed = "", True  # expired or revoked: one fresh token, same request
                raise TryAgain("the access token was refused", backoff=False)
            if resp.status_code == 403:
                self._on_forbidden(resp)  # waits out a throttling quota, or raises
                raise TryAgain("403 ThrottlingControlQuota", backoff=False)
            if resp.status_code == 429 or resp.status_code >= 500:
                wait = retry_after_seconds(resp.headers.get("Retry-After"), 0.0)
                raise TryAgain(f"HTTP {resp.status_code}", at_least=wait)
            if resp.status_code >= 400 and resp.status_code != 404:
                raise SourceUnavailable(f"OPS {path}: HTTP {resp.status_code}: {resp.text[:200]}")
            try:
                result = read(resp)
            except ParseError as exc:
                self.counts["bad_replies"] = self.counts.get("bad_replies", 0) + 1
                raise TryAgain(f"HTTP {resp.status_code} but {exc}") from None
            self._pace(resp, service)
            return result

        return self._with_retries(attempt, f"OPS {path}", "")

    def _access_token(self) -> str:
        if self._token and self.clock() < self._token_expires:
            return self._token
        key = secret(self.key_env, "epo_ops consumer key")
        password = secret(self.secret_env, "epo_ops consumer secret")

        def attempt() -> str:
            resp = self.session.post(
                self.url("auth/accesstoken"),
                data={"grant_type": "client_credentials"},
                auth=(key, password),
                timeout=self.timeout,
            )
            self._count(resp)
            if resp.status_code == 200 and self._take_token(resp):
                return self._token
            if resp.status_code != 200 and resp.status_code < 500 and resp.status_code != 429:
                raise SourceUnavailable(
                    f"OPS authentication refused: HTTP {resp.status_code}: {resp.text[:200]}"
                )
            raise TryAgain(
                f"HTTP {resp.status_code}" + ("" if resp.status_code != 200 else " without access_token")
            )

        return self._with_retries(attempt, "OPS authentication", "authentication: ")

    def _with_retries(self, attempt: Callable[[], T], what: str, shown: str) -> T:
        def count_retry(why: str, delay: float) -> None:
            log.warning("OPS request failed (%s%s); retry in %.1f s", shown, why, delay)
            self.counts["retries"] = self.counts.get("retries", 0) + 1

        return with_retries(
            attempt,
            what=what,
            retries=self.max_retries,
            backoff=self.backoff_seconds,
            sleep=self.sleep,
            on_retry=count_retry,
        )

    def _take_token(self, resp: requests.Response) -> bool:
        """Keep the token of an OAuth reply; False when the reply holds none (an error page)."""
        try:
            body = resp.json()
            token, lifetime = body["access_token"], float(body.get("expires_in", 1200))
        except (ValueError, KeyError, TypeError, AttributeError):
            return False
        if not isinstance(token, str) or not token:
            return False
        self._token, self._token_expires = token, self.clock() + max(0.0, lifetime - _TOKEN_MARGIN)
        self.counts["tokens"] = self.counts.get("tokens", 0) + 1
        return True

    def _count(self, resp: requests.Response) -> None:
        self.counts["requests"] = self.counts.get("requests", 0) + 1
        self.counts["bytes"] = self.counts.get("bytes", 0) + len(resp.content or b"")
        used = resp.headers.get("X-RegisteredQuotaPerWeek-Used")
        if used and used.strip().isdigit():
            self._week_used_by_ops = max(self._week_used_by_ops, int(used))

    def _check_quota(self) -> None:
        used = max(self.earlier_bytes + self.counts.get("bytes", 0), self._week_used_by_ops)
        if used >= self.quota_bytes:
            raise SourceExhausted(
                f"OPS fair-use budget reached: {used / MB:.2f} MB used of the {self.quota_bytes / MB:.2f} MB "
                "this service may take per week (weekly_quota_mb x max_quota_share)"
            )

    def _on_forbidden(self, resp: requests.Response) -> None:
        reason = resp.headers.get("X-Rejection-Reason", "")
        if reason != "ThrottlingControlQuota" and "Quota" in reason:
            raise SourceExhausted(f"OPS quota exhausted: {reason}; stopped until the quota renews")
        if reason == "ThrottlingControlQuota" or _is_black(resp):
            self._wait(
                retry_after_seconds(resp.headers.get("Retry-After"), 60.0), f"OPS throttled ({reason})"
            )
            return
        raise SourceUnavailable(f"OPS refused the request: HTTP 403 {reason}: {resp.text[:200]}")

    def _pace(self, resp: requests.Response, service: str) -> None:
        throttle = parse_throttling(resp.headers.get("X-Throttling-Control"), service)
        if throttle is None or throttle.colour == "green":
            return
        if throttle.colour == "black":
            self._wait(retry_after_seconds(resp.headers.get("Retry-After"), 60.0), f"OPS {service} is black")
            return
        rate = max(throttle.per_minute, 1)
        delay = 60.0 / rate * (2.0 if throttle.colour == "red" else 1.0)
        self.counts[f"throttled_{throttle.colour}"] = self.counts.get(f"throttled_{throttle.colour}", 0) + 1
        self.sleep(delay)

    def _wait(self, seconds: float, why: str) -> None:
        if seconds > self.max_wait_seconds:
            raise SourceUnavailable(
                f"{why}: asked to wait {seconds:.0f} s (more than {self.max_wait_seconds:.0f} s)"
            )
        log.info("%s: waiting %.1f s", why, seconds)
        self.counts["throttle_waits"] = self.counts.get("throttle_waits", 0) + 1
        self.sleep(seconds)


def _token_rejected(resp: requests.Response) -> bool:
    """401, or the 400 ``invalid_access_token`` fault OPS really sends for an expired token."""
    if resp.status_code == 401:
        return True
    return resp.status_code == 400 and b"invalid_access_token" in (resp.content or b"")


def _is_black(resp: requests.Response) -> bool:
    return any(
        colour == "black" for _, colour, _ in _SERVICE.findall(resp.headers.get("X-Throttling-Control", ""))
    )
