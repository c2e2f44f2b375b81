"""A publication's page, and the two things a reviewer does from it (or from the inbox): label a
match relevant or not, and open a risk case on it."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from warning.classify.evidence_on_read import with_evidence
from warning.classify.feedback import label_publication
from warning.errors import AccessDenied, WarningError
from warning.identity import normalise_id
from warning.risks.deadlines import publication_deadlines
from warning.store import legal_events as legal_store
from warning.store import risks as risk_store
from warning.store.publications import get_publication
from warning.store.review import publication_matches
from warning.store.scope import can_see_case, can_see_publication, visible_watchlists
from warning.web.auth import page_language, require_scope, reviewer_required
from warning.web.cases import open_case_for
from warning.web.context import context
from warning.web.i18n import translate
from warning.web.views import evidence_terms, highlight, office_links

bp = Blueprint("publication", __name__)


@bp.get("/publications/<publication_id>")
def show(publication_id: str):
    """Titles, abstracts and claims in every language held, the parties, codes and dates, family and
    legal events, links to the office, and the matches with their evidence marked in the text."""
    scope = require_scope()
    db = context().db
    pub = get_publication(db, normalise_id(publication_id))
    if pub is None or not can_see_publication(db, scope, pub.id):
        abort(404)
    matches = with_evidence(context(), publication_matches(db, scope, pub.id))  # computed once, if new
    chosen = request.args.get("watchlist")
    focus = next((m for m in matches if m["watchlist"] == chosen), matches[0] if matches else None)
    terms = evidence_terms(focus["evidence"]) if focus else []
    family = [pid for pid, _ in legal_store.family_publication_ids(db, pub.family_id or "") if pid != pub.id]
    cases = [c for c in risk_store.cases_for_publication(db, pub.id) if can_see_case(db, scope, c["id"])]
    return render_template(
        "publication.html",
        pub=pub,
        matches=matches,
        focus=focus,
        mark=lambda text: highlight(text, terms),
        family=family,
        events=legal_store.legal_events_for(db, [pub.id]),
        cases=cases,
        links=office_links(pub.id),
        codes_hit=set((focus or {}).get("evidence", {}).get("rules", {}).get("cpc", [])),
        deadlines=publication_deadlines(pub, datetime.now(UTC).date()),
        page_lang=page_language(),
    )


@bp.post("/labels")
@reviewer_required
def label():
    """Record relevant / not relevant for a match, as ``warning label`` does, then go back."""
    scope = require_scope()
    publication, watchlist = _visible_match(scope, any_stored=True)
    relevant = request.form.get("label") == "relevant"
    try:
        label_publication(context(), publication, watchlist, relevant, who=_who(scope), scope=scope)
    except WarningError as exc:
        abort(400, description=str(exc))
    flash(_word("label_saved"))
    return redirect(_back())


@bp.post("/cases")
@reviewer_required
def new_case():
    """Open a risk case on a match (or join the open one on the same publication and product line)."""
    scope = require_scope()
    publication, watchlist = _visible_match(scope)
    try:
        case_id = open_case_for(scope, publication, watchlist, who=_who(scope))
    except AccessDenied:
        abort(403)  # an association: its members open cases and share them
    except WarningError as exc:
        abort(400, description=str(exc))
    flash(_word("case_opened") + f"#{case_id}")
    return redirect(url_for("register.case", case_id=case_id))


def _visible_match(scope, *, any_stored: bool = False) -> tuple[str, str]:
    """The form's publication and watchlist, both visible to the scope (else 404, never 403).

    ``any_stored``: a label may judge any stored publication for a watchlist the scope sees (the
    review queue proposes unmatched ones; the publication is a public document, what is
    confidential is which product lines it matched)."""
    db = context().db
    publication = normalise_id(request.form.get("publication", ""))
    watchlist = request.form.get("watchlist", "")
    if any_stored:
        seen = get_publication(db, publication) is not None
    else:
        seen = can_see_publication(db, scope, publication)
    if watchlist not in visible_watchlists(db, scope) or not seen:
        abort(404)
    return publication, watchlist


def _who(scope) -> str:
    return f"web:{scope.user_id}"


def _word(key: str) -> str:
    return translate(key, page_language())


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.inbox")
