"""The job table: every scheduled job by name, as the steps (pipeline functions) it runs.

The scheduler and ``warning run --once`` run jobs from this table; each step is the very function
the matching CLI command calls, imported when the job runs (so a broken or missing area fails its
own job, not the service). Nothing here runs only inside the scheduler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from warning.app import App
from warning.config.schema import Config

StepFunction = Callable[[App], dict]


def _fetch_step(source: str) -> StepFunction:
    def fetch(app: App) -> dict:
        from warning.sources.fetch import fetch_source

        return fetch_source(app, source)

    return fetch


def _classify(app: App) -> dict:
    from warning.classify.run import classify_pending

    return classify_pending(app)


def _queue_alerts(app: App) -> dict:
    from warning.delivery.queue import queue_alerts

    return queue_alerts(app)


def _auto_open(app: App) -> dict:
    from warning.risks import auto_open_cases

    return auto_open_cases(app)


def _legal(app: App) -> dict:
    from warning.risks import refresh_legal_status

    return refresh_legal_status(app)


def _reminders(app: App) -> dict:
    from warning.risks import queue_reminders

    return queue_reminders(app)


def _dispatch(app: App) -> dict:
    from warning.delivery.queue import dispatch

    return dispatch(app)


def _digests(app: App) -> dict:
    from warning.delivery.digest import send_due_digests

    return send_due_digests(app)


def _train(app: App) -> dict:
    from warning.classify.train import retrain_all

    return retrain_all(app)


@dataclass(frozen=True)
class Step:
    """One pipeline function of a job. Some record their own `runs` row (fetch, classify)."""

    name: str
    run: StepFunction
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
        if self.source:
            source = config.sources.get(self.source)
            return bool(source and source.enabled)
        return True


# Pipeline order: --once runs due jobs in this order, and status lists them so.
PIPELINE = ("fetch", "classify", "legal", "reminders", "alerts", "digests", "train")

_FIXED_JOBS = (
    # classify_pending records its own run (as ``classify``); queueing and auto-open are recorded here.
    Job(
        "classify",
        (
            Step("classify", _classify, True),
            Step("queue_alerts", _queue_alerts),
            Step("auto_open", _auto_open),
        ),
        "20 * * * *",
    ),
    Job("legal", (Step("legal", _legal),), "0 4 * * mon"),
    Job("reminders", (Step("reminders", _reminders),), "0 8 * * *"),
    Job("alerts", (Step("dispatch", _dispatch),), "*/5 * * * *"),
    Job("digests", (Step("digests", _digests),), "0 7 * * *"),
    Job("train", (Step("train", _train),), "0 2 * * sun"),
)


def job_table(config: Config) -> dict[str, Job]:
    """Every job this config can run, by name, in pipeline order (one ``fetch:NAME`` per source)."""
    jobs: dict[str, Job] = {}
    if config.sources:
        # Deferred for start-up time: the office plugins (lxml, requests, bs4) load only for a
        # config with sources, whose loading has imported them already.
        from warning.sources.registry import source_class
    for name, source in config.sources.items():
        cron, tz = source_class(source.kind).schedule  # each office declares its publication day
        step = Step("fetch", _fetch_step(name), records_own_run=True)  # fetch_source records fetch:NAME
        jobs[f"fetch:{name}"] = Job(f"fetch:{name}", (step,), cron, tz, ("classify",), name)
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
