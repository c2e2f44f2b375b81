"""Opening a risk case from the web (a page's button or the API): one rule for both."""

from __future__ import annotations

from warning.identity import normalise_id
from warning.risks.cases import open_case
from warning.store import risks as risk_store
from warning.store.scope import Scope
from warning.web.context import context


def open_case_for(scope: Scope, publication: str, watchlist: str, who: str) -> int:
    """Open a case on a publication for the scope's organisation (the enterprise it concerns), or
    join the open one on the same publication and product line; returns its id."""
    db = context().db
    enterprise = scope.org_id or "programme"
    case_id = open_case(db, normalise_id(publication), enterprise, watchlist=watchlist, who=who)
    # The case belongs to the organisation that opened it, so that it (and only it) sees it.
    case = risk_store.get_case(db, case_id)
    if case is not None and case.get("org_id") is None and not scope.is_programme:
        risk_store.update_case(db, case_id, {"org_id": scope.org_id}, who)
    return case_id
