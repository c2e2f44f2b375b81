"""The clusters' part of /api/v1/: the clusters the token's organisation sees, and each one's
landscape as JSON. Nested in the API's blueprint, so its bearer-token check runs first."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, jsonify

from warning.clusters.landscape import build_landscape, landscape_json
from warning.clusters.visibility import visible_cluster, visible_clusters
from warning.errors import NotFound
from warning.store import clusters as store
from warning.web.auth import require_scope
from warning.web.context import context

bp = Blueprint("clusters", __name__)


@bp.get("/clusters")
def index():
    """The clusters the token's organisation sees."""
    app = context()
    items = [
        {
            "name": c.name,
            "title": c.title,
            "owner": c.owner or None,
            "countries": list(c.countries),
            "watchlists": list(c.watchlists),
            "competitors": [comp.name for comp in c.competitors],
            "publications": len(
                store.cluster_publication_ids(app.db, c.name, list(c.watchlists), list(c.countries))
            ),
        }
        for c in visible_clusters(app.db, require_scope(), app.config)
    ]
    return jsonify({"items": items})


@bp.get("/clusters/<name>")
def landscape(name: str):
    """One cluster's landscape: counts per year and country, applicants, codes, statuses, portfolios."""
    app = context()
    try:
        cluster = visible_cluster(app.db, require_scope(), app.config, name)
    except NotFound:
        abort(404)
    return jsonify(landscape_json(build_landscape(app.db, cluster, date.today())))
