"""The daemon's log: one line per event, to a file that logrotate may move, secrets redacted."""

from __future__ import annotations

import logging

import pytest

from warning.config.schema import Config, LoggingConfig, SlackConfig
from warning.service.logging import setup_logging


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234-secret-token")
    config = Config(
        base_dir=tmp_path,
        logging=LoggingConfig(level="INFO", file="logs/warning.log"),
        slack=SlackConfig(token_env="SLACK_BOT_TOKEN"),
    )
    setup_logging(config)
    yield tmp_path / "logs" / "warning.log"
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_warning_handler", False)]:
        root.removeHandler(handler)
        handler.close()


def test_the_log_file_is_reopened_after_logrotate_moves_it(log_file):
    log = logging.getLogger("warning.test")
    log.info("before rotation")
    log_file.rename(log_file.with_suffix(".log.1"))  # what logrotate does (no copytruncate)
    log.info("after rotation")
    assert "before rotation" in log_file.with_suffix(".log.1").read_text(encoding="utf-8")
    assert log_file.read_text(encoding="utf-8").count("\n") == 1
    assert "INFO    warning.test: after rotation" in log_file.read_text(encoding="utf-8")


def test_tracebacks_are_one_line_and_secrets_are_redacted_everywhere(log_file):
    log = logging.getLogger("warning.test")
    try:
        raise RuntimeError("Slack refused token xoxb-1234-secret-token")
    except RuntimeError:
        log.exception("posting with %s failed", "xoxb-1234-secret-token")
    log.debug("not at INFO")
    text = log_file.read_text(encoding="utf-8")
    assert "xoxb-1234-secret-token" not in text
    assert text.count("\n") == 1  # the traceback is folded into the event's line
    assert "ERROR   warning.test: posting with *** failed | Traceback" in text
    assert "RuntimeError: Slack refused token ***" in text
