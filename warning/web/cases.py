"""Risk cases from the web (a page's buttons or the API), one rule for both: through the
tenancy layer's scoped and audited actions (`warning.orgs.cases`), names checked as the CLI does."""

from __future__ import annotations

from warning.identity import normalise_id
from warning.orgs.cases import close_case_as, open_case_as, update_case_as
from warning.risks.cases import check_names
from warning.store import orgs
from warning.store.scope import Scope
from warning.web.context import context


def open_case_for(scope: Scope, publication: str, watchlist: str, who: str) -> int:
    """Open a case on a publication for the scope's organisation (the enterprise it concerns; the
    programme's go to the watchlist's owner), or join the open one of the same organisation on
    the same publication and product line; returns its id."""
    app = context()
    org = orgs.get_org(app.db, scope.org_id) if scope.org_id else None
    enterprise = (org or {}).get("name") or scope.org_id or "programme"
    return open_case_as(
        app.db, scope, normalise_id(publication), [enterprise], watchlist=watchlist, who=who,
        subscribers=app.config.subscribers,
    )  # fmt: skip


def change_case_for(scope: Scope, case_id: int, fields: dict[str, str | None], note: str, who: str) -> None:
    """Change a case's status, action, owner, severity or outcome, with a note; closing needs the outcome."""
    app = context()
    check_names(app.config, owner=fields.get("owner"))
    if fields.get("status") == "closed":
        close_case_as(app.db, scope, case_id, fields.get("outcome") or "", who=who, note=note)
        fields = {k: v for k, v in fields.items() if k not in ("status", "outcome")}
    if any(v is not None for v in fields.values()) or note:
        update_case_as(app.db, scope, case_id, who=who, note=note, **fields)
