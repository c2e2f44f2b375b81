"""The Flask app factory: one database connection per request, the pages, the API, the errors."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from warning.config.schema import Config
from warning.delivery.feedback_links import SECRET_ENV
from warning.store import open_db
from warning.web import (
    api,
    archive,
    auth,
    cluster,
    feedback,
    feeds,
    inbox,
    publication,
    register,
    search,
    security,
    status,
    watchlist,
)
from warning.web.context import close_context
from warning.web.i18n import Refusal, translate

log = logging.getLogger(__name__)


def create_app(config: Config, db_path: Path | str, *, secure_cookies: bool = True) -> Flask:
    """The web app and its API on the store at ``db_path``.

    The session key comes from ``$WARNING_WEB_SECRET``; without it a random key is made per
    process (sessions then end when the server restarts). ``secure_cookies``: the session cookie
    only travels over HTTPS (off for plain HTTP on a loopback address).
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get(SECRET_ENV) or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        SESSION_COOKIE_NAME="warning_session",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=1_000_000,
        JSON_SORT_KEYS=False,
    )
    app.extensions["warning"] = {"config": config, "db_path": Path(db_path)}
    open_db(db_path).conn.close()  # migrate once, before the first request
    app.teardown_appcontext(close_context)
    security.install(app)
    _register_blueprints(app)
    _register_errors(app)
    return app


def _register_blueprints(app: Flask) -> None:
    for module in (
        auth,
        inbox,
        publication,
        search,
        register,
        watchlist,
        cluster,
        archive,
        status,
        api,
        feeds,
        feedback,
    ):
        app.register_blueprint(module.bp)
    auth.install(app)


def _register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if isinstance(exc, MethodNotAllowed):
            # Said in words, with the Allow header werkzeug would have sent: "HTTP 405" told nobody what to do.
            allowed = [m for m in exc.valid_methods or () if m not in ("HEAD", "OPTIONS")]
            response, code = _error_response(405, "method_not_allowed", allowed=", ".join(allowed))
            response.headers["Allow"] = ", ".join(exc.valid_methods or ())
            return response, code
        if isinstance(exc, Refusal):  # a value the person gave: said in the page's language
            return _error_response(exc.code, exc.key, **exc.fields)
        return _error_response(exc.code or 500, _message_key(exc))

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        # Logged with its traceback for the operator; the browser sees one sentence, never the trace or SQL.
        log.exception("error answering %s %s", request.method, request.path)
        return _error_response(500, "server_error")


def _message_key(exc: HTTPException) -> str:
    if exc.code == 404:
        return "not_found"
    if exc.code == 400 and exc.description == "csrf":
        return "forbidden_form"
    if exc.code == 429:
        return "too_many"
    # Our own refusals (a bad filter value, a case that cannot close yet) say what was wrong.
    return exc.description if exc.code in (400, 409, 422) and exc.description else ""


def _error_response(code: int, key: str, **fields: str):
    def words(language: str) -> str:
        # Only a message with fields is formatted: a refusal's own text may hold braces.
        text = translate(key, language) if key else f"HTTP {code}"
        return text.format(**fields) if fields else text

    if request.path.startswith("/api/") or request.path.startswith("/feeds/"):
        return jsonify({"error": words("en")}), code
    message = words(auth.page_language())
    return make_response(render_template("error.html", message=message, code=code)), code
