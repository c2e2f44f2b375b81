"""Fill a cluster from local files: PATENTSCOPE and Lens exports, USPTO bulk XML, EP and OPS XML.

Every file format `warning ingest` reads is read the same way here (`warning.sources.files`);
each batch's publications in the cluster's target countries are marked as the cluster's before
they are stored (``backfill`` when the store did not hold them: classified, never alerted), so an
interrupted load re-run marks and stores nothing twice. Publications of other countries are
stored too (the export holds them), but are not the cluster's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from warning.clusters.definitions import load_cluster
from warning.models import Publication
from warning.sources.files import expand_paths, parse_file
from warning.sources.ingest import IngestResult, store_items
from warning.sources.reading import Reading
from warning.store import clusters as store

BATCH = 1000


def add_files(app: Any, name: str, paths: list[Path]) -> dict[str, Any]:
    """Load ``paths`` (folders recursively) into the store and into cluster ``name``."""
    cluster = load_cluster(app.config, name)
    files = expand_paths(paths)
    result = IngestResult(files=len(files))
    marked = 0
    for path in files:
        batch: list = []
        for item in parse_file(path, Reading(app.config.ingest)):
            batch.append(item)
            if len(batch) >= BATCH:
                marked += _store(app, cluster, batch, result)
                batch = []
        marked += _store(app, cluster, batch, result)
    return {"cluster": cluster.name, "marked": marked, **result.as_counts()}


def _store(app: Any, cluster, batch: list, result: IngestResult) -> int:
    ids = [
        item.id
        for item in batch
        if isinstance(item, Publication) and (not cluster.countries or item.country in cluster.countries)
    ]
    marked = store.mark_publications(app.db, cluster.name, ids)  # before they are stored
    store_items(app.db, batch, result, limits=app.config.ingest)
    return marked
