"""Fault benchmark: SIGKILL `warning alerts` at random moments, count lost and duplicated e-mails.

A real `warning alerts` process sends one e-mail per alert to a real SMTP server on loopback
(aiosmtpd, in this process, counting Message-IDs). Each round starts the process, waits for its
first accepted message, then kills it with SIGKILL after a random delay (uniform in
[0, --longest] seconds). After the kills one run goes to the end. Reported per kill: what the
dead process had in hand (``idle``, ``unsent``: claimed but not accepted, ``accepted``: accepted
by the server but not yet recorded, which the restart sends again); in total: lost (alerts the
server never got; must be 0) and duplicated (messages the server got twice).

Prints the figures and writes them as JSON to benchmarks/out/faults_alerts.json.

Example:
    .venv/bin/python benchmarks/faults_alerts.py                     # 100 kills
    .venv/bin/python benchmarks/faults_alerts.py --kills 20 --alerts 1500
    .venv/bin/python benchmarks/faults_alerts.py --code /path/to/other/checkout   # compare a version
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from delivery_kill import kill_loop  # noqa: E402  (the harness lives beside the tests that use it)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--alerts", type=int, default=6000, help="alerts in the outbox at the start")
    parser.add_argument("--longest", type=float, default=0.4, help="longest delay before a kill, seconds")
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose `warning alerts` is run")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="delay of each SMTP reply, seconds (a distant server)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = kill_loop(
            Path(folder),
            free_port(),
            args.alerts,
            args.kills,
            args.longest,
            args.code.resolve(),
            args.seed,
            args.latency,
        )
    summary = report.summary()
    for n, kill in enumerate(report.kills, 1):
        print(
            f"kill {n:3d} after {kill['delay']:.3f} s ({kill['sent_before_kill']:4d} sent): {kill['outcome']}"
        )
    print(json.dumps(summary, indent=2))
    out = ROOT / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "faults_alerts.json").write_text(
        json.dumps(
            {**summary, "per_kill": report.kills, "code": str(args.code), "latency": args.latency}, indent=2
        ),
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
