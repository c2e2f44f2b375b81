"""The job table: every scheduled job by name, its steps, its default cron and what follows it.

The scheduler and ``warning run --once`` run jobs from this table. It names the steps; the
function each step runs is the very one the matching CLI command calls, bound in
`warning.service.steps` when the job runs. So the table is plain data: the config's checks
(`warning.config.relations`) and ``warning status`` read it without loading the pipeline.
Nothing here runs only inside the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warning.config.schema import Config
from warning.sources.base import Release
from warning.sources.registry import source_class

StepFunction = Callable[[Any], dict]  # app -> counts


@dataclass(frozen=True)
class Step:
    """One pipeline function of a job. Some record their own `runs` row (fetch, classify).

    ``run`` None: the pipeline function of that name (`warning.service.steps`); tests give their own.
    """

    name: str
    run: StepFunction | None = None
    records_own_run: bool = False


@dataclass(frozen=True)
class Job:
    """A named job: its steps in order, its default cron and what runs right after it."""

    name: str
    steps: tuple[Step, ...]
    default_cron: str
    default_timezone: str = ""  # "" means the [schedule] time zone
    then: tuple[str, ...] = ()  # jobs chained after this one (fetch -> classify)
    source: str = ""
    releases: tuple[Release, ...] = ()  # a fetch job polls from these moments until found

    def polls(self, config: Config) -> bool:
        """Whether the job polls until found: its office declares releases and no cron replaces it."""
        return bool(self.releases) and self.name not in config.schedule.jobs

    def run_name(self, step: Step) -> str:
        """The ``runs.job`` a step is recorded under: the job's name, or the step's in a multi-step job."""
        return self.name if len(self.steps) == 1 else step.name

    def needs_work(self, config: Config) -> bool:
        """Whether the job has anything to work on with this config (else it is not scheduled)."""
        if self.name in ("classify", "train"):
            return _has_watchlists(config)
        if self.name in ("alerts", "digests", "reminders"):
            return bool(config.subscribers)  # nobody to deliver to, remind or send a digest
        if self.name == "legal":
            return bool(config.risks.legal_source)
        if self.name == "clusters":  # competitor tracking needs a cluster and OPS to ask
            folder = config.clusters_dir
            has_ops = any(s.kind == "epo_ops" and s.enabled for s in config.sources.values())
            return has_ops and folder.is_dir() and any(folder.glob("*.toml"))
        if self.source:
            source = config.sources.get(self.source)
            return bool(source and source.enabled)
        return True


POLL_TICK = "* * * * *"  # a polling fetch job wakes every minute; most wakes ask nothing
# Pipeline order: --once runs due jobs in this order, and status lists them so.
PIPELINE = ("fetch", "classify", "legal", "clusters", "reminders", "alerts", "digests", "train")

_FIXED_JOBS = (
    # classify_pending records its own run (as ``classify``); queueing and auto-open are recorded here.
    Job(
        "classify",
        (
            Step("classify", records_own_run=True),
            Step("queue_alerts"),
            Step("auto_open"),
        ),
        "20 * * * *",
    ),
    Job("legal", (Step("legal"),), "0 4 * * mon"),
    Job("clusters", (Step("clusters_track"),), "0 3 * * tue"),  # competitors' legal status, weekly
    Job("reminders", (Step("reminders"),), "0 8 * * *"),
    Job("alerts", (Step("dispatch"),), "*/5 * * * *"),
    Job("digests", (Step("digests"),), "0 7 * * *"),
    Job("train", (Step("train"),), "0 2 * * sun"),
)


def job_table(config: Config) -> dict[str, Job]:
    """Every job this config can run, by name, in pipeline order (one ``fetch:NAME`` per source)."""
    jobs: dict[str, Job] = {}
    for name, source in config.sources.items():
        plugin = source_class(source.kind)
        cron, tz = plugin.schedule  # each office declares its publication day
        releases = plugin.expected_releases(source.options)
        if releases:  # a tick; the poll gate (`warning.service.polling`) decides when to ask
            cron, tz = POLL_TICK, "UTC"
        step = Step("fetch", records_own_run=True)  # fetch_source records fetch:NAME
        jobs[f"fetch:{name}"] = Job(f"fetch:{name}", (step,), cron, tz, ("classify",), name, releases)
    for job in _FIXED_JOBS:
        jobs[job.name] = job
    return jobs


def step_failed(result: Any) -> str:
    """The error a step reported in its result (``status: failed``) without raising, else ""."""
    if isinstance(result, dict) and result.get("status") == "failed":
        return str(result.get("error") or _failed_parts(result) or "failed")
    return ""


def _failed_parts(result: dict) -> str:
    countries = result.get("countries") or {}
    return "; ".join(
        f"{c or '-'}: {r.get('error', '')}" for c, r in countries.items() if r.get("status") == "failed"
    )


def _has_watchlists(config: Config) -> bool:
    folder = config.watchlists_dir
    return folder.is_dir() and any(folder.glob("*.toml"))
