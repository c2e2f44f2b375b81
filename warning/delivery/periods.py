"""The one period rule of digests, scheduled or made by hand: calendar periods in a time zone.

A period is a calendar day, ISO week (Monday to Monday) or month, beginning at midnight in the
service's time zone (``[schedule] timezone``). The scheduler sends the period that just ended
(`previous_window`); a digest made by hand covers the period so far (`current_window`), or the
one that ended (``--previous``: exactly what the scheduler sent), or any ``--since/--until`` window
(`custom_window`). Aware datetimes add in wall-clock time, so a period
moved across a daylight-saving change still begins at midnight. A window is [start, end); the end of a period so far is the next whole second
after now, so a match made in the very second the digest is built is in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from dateutil.relativedelta import relativedelta

from warning.errors import ConfigError

PERIODS = ("day", "week", "month")
CUSTOM = "custom"


@dataclass(frozen=True)
class Window:
    """What a digest covers: [start, end) in the time zone of the period, and its label."""

    period: str  # day, week, month or custom
    start: datetime
    end: datetime
    label: str  # 2026-11-24, 2026-W48, 2026-11, or 2026-11-01..2026-11-15


def period_delta(period: str) -> relativedelta:
    if period not in PERIODS:
        raise ConfigError(f"digest period must be day, week or month, not {period!r}")
    return {"day": relativedelta(days=1), "week": relativedelta(weeks=1), "month": relativedelta(months=1)}[
        period
    ]


def period_start(moment: datetime, period: str, zone: tzinfo = UTC) -> datetime:
    """The start (midnight in ``zone``) of the day, ISO week or month that contains ``moment``."""
    midnight = moment.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return midnight - timedelta(days=midnight.weekday())
    if period == "month":
        return midnight.replace(day=1)
    return midnight


def period_label(start: datetime, period: str) -> str:
    """``2026-11-23``, ``2026-W48`` or ``2026-11`` for the period starting at ``start``."""
    if period == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m") if period == "month" else start.strftime("%Y-%m-%d")


def previous_window(period: str, moment: datetime, zone: tzinfo = UTC) -> Window:
    """The whole period before the one containing ``moment``: what the scheduler sends."""
    end = period_start(moment, period, zone)
    start = period_start(end - period_delta(period), period, zone)
    return Window(period, start, end, period_label(start, period))


def current_window(period: str, moment: datetime, zone: tzinfo = UTC) -> Window:
    """The period containing ``moment``, from its start to the second after ``moment``."""
    start = period_start(moment, period, zone)
    end = moment.astimezone(zone).replace(microsecond=0) + timedelta(seconds=1)
    return Window(period, start, end, period_label(start, period))


def custom_window(since: date, until: date, zone: tzinfo = UTC) -> Window:
    """The days ``since`` to ``until``, both included, in ``zone``."""
    if until < since:
        raise ConfigError(f"--until {until} is before --since {since}")
    start = datetime(since.year, since.month, since.day, tzinfo=zone)
    end = datetime(until.year, until.month, until.day, tzinfo=zone) + timedelta(days=1)
    return Window(CUSTOM, start, end, f"{since.isoformat()}..{until.isoformat()}")


def trend_periods(window: Window, count: int, zone: tzinfo = UTC) -> list[tuple[str, date, date]]:
    """The ``count`` calendar periods ending with the window's, as (label, first day, day after):
    weeks for a custom window up to 62 days, months for a longer one."""
    period = window.period
    if period == CUSTOM:
        period = "week" if (window.end - window.start).days <= 62 else "month"
    starts = [period_start(window.end - timedelta(seconds=1), period, zone)]
    for _ in range(count - 1):
        starts.insert(0, period_start(starts[0] - period_delta(period), period, zone))
    ends = [*starts[1:], period_start(starts[-1] + period_delta(period), period, zone)]
    shown = "%Y-%m" if period == "month" else "%m-%d"
    return [(s.strftime(shown), s.date(), e.date()) for s, e in zip(starts, ends, strict=True)]
