"""The source plugin contract and the registry of plugins by ``kind``.

A source is split in two, as in github-to-sqlite: ``fetch`` talks to the network and yields
parsed items (a generator that can resume from a cursor); ``parse`` is pure, bytes in,
publications out, and is what `warning ingest` uses on local files too.

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

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from warning.errors import ConfigError, SourceUnavailable
from warning.models import Publication, QuarantinedDocument

ParsedItem = Publication | QuarantinedDocument

_REGISTRY: dict[str, type[Source]] = {}


@dataclass(frozen=True)
class NoOptions:
    """A source kind without keys of its own."""


@dataclass(frozen=True)
class Checkpoint:
    """Everything a fetch yielded before this is complete up to ``cursor`` (see module doc)."""

    cursor: str
    etag: str = ""
    last_modified: str = ""


class SourceExhausted(SourceUnavailable):
    """The source can serve nothing more this run (quota used up): skip its other countries."""


FetchedItem = Publication | QuarantinedDocument | Checkpoint


class Source:
    """Base class of a source plugin. Subclasses set ``kind`` and ``Options`` (module doc)."""

    kind: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions

    def __init__(self, config: Any, session: Any = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.options = config.options if config.options is not None else self.Options()
        self.session = session
        self.sleep = sleep
        self.counts: dict[str, int] = {}
        self.recent_bytes = 0  # set by the orchestrator: bytes fetched by this source in 7 days
        self.stored_ids: Callable[[list[str]], set[str]] = lambda ids: set()  # set by the orchestrator
        self.limits: Any = None  # set by the orchestrator: the [ingest] limits (None: the defaults)

    def fetch(self, state: Any, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Network: items of one country (``state.country``) since the cursor, with checkpoints."""
        raise TypeError(f"source kind {self.kind!r} cannot fetch; use `warning ingest` for its files")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            _REGISTRY[cls.kind] = cls

    @staticmethod
    def parse(data: bytes, ref: str) -> Iterator[ParsedItem]:
        """Pure: turn one raw document or file body into publications or quarantined items."""
        raise TypeError("source plugins must implement parse()")


def registered_kinds() -> dict[str, type[Source]]:
    """Every known source kind, importing the built-in plugins first."""
    _import_builtin_plugins()
    return dict(_REGISTRY)


def source_class(kind: str) -> type[Source]:
    kinds = registered_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; supported kinds: {', '.join(sorted(kinds))}")
    return kinds[kind]


def validate_source_options(
    kind: str, options: dict[str, Any], where: str, problems: list[str] | None = None
) -> Any:
    """Check a ``[sources.NAME]`` table's kind-specific keys against the plugin's ``Options``,
    and their values against the rules ``Options.CHECKS`` declares (`warning.config.schema.build`)."""
    from warning.config.build import build

    try:
        cls = source_class(kind)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    path, _, table = where.partition(": ")
    try:
        return build(cls.Options, options, Path(path), table, problems=problems)
    except ConfigError as exc:
        common = "kind, enabled, base_url, countries"
        raise ConfigError(f"{exc} (and the keys every source takes: {common})") from None


def _import_builtin_plugins() -> None:
    import importlib

    for module in ("uspto.source", "epo_ops.source", "ep_server.source", "files"):
        try:
            importlib.import_module(f"warning.sources.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"warning.sources.{module}":
                raise
