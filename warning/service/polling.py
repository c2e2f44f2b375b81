"""Polling until found: from an office's expected publication moment, check every few minutes.

An office declares when it publishes (`warning.sources.base.Release`: the USPTO's weekly files
on Tuesday and Thursday from midnight Eastern time, the EP Bulletin on Wednesday at 14:00 Berlin,
OPS's daily load). From that moment the fetch job checks (a conditional request: ETag,
Last-Modified, the office's listing) every ``poll_minutes`` for ``poll_hours``, then every
``retry_minutes``, until the release is found in the store or ``give_up_hours`` have passed;
then it stops and `warning status` says the file never came. Between releases nothing is asked.
A release whose waiting time was over before the source was first checked (a new store holding
older data, such as the demo's) was never waited for: it is "not awaited", not "checks stopped".

Everything here is pure: `poll_verdict` takes what the store knows (`Seen`) and ``now``, so the
runner, ``warning status`` and the tests compute the same answer without a scheduler or network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import sqlite_utils

from warning.config.schema import ScheduleConfig
from warning.service.jobs import Job
from warning.service.scheduler import cron_trigger
from warning.sources.base import Release, published_days
from warning.store.operations import list_source_states
from warning.store.runs import first_run_of_source

LOOK_BACK = timedelta(days=8)  # a weekly release's last moment is always within the last 8 days

EXPECTED = "expected"  # the moment passed, not found yet: checking
GAVE_UP = "gave_up"  # not found within give_up_hours: checks stopped until the next release
PUBLISHED = "published"  # the latest release is stored
FIRST_RUN = "first_run"  # never checked: check now, whatever the day
NOT_AWAITED = "not_awaited"  # its waiting time ended before the source's first check: never waited for


@dataclass(frozen=True)
class PollPolicy:
    """How often and how long to check after an expected moment (the ``[schedule]`` keys)."""

    poll_minutes: int = 5
    poll_hours: float = 12.0
    retry_minutes: int = 30
    give_up_hours: float = 48.0

    @classmethod
    def from_schedule(cls, schedule: ScheduleConfig) -> PollPolicy:
        return cls(schedule.poll_minutes, schedule.poll_hours, schedule.retry_minutes, schedule.give_up_hours)

    def interval(self, since_expected: timedelta) -> timedelta:
        """The wait between two checks this long after the expected moment."""
        fast = since_expected < timedelta(hours=self.poll_hours)
        return timedelta(minutes=self.poll_minutes if fast else self.retry_minutes)

    @property
    def give_up(self) -> timedelta:
        return timedelta(hours=self.give_up_hours)


@dataclass(frozen=True)
class Seen:
    """What the store knows of a source, over its countries (`warning.store.operations.SourceState`)."""

    published: dict[str, str] = field(default_factory=dict)  # newest day stored, per document type
    new_at: datetime | None = None  # when a fetch last stored something new
    last_check: datetime | None = None  # when a fetch last ended, well or not
    first_check: datetime | None = None  # the earliest check known (None: unknown, as before)


@dataclass(frozen=True)
class Verdict:
    """Whether to check now, and what to tell the operator."""

    state: str
    due: bool
    release: str = ""
    expected: datetime | None = None  # the expected moment this verdict is about (UTC)
    next_check: datetime | None = None  # when the next check is due (None: none until next release)
    next_expected: datetime | None = None  # the next expected moment of any release
    gave_up_at: datetime | None = None


def expected_moments(release: Release, now: datetime) -> tuple[datetime | None, datetime]:
    """The release's latest expected moment at or before ``now`` (None: none within 8 days) and its next."""
    trigger = cron_trigger(release.cron, release.timezone)
    latest = None
    moment = trigger.get_next_fire_time(None, now - LOOK_BACK)
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
    return latest, moment


def is_found(release: Release, expected: datetime, seen: Seen) -> bool:
    """Whether the release of ``expected`` is in the store (see `Release.found_by`)."""
    if release.found_by == "new":
        return seen.new_at is not None and seen.new_at >= expected
    days = [d for t, d in seen.published.items() if not release.doc_types or t in release.doc_types]
    return max(days, default="") >= _local_day(expected).isoformat()


def poll_verdict(releases: Iterable[Release], policy: PollPolicy, seen: Seen, now: datetime) -> Verdict:
    """Whether a source with these releases is due for a check at ``now``, and why."""
    now = now.astimezone(UTC)
    releases = tuple(releases)
    upcoming = [expected_moments(r, now) for r in releases]
    next_expected = min((n for _, n in upcoming if n is not None), default=None)
    if seen.last_check is None:
        return Verdict(FIRST_RUN, True, next_check=now, next_expected=next_expected)
    waiting, lost, found = [], [], []
    for release, (latest, _) in zip(releases, upcoming, strict=True):
        if latest is None:
            continue
        if is_found(release, latest, seen):
            found.append((latest, release))
        elif now - latest < policy.give_up:
            waiting.append((_next_check(latest, seen.last_check, policy), latest, release))
        else:
            lost.append((latest, release))
    if waiting:
        check, latest, release = min(waiting, key=lambda w: w[0])
        return Verdict(EXPECTED, check <= now, release.name, latest, check, next_expected)
    if lost:
        latest, release = max(lost, key=lambda x: x[0])
        gave_up_at = latest + policy.give_up
        if seen.first_check is not None and seen.first_check >= gave_up_at:
            return Verdict(NOT_AWAITED, False, release.name, latest, None, next_expected)
        return Verdict(GAVE_UP, False, release.name, latest, None, next_expected, gave_up_at)
    latest, release = max(found, key=lambda x: x[0], default=(None, None))
    return Verdict(PUBLISHED, False, release.name if release else "", latest, None, next_expected)


def _next_check(expected: datetime, last_check: datetime, policy: PollPolicy) -> datetime:
    if last_check < expected:
        return expected  # not checked since the moment: check at once
    return last_check + policy.interval(last_check - expected)


def _local_day(moment: datetime) -> date:
    # The trigger's fire times carry the release's own zone: its day is the office's.
    return moment.date()


def job_verdict(db: sqlite_utils.Database, schedule: ScheduleConfig, job: Job, now: datetime) -> Verdict:
    """The verdict for a polling fetch job, from its source's states in the store."""
    states = [s for s in list_source_states(db) if s.source == job.source]
    seen = seen_from_states(states, first_run_of_source(db, job.source))
    return poll_verdict(job.releases, PollPolicy.from_schedule(schedule), seen, now)


def gave_up_message(verdict: Verdict, give_up_hours: float) -> str:
    """What an operator reads when a release never came."""
    expected = verdict.expected.strftime("%Y-%m-%d %H:%M %Z") if verdict.expected else "?"
    return (
        f"{verdict.release} expected {expected}, not published after {give_up_hours:g} h; checks "
        f"stopped until the next release / 预计发布 {expected}，{give_up_hours:g} 小时后仍未发布，已停止检查"
    )


def seen_from_states(states: Iterable, first_run: datetime | None = None) -> Seen:
    """`Seen` over a source's countries: the newest of each (a poll covers every country);
    ``first_run``: when the first recorded run fetching the source started. The first check
    known is the earliest of it and the states' last checks."""
    states = list(states)
    published: dict[str, str] = {}
    for state in states:
        for doc_type, day in published_days(state.published_through).items():
            published[doc_type] = max(published.get(doc_type, ""), day)
    new_at = max((_parse(s.new_at) for s in states if s.new_at), default=None)
    checks = [_parse(t) for s in states for t in (s.last_success, s.last_failure) if t]
    first = min([*checks, *([first_run] if first_run else [])], default=None)
    return Seen(published, new_at, max(checks, default=None), first)


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
