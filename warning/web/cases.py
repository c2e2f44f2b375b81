"""Opening a risk case from the web (a page's button or the API): one rule for both."""

from __future__ import annotations

from warning.identity import normalise_id
from warning.risks.cases import open_case
from warning.store.scope import Scope
from warning.web.app import context


def open_case_for(scope: Scope, publication: str, watchlist: str, who: str) -> int:
    """Open a case on a publication for the scope's organisation (the enterprise it concerns), or
    join the open one on the same publication and product line; returns its id."""
    enterprise = scope.org_id or "programme"
    return open_case(context().db, normalise_id(publication), enterprise, watchlist=watchlist, who=who)
