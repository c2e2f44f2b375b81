"""Storage: SQLite through sqlite-utils. All SQL of the service lives in this package."""

from warning.store.db import open_db

__all__ = ["open_db"]
