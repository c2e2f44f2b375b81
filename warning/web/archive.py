"""The digests archive: what was sent to the organisation's subscriptions, each viewable as sent."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from warning.store.review import digest_payload, sent_digests
from warning.web.auth import require_scope
from warning.web.context import context
from warning.web.security import SENT_DOCUMENT_POLICY

bp = Blueprint("archive", __name__)


@bp.get("/digests")
def index():
    scope = require_scope()
    return render_template("digests.html", digests=sent_digests(context().db, scope))


@bp.get("/digests/<int:alert_id>")
def show(alert_id: int):
    """The digest's HTML exactly as sent, under a policy that lets it run and fetch nothing."""
    found = digest_payload(context().db, require_scope(), alert_id)
    if found is None:
        abort(404)
    html = found["payload"].get("html") or ""
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = SENT_DOCUMENT_POLICY
    return response
