"""Who is asking: password login into a session, bearer tokens for the API, and their scope.

Every page but the login form needs a session; the person's `Scope` (organisation, role,
language) is read from the store on each request, so a disabled person or a changed role takes
effect at once.
"""

from __future__ import annotations

from functools import wraps

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from warning.errors import NotFound
from warning.store import users as users_store
from warning.store.scope import Scope, scope_for_user
from warning.web.context import context
from warning.web.i18n import choose_language, translate
from warning.web.security import LoginThrottle

bp = Blueprint("auth", __name__)
# Endpoints open without a session: the API, the feeds and the feedback links check their own tokens.
_PUBLIC = {"auth.login", "static"}
_OWN_AUTH = ("api.", "feeds.", "feedback.")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login form; on success a fresh session (no fixation) and back to where the person was going."""
    if request.method == "GET":
        return render_template("login.html", next=_safe_next(request.args.get("next")))
    login_name = request.form.get("login", "").strip()
    throttle: LoginThrottle = current_app.extensions["warning_throttle"]
    keys = (f"login:{login_name.lower()}", f"addr:{request.remote_addr}")
    if throttle.blocked(*keys):
        return render_template("login.html", error=translate("too_many", page_language())), 429
    user_id = users_store.authenticate(context().db, login_name, request.form.get("password", ""))
    if user_id is None:
        throttle.failed(*keys)
        return render_template(
            "login.html", error=translate("bad_login", page_language()), login=login_name
        ), 401
    throttle.succeeded(keys[0])
    session.clear()
    session["user_id"] = user_id
    session.permanent = True
    return redirect(_safe_next(request.form.get("next")) or url_for("inbox.inbox"))


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/language")
def switch_language():
    """Switch this person's pages between zh and en; kept with the person for their next visit."""
    language = choose_language(request.form.get("language"), "zh")
    scope = current_scope()
    if scope is not None and scope.user_id is not None:
        users_store.set_language(context().db, scope.user_id, language)
    return redirect(_safe_next(request.form.get("next")) or url_for("inbox.inbox"))


def current_scope() -> Scope | None:
    """The scope of the person this request comes from (session or bearer token), or None."""
    if "scope" in g:
        return g.scope
    scope = None
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        scope = _scope_or_none(user_id)
        if scope is None:
            session.clear()
    g.scope = scope
    return scope


def scope_from_token(token: str) -> Scope | None:
    """The scope of a bearer token's owner (None: unknown, revoked, or the person disabled)."""
    user_id = users_store.verify_token(context().db, token) if token else None
    g.scope = _scope_or_none(user_id) if user_id is not None else None
    return g.scope


def _scope_or_none(user_id: int) -> Scope | None:
    try:
        return scope_for_user(context().db, user_id)
    except NotFound:
        return None


def require_scope() -> Scope:
    """The current scope; 404 without one (API and feeds call this after their own token check)."""
    scope = current_scope()
    if scope is None:
        abort(404)
    return scope


def reviewer_required(view):
    """Only reviewers and admins may label, open or change cases (viewers read)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not require_scope().can_review:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Only admins see the service's status and retrain models."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not require_scope().can_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def page_language() -> str:
    """The language of this answer: the person's setting, else Chinese."""
    scope = g.get("scope")
    return choose_language(scope.language if scope is not None else None)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a URL): no open redirect after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


def _require_login():
    endpoint = request.endpoint or ""
    if endpoint in _PUBLIC or endpoint.startswith(_OWN_AUTH):
        return None
    if current_scope() is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def _template_context() -> dict:
    language = page_language()
    return {
        "t": lambda key: translate(key, language),
        "lang": language,
        "scope": g.get("scope"),
    }


def install(app: Flask) -> None:
    """Every page asks for a session; every template gets ``t``, ``lang`` and ``scope``."""
    app.extensions["warning_throttle"] = LoginThrottle()
    app.before_request(_require_login)
    app.context_processor(_template_context)
