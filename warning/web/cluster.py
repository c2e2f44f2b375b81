"""Industry clusters in the web app: the ones the scope sees, and each one's landscape (the same
page body as ``warning clusters report``) with its workbook to download."""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, render_template, send_file
from markupsafe import Markup

from warning.clusters.landscape import build_landscape
from warning.clusters.visibility import visible_cluster, visible_clusters
from warning.errors import NotFound
from warning.store import clusters as store
from warning.web.auth import page_language, require_scope
from warning.web.context import context

bp = Blueprint("cluster", __name__)


@bp.get("/clusters")
def index():
    """The clusters the scope sees, with their markets and database size."""
    scope = require_scope()
    app = context()
    rows = [
        {
            "cluster": c,
            "publications": len(
                store.cluster_publication_ids(app.db, c.name, list(c.watchlists), list(c.countries))
            ),
        }
        for c in visible_clusters(app.db, scope, app.config)
    ]
    return render_template("clusters.html", rows=rows)


def _cluster(name: str):
    try:
        return visible_cluster(context().db, require_scope(), context().config, name)
    except NotFound:
        abort(404)


@bp.get("/clusters/<name>")
def show(name: str):
    """A cluster's landscape: filings per year and country, applicants, codes, statuses, new
    entrants, competitors' portfolios, families across markets."""
    # Deferred for start-up time: matplotlib and the report's templates load on this page only.
    from warning.clusters.report import render_fragment

    cluster = _cluster(name)
    land = build_landscape(context().db, cluster, date.today())
    return render_template(
        "cluster.html", cluster=cluster, body=Markup(render_fragment(land, page_language()))
    )


@bp.get("/clusters/<name>/report.xlsx")
def workbook(name: str):
    """The landscape as an Excel workbook, in the page's language."""
    from warning.clusters.workbook import write_workbook  # deferred: openpyxl for a download only

    cluster = _cluster(name)
    land = build_landscape(context().db, cluster, date.today())
    buffer = io.BytesIO()
    write_workbook(land, buffer, page_language())
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"cluster-{cluster.name}-{date.today().isoformat()}.xlsx",
    )
