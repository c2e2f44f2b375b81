"""What a person may see: the one place where the store's queries are narrowed to a scope.

A `Scope` is who acts (their organisation, its kind, their role). Every query that returns
watchlists, matches, labels, risk cases or alerts takes one and adds the clauses built here, so
no caller has to remember the rules:

- the programme (the escort programme that runs the instance) sees everything;
- a watchlist with no owner is shared; an owned one is seen by its owner (and the programme);
- a match is seen by whoever sees its watchlist;
- a label is seen by the organisation that wrote it, and by everyone who sees its watchlist
  once it is shared (labels written before organisations existed are the programme's, shared);
- a risk case is seen by the enterprise it concerns (``org_id``) and by the organisations it
  was shared with (``risk_case_shares``); a case of no organisation only by the programme;
- an alert row is seen by the organisation whose subscription it was queued for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from warning.errors import NotFound
from warning.store.case_rows import CASE_SELECT, decode_case

ROLES = ("viewer", "reviewer", "admin")
KINDS = ("enterprise", "association", "programme")


@dataclass(frozen=True)
class Scope:
    """Who acts: ``org_id`` None with kind ``programme`` is the instance itself (the CLI's default)."""

    org_id: str | None
    org_kind: str
    user_id: int | None
    role: str
    language: str = "zh"

    @classmethod
    def programme(cls, language: str = "zh") -> Scope:
        """The instance administrator: sees and may do everything."""
        return cls(org_id=None, org_kind="programme", user_id=None, role="admin", language=language)

    @property
    def is_programme(self) -> bool:
        return self.org_kind == "programme"

    @property
    def can_review(self) -> bool:
        return self.role in ("reviewer", "admin")

    @property
    def can_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_instance_admin(self) -> bool:
        """A programme admin: manages every organisation, not only their own."""
        return self.is_programme and self.can_admin

    @property
    def label_org(self) -> str:
        """The ``labels.org_id`` this scope writes: '' for the programme."""
        return "" if self.is_programme else (self.org_id or "")


def scope_for_user(db: sqlite_utils.Database, user_id: int) -> Scope:
    """The scope of an active person; NotFound if there is none or they (or their organisation) are disabled."""
    rows = list(
        db.query(
            "SELECT u.id, u.org_id, u.role, u.language, o.kind FROM users u JOIN orgs o ON o.id = u.org_id "
            "WHERE u.id = ? AND u.disabled_at IS NULL AND o.disabled_at IS NULL",
            [user_id],
        )
    )
    if not rows:
        raise NotFound(f"no active person with id {user_id}")
    row = rows[0]
    return Scope(row["org_id"], row["kind"], row["id"], row["role"], row["language"])


def scope_for_login(db: sqlite_utils.Database, login: str) -> Scope:
    """The scope of an active person by login; NotFound otherwise."""
    row = db.execute("SELECT id FROM users WHERE login = ?", [login]).fetchone()
    try:
        if row is None:
            raise NotFound(login)
        return scope_for_user(db, int(row[0]))
    except NotFound:
        raise NotFound(f"no active person with login {login!r}") from None


# ------------------------------------------------------------------ the clauses (the rules, once)


def watchlist_clause(scope: Scope, column: str = "m.watchlist") -> tuple[str, list[Any]]:
    """``AND ...`` keeping rows whose watchlist ``column`` the scope sees. A watchlist the store
    has not recorded counts as shared: only a recorded owner hides one."""
    if scope.is_programme:
        return "", []
    sql = f" AND {column} NOT IN (SELECT name FROM watchlists WHERE owner IS NOT NULL AND owner != ?)"
    return sql, [scope.org_id or ""]


def case_clause(scope: Scope, alias: str = "c") -> tuple[str, list[Any]]:
    """``AND ...`` keeping the risk cases (table alias ``alias``) the scope sees."""
    if scope.is_programme:
        return "", []
    sql = (
        f" AND ({alias}.org_id = ? OR EXISTS (SELECT 1 FROM risk_case_shares s "
        f"WHERE s.case_id = {alias}.id AND s.org_id = ?))"
    )
    return sql, [scope.org_id, scope.org_id]


def label_clause(scope: Scope, alias: str = "l") -> tuple[str, list[Any]]:
    """``AND ...`` keeping the labels (table alias ``alias``) the scope sees."""
    if scope.is_programme:
        return "", []
    seen, params = watchlist_clause(scope, f"{alias}.watchlist")
    sql = f" AND ({alias}.org_id = ? OR ({alias}.shared = 1{seen}))"
    return sql, [scope.org_id, *params]


def alert_clause(scope: Scope, alias: str = "a") -> tuple[str, list[Any]]:
    """``AND ...`` keeping the outbox rows queued for the scope's organisation's subscriptions."""
    if scope.is_programme:
        return "", []
    sql = f" AND {alias}.subscriber IN (SELECT name FROM subscriptions WHERE org_id = ?)"
    return sql, [scope.org_id]


# ------------------------------------------------------------------ the queries of the contract


def visible_watchlists(db: sqlite_utils.Database, scope: Scope) -> list[str]:
    """Names of the watchlists the scope sees: recorded ones and any that has matches, sorted."""
    seen, params = watchlist_clause(scope, "name")
    sql = (
        "SELECT name FROM (SELECT name FROM watchlists UNION SELECT DISTINCT watchlist AS name FROM matches) "
        f"WHERE 1 = 1{seen} ORDER BY name"
    )
    return [row[0] for row in db.execute(sql, params).fetchall()]


def visible_matches(
    db: sqlite_utils.Database,
    scope: Scope,
    *,
    watchlist: str | None = None,
    country: str | None = None,
    since: str | None = None,
    until: str | None = None,
    min_score: float | None = None,
    reviewed: bool | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Matches the scope sees, newest first (then highest score), with their publication's
    titles, country and date decoded (not their evidence: no list shows it, a publication's page
    does, `review.publication_matches`); ``since``/``until`` bound when the match was made
    ([since, until)); ``reviewed`` keeps those with (True) or without (False) a label the scope sees."""
    where, params = _match_filters(watchlist, country, since, until, min_score)
    seen, seen_params = watchlist_clause(scope)
    if reviewed is not None:
        labelled, label_params = label_clause(scope)
        where += (" AND " if reviewed else " AND NOT ") + (
            "EXISTS (SELECT 1 FROM labels l WHERE l.publication_id = m.publication_id "
            f"AND l.watchlist = m.watchlist{labelled})"
        )
        params += label_params
    # The page's matches are chosen first from indexes alone (m024: matches newest first with
    # their watchlist, publications' id with country), CROSS JOIN keeping matches the outer
    # loop so a page stops after `limit` rows; then only those rows are read whole. A plain join
    # let SQLite start from publications' country index and sort every match of that country,
    # and a filter matching nothing read every match's publication row (0.35-0.6 s at 100,000).
    order = "m.created_at DESC, m.score DESC, m.publication_id"
    sql = f"""
        SELECT m.publication_id, m.watchlist, m.score, m.threshold, m.model_version,
               m.created_at, p.titles, p.country, p.publication_date, p.applicants, p.family_id
        FROM (SELECT m.rowid AS match_rowid FROM matches m CROSS JOIN publications p ON p.id = m.publication_id
              WHERE 1 = 1{where}{seen} ORDER BY {order} LIMIT ? OFFSET ?) page
        CROSS JOIN matches m ON m.rowid = page.match_rowid
        CROSS JOIN publications p ON p.id = m.publication_id
        ORDER BY {order}
    """
    rows = db.query(sql, [*params, *seen_params, limit, offset])
    return [_decoded(r, "titles", "applicants") for r in rows]


def _match_filters(
    watchlist: str | None, country: str | None, since: str | None, until: str | None, min_score: float | None
) -> tuple[str, list[Any]]:
    where, params = "", []
    for clause, value in (
        (" AND m.watchlist = ?", watchlist),
        (" AND p.country = ?", country.upper() if country else None),
        (" AND m.created_at >= ?", since),
        (" AND m.created_at < ?", until),
        (" AND m.score >= ?", min_score),
    ):
        if value is not None and value != "":
            where += clause
            params.append(value)
    return where, params


def visible_cases(
    db: sqlite_utils.Database, scope: Scope, *, status: str | None = None
) -> list[dict[str, Any]]:
    """Risk cases the scope sees (optionally of one status), oldest first, decoded as
    the risk register reads them (`warning.store.case_rows`)."""
    seen, params = case_clause(scope)
    where, wparams = (" AND c.status = ?", [status]) if status else ("", [])
    sql = f"{CASE_SELECT} WHERE 1 = 1{where}{seen} ORDER BY c.id"
    return [decode_case(r) for r in db.query(sql, [*wparams, *params])]


def can_see_case(db: sqlite_utils.Database, scope: Scope, case_id: int) -> bool:
    """Whether the case exists and the scope sees it."""
    seen, params = case_clause(scope)
    sql = f"SELECT 1 FROM risk_cases c WHERE c.id = ?{seen}"
    return db.execute(sql, [case_id, *params]).fetchone() is not None


def require_case(db: sqlite_utils.Database, scope: Scope, case_id: int) -> None:
    """NotFound unless the scope sees the case (what another organisation owns answers 'no such case')."""
    if not can_see_case(db, scope, case_id):
        raise NotFound(f"no risk case {case_id}")


def visible_labels(
    db: sqlite_utils.Database, scope: Scope, watchlist: str | None = None
) -> list[dict[str, Any]]:
    """Labels the scope sees (of one watchlist, or all), oldest first."""
    seen, params = label_clause(scope)
    where, wparams = (" AND l.watchlist = ?", [watchlist]) if watchlist else ("", [])
    sql = (
        f"SELECT l.* FROM labels l WHERE 1 = 1{where}{seen} ORDER BY l.created_at, l.publication_id, l.org_id"
    )
    return list(db.query(sql, [*wparams, *params]))


def can_see_watchlist(db: sqlite_utils.Database, scope: Scope, watchlist: str) -> bool:
    """Whether the scope sees this watchlist (an unrecorded one counts as shared)."""
    if scope.is_programme:
        return True
    seen, params = watchlist_clause(scope, "?")
    return db.execute(f"SELECT 1 WHERE 1 = 1{seen}", [watchlist, *params]).fetchone() is not None


def can_see_publication(db: sqlite_utils.Database, scope: Scope, pub_id: str) -> bool:
    """Whether the publication is stored and, for anyone but the programme, reached through a match
    or a risk case the scope sees (that a publication touches an enterprise's own product line is
    itself confidential, so a publication is not shown on its own)."""
    if db.execute("SELECT 1 FROM publications WHERE id = ?", [pub_id]).fetchone() is None:
        return False
    if scope.is_programme:
        return True
    seen, params = watchlist_clause(scope)
    if db.execute(
        f"SELECT 1 FROM matches m WHERE m.publication_id = ?{seen} LIMIT 1", [pub_id, *params]
    ).fetchone():
        return True
    seen, params = case_clause(scope)
    sql = f"SELECT 1 FROM risk_cases c WHERE c.publication_id = ?{seen} LIMIT 1"
    return db.execute(sql, [pub_id, *params]).fetchone() is not None


def _decoded(row: dict[str, Any], *columns: str) -> dict[str, Any]:
    row = dict(row)
    for column in columns:
        row[column] = json.loads(row.get(column) or ("[]" if column == "applicants" else "{}"))
    return row
