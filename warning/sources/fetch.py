"""Fetch orchestration: run configured source plugins country by country, store, then advance.

Every source goes through here (the CLI's ``warning fetch`` and the scheduler call the same
functions). The plugin contract is in `warning.sources.base`. For each country the items a
plugin yields are stored with `warning.sources.ingest.store_items`; a `Checkpoint` is saved on the
source state only after the items before it are committed, so a crash resumes from the last
checkpoint without losing or duplicating a publication. One failing country or source is
recorded on its state and in the run, and the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import requests

from warning import clock
from warning.app import App
from warning.clock import utcnow
from warning.config.redact import redact
from warning.config.secrets import secret_values
from warning.errors import ConfigError, WarningError
from warning.models import Publication
from warning.sources.base import Checkpoint, Source, SourceExhausted, with_published_days
from warning.sources.ingest import IngestResult, store_items
from warning.sources.registry import source_class
from warning.store.fetch_usage import bytes_fetched_since
from warning.store.operations import (
    SourceState,
    finish_run,
    get_source_state,
    save_source_state,
    start_run,
    stored_publication_ids,
)

log = logging.getLogger(__name__)
# Items stored in one transaction between checkpoints: bounds memory on huge weeks.
FLUSH_EVERY = 1000
_NETWORK_ERRORS = (requests.RequestException, OSError)

Progress = Callable[[str, int], None]  # (label "source/country", items just stored)


def fetch_all(
    app: App,
    since: date | None = None,
    until: date | None = None,
    *,
    session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
) -> dict:
    """Fetch every configured and enabled source; returns totals and one entry per source."""
    per_source = {}
    for name, cfg in app.config.sources.items():
        if not cfg.enabled:
            log.info("source %s is disabled; skipped", name)
            continue
        per_source[name] = fetch_source(
            app, name, since, until, session=session, sleep=sleep, progress=progress
        )
    totals = _sum_counts(per_source.values())
    failed = [n for n, r in per_source.items() if r["status"] != "ok"]
    return {**totals, "sources": per_source, "failed_sources": failed, "status": "failed" if failed else "ok"}


def fetch_source(
    app: App,
    name: str,
    since: date | None = None,
    until: date | None = None,
    *,
    session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    progress: Progress | None = None,
) -> dict:
    """Fetch one configured source, every country in turn; returns its counts and status.

    ``status`` is ``ok`` when every country succeeded, else ``failed`` (the ``countries``
    entry says which failed and why). Raises ConfigError only for an unknown or disabled name.
    """
    cfg = app.config.sources.get(name)
    if cfg is None:
        known = ", ".join(app.config.sources) or "none configured"
        raise ConfigError(f"no source named {name!r} in the config (configured: {known})")
    if not cfg.enabled:
        raise ConfigError(f"source {name!r} is disabled in the config (enabled = false)")
    plugin = source_class(cfg.kind)(cfg, session=session, sleep=sleep)
    week_ago = clock.iso(clock.now() - timedelta(days=7))
    plugin.recent_bytes = bytes_fetched_since(app.db, name, week_ago)
    plugin.stored_ids = lambda ids: stored_publication_ids(app.db, ids, plugin.kind)
    plugin.limits = app.config.ingest
    run_id = start_run(app.db, f"fetch:{name}", name)
    countries: dict[str, dict] = {}
    try:
        _fetch_countries(app, plugin, since, until, countries, progress)
    except BaseException as exc:  # interrupted: the run says so, then the interruption goes on
        error = redact(repr(exc), secret_values(app.config))
        finish_run(app.db, run_id, "interrupted", _source_counts(countries, plugin), error)
        raise
    counts = _source_counts(countries, plugin)
    errors = [f"{c or name}: {r['error']}" for c, r in countries.items() if r["status"] != "ok"]
    status = "failed" if errors else "ok"
    finish_run(app.db, run_id, status, counts, "; ".join(errors))
    return {"source": name, "kind": cfg.kind, "status": status, "run_id": run_id, **counts}


def _fetch_countries(
    app: App, plugin: Source, since: date | None, until: date | None, out: dict, progress: Progress | None
) -> None:
    exhausted = ""
    for country in plugin.config.countries or ("",):
        if exhausted:
            out[country] = {**_empty(), "status": "skipped", "error": exhausted}
            continue
        state = get_source_state(app.db, plugin.config.name, country)
        result = IngestResult()
        try:
            _fetch_country(app, plugin, state, since, until, result, progress)
        except SourceExhausted as exc:
            exhausted = f"skipped: {exc}"
            out[country] = _record_failure(app, state, result, exc)
        except (WarningError, *_NETWORK_ERRORS) as exc:
            out[country] = _record_failure(app, state, result, exc)
        except Exception as exc:  # a plugin bug must not stop the other sources
            log.exception("source %s/%s failed unexpectedly", plugin.config.name, country)
            out[country] = _record_failure(app, state, result, exc)
        else:
            state.last_success, state.error_count, state.last_error = utcnow(), 0, ""
            save_source_state(app.db, state)
            out[country] = {**_result_counts(result), "status": "ok", "cursor": state.cursor}


def _fetch_country(
    app: App,
    plugin: Source,
    state: SourceState,
    since: date | None,
    until: date | None,
    result: IngestResult,
    progress: Progress | None,
) -> None:
    label = f"{plugin.config.name}/{state.country}" if state.country else plugin.config.name
    buffer: list = []

    def flush() -> None:
        if buffer:
            before = result.saved.inserted + result.saved.merged
            store_items(app.db, buffer, result, limits=app.config.ingest)
            _note_publications(state, buffer, result.saved.inserted + result.saved.merged > before)
            if progress:
                progress(label, len(buffer))
            buffer.clear()

    try:
        for item in plugin.fetch(state, since, until):
            if isinstance(item, Checkpoint):
                flush()
                _apply_checkpoint(app, state, item)
                continue
            buffer.append(item)
            if len(buffer) >= FLUSH_EVERY:
                flush()
    finally:
        # What was fetched before a failure is stored (saving again merges), but the cursor stays.
        flush()


def _note_publications(state: SourceState, items: list, any_new: bool) -> None:
    """What polling needs (`warning.service.polling`): the newest publication date stored, and
    when something new came; saved with the state at the next checkpoint, success or failure."""
    days: dict[str, str] = {}
    for item in items:
        if isinstance(item, Publication) and item.publication_date:
            days[item.doc_type] = max(days.get(item.doc_type, ""), item.publication_date[:10])
    if days:
        state.published_through = with_published_days(state.published_through, days)
    if any_new:
        state.new_at = utcnow()


def _apply_checkpoint(app: App, state: SourceState, checkpoint: Checkpoint) -> None:
    if checkpoint.cursor < state.cursor:
        return  # a backfill (--since in the past) never moves the cursor backwards
    state.cursor = checkpoint.cursor
    state.etag = checkpoint.etag or state.etag
    state.last_modified = checkpoint.last_modified or state.last_modified
    save_source_state(app.db, state)


def _record_failure(app: App, state: SourceState, result: IngestResult, exc: BaseException) -> dict:
    # An office's error reply may quote a credential back: it must not be stored.
    message = redact(str(exc) or type(exc).__name__, secret_values(app.config))
    log.warning("source %s/%s failed: %s", state.source, state.country or "-", message)
    state.last_failure, state.last_error = utcnow(), message
    state.error_count += 1
    save_source_state(app.db, state)
    return {**_result_counts(result), "status": "failed", "error": message, "cursor": state.cursor}


def _result_counts(result: IngestResult) -> dict:
    return {
        "inserted": result.saved.inserted,
        "merged": result.saved.merged,
        "unchanged": result.saved.unchanged,
        "quarantined": result.quarantined,
    }


def _empty() -> dict:
    return {"inserted": 0, "merged": 0, "unchanged": 0, "quarantined": 0}


def _source_counts(countries: dict[str, dict], plugin: Source) -> dict:
    totals = _sum_counts(countries.values())
    failed = sum(1 for r in countries.values() if r["status"] != "ok")
    return {**totals, "failed_countries": failed, "countries": countries, "plugin": dict(plugin.counts)}


def _sum_counts(parts: Iterable[dict]) -> dict:
    totals = _empty()
    for part in parts:
        for key in totals:
            totals[key] += part.get(key, 0)
    return totals
