"""Secrets never leave the process: one place that knows their values and blanks them out."""

from __future__ import annotations

import os
from collections.abc import Iterable

from warning.config import Config

MASK = "***"
# Shorter values ("1", "yes") would blank ordinary words out of every line.
MIN_SECRET_LENGTH = 4


def secret_values(config: Config) -> list[str]:
    """The values of every secret variable the config names that is set in the environment."""
    values = (os.environ.get(name, "") for name in config.secret_names())
    return [v for v in values if len(v) >= MIN_SECRET_LENGTH]


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret value replaced by ``***``."""
    for value in secrets:
        if value:
            text = text.replace(value, MASK)
    return text
