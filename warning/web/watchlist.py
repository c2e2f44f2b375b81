"""Watchlists: each one's rules, model card and labels, the review queue `warning label --suggest`
proposes, and retraining for the admins who may."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, url_for

from warning.classify.card_text import decision_text, judging_text
from warning.classify.watchlists import load_watchlist
from warning.errors import WarningError
from warning.store.review import labels_by_origin
from warning.store.scope import can_see_watchlist, visible_watchlists
from warning.store.watchlists import watchlist_owner
from warning.web.auth import page_language, require_scope
from warning.web.context import context
from warning.web.i18n import translate
from warning.web.views import office_links

bp = Blueprint("watchlist", __name__)
QUEUE_SIZE = 20


@bp.get("/watchlists")
def index():
    scope = require_scope()
    names = visible_watchlists(context().db, scope)
    return render_template("watchlists.html", names=names)


def _visible_watchlist(name: str):
    """The watchlist ``name`` if the scope sees it and its file exists; 404 otherwise."""
    scope = require_scope()
    if not can_see_watchlist(context().db, scope, name):
        abort(404)
    try:
        return scope, load_watchlist(name, context().config.watchlists_dir)
    except WarningError:
        abort(404)


@bp.get("/watchlists/<name>")
def show(name: str):
    """Rules, model card (figures, threshold, labels by origin) and the feed's address."""
    scope, wl = _visible_watchlist(name)
    card = _card(wl.name)
    cv = (card or {}).get("cv") or {}
    return render_template(
        "watchlist.html",
        wl=wl,
        card=card,
        decides=decision_text(cv) if cv.get("mode") else "",
        judged_on=judging_text(card or {}),
        labels=labels_by_origin(context().db, wl.name),
        may_retrain=_may_retrain(scope, wl.name),
    )


@bp.get("/watchlists/<name>/queue")
def queue(name: str):
    """What to review next: unlabelled publications scored nearest the threshold."""
    _scope, wl = _visible_watchlist(name)
    from warning.classify.feedback import suggest  # numpy and the models load on first use

    try:
        items = suggest(context(), wl.name, limit=QUEUE_SIZE)
    except WarningError as exc:
        return render_template("queue.html", wl=wl, items=[], problem=str(exc), office_links=office_links)
    return render_template("queue.html", wl=wl, items=items, problem="", office_links=office_links)


@bp.post("/watchlists/<name>/retrain")
def retrain(name: str):
    """Train the watchlist's model again with every label so far (admins of its owner, or the programme)."""
    scope, wl = _visible_watchlist(name)
    if not _may_retrain(scope, wl.name):
        abort(404)
    from warning.classify.train import train_watchlist  # scikit-learn loads only when someone retrains

    try:
        train_watchlist(context(), wl.name)
    except WarningError as exc:
        abort(400, description=str(exc))
    flash(translate("retrained", page_language()))
    return redirect(url_for("watchlist.show", name=wl.name))


def _may_retrain(scope, name: str) -> bool:
    """A shared model changes everyone's alerts: only the programme's admins retrain it; an
    owned watchlist's admins retrain their own."""
    if not scope.can_admin:
        return False
    return scope.is_programme or watchlist_owner(context().db, name) == scope.org_id


def _card(name: str) -> dict | None:
    path = context().config.classifiers_dir / name / "card.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
