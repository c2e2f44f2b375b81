"""The search page: full text of the store (Chinese, Japanese and Korean too), within the scope."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from warning.store.search import search_visible
from warning.web.auth import page_language, require_scope
from warning.web.context import context
from warning.web.views import best_text, highlight

bp = Blueprint("search", __name__)
PAGE_SIZE = 50
MAX_QUERY = 200


@bp.get("/search")
def search():
    """Hits best first, each with its title and the start of its abstract, the query's words marked."""
    scope = require_scope()
    query = (request.args.get("q") or "").strip()[:MAX_QUERY]
    language = page_language()
    hits = search_visible(context().db, scope, query, limit=PAGE_SIZE) if query else []
    terms = sorted(set(query.split()), key=len, reverse=True)
    items = [
        {
            **hit,
            "title": highlight(best_text(hit["titles"], language), terms),
            "snippet": highlight(best_text(hit["abstracts"], language)[:300], terms),
        }
        for hit in hits
    ]
    return render_template("search.html", query=query, items=items)
