"""The inbox: the matches a person's organisation has to review, newest and highest first."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from warning.store.review import labels_for
from warning.store.scope import visible_matches, visible_watchlists
from warning.store.watchlists import watchlist_titles
from warning.web.auth import page_language, require_scope
from warning.web.context import context
from warning.web.i18n import refuse
from warning.web.views import best_text

bp = Blueprint("inbox", __name__)
PAGE_SIZE = 50


def match_filters(args) -> dict:
    """The inbox's filters from a query string, checked (a bad value answers 400, not a trace)."""
    filters = {
        "watchlist": args.get("watchlist") or None,
        "country": (args.get("country") or "").strip().upper() or None,
        "since": _date(args.get("since")),
        "until": _date(args.get("until")),
        "min_score": _score(args.get("min_score")),
        "reviewed": {"yes": True, "no": False}.get(args.get("reviewed", "")),
    }
    return filters


def _date(value: str | None) -> str | None:
    value = (value or "").strip()
    if not value:
        return None
    if len(value) != 10 or value[4] != "-" or value[7] != "-" or not value.replace("-", "").isdigit():
        refuse("bad_date", value=value[:20])
    return value


def _score(value: str | None) -> float | None:
    if not (value or "").strip():
        return None
    try:
        score = float(value)
    except ValueError:
        refuse("bad_score", value=value[:20])
    if not 0.0 <= score <= 1.0:
        refuse("bad_score", value=value[:20])
    return score


def _page(args) -> int:
    try:
        return max(0, int(args.get("page", "0")))
    except ValueError:
        return 0


@bp.get("/")
def inbox():
    """The matches to review, filters on top, one row per match with its label buttons."""
    scope = require_scope()
    filters = match_filters(request.args)
    page = _page(request.args)
    rows = visible_matches(context().db, scope, **filters, limit=PAGE_SIZE + 1, offset=page * PAGE_SIZE)
    has_next = len(rows) > PAGE_SIZE
    language = page_language()
    rows = rows[:PAGE_SIZE]
    labels = labels_for(context().db, scope, [(r["publication_id"], r["watchlist"]) for r in rows])
    titles = watchlist_titles(context().db)
    items = [
        dict(
            row,
            title=best_text(row["titles"], language),
            watchlist_title=best_text(titles.get(row["watchlist"], {}), language) or row["watchlist"],
            label=labels.get((row["publication_id"], row["watchlist"])),
        )
        for row in rows
    ]
    return render_template(
        "inbox.html",
        items=items,
        filters=request.args.to_dict(),
        watchlists=visible_watchlists(context().db, scope),
        watchlist_names={n: best_text(titles.get(n, {}), language) or n for n in titles},
        page=page,
        has_next=has_next,
    )
