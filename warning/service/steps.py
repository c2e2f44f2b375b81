"""The pipeline function each step of the job table runs: the very one its CLI command calls.

Bound here, not in `warning.service.jobs`, so the table stays plain data that the config's
checks and ``warning status`` read without loading the pipeline (the classifier alone is about
a second of imports).
"""

from __future__ import annotations

from warning.classify.run import classify_pending
from warning.classify.train import retrain_all
from warning.clusters.competitors import track_competitors
from warning.delivery.digest import send_due_digests
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts
from warning.risks import auto_open_cases, queue_reminders, refresh_legal_status
from warning.service.jobs import Job, Step, StepFunction
from warning.sources.fetch import fetch_source

PIPELINE_STEPS: dict[str, StepFunction] = {
    "classify": classify_pending,
    "queue_alerts": queue_alerts,
    "auto_open": auto_open_cases,
    "legal": refresh_legal_status,
    "clusters_track": track_competitors,
    "reminders": queue_reminders,
    "dispatch": dispatch,
    "digests": send_due_digests,
    "train": retrain_all,
}


def step_function(job: Job, step: Step) -> StepFunction:
    """What ``step`` of ``job`` runs: its own function, else the pipeline's of that name (a fetch
    step fetches the job's source)."""
    if step.run is not None:
        return step.run
    if step.name == "fetch":
        return lambda app: fetch_source(app, job.source)
    return PIPELINE_STEPS[step.name]
