"""Shared pieces of the alerts, channels and digest tests: config, data, a real SMTP server."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
from contextlib import contextmanager
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from warning.app import make_app
from warning.delivery.queue import queue_alerts
from warning.models import Publication
from warning.store.matches import record_batch
from warning.store.publications import save_publications

NOW = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
EVIDENCE = {
    "terms": [["turbocharg", 0.42], ["motorcycl", 0.31], ["intake", 0.1]],
    "rules": {
        "cpc": ["B62K11"],
        "keywords": ["motorcycle"],
        "competitors": ["HONDA MOTOR CO LTD"],
        "exclude": [],
    },
    "model": "trained",
    "model_version": "v1",
}


def make_test_app(tmp_path: Path, config_text: str):
    """An App on a fresh database with the given TOML config."""
    path = tmp_path / "config.toml"
    path.write_text(config_text, encoding="utf-8")
    return make_app(str(path), str(tmp_path / "alerts.db"))


def add_publication(app, pid: str, **fields) -> Publication:
    country, number, kind = pid.split("-")
    defaults = {
        "titles": {"en": f"Motorcycle turbocharger {number}"},
        "applicants": ["HONDA MOTOR CO LTD"],
        "cpc": ["B62K11/04", "F02B37/00"],
        "publication_date": "2026-11-19",
        "filing_date": "2024-05-02",
    }
    pub = Publication(id=pid, country=country, number=number, kind=kind, **{**defaults, **fields})
    save_publications(app.db, [pub])
    return pub


def add_match(
    app,
    pid: str,
    watchlist: str = "motorcycles",
    score: float = 0.9,
    created_at: str = "",
    evidence: dict | None = None,
    **pub_fields,
) -> None:
    """A publication and its match, stored as the classifier stores them (`record_batch`)."""
    add_publication(app, pid, **pub_fields)
    row = (pid, watchlist, score, 0.5, json.dumps(evidence if evidence is not None else EVIDENCE), "v1")
    record_batch(app.db, [(*row, created_at or "2026-11-24T17:00:00+00:00")], [])


def add_watchlist(app, name: str = "motorcycles", zh: str = "摩托车", en: str = "Motorcycles") -> None:
    # Written directly: no function of the service writes the watchlists table's titles (yet).
    app.db["watchlists"].upsert({"name": name, "title_zh": zh, "title_en": en}, pk="name")


def alert_rows(app, **where) -> list[dict]:
    clause = " AND ".join(f"{k} = ?" for k in where) or "1"
    return list(app.db.query(f"SELECT * FROM alerts WHERE {clause} ORDER BY id", list(where.values())))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    """aiosmtpd handler that keeps every message it receives, parsed."""

    def __init__(self) -> None:
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 OK"


def accept_login(user: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return authenticator


@contextmanager
def smtp_server(port: int, **kwargs):
    """A real SMTP server on loopback, for the duration of the block."""
    sink = MailSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def make_self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 made with the openssl tool (cert path, key path)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def robot_app(
    tmp_path: Path,
    channel: str,
    urls: str | list[str],
    language: str = "zh",
    watchlist: bool = False,
    **match,
):
    """A store with one subscriber on ``channel`` (webhook, dingtalk, wecom, feishu ...) at
    ``urls`` (``language``: the subscriber's), one motorcycles match (``match``: its publication's
    fields) queued for it."""
    urls = [urls] if isinstance(urls, str) else list(urls)
    app = make_test_app(
        tmp_path,
        f"""
[webhook]
timeout = 5.0

[[subscribers]]
name = "acme"
language = "{language}"
watchlists = ["motorcycles"]
{channel} = {json.dumps(urls)}
""",
    )
    if watchlist:
        add_watchlist(app)
    add_match(app, "EP-4123456-A1", **match)
    queue_alerts(app, now=NOW)
    return app
