"""The review app and the JSON API: `warning serve` serves `create_app`'s Flask app with waitress.

Modules: ``app`` (the factory, per-request database, errors), ``security`` (CSRF, headers, login
throttle), ``auth`` (sessions, bearer tokens, the person's scope), ``i18n`` (zh and en), one module
of pages per area (``inbox``, ``publication``, ``search``, ``register``, ``watchlist``,
``archive``, ``status``), ``api`` with ``openapi``, and ``feeds``.
"""

from warning.web.app import create_app

__all__ = ["create_app"]
