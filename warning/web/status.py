"""The status page: what `warning status` shows, for admins."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from warning.service.status import collect_status
from warning.web.auth import require_scope
from warning.web.context import context

bp = Blueprint("status", __name__)


@bp.get("/status")
def status():
    """Counts, sources' health, the schedule and recent runs (secrets redacted, as on the CLI).
    The whole instance's figures: for the programme's admins only."""
    scope = require_scope()
    if not (scope.is_programme and scope.can_admin):
        abort(404)
    app = context()
    return render_template("status.html", info=collect_status(app.db, app.config))
