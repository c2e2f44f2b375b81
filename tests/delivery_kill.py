"""A real `warning alerts` process killed with SIGKILL at random moments, against a real SMTP server.

Shared by tests/test_faults_delivery.py (a few kills) and benchmarks/faults_alerts.py (many).
The SMTP server (aiosmtpd, in this process) counts every message it accepts by Message-ID; after
each kill the outbox row the dead process had claimed is classified:

- ``idle``: the process died between messages (nothing claimed), or before sending anything;
- ``unsent``: it had claimed a row that the server never accepted: the restart sends it (no loss);
- ``accepted``: the server had accepted the message but the process died before recording it:
  the restart sends it again, a duplicate (same Message-ID). This is the window the dispatcher
  keeps as small as it can.

After the kills, one run without a kill sends the rest; then every alert must have reached the
server (lost = 0) and every duplicate must be an ``accepted`` kill.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from aiosmtpd.controller import Controller

import warning

# The child processes run the same checkout of the service as the one imported here.
CODE_ROOT = Path(warning.__file__).resolve().parents[1]
RUN_ALERTS = "from warning.cli import main; main()"


class CountingSink:
    """aiosmtpd handler: every accepted message's Message-ID, and an event per arrival.

    ``latency`` (seconds) delays each reply to MAIL, RCPT, DATA and QUIT, as a distant server's
    round trip would; a message counts as accepted before its 250 travels back.
    """

    def __init__(self, latency: float = 0.0) -> None:
        self.message_ids: list[str] = []
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        self.latency = latency

    async def _travel(self) -> None:
        if self.latency:
            await asyncio.sleep(self.latency)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        await self._travel()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        await self._travel()
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message_id = _header(envelope.original_content, b"Message-ID")
        with self.lock:
            self.message_ids.append(message_id)
        self.arrived.set()
        await self._travel()
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        await self._travel()
        return "221 Bye"

    def count(self) -> int:
        with self.lock:
            return len(self.message_ids)


def _header(raw: bytes, name: bytes) -> str:
    for line in raw.split(b"\r\n\r\n", 1)[0].splitlines():
        if line.lower().startswith(name.lower() + b":"):
            return line.split(b":", 1)[1].strip().decode()
    return ""


@dataclass
class KillReport:
    """What the kill loop saw: one entry per kill, and the totals after the final run."""

    kills: list[dict] = field(default_factory=list)
    alerts: int = 0
    received: int = 0
    lost: int = 0
    duplicated: int = 0
    unexplained_duplicates: int = 0
    interrupted_attempts: int = 0
    seconds: float = 0.0

    def summary(self) -> dict:
        outcomes = Counter(k["outcome"] for k in self.kills)
        return {
            "kills": len(self.kills),
            "outcomes": dict(outcomes),
            "alerts": self.alerts,
            "received": self.received,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "unexplained_duplicates": self.unexplained_duplicates,
            "interrupted_attempts": self.interrupted_attempts,
            "seconds": round(self.seconds, 1),
        }


def write_config(folder: Path, port: int) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
from = "warning@example.org"
timeout = 10.0

[[subscribers]]
name = "acme"
language = "en"
watchlists = ["motorcycles"]
email = ["ip@acme.example"]
""",
        encoding="utf-8",
    )
    return path


def fill_outbox(config: Path, db: Path, alerts: int) -> None:
    """``alerts`` matches, queued as one e-mail each (the way `warning alerts` would queue them)."""
    from warning.app import make_app
    from warning.delivery.queue import queue_alerts
    from warning.models import Publication
    from warning.store.matches import record_batch
    from warning.store.publications import save_publications

    app = make_app(str(config), str(db))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    pubs = [
        Publication(
            id=f"EP-{4000000 + n}-A1",
            country="EP",
            number=str(4000000 + n),
            kind="A1",
            titles={"en": f"Motorcycle turbocharger {n}"},
            applicants=["HONDA MOTOR CO LTD"],
            cpc=["B62K11/04"],
            publication_date="2026-11-19",
        )
        for n in range(alerts)
    ]
    save_publications(app.db, pubs)
    evidence = json.dumps({"terms": [["turbocharg", 0.4]], "rules": {"cpc": ["B62K11"]}})
    record_batch(app.db, [(p.id, "motorcycles", 0.9, 0.5, evidence, "v1", now) for p in pubs], [])
    queue_alerts(app)
    app.db.conn.close()


def start_alerts(config: Path, db: Path, code_root: Path) -> subprocess.Popen:
    """`warning alerts` as the operator runs it, importing the service from ``code_root``.

    It runs in the config's folder: ``python -c`` puts its working directory first on the path,
    and a checkout there would be imported instead of ``code_root``.
    """
    env = {**os.environ, "PYTHONPATH": str(code_root)}
    command = [sys.executable, "-c", RUN_ALERTS, "--config", str(config), "--db", str(db), "alerts"]
    return subprocess.Popen(
        command, env=env, cwd=config.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def claimed_rows(db: Path) -> list[str]:
    """Keys of the rows a dead dispatcher left `sending`."""
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT key FROM alerts WHERE status = 'sending'")]


def message_ids_of(db: Path, domain: str = "example.org") -> dict[str, str]:
    """Alert key -> the Message-ID its e-mail carries (one alert per message here)."""
    from warning.delivery.render import message_key

    with sqlite3.connect(db) as conn:
        keys = [r[0] for r in conn.execute("SELECT key FROM alerts")]
    return {k: f"<{message_key([k])}@{domain}>" for k in keys}


def kill_once(config: Path, db: Path, sink: CountingSink, code_root: Path, longest: float, rng) -> dict:
    """Start `warning alerts`, kill it with SIGKILL a random moment after its first send."""
    sink.arrived.clear()
    before = sink.count()
    proc = start_alerts(config, db, code_root)
    if not sink.arrived.wait(timeout=60):
        proc.wait(timeout=60)
        return {"outcome": "finished", "delay": 0.0, "sent_before_kill": 0}
    delay = rng.uniform(0.0, longest)
    timer = threading.Timer(delay, os.kill, args=(proc.pid, signal.SIGKILL))
    timer.start()
    returncode = proc.wait(timeout=120)
    timer.cancel()
    if returncode != -signal.SIGKILL:
        return {"outcome": "finished", "delay": round(delay, 4), "sent_before_kill": sink.count() - before}
    claimed = claimed_rows(db)
    accepted = set(sink.message_ids)
    ids = message_ids_of(db)
    outcome = "idle"
    if claimed:
        outcome = "accepted" if any(ids[k] in accepted for k in claimed) else "unsent"
    return {"outcome": outcome, "delay": round(delay, 4), "sent_before_kill": sink.count() - before}


def run_to_completion(config: Path, db: Path, code_root: Path) -> int:
    proc = start_alerts(config, db, code_root)
    return proc.wait(timeout=600)


def kill_loop(
    folder: Path,
    port: int,
    alerts: int,
    kills: int,
    longest: float,
    code_root: Path = CODE_ROOT,
    seed: int = 11,
    latency: float = 0.0,
) -> KillReport:
    """``kills`` SIGKILLs of `warning alerts` at random moments (uniform in [0, longest] seconds
    after the run's first send), then one run to the end; returns what the server received."""
    config, db = write_config(folder, port), folder / "alerts.db"
    fill_outbox(config, db, alerts)
    sink = CountingSink(latency)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    started = time.perf_counter()
    report = KillReport(alerts=alerts)
    rng = random.Random(seed)
    try:
        for _ in range(kills):
            report.kills.append(kill_once(config, db, sink, code_root, longest, rng))
        run_to_completion(config, db, code_root)
    finally:
        controller.stop()
    report.seconds = time.perf_counter() - started
    _tally(report, db, sink)
    return report


def _tally(report: KillReport, db: Path, sink: CountingSink) -> None:
    expected = set(message_ids_of(db).values())
    seen = Counter(sink.message_ids)
    report.received = len(set(seen) & expected)
    report.lost = len(expected - set(seen))
    report.duplicated = sum(n - 1 for n in seen.values() if n > 1)
    report.unexplained_duplicates = max(
        0, report.duplicated - sum(1 for k in report.kills if k["outcome"] == "accepted")
    )
    with sqlite3.connect(db) as conn:
        report.interrupted_attempts = conn.execute(
            "SELECT COUNT(*) FROM delivery_attempts WHERE error LIKE 'interrupted%'"
        ).fetchone()[0]
