"""`warning demo`: the whole pipeline, offline, on the bundled sample.

It runs the same functions the service runs (ingest, train, classify, queue and dispatch alerts,
open risk cases, digest), in a fresh folder with its own config and database, so a newcomer sees
what the service does in under a minute without credentials or network.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from warning.app import App
from warning.classify.evidence_on_read import with_evidence
from warning.classify.run import classify_pending
from warning.classify.train import train_watchlist
from warning.config.loading import load_config
from warning.delivery.digest import build_digest
from warning.delivery.dispatch import dispatch
from warning.delivery.queue import queue_alerts
from warning.delivery.reasons import readable_terms
from warning.demo.mirror import EpMirror
from warning.demo.people import people_lines, set_up_people
from warning.demo.sample import write_sample
from warning.demo.web_login import demo_login
from warning.errors import ConfigError
from warning.risks import auto_open_cases, queue_reminders
from warning.sources.fetch import fetch_source
from warning.sources.ingest import ingest_paths
from warning.store.matches import best_matches
from warning.store.risks import cases_with_deadlines

# The shipped watchlists: a link to the checkout's watchlists/ folder, copied into an installed package.
WATCHLISTS_DIR = Path(__file__).resolve().parent / "watchlists"

DEMO_CONFIG = """\
# Written by `warning demo`: the bundled sample, every stage, no network.
database = "warning.db"
watchlists = "{watchlists}"
classifiers = "classifiers"

[logging]
level = "WARNING"

[sources.ep]                 # a loopback mirror of the EP publication server, serving the sample
kind = "ep_publication_server"
base_url = "{ep_url}"
countries = ["EP"]

[[subscribers]]
name = "acme-motor"
kind = "enterprise"
language = "zh"
watchlists = ["motorcycles", "nev-batteries"]
min_score = 0.5
mode = "immediate"
file = "out/acme-motor-alerts.jsonl"

[[subscribers]]
name = "battery-exporter"
kind = "enterprise"
language = "en"
watchlists = ["nev-batteries"]
min_score = 0.9
mode = "immediate"
console = true

[[subscribers]]
name = "lighting-association"
kind = "association"
members = ["acme-motor"]     # a member enterprise may share its risk cases with the association
language = "en"
watchlists = ["led-lighting", "rail-transit", "medical-devices", "drones"]
min_score = 0.5
mode = "weekly"
digest_period = "week"
file = "out/lighting-association-alerts.jsonl"

[[subscribers]]
name = "escort-programme"    # the overseas escort programme: sees every organisation's cases
kind = "programme"
org = "programme"
language = "zh"
min_score = 0.8
mode = "weekly"
digest_period = "week"
file = "out/escort-programme-alerts.jsonl"

[risks]
reminder_days = [30, 7, 1]
default_owner = "acme-motor"

[[risks.auto_open]]
min_score = 0.8
competitor = true
countries = ["EP", "US"]
watchlists = ["motorcycles", "nev-batteries"]
enterprise = "Acme Motor 爱克摩托"
owner = "acme-motor"
severity = "high"
"""


@dataclass
class DemoReport:
    """What each stage did, for the closing summary."""

    workdir: Path
    stages: dict[str, dict] = field(default_factory=dict)
    training: dict[str, dict] = field(default_factory=dict)
    examples: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    digest_path: Path | None = None
    people: dict[str, dict] = field(default_factory=dict)
    web_login: tuple[str, str] | None = None


def write_files(workdir: Path) -> None:
    """The sample (EP documents apart, for the mirror) and one labelled file per watchlist."""
    if not WATCHLISTS_DIR.is_dir():
        raise ConfigError(f"the shipped watchlists are not at {WATCHLISTS_DIR}; reinstall the package")
    workdir.mkdir(parents=True, exist_ok=True)
    write_sample(workdir / "sample", labels_path=workdir / "labels.jsonl")
    mirror = workdir / "ep-mirror"
    mirror.mkdir(exist_ok=True)
    for path in (workdir / "sample").glob("EP*.xml"):
        path.replace(mirror / path.name)
    _split_labels(workdir / "labels.jsonl", workdir / "labels")


def load_demo_app(workdir: Path, ep_url: str) -> App:
    """Write the demo config (pointing the EP source at the mirror) and return its App."""
    config_path = workdir / "config.toml"
    text = DEMO_CONFIG.format(watchlists=WATCHLISTS_DIR.as_posix(), ep_url=ep_url)
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    return App(config=config, db_path=config.resolve(config.database))


def _split_labels(path: Path, folder: Path) -> None:
    """One labelled file per watchlist: a drones positive must not train the motorcycles model."""
    folder.mkdir(exist_ok=True)
    by_watchlist: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            by_watchlist.setdefault(json.loads(line)["watchlist"], []).append(line)
    for name, lines in by_watchlist.items():
        (folder / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_demo(workdir: Path, say: Callable[[str], None] = print) -> DemoReport:
    """Run every stage of the pipeline on the bundled sample inside ``workdir``."""
    write_files(workdir)
    mirror = EpMirror(workdir / "ep-mirror")
    with mirror as ep_url:
        app = load_demo_app(workdir, ep_url)
        try:
            return _run_stages(app, workdir, min(mirror.index), say)
        finally:
            app.close()


def _run_stages(app: App, workdir: Path, first_day: str, say: Callable[[str], None]) -> DemoReport:
    report = DemoReport(workdir=workdir)
    say("1/6 fetch: EP documents from a loopback EP publication server; USPTO and OPS files ingested ...")
    report.stages["fetch"] = fetch_source(app, "ep", since=date.fromisoformat(first_day))
    report.stages["ingest"] = ingest_paths(app.db, [workdir / "sample"]).as_counts()
    say("2/6 train: one model per watchlist from its labelled examples ...")
    for data in sorted((workdir / "labels").glob("*.jsonl")):
        report.training[data.stem] = train_watchlist(app, data.stem, data)
    say("3/6 classify: scoring every publication against every watchlist in one pass ...")
    report.stages["classify"] = classify_pending(app)
    say("4/6 risks: opening cases for competitors' filings in target markets ...")
    report.stages["risks"] = auto_open_cases(app)
    report.stages["reminders"] = queue_reminders(app)
    report.people = set_up_people(app)
    say("5/6 alerts: queueing and delivering through the outbox ...")
    report.stages["queue"] = queue_alerts(app)
    report.stages["dispatch"] = dispatch(app, respect_backoff=False)
    say("6/6 digest: the association's weekly digest ...")
    digest = build_digest(app, "lighting-association", "week")
    report.digest_path = workdir / "out" / "digest.html"
    report.digest_path.parent.mkdir(exist_ok=True)
    report.digest_path.write_text(digest.html, encoding="utf-8")
    (workdir / "out" / "digest.txt").write_text(digest.text, encoding="utf-8")
    report.examples = _top_matches(app)
    report.cases = cases_with_deadlines(app.db)
    report.web_login = demo_login(app.db)
    return report


def _top_matches(app: App, limit: int = 8) -> list[dict]:
    rows = []
    for r in with_evidence(app, best_matches(app.db, limit)):
        titles, evidence = r["titles"], r["evidence"]
        text = f"{r['abstract_text'] or ''}\n{r['title_text'] or ''}"
        terms = readable_terms([t for t, _ in evidence.get("terms", [])], text, limit=3)
        rules = evidence.get("rules", {})
        why = terms + [f"{k}:{v[0]}" for k, v in rules.items() if v][:2]
        title = titles.get("zh") or titles.get("ja") or titles.get("en") or next(iter(titles.values()), "")
        rows.append({**r, "title": title, "why": ", ".join(why)})
    return rows


def summary_lines(report: DemoReport) -> list[str]:
    """The closing summary a newcomer reads."""
    s = report.stages
    fetched, ing, cls, q, d = s["fetch"], s["ingest"], s["classify"], s["queue"], s["dispatch"]
    stored = fetched.get("inserted", 0) + ing["inserted"]
    known = fetched.get("unchanged", 0) + ing["unchanged"]
    quarantined = fetched.get("quarantined", 0) + ing["quarantined"]
    lines = [
        "",
        f"Stored {stored} new publications ({known} already stored, {quarantined} quarantined): "
        f"{fetched.get('inserted', 0)} fetched from the EP mirror, {ing['inserted']} ingested from files.",
        "Models trained: "
        + ", ".join(f"{n} (threshold {c.get('threshold', 0):.2f})" for n, c in report.training.items()),
        f"Classified: {json.dumps(cls, ensure_ascii=False)}",
        f"Alerts: {q.get('queued', 0)} queued, {d.get('sent', 0)} delivered, {d.get('failed', 0)} failed"
        f" (weekly subscribers' alerts wait for their batch: {q.get('queued', 0) - d.get('due', 0)}).",
        f"Risk cases opened: {s['risks'].get('opened', 0)}; reminders queued: {s['reminders'].get('queued', 0)}",
        "",
        "Top matches / 最高分命中:",
    ]
    for m in report.examples:
        lines.append(f"  {m['score']:.2f}  {m['publication_id']:<22} {m['watchlist']:<16} {m['title'][:48]}")
        if m["why"]:
            lines.append(f"        why / 原因: {m['why']}")
    if report.cases:
        lines.append("Risk cases / 风险案件:")
        for c in report.cases[:6]:
            lines.append(
                f"  #{c['id']} {c['publication_id']} {c['severity']}: {c['deadlines'] or 'no deadline'}"
            )
    lines += people_lines(report.people, report.workdir / "config.toml")
    out = report.workdir / "out"
    lines += [
        "",
        f"Alert files (JSON Lines + HTML): {out}",
        f"Association digest: {report.digest_path}",
        f"Explore: warning --config {report.workdir / 'config.toml'} status",
    ]
    if report.web_login:
        login, password = report.web_login
        lines += [
            f"Web app / 网页应用: warning --config {report.workdir / 'config.toml'} serve",
            f"  then open http://127.0.0.1:8080/ and log in as {login} / {password}",
        ]
    return lines
