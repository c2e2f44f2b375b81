"""Labels from the alert itself: the signed links of an e-mail or chat alert, and Slack's buttons.

A link opens a page that asks once more and records on POST: mail scanners open every link of a
message (a GET that wrote would record labels nobody gave, and use the link up). Slack's button
presses arrive signed with the app's signing secret (``$WARNING_SLACK_SIGNING_SECRET``); the
signature and its timestamp (five minutes at most) are checked before anything is read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time

from flask import Blueprint, abort, jsonify, render_template, request

from warning.classify.feedback import label_publication
from warning.delivery.channels.slack import SLACK_SIGNING_ENV
from warning.delivery.feedback_links import SECRET_ENV, BadToken, Feedback, read_token
from warning.errors import WarningError
from warning.store.feedback import org_of_subscriber, use_nonce
from warning.store.publications import get_publication
from warning.store.scope import Scope
from warning.web.auth import page_language
from warning.web.context import context
from warning.web.views import best_text

bp = Blueprint("feedback", __name__)
log = logging.getLogger(__name__)
SLACK_SECRET_ENV = SLACK_SIGNING_ENV  # the sender puts the buttons only where this is set
SLACK_MAX_AGE_S = 300


@bp.get("/feedback/<token>")
def confirm(token: str):
    feedback = _feedback(token)
    pub = get_publication(context().db, feedback.publication)
    title = best_text(pub.titles, page_language()) if pub else ""
    return render_template("feedback.html", feedback=feedback, title=title, token=token, done=None)


@bp.post("/feedback/<token>")
def record(token: str):
    feedback = _feedback(token)
    done = _record(feedback)
    return render_template("feedback.html", feedback=feedback, title="", token=token, done=done)


@bp.post("/slack/actions")
def slack_action():
    """A button of a Slack alert: its value is a feedback token for that channel."""
    secret = os.environ.get(SLACK_SECRET_ENV, "")
    if not secret or not _slack_signed(secret):
        abort(401)
    try:
        payload = json.loads(request.form.get("payload", ""))
        token = payload["actions"][0]["value"]
    except (ValueError, KeyError, IndexError, TypeError):
        abort(400, description="not a Slack action payload")
    try:
        feedback = read_token(os.environ.get(SECRET_ENV, ""), str(token))
    except BadToken:
        return jsonify({"response_type": "ephemeral", "text": "This button has expired."})
    done = _record(feedback)
    word = "relevant" if feedback.relevant else "not relevant"
    text = f"Recorded: {feedback.publication} {word}." if done else "Already recorded."
    return jsonify({"response_type": "ephemeral", "replace_original": False, "text": text})


def _feedback(token: str) -> Feedback:
    try:
        return read_token(os.environ.get(SECRET_ENV, ""), token)
    except BadToken as exc:
        log.info("feedback link refused: %s", exc)
        abort(404)


def _record(feedback: Feedback) -> bool:
    """Record the label as the recipient's organisation's, once per link; False if used before."""
    db = context().db
    org = org_of_subscriber(db, feedback.subscriber)
    if org is None:
        abort(404)
    scope = Scope(org["id"], org["kind"], None, "reviewer")
    if not use_nonce(db, feedback.nonce, f"{feedback.subscriber}:{feedback.address}"):
        return False
    who = f"alert:{feedback.subscriber}:{feedback.address}"
    try:
        label_publication(
            context(), feedback.publication, feedback.watchlist, feedback.relevant, who=who, scope=scope
        )
    except WarningError:
        abort(404)
    return True


def _slack_signed(secret: str) -> bool:
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SLACK_MAX_AGE_S:
        return False
    base = b"v0:" + timestamp.encode() + b":" + request.get_data(cache=True)
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)
