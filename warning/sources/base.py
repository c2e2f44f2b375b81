"""The source plugin contract: what a source declares about itself, and how it fetches.

A source (one office's folder: ``uspto/``, ``epo_ops/``, ``ep_server/``, ``exports/``) declares
everything about itself on its `Source` class, and `warning.sources.registry` lists it once:

- ``kind``: the ``[sources.NAME] kind = ...`` it answers to ("" for a source of files only);
- ``Options``: a frozen dataclass of its own ``[sources.NAME]`` keys, with ``CHECKS`` (the rules of
  their values, `warning.config.rules`) and defaults;
- ``schedule``: its fetch job's default cron and time zone (the office's publication day);
- ``releases``: when the office publishes (`Release`); where declared, the fetch job polls from
  each expected moment until the new file is there, and ``schedule`` is not used;
- ``formats``: the local file formats it reads (`FileFormat`: a detector that judges a file by
  its content, and a parser), for `warning ingest`.

As in github-to-sqlite, network code is apart from parsing: ``fetch`` talks to the network and
yields parsed items (a generator that can resume from a cursor); the parsers are pure, bytes in,
publications out, and the file formats use them on local files too.

The fetch contract (`warning.sources.fetch.fetch_source` is the only caller)
-------------------------------------------------------------------
``cls(config, session=None, sleep=time.sleep)``
    ``config`` is the `SourceConfig` (``config.options`` is the plugin's built ``Options``);
    ``session`` a ``requests.Session`` (tests pass one; None: the plugin makes its own);
    ``sleep`` is called instead of ``time.sleep`` so tests never really wait.
``fetch(self, state, since, until) -> Iterator[Publication | QuarantinedDocument | Checkpoint]``
    Called once per configured country (``state.country``; ``""`` when ``countries`` is empty)
    with that country's `SourceState` (``cursor``, ``etag``, ``last_modified`` as the previous
    run left them). ``since``/``until`` are ``datetime.date`` or None: None ``since`` means
    "from the cursor" (or the plugin's own first-run lookback when the cursor is empty), None
    ``until`` means "up to today". The plugin yields publications and quarantined documents
    and, whenever everything yielded so far is complete up to some point, a `Checkpoint`
    with the new cursor (and ETag/Last-Modified for conditional requests). The orchestrator
    stores the items first and saves the checkpoint only after they are committed, so a crash
    resumes from the last checkpoint: nothing lost, and re-stored items merge (no duplicates).
    Cursors are opaque strings owned by the plugin but must sort in fetch order (ISO dates
    such as ``2024-01-07`` do); a checkpoint never moves a stored cursor backwards.
    Errors: raise `SourceUnavailable` (office down, throttled beyond patience, HTTP errors)
    or `SourceError`: the orchestrator records it on this country's state and goes on with
    the next country; raise `SourceExhausted` (quota used up) to skip the remaining countries
    of this source for this run. A document that cannot be trusted is yielded as a
    `QuarantinedDocument`, never raised. Plugins may keep a ``counts`` dict (e.g.
    ``{"bytes": 1234, "requests": 5}``); the orchestrator adds it to the run's counts, and
    before the run sets ``recent_bytes``: the ``bytes`` this source counted in its runs of the
    last 7 days (for weekly fair-use budgets), and ``stored_ids``: ``stored_ids(ids)`` answers
    which of these canonical ids the store already holds from this source kind (a plugin that
    lists a period again, its overlap, fetches only the documents it does not hold yet).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from warning.errors import SourceUnavailable
from warning.models import Publication, QuarantinedDocument
from warning.sources.reading import Reading

ParsedItem = Publication | QuarantinedDocument


@dataclass(frozen=True)
class NoOptions:
    """A source kind without keys of its own."""


@dataclass(frozen=True)
class Checkpoint:
    """Everything a fetch yielded before this is complete up to ``cursor`` (see module doc)."""

    cursor: str
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class Release:
    """When an office publishes: ``cron`` (minute hour * * day_of_week) is the expected moment in
    ``timezone``. ``found_by`` says how to know it came: ``date``, a publication dated that local
    day (of one of ``doc_types``, any when empty) is stored; ``new``, anything new was stored after
    the moment (a daily load)."""

    name: str
    cron: str
    timezone: str
    found_by: str = "date"
    doc_types: tuple[str, ...] = ()


def published_days(text: str) -> dict[str, str]:
    """The newest publication day stored per document type, as a source state keeps it (JSON)."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def with_published_days(text: str, days: dict[str, str]) -> str:
    """``text`` (`published_days`) with each type's day moved forward to ``days``' where newer."""
    merged = published_days(text)
    for doc_type, day in days.items():
        merged[doc_type] = max(merged.get(doc_type, ""), day)
    return json.dumps(merged, sort_keys=True)


class SourceExhausted(SourceUnavailable):
    """The source can serve nothing more this run (quota used up): skip its other countries."""


FetchedItem = Publication | QuarantinedDocument | Checkpoint


@dataclass(frozen=True)
class FileFormat:
    """A local file format: its name, a detector judging a file by its content, and its parser."""

    name: str
    detect: Callable[[Path, bytes], bool]  # (path, first bytes as UTF-8) -> is it mine?
    parse: Callable[[Path, Reading], Iterator[ParsedItem]]


class Source:
    """Base class of a source plugin: subclasses declare ``kind``, ``Options``, ``schedule`` and
    ``formats`` (module doc) and implement ``fetch`` where the office can be fetched from."""

    kind: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions
    # (cron, time zone) of its fetch job unless [schedule.jobs] says otherwise; "" is the
    # [schedule] time zone.
    schedule: ClassVar[tuple[str, str]] = ("0 4 * * *", "")
    # When the office publishes: the fetch job then polls from each expected moment until the
    # file is there (`warning.service.polling`) instead of running on ``schedule``.
    releases: ClassVar[tuple[Release, ...]] = ()
    formats: ClassVar[tuple[FileFormat, ...]] = ()

    def __init__(self, config: Any, session: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.options = config.options if config.options is not None else self.Options()
        self.session = session
        self.sleep = sleep
        self.counts: dict[str, int] = {}
        self.recent_bytes = 0  # set by the orchestrator: bytes fetched by this source in 7 days
        self.stored_ids: Callable[[list[str]], set[str]] = lambda ids: set()  # set by the orchestrator
        self.limits: Any = None  # set by the orchestrator: the [ingest] limits (None: the defaults)

    @classmethod
    def expected_releases(cls, options: Any) -> tuple[Release, ...]:
        """The releases this configuration waits for (a plugin may drop those it does not fetch)."""
        return cls.releases

    def fetch(self, state: Any, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Network: items of one country (``state.country``) since the cursor, with checkpoints."""
        raise TypeError(f"source kind {self.kind!r} cannot fetch; use `warning ingest` for its files")
