"""Load local files into the store: the `warning ingest` step.

Every document read is counted exactly once: new, merged, unchanged, quarantined (with its
reason), or skipped (a sequence listing or other non-patent document of a weekly file).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import sqlite_utils

from warning.config.schema import IngestConfig
from warning.models import Publication, QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.files import expand_paths, parse_file
from warning.sources.reading import Reading
from warning.store.fts import begin_bulk_index, bulk_pending, catch_up_bulk_index, finish_bulk_index
from warning.store.operations import quarantine
from warning.store.publications import SaveResult, oversized_field, save_publications
from warning.store.rows import PublicationRow, publication_row

log = logging.getLogger(__name__)
BATCH = 1000
BULK_INDEX_BYTES = 16 * 1024 * 1024  # from a weekly file's size, index once at the end, not per row
KEPT_REASONS = 100  # reasons kept for display; all of them are in the quarantine table


@dataclass
class IngestResult:
    files: int = 0
    saved: SaveResult = field(default_factory=SaveResult)
    quarantined: int = 0
    skipped: int = 0  # non-patent documents (sequence listings) read and passed over
    quarantine_reasons: list[str] = field(default_factory=list)  # the first KEPT_REASONS, "ref: reason"
    without_patents: list[str] = field(
        default_factory=list
    )  # "file: what it held instead", when no reason says

    @property
    def read(self) -> int:
        """Every document read: each is counted once, in exactly one of the other counts."""
        s = self.saved
        return s.inserted + s.merged + s.unchanged + self.quarantined + self.skipped

    @property
    def publications(self) -> int:
        """Patent documents stored or already in the store (new, merged or unchanged)."""
        return self.saved.inserted + self.saved.merged + self.saved.unchanged

    def as_counts(self) -> dict[str, int]:
        return {
            "files": self.files,
            "read": self.read,
            "inserted": self.saved.inserted,
            "merged": self.saved.merged,
            "unchanged": self.saved.unchanged,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
        }


def store_items(
    db: sqlite_utils.Database,
    items: Iterable[ParsedItem],
    result: IngestResult,
    on_batch: Callable[[IngestResult], None] | None = None,
    limits: IngestConfig | None = None,
    log_level: int = logging.WARNING,
) -> None:
    """Save publications in batches and quarantine the bad items; shared by ingest and fetch.

    A publication with a text field over ``limits.max_field_chars`` is quarantined, not
    stored (an item `prepare_item` made is checked already). ``on_batch`` hears after every
    stored batch; each quarantined item is logged at ``log_level`` (`warning ingest` prints
    them itself).
    """
    max_chars = (limits or IngestConfig()).max_field_chars
    batch: list[Publication | PublicationRow] = []
    for item in items:
        if isinstance(item, Publication) and (too_long := oversized_field(item, max_chars)):
            item = _field_quarantine(item, too_long, max_chars)
        if isinstance(item, QuarantinedDocument):
            if quarantine(db, item):
                log.log(log_level, "quarantined %s: %s", item.ref, _without_ref(item))
            result.quarantined += 1
            if len(result.quarantine_reasons) < KEPT_REASONS:
                result.quarantine_reasons.append(f"{item.ref}: {_without_ref(item)}")
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            result.saved.add(save_publications(db, batch))
            batch = []
            if on_batch is not None:
                on_batch(result)
    if batch:
        result.saved.add(save_publications(db, batch))


def prepare_item(item: ParsedItem, max_chars: int) -> ParsedItem | PublicationRow:
    """What `store_items` makes of a parsed item, made where it was parsed (a parser process):
    a publication's encoded row, or its quarantine when a field is over ``max_chars``."""
    if not isinstance(item, Publication):
        return item
    too_long = oversized_field(item, max_chars)
    return _field_quarantine(item, too_long, max_chars) if too_long else publication_row(item)


def _field_quarantine(pub: Publication, too_long: str, max_chars: int) -> QuarantinedDocument:
    ref = pub.raw_ref or pub.id[:200]
    reason = f"{too_long}, more than the limit of {max_chars:,} ([ingest] max_field_chars)"
    summary = {"id": pub.id[:200], "title": pub.title()[:1000], "problem": too_long}
    return QuarantinedDocument(pub.source or "ingest", reason, ref, json.dumps(summary).encode())


def _without_ref(item: QuarantinedDocument) -> str:
    """The reason without the ref most parsers start it with (the ref is printed beside it)."""
    return item.reason.removeprefix(f"{item.ref}: ")


def ingest_paths(
    db: sqlite_utils.Database,
    paths: list[Path],
    progress: bool = False,
    limits: IngestConfig | None = None,
    bulk_index: bool | None = None,
) -> IngestResult:
    """Parse every file (folders recursively) and store what they hold; bad documents are quarantined.

    ``limits``: the ``[ingest]`` caps (default: the built-in ones). ``progress``: a bar on
    stderr that moves with the bytes read inside each file, with documents, rate and ETA.
    ``bulk_index``: build the full-text index of the new rows once at the end
    (`warning.store.fts`); None: when the files hold at least ``BULK_INDEX_BYTES``.
    """
    limits = limits or IngestConfig()
    files = expand_paths(paths)
    result = IngestResult(files=len(files))
    if bulk_index is None:
        bulk_index = sum(f.stat().st_size for f in files) >= BULK_INDEX_BYTES
    if bulk_index:
        begin_bulk_index(db)
    try:
        _ingest_files(db, files, result, limits, progress, bulk_index)
    finally:
        if bulk_index or bulk_pending(db):  # also what a killed bulk ingest left unindexed
            finish_bulk_index(db)
    return result


def _ingest_files(
    db: sqlite_utils.Database,
    files: list[Path],
    result: IngestResult,
    limits: IngestConfig,
    progress: bool,
    bulk_index: bool,
) -> None:
    prepare = partial(prepare_item, max_chars=limits.max_field_chars)
    # In bulk, the full-text index follows batch by batch (while the parsers work), not at the end.
    on_batch = (lambda _: catch_up_bulk_index(db)) if bulk_index else None
    with _Progress(files, progress) as bar:
        for path in files:
            reading = Reading(limits, prepare=prepare)
            before = (result.publications, result.quarantined)
            items = bar.follow(parse_file(path, reading), reading, result, path)
            store_items(db, items, result, on_batch, limits, logging.DEBUG)
            skipped = reading.counts.get("skipped", 0)
            result.skipped += skipped
            if (result.publications, result.quarantined) == before:  # nothing stored, and no reason given
                held = f"only {skipped} non-patent document(s), skipped" if skipped else "no document in it"
                result.without_patents.append(f"{path}: {held}")
            bar.file_done(path, result.read)


class _Progress:
    """A tqdm bar over the bytes of all files, moved from inside each file as it is read."""

    EVERY = 16  # items between updates (tqdm itself redraws at most ten times a second)
    REDRAW = 0.5  # seconds between redraws of the document count when the bytes stand still

    def __init__(self, files: list[Path], show: bool) -> None:
        self.bar = None
        self.done = 0
        self.drawn = 0.0
        if show:
            from tqdm import tqdm  # deferred for start-up time: only a progress bar needs tqdm

            total = sum(f.stat().st_size for f in files)
            self.bar = tqdm(
                total=total, unit="B", unit_scale=True, unit_divisor=1024, desc="ingest", file=sys.stderr
            )

    def __enter__(self) -> _Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def follow(
        self, items: Iterator[ParsedItem], reading: Reading, result: IngestResult, path: Path
    ) -> Iterator[ParsedItem]:
        """The items, moving the bar to the bytes of ``path`` read so far every few of them."""
        if self.bar is None:
            yield from items
            return
        size = path.stat().st_size
        before = result.read
        for n, item in enumerate(items, start=1):
            yield item
            if n % self.EVERY == 0:
                self._show(self.done + min(reading.position, size), before + n, path)

    def file_done(self, path: Path, documents: int) -> None:
        self.done += path.stat().st_size
        if self.bar is not None:
            self._show(self.done, documents, path)

    def _show(self, position: int, documents: int, path: Path) -> None:
        assert self.bar is not None
        elapsed = self.bar.format_dict.get("elapsed") or 0
        rate = f", {documents / elapsed:,.0f} docs/s" if elapsed else ""
        self.bar.set_postfix_str(f"{path.name[-30:]}: {documents:,} docs{rate}", refresh=False)
        now = time.monotonic()
        if position > self.bar.n:
            self.bar.update(position - self.bar.n)  # draws (at most ten times a second)
            self.drawn = now
        elif now - self.drawn > self.REDRAW:
            # The bytes may all be read ahead while documents are still being stored: the count
            # of documents must go on moving all the same.
            self.bar.refresh()
            self.drawn = now
