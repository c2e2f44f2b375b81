"""Secrets: read from the environment variables the config names, and the forms to redact them in.

The config file never holds a secret: it names the variable (``token_env = "SLACK_BOT_TOKEN"``).
`secret` reads one when it is needed; `secret_values` lists every form of every configured secret
for `warning.config.redact` to blank out of every line the service writes.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from warning.config.redact import MIN_SECRET_LENGTH, redact, secret_forms
from warning.config.schema import Config
from warning.errors import ConfigError


def secret(env_name: str, what: str) -> str:
    """Read a secret from the environment variable the config names; never log the value."""
    if not env_name:
        raise ConfigError(f"{what}: no environment variable is configured for this secret")
    value = os.environ.get(env_name)
    if not value:
        raise ConfigError(f"{what}: environment variable {env_name} is not set")
    return value


def check_secrets(config: Config) -> list[str]:
    """Names of configured secret variables that are not set in the environment."""
    return [name for name in config.secret_names() if not os.environ.get(name)]


def secret_values(config: Config) -> list[str]:
    """Every form of every secret the config names that is set in the environment, longest first."""
    raw = [
        v for v in (os.environ.get(name, "") for name in config.secret_names()) if len(v) >= MIN_SECRET_LENGTH
    ]
    return secret_forms(raw)


def redactor(config: Config | None) -> Callable[[str], str]:
    """``text -> redacted text`` for this config's secrets (patterns only without a config)."""
    secrets = secret_values(config) if config is not None else []
    return lambda text: redact(text, secrets)
