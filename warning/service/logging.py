"""Logging: one line per event, with level, to stderr or a file; secrets redacted."""

from __future__ import annotations

import logging
import logging.handlers

from warning.config.redact import redact
from warning.config.schema import Config
from warning.config.secrets import secret_values
from warning.errors import ConfigError

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Redacts secrets from the whole formatted line, tracebacks and exception messages included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        text = redact(super().format(record), self.secrets)
        # One line per event, tracebacks included, so that grep and log shippers see whole events.
        return text.replace("\r\n", "\n").replace("\n", " | ")


def setup_logging(config: Config, verbose: int = 0) -> None:
    """Configure the root logger from the config's [logging] table and -v flags.

    ConfigError when the log file cannot be opened (the config's rules check that it can be
    written when the file is loaded; the disk may still say otherwise).
    """
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else config.logging.level.upper()
    handler = _file_handler(config) if config.logging.file else logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(_FORMAT, secret_values(config)))
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_warning_handler", False):
            root.removeHandler(old)
            old.close()
    handler._warning_handler = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("urllib3", "apscheduler", "matplotlib", "PIL"):  # the service logs its own job lines
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _file_handler(config: Config) -> logging.Handler:
    path = config.resolve(config.logging.file)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Reopens the file when logrotate moves it away (no copytruncate needed).
        return logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"logging.file {str(path)!r} cannot be written: {exc.strerror or exc}") from None
