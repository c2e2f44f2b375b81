"""The JSON API under /api/v1/: bearer tokens only (``warning tokens create LOGIN --name NAME``),
every answer within the token owner's scope, and what another organisation owns answers 404, never 403."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request, url_for

from warning.classify.evidence_on_read import with_evidence
from warning.classify.feedback import label_publication
from warning.errors import AccessDenied, NotFound, WarningError
from warning.identity import normalise_id
from warning.risks.export import case_json
from warning.store import risks as risk_store
from warning.store.publications import get_publication
from warning.store.review import labels_for, publication_matches
from warning.store.scope import can_see_case, can_see_publication, visible_cases, visible_matches
from warning.store.search import search_visible
from warning.web.api_clusters import bp as clusters_api
from warning.web.auth import require_scope, scope_from_token
from warning.web.cases import change_case_for, open_case_for
from warning.web.context import context
from warning.web.inbox import match_filters
from warning.web.openapi import SPEC
from warning.web.views import best_text

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.register_blueprint(clusters_api)  # nested: the token check below runs for its routes too
MAX_LIMIT = 500


@bp.before_request
def _authenticate():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if scope_from_token(token) is None:
        response = jsonify(
            {"error": "a valid bearer token is needed (warning tokens create LOGIN --name NAME)"}
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="warning"'
        return response, 401
    return None


@bp.errorhandler(WarningError)
def _refused(exc: WarningError):
    code = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, AccessDenied) else 400
    return jsonify({"error": str(exc)}), code


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


@bp.get("/matches")
def matches():
    """Matches the token's organisation sees, newest first; ``next`` is the cursor of the next page."""
    scope = require_scope()
    limit = _int_arg("limit", 100, 1, MAX_LIMIT)
    offset = _int_arg("cursor", 0, 0, 10**9)
    filters = match_filters(request.args)
    rows = visible_matches(context().db, scope, **filters, limit=limit + 1, offset=offset)
    more, rows = len(rows) > limit, rows[:limit]
    labels = labels_for(context().db, scope, [(r["publication_id"], r["watchlist"]) for r in rows])
    items = [
        {
            "publication": r["publication_id"],
            "watchlist": r["watchlist"],
            "score": r["score"],
            "title": best_text(r["titles"], scope.language),
            "country": r["country"],
            "published": r["publication_date"],
            "matched_at": r["created_at"],
            "label": _label_name(labels.get((r["publication_id"], r["watchlist"]))),
        }
        for r in rows
    ]
    return jsonify({"items": items, "next": str(offset + limit) if more else None})


@bp.get("/publications/<publication_id>")
def publication(publication_id: str):
    scope = require_scope()
    db = context().db
    pub = get_publication(db, normalise_id(publication_id))
    if pub is None or not can_see_publication(db, scope, pub.id):
        abort(404)
    body = pub.to_dict()
    body["matches"] = [
        {
            "watchlist": m["watchlist"],
            "score": m["score"],
            "evidence": m["evidence"],
            "label": _label_name(m["label"]),
        }
        for m in with_evidence(context(), publication_matches(db, scope, pub.id))
    ]
    body["url"] = url_for("publication.show", publication_id=pub.id, _external=True)
    return jsonify(body)


@bp.post("/labels")
def labels():
    """``{"publication", "watchlist", "label": "relevant"|"irrelevant"}``, as ``warning label`` records it."""
    scope = require_scope()
    body = _json_body("publication", "watchlist", "label")
    if body["label"] not in ("relevant", "irrelevant"):
        abort(400, description='label must be "relevant" or "irrelevant"')
    # Any stored publication may be judged for a watchlist the token's owner sees (as on the pages).
    if get_publication(context().db, normalise_id(body["publication"])) is None:
        abort(404)
    saved = label_publication(
        context(),
        body["publication"],
        body["watchlist"],
        body["label"] == "relevant",
        who=f"api:{scope.user_id}",
        scope=scope,
    )
    return jsonify({**saved, "label": _label_name(saved["label"])}), 201


@bp.get("/cases")
def cases():
    scope = require_scope()
    status = request.args.get("status") or None
    found = visible_cases(context().db, scope, status=status)
    deadlines = risk_store.deadlines_by_case(context().db, [c["id"] for c in found])
    return jsonify({"items": [case_json(c, deadlines.get(c["id"], [])) for c in found]})


@bp.post("/cases")
def open_case():
    """``{"publication", "watchlist"}``: opens a case (or joins the open one) and returns it."""
    scope = require_scope()
    body = _json_body("publication", "watchlist")
    _require_visible_publication(scope, body["publication"])
    case_id = open_case_for(scope, body["publication"], body["watchlist"], who=f"api:{scope.user_id}")
    return jsonify(_case_body(case_id)), 201


@bp.patch("/cases/<int:case_id>")
def change_case(case_id: int):
    """Any of ``status``, ``action``, ``owner``, ``severity``, ``outcome``, ``note``."""
    scope = require_scope()
    if not can_see_case(context().db, scope, case_id):
        abort(404)
    if not scope.can_review:
        raise AccessDenied("changing a case needs the reviewer or admin role")
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, description="the body must be a JSON object")
    fields = {k: body.get(k) for k in ("status", "action", "owner", "severity", "outcome")}
    if any(v is not None and not isinstance(v, str) for v in fields.values()):
        abort(400, description="status, action, owner, severity and outcome are strings")
    change_case_for(scope, case_id, fields, str(body.get("note") or ""), who=f"api:{scope.user_id}")
    return jsonify(_case_body(case_id))


@bp.get("/search")
def search():
    scope = require_scope()
    query = (request.args.get("q") or "").strip()[:200]
    limit = _int_arg("limit", 50, 1, MAX_LIMIT)
    hits = search_visible(context().db, scope, query, limit=limit) if query else []
    items = [
        {
            "publication": h["id"],
            "title": best_text(h["titles"], scope.language),
            "country": h["country"],
            "published": h["publication_date"],
        }
        for h in hits
    ]
    return jsonify({"items": items})


def _case_body(case_id: int) -> dict:
    db = context().db
    return case_json(risk_store.get_case(db, case_id), risk_store.case_deadlines(db, case_id))


def _require_visible_publication(scope, publication: str) -> None:
    if not can_see_publication(context().db, scope, normalise_id(publication)):
        abort(404)


def _json_body(*keys: str) -> dict[str, str]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or any(not isinstance(body.get(k), str) or not body.get(k) for k in keys):
        abort(400, description=f"the body must be a JSON object with the strings {', '.join(keys)}")
    return body


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        abort(400, description=f"{name} must be a whole number")
    if not low <= value <= high:
        abort(400, description=f"{name} must be between {low} and {high}")
    return value


def _label_name(label: int | None) -> str | None:
    return None if label is None else ("relevant" if label else "irrelevant")
