"""Who sees a cluster: as with watchlists, one without an owner is shared and an owned one is its
owner's (and the programme's). A cluster also shows its watchlists' matches, so a cluster is
seen only by a scope that sees every one of its watchlists: another organisation's product
line never shows through a shared cluster."""

from __future__ import annotations

from typing import Any

from warning.clusters.definitions import Cluster, load_cluster, load_clusters
from warning.errors import ConfigError, NotFound
from warning.store.scope import Scope, can_see_watchlist


def can_see_cluster(db: Any, scope: Scope, cluster: Cluster) -> bool:
    """Whether ``scope`` may see ``cluster`` (module doc)."""
    if scope.is_programme:
        return True
    if cluster.owner and cluster.owner != scope.org_id:
        return False
    return all(can_see_watchlist(db, scope, w) for w in cluster.watchlists)


def visible_clusters(db: Any, scope: Scope, config: Any) -> list[Cluster]:
    """The clusters ``scope`` sees, by name."""
    return [c for c in load_clusters(config) if can_see_cluster(db, scope, c)]


def visible_cluster(db: Any, scope: Scope, config: Any, name: str) -> Cluster:
    """Cluster ``name`` if ``scope`` sees it; NotFound otherwise (whether it exists or not)."""
    try:
        cluster = load_cluster(config, name)
    except ConfigError:
        raise NotFound(f"no cluster named {name!r}") from None
    if not can_see_cluster(db, scope, cluster):
        raise NotFound(f"no cluster named {name!r}")
    return cluster
