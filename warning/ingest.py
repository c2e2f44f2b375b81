"""Load local files into the store: the `warning ingest` step."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
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


def store_items(db: sqlite_utils.Database, items: Iterable[ParsedItem], result: IngestResult) -> None:
    """Save publications in batches and quarantine the bad items; shared by ingest and fetch."""
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
    if batch:
        result.saved.add(save_publications(db, batch))


def ingest_paths(db: sqlite_utils.Database, paths: list[Path], progress: bool = False) -> IngestResult:
    """Parse every file (folders recursively) and store what they hold; bad documents are quarantined."""
    files = expand_paths(paths)
    result = IngestResult(files=len(files))
    for path in _with_progress(files, progress):
        store_items(db, parse_file(path), result)
    return result


def _with_progress(files: list[Path], progress: bool) -> Iterator[Path]:
    if not progress:
        yield from files
        return
    from tqdm import tqdm

    total = sum(f.stat().st_size for f in files)
    with tqdm(total=total, unit="B", unit_scale=True, desc="ingest") as bar:
        for f in files:
            bar.set_postfix_str(f.name[-30:])
            yield f
            bar.update(f.stat().st_size)
