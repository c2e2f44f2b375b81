"""The risk register: cases by status, owner and deadline; a case's timeline; updating and
closing it; the register as .xlsx."""

from __future__ import annotations

import io
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for

from warning.config.schema import SEVERITIES
from warning.errors import AccessDenied, NotFound, WarningError
from warning.risks.cases import ACTIONS, STATUSES
from warning.risks.export import cases_xlsx
from warning.store import legal_events as legal_store
from warning.store import risks as risk_store
from warning.store.scope import can_see_case, visible_cases
from warning.web.auth import page_language, require_scope, reviewer_required
from warning.web.cases import change_case_for
from warning.web.context import context
from warning.web.i18n import refuse, translate
from warning.web.views import best_text

bp = Blueprint("register", __name__)


def _filtered_cases(scope, args) -> list[dict]:
    """The cases the scope sees, narrowed by status and owner, soonest deadline first."""
    db = context().db
    status = args.get("status") or None
    if status is not None and status not in STATUSES:
        refuse("bad_status", allowed=", ".join(STATUSES))
    cases = visible_cases(db, scope, status=status)
    owner = (args.get("owner") or "").strip()
    if owner:
        cases = [c for c in cases if (c.get("owner") or "") == owner]
    deadlines = risk_store.deadlines_by_case(db, [c["id"] for c in cases])
    today = date.today().isoformat()
    for case in cases:
        mine = deadlines.get(case["id"], [])
        upcoming = [d for d in mine if d["date"] >= today]
        case["next_deadline"] = upcoming[0] if upcoming else None
    due = _due_days(args.get("due"))
    if due is not None:
        last = (date.today() + timedelta(days=due)).isoformat()
        cases = [c for c in cases if c["next_deadline"] and c["next_deadline"]["date"] <= last]
    return sorted(
        cases, key=lambda c: (c["next_deadline"] is None, (c["next_deadline"] or {}).get("date", ""), c["id"])
    )


def _due_days(value: str | None) -> int | None:
    """The "deadline within N days" filter (None: any)."""
    if not (value or "").strip():
        return None
    if not value.strip().isdigit():
        refuse("bad_due", value=value.strip()[:20])
    return int(value)


@bp.get("/cases")
def register():
    """Every case the organisation sees, with its next deadline, filterable by status and owner."""
    scope = require_scope()
    cases = _filtered_cases(scope, request.args)
    language = page_language()
    for case in cases:
        case["title"] = best_text(case.get("titles"), language)
    owners = sorted({c["owner"] for c in visible_cases(context().db, scope) if c.get("owner")})
    return render_template(
        "register.html", cases=cases, statuses=STATUSES, owners=owners, filters=request.args
    )


@bp.get("/cases/export.xlsx")
def export():
    """The cases shown by the register's filters as an Excel workbook."""
    scope = require_scope()
    cases = _filtered_cases(scope, request.args)
    data, _ = cases_xlsx(context().db, cases, date.today().isoformat())
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"risk-register-{date.today().isoformat()}.xlsx",
    )


@bp.get("/cases/<int:case_id>")
def case(case_id: int):
    """A case: its publication, deadlines, history, family and legal events, and the forms to change it."""
    scope = require_scope()
    db = context().db
    if not can_see_case(db, scope, case_id):
        abort(404)
    found = risk_store.get_case(db, case_id)
    family = legal_store.case_family(db, case_id)
    ids = [found["publication_id"], *(f["publication_id"] for f in family)]
    return render_template(
        "case.html",
        case=found,
        title=best_text(found.get("titles"), page_language()),
        deadlines=risk_store.case_deadlines(db, case_id),
        history=risk_store.case_history(db, case_id),
        family=family,
        events=legal_store.legal_events_for(db, ids),
        statuses=STATUSES,
        actions=ACTIONS,
        severities=SEVERITIES,
        owners=[sub.name for sub in context().config.subscribers],
    )


@bp.post("/cases/<int:case_id>")
@reviewer_required
def change(case_id: int):
    """Change a case's status, action, owner or severity and add a note; or close it with an outcome."""
    scope = require_scope()
    db = context().db
    if not can_see_case(db, scope, case_id):
        abort(404)
    form = request.form
    fields = {k: form.get(k) or None for k in ("status", "action", "owner", "severity")}
    if form.get("close"):
        fields = {"status": "closed", "outcome": form.get("outcome", "")}
    try:
        change_case_for(scope, case_id, fields, form.get("note", "").strip(), who=f"web:{scope.user_id}")
    except NotFound:
        abort(404)
    except AccessDenied:
        abort(403)
    except WarningError as exc:
        abort(400, description=str(exc))
    flash(translate("saved", page_language()))
    return redirect(url_for("register.case", case_id=case_id))
