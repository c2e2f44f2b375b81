"""Opening a risk case from the web (a page's button or the API): one rule for both."""

from __future__ import annotations

from warning.identity import normalise_id
from warning.risks.cases import open_case
from warning.store.scope import Scope
from warning.web.context import context


def open_case_for(scope: Scope, publication: str, watchlist: str, who: str) -> int:
    """Open a case on a publication for the scope's organisation (the enterprise it concerns), or
    join the open one on the same publication and product line; returns its id."""
    db = context().db
    enterprise = scope.org_id or "programme"
    # The case belongs to the organisation that opens it, so that it (and only it) sees it; it joins
    # only that organisation's open case, never the programme's or another's.
    org_id = None if scope.is_programme else scope.org_id
    return open_case(db, normalise_id(publication), enterprise, watchlist=watchlist, who=who, org_id=org_id)
