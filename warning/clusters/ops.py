"""The OPS connection of a cluster: one client (one token) within the cluster's share of the weekly quota,
and the `runs` row that records what it used, kept current so a crash leaves its bytes counted."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from warning import clock
from warning.clusters.definitions import Cluster, ops_source_name
from warning.sources.epo_ops.client import MB, OpsClient
from warning.sources.epo_ops.source import EpoOps
from warning.store.fetch_usage import bytes_fetched_since
from warning.store.operations import finish_run, start_run, update_run_counts


@dataclass
class ClusterConnection:
    """The OPS plugin and client a cluster's backfill or tracking uses, and its run."""

    plugin: EpoOps
    client: OpsClient
    source: str
    run_id: int = 0
    counts: dict[str, Any] = field(default_factory=dict)

    def save_counts(self, db) -> None:
        """Write the run's counts so far, the client's requests and bytes among them."""
        if self.run_id:
            update_run_counts(db, self.run_id, {**self.counts, "plugin": dict(self.client.counts)})

    def finish(self, db, status: str, error: str = "") -> dict[str, Any]:
        counts = {**self.counts, "plugin": dict(self.client.counts)}
        if self.run_id:
            finish_run(db, self.run_id, status, counts, error)
        return counts


def connect(
    app: Any,
    cluster: Cluster,
    job: str,
    *,
    session: Any = None,
    sleep: Callable[[float], None] = time.sleep,
    record: bool = True,
) -> ClusterConnection:
    """A client of the cluster's OPS source that stops before ``min(cluster share, source share)``
    of the weekly allowance, counting what every fetch, backfill and tracking run of that source
    used in the last 7 days; ``record``: start a ``clusters:JOB:NAME`` run for it."""
    name = ops_source_name(app.config, cluster)
    plugin = EpoOps(app.config.sources[name], session=session, sleep=sleep)
    plugin.recent_bytes = bytes_fetched_since(app.db, name, clock.iso(clock.now() - timedelta(days=7)))
    client = plugin.client()
    share = min(cluster.max_quota_share, plugin.options.max_quota_share)
    client.quota_bytes = plugin.options.weekly_quota_mb * share * MB
    run_id = start_run(app.db, f"clusters:{job}:{cluster.name}", name) if record else 0
    return ClusterConnection(plugin, client, name, run_id)
