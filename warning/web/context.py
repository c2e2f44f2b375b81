"""This request's App: the server's config and a connection of its own to the store, opened on
first use and closed when the request ends (SQLite connections are not shared between threads)."""

from __future__ import annotations

from flask import current_app, g

from warning.app import App
from warning.store import open_db


def context() -> App:
    """The App of this request."""
    if "warning_app" not in g:
        settings = current_app.extensions["warning"]
        db = open_db(settings["db_path"], migrate=False)
        g.warning_app = App(config=settings["config"], db_path=settings["db_path"], _db=db)
    return g.warning_app


def close_context(_exc: BaseException | None = None) -> None:
    """Close this request's connection, if it opened one."""
    app = g.pop("warning_app", None)
    if app is not None:
        app.close()
