"""An Atom feed per watchlist for feed readers, which cannot send headers: the token travels in
the address (``?token=``). Use a token made for the feed alone
(``warning tokens create LOGIN --name NAME``), so revoking it stops that reader and nothing else."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from warning.clock import utcnow
from warning.store.scope import can_see_watchlist, visible_matches
from warning.web.auth import scope_from_token
from warning.web.context import context
from warning.web.views import best_text

bp = Blueprint("feeds", __name__, url_prefix="/feeds")
FEED_SIZE = 100


@bp.get("/<watchlist>.atom")
def watchlist_feed(watchlist: str):
    """The watchlist's latest matches the token's organisation sees, newest first."""
    scope = scope_from_token(request.args.get("token", ""))
    if scope is None or not can_see_watchlist(context().db, scope, watchlist):
        abort(404)
    rows = visible_matches(context().db, scope, watchlist=watchlist, limit=FEED_SIZE)
    entries = [
        {
            "id": f"urn:warning:match:{r['publication_id']}:{r['watchlist']}",
            "title": f"{r['publication_id']} {best_text(r['titles'], scope.language)}",
            "link": url_for(
                "publication.show", publication_id=r["publication_id"], watchlist=watchlist, _external=True
            ),
            "updated": r["created_at"],
            "summary": f"{r['country']} · {r['publication_date'] or ''} · score {r['score']:.2f}",
        }
        for r in rows
    ]
    body = render_template(
        "feed.xml",
        watchlist=watchlist,
        entries=entries,
        updated=entries[0]["updated"] if entries else utcnow(),
        self_url=url_for("feeds.watchlist_feed", watchlist=watchlist, _external=True),
    )
    return Response(body, mimetype="application/atom+xml")
