"""JSON over HTTP POST for the webhook and chat-robot channels, honouring 429 and Retry-After."""

from __future__ import annotations

from collections.abc import Callable

import requests

from warning.channels.base import MAX_INLINE_WAIT, DeliveryResult, parse_retry_after

RATE_LIMIT_TRIES = 3


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
            response = http.post(url, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as exc:
            return None, DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}")
        if response.status_code != 429:
            return response, None
        wait = parse_retry_after(response.headers.get("Retry-After"))
        if wait is None or wait > MAX_INLINE_WAIT:
            return None, DeliveryResult(ok=False, error="HTTP 429 rate limited", retry_after=wait)
        sleep(wait)
    return None, DeliveryResult(
        ok=False, error="HTTP 429 rate limited (still after waiting)", retry_after=60.0
    )


def status_result(response: requests.Response) -> DeliveryResult | None:
    """A failed result for a non-2xx status. A refused payload or a missing endpoint (400, 404,
    410, 413, 422) cannot succeed on retry; auth errors (401, 403) can, once the secret is fixed."""
    if 200 <= response.status_code < 300:
        return None
    text = response.text[:500]
    permanent = response.status_code in (400, 404, 410, 413, 422)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    return DeliveryResult(
        ok=False,
        error=f"HTTP {response.status_code}",
        response=text,
        permanent=permanent,
        retry_after=retry_after,
    )
