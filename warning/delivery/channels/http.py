"""JSON over HTTP POST for the webhook and chat-robot channels: 429 and Retry-After, and the one
rule for what an HTTP status means.

The rule (`status_result`): 2xx is delivered; 408, 425, 429 and 5xx are temporary (retried with
backoff, or after the Retry-After the server gave); every other status is permanent: a refused
payload, a missing or moved endpoint, a refused signature or token (401, 403) cannot succeed by
sending the same request again. Redirects are not followed: requests turns a redirected POST into
a GET without the body, which a server may well answer 200 to, and the alert would count as sent.

A channel of this kind keeps one `requests.Session` for a run of sends (`HttpChannel`): a robot or
receiver sent fifty alerts gets one connection and one TLS handshake, not fifty. The session keeps
no cookies, so nothing a server sets for one address travels with the next address's request.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookiejar import DefaultCookiePolicy

import requests

from warning.clock import retry_after
from warning.delivery.channels.base import MAX_INLINE_WAIT, Channel, DeliveryResult

RATE_LIMIT_TRIES = 3
TEMPORARY_STATUSES = frozenset({408, 425, 429})
CREDENTIAL_STATUSES = frozenset({401, 403})


def post_json(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    sleep: Callable[[float], None],
    session: requests.Session | None = None,
) -> tuple[requests.Response | None, DeliveryResult | None]:
    """POST ``body``; returns the final response, or a failed result when there is none to read.

    A 429 with a short Retry-After is waited out here (with the injected ``sleep``); a long one is
    handed back so the outbox schedules the retry instead of blocking the dispatcher.
    """
    http = session or requests
    headers = {"Content-Type": "application/json; charset=utf-8", **headers}
    for _ in range(RATE_LIMIT_TRIES):
        try:
            response = http.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        except requests.RequestException as exc:
            return None, request_failure(exc)
        if response.status_code != 429:
            return response, None
        wait = retry_after(response.headers.get("Retry-After"))
        if wait is None or wait > MAX_INLINE_WAIT:
            return None, DeliveryResult(ok=False, error="HTTP 429 rate limited", retry_after=wait)
        sleep(wait)
    return None, DeliveryResult(
        ok=False, error="HTTP 429 rate limited (still after waiting)", retry_after=60.0
    )


class HttpChannel(Channel):
    """A channel that POSTs over HTTP: one keep-alive session per run, closed by `finish`."""

    _session: requests.Session | None = None

    @property
    def session(self) -> requests.Session:
        """The run's session, opened at the first send."""
        if self._session is None:
            session = requests.Session()
            session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            self._session = session
        return self._session

    def post(
        self, url: str, body: bytes, headers: dict[str, str]
    ) -> tuple[requests.Response | None, DeliveryResult | None]:
        """`post_json` through the run's session, with the configured timeout."""
        return post_json(url, body, headers, self.config.webhook.timeout, self.sleep, self.session)

    def finish(self) -> None:
        """Close the run's connections."""
        if self._session is not None:
            self._session.close()
            self._session = None


def request_failure(exc: requests.RequestException) -> DeliveryResult:
    """No answer to read: a timeout or a connection that failed is the host's, not the message's.

    The message names the kind of failure only: the exception text carries the URL, and a robot's
    URL carries its access token.
    """
    if isinstance(exc, requests.exceptions.SSLError):
        return DeliveryResult(ok=False, error="TLS handshake failed (certificate?)", refused_us=True)
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return DeliveryResult(ok=False, error=f"no answer: {type(exc).__name__}", unreachable=True)
    return DeliveryResult(ok=False, error=f"request failed: {type(exc).__name__}")


def status_result(status: int, text: str = "", retry_after: float | None = None) -> DeliveryResult | None:
    """A failed result for a non-2xx status (None for 2xx), by the rule in the module docstring."""
    if 200 <= status < 300:
        return None
    temporary = status in TEMPORARY_STATUSES or status >= 500
    return DeliveryResult(
        ok=False,
        error=f"HTTP {status}"
        + (" (redirect not followed: update the address)" if 300 <= status < 400 else ""),
        response=text[:500],
        permanent=not temporary,
        retry_after=retry_after if temporary else None,
        refused_us=status in CREDENTIAL_STATUSES,
    )


def response_result(response: requests.Response) -> DeliveryResult | None:
    """`status_result` of a requests response."""
    wait = retry_after(response.headers.get("Retry-After"))
    return status_result(response.status_code, response.text, wait)
