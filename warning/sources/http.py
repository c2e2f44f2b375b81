"""The one retry policy of the sources' HTTP clients, on tenacity.

Every office client (the EP publication server, the USPTO Open Data Portal, EPO OPS) retries the
same way: at most ``retries`` more attempts after the first, waiting ``backoff`` seconds and
doubling, through the injected ``sleep`` (so tests never wait), then a `SourceUnavailable` that
names what gave up, after how many attempts and why. What is worth another attempt is the
client's to say: a timeout or a cut connection (`NETWORK_ERRORS`), or `TryAgain` for a 5xx or
429, a 200 that is no answer to the request, a file that came down broken. A wait the server
asked for (Retry-After) is waited at least; an attempt after which the client has waited
already (OPS's throttling) or that needs no wait (a renewed token) asks for no backoff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import requests
import tenacity

from warning.errors import SourceUnavailable

T = TypeVar("T")
# A connection cut mid-body (fewer bytes than Content-Length) is as retryable as a timeout.
NETWORK_ERRORS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class TryAgain(Exception):
    """An attempt that failed in a way another attempt may not: ``at_least`` seconds to wait
    (the server's Retry-After), ``backoff`` False where no backoff is due before the next."""

    def __init__(self, why: str, at_least: float = 0.0, backoff: bool = True) -> None:
        super().__init__(why)
        self.at_least = at_least
        self.backoff = backoff


def with_retries(
    attempt: Callable[[], T],
    *,
    what: str,
    retries: int,
    backoff: float,
    sleep: Callable[[float], None],
    on_retry: Callable[[str, float], None] | None = None,
) -> T:
    """``attempt()``'s result, retried as the module doc says; ``on_retry(why, delay)`` hears each
    backoff before it is slept (to count and log it)."""

    def wait(state: tenacity.RetryCallState) -> float:
        failed = state.outcome.exception()
        if isinstance(failed, TryAgain) and not failed.backoff:
            return 0.0
        delay = backoff * 2 ** (state.attempt_number - 1)
        return max(failed.at_least if isinstance(failed, TryAgain) else 0.0, delay)

    def before_sleep(state: tenacity.RetryCallState) -> None:
        delay = state.next_action.sleep if state.next_action else 0.0
        if on_retry is not None and delay > 0:
            on_retry(reason(state.outcome.exception()), delay)

    retrying = tenacity.Retrying(
        stop=tenacity.stop_after_attempt(retries + 1),
        wait=wait,
        retry=tenacity.retry_if_exception_type((TryAgain, *NETWORK_ERRORS)),
        sleep=lambda seconds: sleep(seconds) if seconds > 0 else None,
        before_sleep=before_sleep,
        reraise=True,
    )
    try:
        return retrying(attempt)
    except (TryAgain, *NETWORK_ERRORS) as exc:
        raise SourceUnavailable(f"{what}: gave up after {retries + 1} attempts ({reason(exc)})") from None


def reason(exc: BaseException | None) -> str:
    """Why an attempt failed, as the final error and the log say it."""
    if isinstance(exc, TryAgain):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
