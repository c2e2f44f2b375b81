"""Time, the one way the service reads it: UTC to the second, as the store keeps it.

Every "now" goes through here (`now`, `iso`, `utcnow`, `today`), so tests inject a moment by
passing ``now`` and every stored stamp has one form (``2026-11-24T17:00:00+00:00``). Local time
exists only where people see days and weeks begin (`local_zone`: the ``[schedule]`` time zone).
`retry_after` reads the one header that speaks of time, for every HTTP client of the service.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo


def now(moment: datetime | None = None) -> datetime:
    """``moment`` (or the real time) in UTC, to the second."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def iso(moment: datetime) -> str:
    """A moment as the store keeps it: ISO 8601 in UTC, to the second."""
    return now(moment).isoformat()


def utcnow() -> str:
    """Now, as the ISO text the store keeps."""
    return iso(now())


def today() -> date:
    """Today's date in UTC (the offices' publication dates are days in UTC)."""
    return datetime.now(UTC).date()


def local_zone(timezone: str) -> ZoneInfo:
    """Where a day, a week and a month begin for batches and digests (the ``[schedule]`` zone,
    checked when the config is loaded; empty is UTC)."""
    return ZoneInfo(timezone or "UTC")


def retry_after(value: str | None, per_second: float = 1.0, moment: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: a delay (in seconds, or ``per_second`` units of
    one: OPS writes milliseconds, ``per_second=1000``) or an HTTP date; None when absent or unreadable."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        return max(0.0, float(text) / per_second)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now(moment)).total_seconds())
