"""Alerts: render and dispatch per channel, beside the render of every form (issue 18 part 4).

Ingests real publications of ``../shared/corpus`` (USPTO full-text grants and applications, EP
publication-server documents: titles, abstracts, claims, applicants, CPC), matches each against
five watchlists and queues the first ``--alerts`` matches for one immediate subscriber on every
channel (one message per alert). Then, for each channel, the outbox of that channel alone (a
fresh copy of the queued store each time) is dispatched to servers on loopback: aiosmtpd for
e-mail, one HTTP server answering like Slack's ``chat.postMessage``, the webhook receiver and the
three robots, the console (to /dev/null) and the file channel (a fresh folder).

Each channel is run with today's render (each form rendered when the channel reads it) and with
its peer, the same dispatch with every form of every message rendered, which is what the render
did before (five templates, three subjects, the items): alternating, ``--rounds`` times each,
the median kept. E-mail and the HTTP channels (webhook and robots) also run a third way, today's
render with a new connection for every message, as they sent before keeping one session per run.
Apart from that, the render alone (no send) of the same messages both ways.

    .venv/bin/python benchmarks/alerts.py [--alerts 2000] [--rounds 3] [--channels slack,email]
Writes benchmarks/out/alerts.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from alerts_support import free_port, smtp_server  # noqa: E402  (the tests' loopback SMTP server)

from warning.app import make_app  # noqa: E402
from warning.delivery import dispatch as dispatching  # noqa: E402
from warning.delivery.channels import email as email_channel  # noqa: E402
from warning.delivery.channels.http import HttpChannel, post_json  # noqa: E402
from warning.delivery.message import FORMS  # noqa: E402
from warning.delivery.queue import queue_alerts  # noqa: E402
from warning.sources.ingest import ingest_paths  # noqa: E402
from warning.store.matches import record_batch  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
SOURCES = (CORPUS / "uspto-bulk-xml", CORPUS / "epo-eps-xml")
OUT = ROOT / "benchmarks" / "out"
NOW = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
CHANNELS = ("email", "slack", "webhook", "dingtalk", "wecom", "feishu", "console", "file")
# One session per run since this round: the `HttpChannel`s and e-mail.
SESSION_CHANNELS = ("email", "webhook", "dingtalk", "wecom", "feishu")
WATCHLISTS = {
    "nev-batteries": ("新能源汽车动力电池", "New-energy vehicle batteries"),
    "motorcycles": ("摩托车", "Motorcycles"),
    "medical-devices": ("医疗器械", "Medical devices"),
    "led-lighting": ("LED 照明", "LED lighting"),
    "machine-elements": ("机械零件", "Machine elements"),
}


class Answering(BaseHTTPRequestHandler):
    """Answers every POST as Slack, the webhook receivers and the robots answer a success."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, a kept-alive connection would wait for
    # the client's delayed ACK (40 ms) before the body. Servers in production (nginx's tcp_nodelay)
    # send at once, and so does this one.
    disable_nagle_algorithm = True
    body = json.dumps({"ok": True, "ts": "1700000000.000100", "errcode": 0, "code": 0}).encode()

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args) -> None:
        pass


def config_text(base: str, smtp_port: int, lang: str) -> str:
    return f"""
watchlists = "watchlists"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "warning@example.org"
timeout = 10.0

[slack]
token_env = "BENCH_SLACK_TOKEN"
base_url = "{base}/slack/api/"

[webhook]
secret_env = "BENCH_WEBHOOK_SECRET"
timeout = 10.0

[[subscribers]]
name = "acme"
language = "{lang}"
watchlists = {json.dumps(list(WATCHLISTS))}
email = ["ip@acme.example"]
slack = ["#patent-alerts"]
webhook = ["{base}/hook"]
dingtalk = ["{base}/ding?access_token=t"]
wecom = ["{base}/wecom?key=k"]
feishu = ["{base}/feishu/hook/x"]
console = true
file = "out/alerts.jsonl"
"""


def evidence(row: dict) -> str:
    """Evidence as the classifier records it: terms of the publication's own text, its codes."""
    words = [w.strip(".,;:()").lower() for w in (row["abstract_text"] or row["title_text"] or "").split()]
    terms = list(dict.fromkeys(w for w in words if len(w) > 6))[:8]
    cpc = json.loads(row["cpc"] or "[]")[:3]
    applicants = json.loads(row["applicants"] or "[]")[:1]
    return json.dumps(
        {
            "terms": [[t, round(0.5 / (i + 1), 3)] for i, t in enumerate(terms)],
            "rules": {"cpc": cpc, "keywords": terms[:2], "competitors": applicants},
            "model": "trained",
        }
    )


def queued_store(folder: Path, alerts: int, lang: str, base: str, smtp_port: int) -> int:
    """The corpus ingested, matched and queued; returns the alerts queued per channel."""
    (folder / "watchlists").mkdir(parents=True)
    (folder / "config.toml").write_text(config_text(base, smtp_port, lang), encoding="utf-8")
    app = make_app(str(folder / "config.toml"), str(folder / "alerts.db"))
    ingest_paths(app.db, list(SOURCES))
    for name, (zh, en) in WATCHLISTS.items():
        app.db["watchlists"].upsert({"name": name, "title_zh": zh, "title_en": en}, pk="name")
    pubs = list(app.db.query("SELECT * FROM publications ORDER BY id"))
    rows = []
    for n in range(min(alerts, len(pubs) * len(WATCHLISTS))):
        pub, watchlist = pubs[n % len(pubs)], list(WATCHLISTS)[n // len(pubs)]
        score = 0.5 + (n % 50) / 100
        rows.append((pub["id"], watchlist, score, 0.5, evidence(pub), "v1", "2026-11-24T17:00:00+00:00"))
    record_batch(app.db, rows, [])
    queue_alerts(app, now=NOW)
    app.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return app.db.execute("SELECT count(*) FROM alerts WHERE channel = 'email'").fetchone()[0]


def store_for(master: Path, run: Path, channel: str) -> None:
    """A copy of the queued store holding only ``channel``'s outbox, in a fresh folder."""
    if run.exists():
        shutil.rmtree(run)
    run.mkdir()
    shutil.copy(master / "config.toml", run / "config.toml")
    (run / "watchlists").mkdir()
    src, dst = sqlite3.connect(master / "alerts.db"), sqlite3.connect(run / "alerts.db")
    src.backup(dst)
    src.close()
    dst.execute("DELETE FROM alerts WHERE channel != ?", (channel,))
    dst.commit()
    dst.close()


def every_form(render):
    """The peer: a message with every form rendered, as the render made them all before."""

    def rendered(group, config):
        message = render(group, config)
        for name in FORMS:
            getattr(message, name)
        return message

    return rendered


def timed_dispatch(run: Path, peer: bool, fresh: bool = False) -> tuple[float, int, set[str]]:
    """Seconds to dispatch the outbox in ``run``, alerts sent, and the forms the channel read.

    ``fresh``: e-mail and the HTTP channels open a new connection for every message, as they did
    before they kept one session per run (`HttpChannel`, `EmailChannel._connection`).
    """
    app = make_app(str(run / "config.toml"), str(run / "alerts.db"))
    lazy, messages = dispatching._render, []
    kept_post = HttpChannel.post

    def kept(group, config):
        messages.append(lazy(group, config))
        return messages[-1]

    def one_shot(channel, url, body, headers):
        return post_json(url, body, headers, channel.config.webhook.timeout, channel.sleep)

    dispatching._render = every_form(lazy) if peer else kept
    kept_cap = email_channel.MESSAGES_PER_CONNECTION
    if fresh:
        HttpChannel.post = one_shot
        email_channel.MESSAGES_PER_CONNECTION = 1
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):  # the console's
            start = time.perf_counter()
            counts = dispatching.dispatch(app, now=NOW)
            seconds = time.perf_counter() - start
    finally:
        dispatching._render = lazy
        HttpChannel.post = kept_post
        email_channel.MESSAGES_PER_CONNECTION = kept_cap
        app.db.close()
    if counts["failed"] or counts["dead"] or not counts["sent"]:
        raise SystemExit(f"{run.name}: {counts}")
    return seconds, counts["sent"], {name for m in messages for name in m.rendered()}


def render_only(run: Path, forms: tuple[str, ...]) -> float:
    """Messages of the outbox in ``run`` rendered per second, nothing sent: ``forms`` of each."""
    app = make_app(str(run / "config.toml"), str(run / "alerts.db"))
    rows = list(app.db.query("SELECT * FROM alerts ORDER BY id"))
    channels = dispatching._channels(rows, app.config, time.sleep)
    groups = dispatching.group_rows(rows, app.config, channels)
    start = time.perf_counter()
    for group in groups:
        message = dispatching._render(group, app.config)
        for name in forms:
            getattr(message, name)
    seconds = time.perf_counter() - start
    app.db.close()
    return len(groups) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=2000, help="alerts queued per channel")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--channels", default=",".join(CHANNELS))
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the corpus' repaired EP files say so on every ingest
    os.environ.setdefault("BENCH_SLACK_TOKEN", "xoxb-benchmark")
    os.environ.setdefault("BENCH_WEBHOOK_SECRET", "benchmark-secret")
    http = ThreadingHTTPServer(("127.0.0.1", 0), Answering)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{http.server_address[1]}"
    smtp_port = free_port()
    load_before = os.getloadavg()
    results = {}
    with tempfile.TemporaryDirectory() as tmp, smtp_server(smtp_port):
        master = Path(tmp) / "master"
        start = time.perf_counter()
        queued = queued_store(master, args.alerts, args.lang, base, smtp_port)
        print(f"queued {queued} alerts per channel in {time.perf_counter() - start:.1f} s", flush=True)
        store_for(master, Path(tmp) / "run", "email")
        render_only(Path(tmp) / "run", FORMS)  # warm-up: every template compiled, caches filled
        for channel in args.channels.split(","):
            http_channel = channel in SESSION_CHANNELS
            kinds = ("lazy", "peer", "fresh") if http_channel else ("lazy", "peer")
            runs: dict[str, list[float]] = {k: [] for k in (*kinds, "render", "render_peer")}
            read: set[str] = set()
            run = Path(tmp) / "run"
            for _ in range(args.rounds):
                for kind in kinds:
                    store_for(master, run, channel)
                    seconds, sent, forms = timed_dispatch(run, peer=kind == "peer", fresh=kind == "fresh")
                    runs[kind].append(sent / seconds)
                    read |= forms if kind == "lazy" else set()
            store_for(master, run, channel)
            for _ in range(args.rounds):
                runs["render"].append(render_only(run, tuple(sorted(read))))
                runs["render_peer"].append(render_only(run, FORMS))
            lazy, peer = statistics.median(runs["lazy"]), statistics.median(runs["peer"])
            rendered, rendered_peer = (
                statistics.median(runs["render"]),
                statistics.median(runs["render_peer"]),
            )
            fresh = statistics.median(runs["fresh"]) if http_channel else None
            results[channel] = {
                "alerts": queued,
                "alerts_per_s": round(lazy, 1),
                "peer_alerts_per_s": round(peer, 1),
                "ratio": round(lazy / peer, 2),
                "connection_per_message_per_s": round(fresh, 1) if fresh else None,
                "forms_read": sorted(read),
                "render_only_per_s": round(rendered, 1),
                "render_only_peer_per_s": round(rendered_peer, 1),
                "rounds": {k: [round(v, 1) for v in vs] for k, vs in runs.items()},
            }
            print(
                f"{channel:9s} {lazy:8.1f} alerts/s   peer (all forms) {peer:8.1f}   ratio {lazy / peer:.2f}"
                f"   | render alone {rendered:8.1f}/s, all forms {rendered_peer:8.1f}/s"
                f" ({rendered / rendered_peer:.2f})   reads {', '.join(sorted(read))}"
                + (f"   | a connection per message {fresh:8.1f}/s ({lazy / fresh:.2f})" if fresh else ""),
                flush=True,
            )
    http.shutdown()
    load = {"before": load_before, "after": os.getloadavg()}
    print(f"load average before {load_before[0]:.2f}, after {load['after'][0]:.2f} (2 cores)")
    print(
        "\n| channel | alerts/s | peer (all forms rendered) | ratio | a connection per message | ratio |"
        "\n|---|---|---|---|---|---|"
    )
    for channel, r in results.items():
        fresh = r["connection_per_message_per_s"]
        print(
            f"| {channel} | {r['alerts_per_s']:,.0f} | {r['peer_alerts_per_s']:,.0f} | **{r['ratio']:.2f}** | "
            + (f"{fresh:,.0f} | **{r['alerts_per_s'] / fresh:.2f}** |" if fresh else "- | - |")
        )
    OUT.mkdir(parents=True, exist_ok=True)
    doc = {"alerts": args.alerts, "lang": args.lang, "rounds": args.rounds, "load": load, "channels": results}
    (OUT / "alerts.json").write_text(json.dumps(doc, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
