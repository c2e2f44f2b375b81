"""APScheduler 3.x wiring: the ``[schedule]`` table turned into cron triggers, and what is due.

Only wiring lives here. The jobs themselves are in `warning.service.jobs` (the same functions the CLI
calls), running and recording them is `warning.service.runner`. Everything that reads the clock takes
``now``, so tests and ``warning status`` compute fire times without starting a scheduler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from warning.config.schema import Config
from warning.errors import ConfigError
from warning.service.jobs import PIPELINE, Job, job_table

OFF = "off"  # a job set to "off" never runs on a timer (classify still follows each fetch)
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_HELP = 'five fields "minute hour day month day_of_week", e.g. "30 14 * * wed" or "*/5 * * * *"'


@dataclass(frozen=True)
class PlannedJob:
    """A job as scheduled: its cron (or none: chained only) and where the cron came from."""

    job: Job
    cron: str  # "" when the job runs only chained after another
    timezone: str
    trigger: CronTrigger | None
    configured: bool  # from [schedule.jobs], not a default

    @property
    def name(self) -> str:
        return self.job.name

    def next_run(self, now: datetime) -> datetime | None:
        """The first fire time at or after ``now`` (None for chained-only jobs)."""
        return self.trigger.get_next_fire_time(None, now) if self.trigger else None

    def fired_since(self, last: datetime, now: datetime) -> bool:
        """Whether the cron fired after ``last`` and no later than ``now``."""
        if self.trigger is None:
            return False
        fire = self.trigger.get_next_fire_time(None, last + timedelta(microseconds=1))
        return fire is not None and fire <= now


def cron_trigger(expr: str, timezone: str) -> CronTrigger:
    """A CronTrigger from a standard crontab expression (day of week 0 or 7 = Sunday, as in cron).

    APScheduler 3.x counts day-of-week numbers from Monday; numbers are translated to day names
    so that ``0 6 * * 2`` means Tuesday, as every cron user expects.
    """
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"has {len(fields)} field(s), expected {_CRON_HELP}")
    fields[4] = crontab_day_of_week(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=ZoneInfo(timezone))


def crontab_day_of_week(field: str) -> str:
    """Translate cron day-of-week numbers (0-7, Sunday = 0 or 7) to day names APScheduler reads."""
    names: list[str] = []
    for part in field.split(","):
        if not re.search(r"\d", part):
            names.append(part)
            continue
        match = re.fullmatch(r"(\*|\d+)(?:-(\d+))?(?:/(\d+))?", part)
        if not match:
            raise ValueError(f"day of week {part!r} is not a number, a range or a day name")
        low_text, high_text, step = match.groups()
        low = 0 if low_text == "*" else int(low_text)
        high = int(high_text) if high_text else (6 if low_text == "*" or step else low)
        if not (0 <= low <= high <= 7) or step == "0":
            raise ValueError(f"day of week {part!r} is out of range (0-7, Sunday is 0 or 7)")
        names += [_DAY_NAMES[day % 7] for day in range(low, high + 1, int(step or 1))]
    return ",".join(dict.fromkeys(names))


def plan_jobs(config: Config, table: dict[str, Job] | None = None) -> list[PlannedJob]:
    """The jobs to schedule for this config, in pipeline order; ConfigError on a bad table.

    A job named in ``[schedule.jobs]`` uses that cron (``"off"``: never on a timer); any other job
    uses its default, if it has anything to work on (a source enabled, watchlists present...).
    """
    schedule = config.schedule
    where = f"{config.path}: " if config.path else ""
    _check_timezone(schedule.timezone, where)
    if schedule.misfire_grace_seconds <= 0:
        raise ConfigError(f"{where}schedule.misfire_grace_seconds must be a positive number of seconds")
    table = job_table(config) if table is None else table
    _check_names(schedule.jobs, table, where)
    planned = []
    for job in table.values():
        configured = job.name in schedule.jobs
        if not configured and not job.needs_work(config):
            continue
        if configured and job.source and not job.needs_work(config):
            continue  # a disabled source keeps its cron in the table but does not run
        cron = schedule.jobs[job.name].strip() if configured else job.default_cron
        tz = schedule.timezone if configured else (job.default_timezone or schedule.timezone)
        planned.append(_planned(job, cron, tz, configured, where))
    return sorted(planned, key=lambda p: PIPELINE.index(p.name.partition(":")[0]))


def _planned(job: Job, cron: str, tz: str, configured: bool, where: str) -> PlannedJob:
    if cron.lower() == OFF:
        return PlannedJob(job, "", tz, None, configured)
    try:
        trigger = cron_trigger(cron, tz)
    except ValueError as exc:
        raise ConfigError(f"{where}schedule.jobs.{job.name} = {cron!r}: {exc}") from None
    return PlannedJob(job, cron, tz, trigger, configured)


def _check_timezone(name: str, where: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{where}schedule.timezone {name!r} is not a known time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai)"
        ) from None


def _check_names(configured: dict[str, str], table: dict[str, Job], where: str) -> None:
    for name in configured:
        if name not in table:
            valid = ", ".join(sorted(table))
            hint = (
                " (fetch jobs are named fetch:SOURCE after a [sources.SOURCE] table)" if ":" in name else ""
            )
            raise ConfigError(f"{where}unknown job {name!r} in [schedule.jobs]{hint}; valid jobs: {valid}")


def due_jobs(planned: list[PlannedJob], last_success: dict[str, datetime], now: datetime) -> list[str]:
    """Jobs whose cron fired since their last successful run (or that never succeeded), in order."""
    due = []
    for p in planned:
        if p.trigger is None:
            continue
        last = last_success.get(p.name)
        if last is None or p.fired_since(last, now):
            due.append(p.name)
    return due


def next_runs(planned: list[PlannedJob], now: datetime) -> dict[str, datetime | None]:
    """When each planned job fires next (None: it only runs chained after a fetch)."""
    return {p.name: p.next_run(now) for p in planned}


def build_scheduler(
    config: Config, planned: list[PlannedJob], run_job, workers: int = 3
) -> BackgroundScheduler:
    """A BackgroundScheduler (not started) with one job per planned cron; ``run_job(name)`` runs them.

    Jobs never overlap themselves (``max_instances=1``), missed fires collapse into one run
    (``coalesce``), and a fire missed by less than the grace time still runs.
    """
    guards = {
        "max_instances": 1,
        "coalesce": True,
        "misfire_grace_time": config.schedule.misfire_grace_seconds,
    }
    scheduler = BackgroundScheduler(
        timezone=ZoneInfo(config.schedule.timezone),
        executors={"default": {"type": "threadpool", "max_workers": workers}},
        job_defaults=guards,
    )
    for p in planned:
        if p.trigger is not None:
            scheduler.add_job(run_job, p.trigger, args=[p.name], id=p.name, name=p.name, **guards)
    return scheduler
