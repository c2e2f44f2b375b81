"""What an operator wants to know: counts, source health, recent runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from warning import clock
from warning.config.redact import redact_data
from warning.config.schema import Config
from warning.config.secrets import secret_values
from warning.errors import ConfigError
from warning.service.lock import InstanceLock
from warning.service.polling import Verdict, job_verdict
from warning.service.scheduler import plan_jobs
from warning.store.clusters import cluster_counts
from warning.store.counts import store_counts
from warning.store.db import database_path
from warning.store.operations import list_source_states, recent_runs
from warning.store.runs import last_run_by_job, last_success_by_job
from warning.store.scope import Scope


def collect_status(
    db: sqlite_utils.Database,
    config: Config | None = None,
    now: datetime | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """A JSON-ready picture of the store; the top-level integer keys are part of the CLI contract.

    With ``config``, also each scheduled job's cron, next run (from its cron trigger, no
    scheduler started) and last run. With the ``scope`` of anyone but the programme, the counts
    are of what that organisation sees, and the instance's sources, runs and schedule are left out.
    """
    if scope is not None and not scope.is_programme:
        return _scoped_status(db, scope)
    counts = store_counts(db)
    by_country, alerts = counts["publications_by_country"], counts["alerts_by_status"]
    matches_by_watchlist, risk_by_status = counts["matches_by_watchlist"], counts["risk_cases_by_status"]
    sources = [
        {
            "source": s.source,
            "country": s.country,
            "cursor": s.cursor,
            "last_success": s.last_success,
            "last_failure": s.last_failure,
            "last_error": s.last_error,
            "error_count": s.error_count,
        }
        for s in list_source_states(db)
    ]
    runs = [
        {
            **{k: r[k] for k in ("id", "job", "source", "started_at", "finished_at", "status", "error")},
            "counts": json.loads(r["counts"] or "{}"),
        }
        for r in recent_runs(db, 10)
    ]
    info = {
        "publications": sum(by_country.values()),
        "quarantined": counts["quarantined"],
        "matches": sum(matches_by_watchlist.values()),
        "alerts_pending": alerts.get("pending", 0) + alerts.get("sending", 0),
        "alerts_sent": alerts.get("sent", 0),
        "alerts_dead": alerts.get("dead", 0),
        "labels": counts["labels"],
        "risk_cases_open": sum(n for s, n in risk_by_status.items() if s != "closed"),
        "publications_by_country": by_country,
        "matches_by_watchlist": matches_by_watchlist,
        "risk_cases_by_status": risk_by_status,
        "sources": sources,
        "recent_runs": runs,
        "last_runs": {job: _run_summary(run) for job, run in last_run_by_job(db).items()},
        "clusters": cluster_counts(db),
        **(_schedule_status(db, config, clock.now(now)) if config is not None else {}),
    }
    # Errors recorded from a server's reply may quote a credential: never show one.
    return redact_data(info, secret_values(config) if config is not None else [])


def _scoped_status(db: sqlite_utils.Database, scope: Scope) -> dict[str, Any]:
    counts = store_counts(db, scope)
    alerts, risk_by_status = counts["alerts_by_status"], counts["risk_cases_by_status"]
    return {
        "organisation": scope.org_id,
        "publications": sum(counts["publications_by_country"].values()),
        "quarantined": counts["quarantined"],
        "matches": sum(counts["matches_by_watchlist"].values()),
        "alerts_pending": alerts.get("pending", 0) + alerts.get("sending", 0),
        "alerts_sent": alerts.get("sent", 0),
        "alerts_dead": alerts.get("dead", 0),
        "labels": counts["labels"],
        "risk_cases_open": sum(n for s, n in risk_by_status.items() if s != "closed"),
        "publications_by_country": counts["publications_by_country"],
        "matches_by_watchlist": counts["matches_by_watchlist"],
        "risk_cases_by_status": risk_by_status,
        "sources": [],
        "recent_runs": [],
        "last_runs": {},
    }


def _run_summary(run: dict) -> dict[str, Any]:
    return {k: run[k] for k in ("id", "status", "started_at", "finished_at", "error", "counts")}


def _schedule_status(db: sqlite_utils.Database, config: Config, now: datetime) -> dict[str, Any]:
    try:
        planned = plan_jobs(config)
    except ConfigError as exc:
        return {"schedule": [], "schedule_error": str(exc)}
    last_ok = last_success_by_job(db)
    last = last_run_by_job(db)
    jobs = []
    for p in planned:
        next_run = p.next_run(now)
        polling = None
        if p.job.polls(config):
            verdict = job_verdict(db, config.schedule, p.job, now)
            polling = _polling_summary(verdict)
            next_run = verdict.next_check or verdict.next_expected
        jobs.append(
            {
                "polling": polling,
                "job": p.name,
                "cron": p.cron or "off",
                "after_each_fetch": p.name == "classify" and any(q.job.source for q in planned),
                "timezone": p.timezone,
                "configured": p.configured,
                "next_run": next_run.astimezone(UTC).isoformat() if next_run else None,
                "last_success": last_ok[p.name].isoformat() if p.name in last_ok else None,
                "last_run": _run_summary(last[p.name]) if p.name in last else None,
                "step_runs": {
                    name: _run_summary(last[name]) for name in _step_run_names(p.job) if name in last
                },
            }
        )
    return {"schedule": jobs, "service": _service_state(db)}


def _polling_summary(verdict: Verdict) -> dict[str, Any]:
    """A polling fetch job's state: expected, not yet published; published; given up."""

    def text(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat() if moment else None

    return {
        "state": verdict.state,
        "release": verdict.release,
        "expected": text(verdict.expected),
        "expected_timezone": str(verdict.expected.tzinfo) if verdict.expected else None,
        "next_check": text(verdict.next_check),
        "next_expected": text(verdict.next_expected),
        "gave_up_at": text(verdict.gave_up_at),
    }


def _step_run_names(job) -> list[str]:
    """The other ``runs.job`` names a multi-step job records (classify: queue_alerts, auto_open)."""
    return [name for name in (job.run_name(step) for step in job.steps) if name != job.name]


def _service_state(db: sqlite_utils.Database) -> dict[str, Any]:
    path = database_path(db)
    pid = InstanceLock(path).holder() if path else None
    return {"running": pid is not None, "pid": pid}
