"""service commands."""

from warning.cli import cli  # noqa: F401
