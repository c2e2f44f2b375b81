"""Logging: one line per event, with level, to stderr or a file; secrets redacted."""

from __future__ import annotations

import logging
import logging.handlers
import os

from warning.config import Config

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactSecrets(logging.Filter):
    """Replaces the value of every configured secret variable by ``***`` in log records."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for value in self.secrets:
            redacted = redacted.replace(value, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts secrets from the whole formatted line, tracebacks and exception messages included."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s and len(s) >= 4]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for value in self.secrets:
            text = text.replace(value, "***")
        # One line per event, tracebacks included, so that grep and log shippers see whole events.
        return text.replace("\r\n", "\n").replace("\n", " | ")


def setup_logging(config: Config, verbose: int = 0) -> None:
    """Configure the root logger from the config's [logging] table and -v flags."""
    level = logging.DEBUG if verbose >= 2 else logging.INFO if verbose == 1 else config.logging.level.upper()
    handler: logging.Handler
    if config.logging.file:
        path = config.resolve(config.logging.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Reopens the file when logrotate moves it away (no copytruncate needed).
        handler = logging.handlers.WatchedFileHandler(path, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    secrets = [os.environ.get(n, "") for n in config.secret_names()]
    handler.setFormatter(RedactingFormatter(_FORMAT, secrets))
    handler.addFilter(RedactSecrets(secrets))
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
