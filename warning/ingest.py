"""Load local files into the store: the `warning ingest` step."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from warning.models import Publication, QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.files import expand_paths, parse_file
from warning.store.operations import quarantine
from warning.store.publications import SaveResult, save_publications

log = logging.getLogger(__name__)
BATCH = 1000


@dataclass
class IngestResult:
    files: int = 0
    saved: SaveResult = field(default_factory=SaveResult)
    quarantined: int = 0
    quarantine_reasons: list[str] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {
            "files": self.files,
            "inserted": self.saved.inserted,
            "merged": self.saved.merged,
            "unchanged": self.saved.unchanged,
            "quarantined": self.quarantined,
        }


def store_items(
    db: sqlite_utils.Database,
    items: Iterable[ParsedItem],
    result: IngestResult,
    on_batch: Callable[[IngestResult], None] | None = None,
) -> None:
    """Save publications in batches and quarantine the bad items; shared by ingest and fetch.

    ``on_batch`` hears after every stored batch (a progress display inside one big file).
    """
    batch: list[Publication] = []
    for item in items:
        if isinstance(item, QuarantinedDocument):
            if quarantine(db, item):
                log.warning("quarantined %s: %s", item.ref, item.reason)
            result.quarantined += 1
            result.quarantine_reasons.append(f"{item.ref}: {item.reason}")
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            result.saved.add(save_publications(db, batch))
            batch = []
            if on_batch is not None:
                on_batch(result)
    if batch:
        result.saved.add(save_publications(db, batch))


def ingest_paths(db: sqlite_utils.Database, paths: list[Path], progress: bool = False) -> IngestResult:
    """Parse every file (folders recursively) and store what they hold; bad documents are quarantined."""
    files = expand_paths(paths)
    result = IngestResult(files=len(files))
    if not progress:
        for path in files:
            store_items(db, parse_file(path), result)
        return result
    from tqdm import tqdm

    # Bytes advance per file; the document count advances per stored batch, so one big weekly
    # zip shows progress too.
    with tqdm(total=sum(f.stat().st_size for f in files), unit="B", unit_scale=True, desc="ingest") as bar:
        for path in files:
            name = path.name[-30:]
            bar.set_postfix_str(f"{name} docs={_stored(result)}")
            store_items(
                db,
                parse_file(path),
                result,
                lambda r, name=name: bar.set_postfix_str(f"{name} docs={_stored(r)}"),
            )
            bar.update(path.stat().st_size)
    return result


def _stored(result: IngestResult) -> int:
    saved = result.saved
    return saved.inserted + saved.merged + saved.unchanged
