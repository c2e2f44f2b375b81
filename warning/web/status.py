"""The status page: what `warning status` shows, for admins."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from warning.service.status import collect_status
from warning.store.quarantine import quarantine_kinds
from warning.web.auth import require_scope
from warning.web.context import context

bp = Blueprint("status", __name__)
SHOWN_KINDS = 10  # kinds of quarantine reason on the page; `warning quarantine` lists them all
KINDS_AMONG = 20_000  # counted among the newest items only, so the page stays quick


@bp.get("/status")
def status():
    """Counts, sources' health, the schedule, recent runs (secrets redacted, as on the CLI) and
    the kinds of problem quarantined (`warning quarantine`). The whole instance's figures: for
    the programme's admins only."""
    scope = require_scope()
    if not (scope.is_programme and scope.can_admin):
        abort(404)
    app = context()
    kinds = quarantine_kinds(app.db, among=KINDS_AMONG)
    return render_template(
        "status.html",
        info=collect_status(app.db, app.config),
        kinds=kinds[:SHOWN_KINDS],
        more=len(kinds) > SHOWN_KINDS,
        among=KINDS_AMONG,
    )
