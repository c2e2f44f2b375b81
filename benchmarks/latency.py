"""Timeliness: from an office publishing its file to the alert reaching a webhook, per office kind.

Each round, a loopback office (the USPTO Open Data Portal's listing and zip downloads, the EP
publication server's listings and documents, EPO OPS's token, search and biblio) publishes the
bundled sample's file of one release at a random moment within its publication day (uniform from
the expected moment to the end of that local day). The service runs unchanged on an accelerated
clock: every simulated minute, each planned job whose APScheduler cron trigger fires in that
minute is run through the service's `JobRunner` (the fetch jobs' poll gate, fetch, classify,
queue, dispatch to a loopback webhook), as the daemon's scheduler would fire it. The clock
(``time-machine``) moves one minute per step and ticks at real speed in between, so the real
processing time counts in the latency. Latency = the (simulated) moment the webhook received the
first alert minus the moment the office published.

The models are trained once, as `warning demo` does, on the sample's labelled examples.

    nice .venv/bin/python benchmarks/latency.py [--rounds 3] [--seed 18]
Writes benchmarks/out/latency.json and prints a table.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from lxml import etree
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from warning.app import App  # noqa: E402
from warning.classify.train import train_watchlist  # noqa: E402
from warning.config.loading import load_config  # noqa: E402
from warning.demo.mirror import index_documents  # noqa: E402
from warning.demo.run import WATCHLISTS_DIR, write_files  # noqa: E402
from warning.service.runner import JobRunner  # noqa: E402
from warning.service.scheduler import plan_jobs  # noqa: E402
from warning.store import open_db  # noqa: E402
from warning.store.operations import SourceState, save_source_state  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
STEP = timedelta(minutes=1)
GIVE_UP = timedelta(hours=30)  # a round without an alert this long after publication has failed


@dataclass(frozen=True)
class Release:
    """One office release of the sample: when it is expected and what the store held before."""

    kind: str  # the benchmark's name
    source_kind: str
    expected: datetime  # the office's expected moment (aware, local zone)
    previous_day: str  # the release before, already stored
    country: str


RELEASES = (
    Release("USPTO grants (Tue)", "uspto_bulk", datetime(2026, 11, 17, tzinfo=ZoneInfo("America/New_York")), "2026-11-10", "US"),
    Release("USPTO applications (Thu)", "uspto_bulk", datetime(2026, 11, 12, tzinfo=ZoneInfo("America/New_York")), "2026-11-05", "US"),
    Release("EP Bulletin (Wed)", "ep_publication_server", datetime(2026, 11, 11, 14, tzinfo=ZoneInfo("Europe/Berlin")), "2026-11-04", "EP"),
    Release("EPO OPS daily load", "epo_ops", datetime(2026, 11, 13, 5, tzinfo=UTC), "2026-11-12", "VN"),
)  # fmt: skip


class Office:
    """The loopback office of one release: nothing new before ``publish_at``, the file after."""

    def __init__(self, server: HTTPServer, release: Release, sample: Path, mirror: Path) -> None:
        self.server, self.release = server, release
        self.publish_at = datetime.max.replace(tzinfo=UTC)
        self.asked = 0
        if release.source_kind == "uspto_bulk":
            self._uspto(sample, release.expected.strftime("%y%m%d"))
        elif release.source_kind == "ep_publication_server":
            self._ep(mirror)
        else:
            self._ops(sample / "ops-biblio-vn.xml")

    def published(self) -> bool:
        return datetime.now(UTC) >= self.publish_at  # the simulated clock: same process

    def _conditional(self, request: Request, body: bytes, content_type: str) -> Response:
        self.asked += 1
        etag = '"new"' if self.published() else '"old"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        return Response(body, headers={"ETag": etag}, content_type=content_type)

    def _uspto(self, sample: Path, stamp: str) -> None:
        prefix = "ipg" if self.release.expected.weekday() == 1 else "ipa"
        product = "PTGRXML" if prefix == "ipg" else "APPXML"
        name = f"{prefix}{stamp}.zip"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(sample / f"{prefix}{stamp}.xml", f"{prefix}{stamp}.xml")
        data, day = buffer.getvalue(), self.release.expected.date().isoformat()

        def listing(request: Request) -> Response:
            files = [{"fileName": name, "fileSize": len(data), "fileDataFromDate": day, "fileDataToDate": day,
                      "fileTypeText": "Data", "fileDownloadURI": self.server.url_for(f"/files/{name}")}]  # fmt: skip
            bag = {"count": 1, "fileDataBag": files if self.published() else []}
            body = {"count": 1, "bulkDataProductBag": [{"productIdentifier": product, "productFileBag": bag}]}
            return self._conditional(request, json.dumps(body).encode(), "application/json")

        self.server.expect_request(f"/api/v1/datasets/products/{product}").respond_with_handler(listing)
        self.server.expect_request(f"/files/{name}").respond_with_data(data, content_type="application/zip")

    def _ep(self, mirror: Path) -> None:
        index = index_documents(mirror)
        new = self.release.expected.strftime("%Y%m%d")
        root = "/eps/rest/v1.2/"

        def links(pairs: list[tuple[str, str]]) -> bytes:
            return (
                "<html><body>" + "".join(f'<a href="{h}">{t}</a>' for h, t in pairs) + "</body></html>"
            ).encode()

        def dates(request: Request) -> Response:
            days = [d for d in sorted(index) if d != new or self.published()]
            body = links(
                [(f"{root}publication-dates/{d}/patents", f"{d[:4]}/{d[4:6]}/{d[6:]}") for d in days]
            )
            return self._conditional(request, body, "text/html")

        self.server.expect_request(root + "publication-dates").respond_with_handler(dates)
        for day, documents in index.items():
            body = links([(f"{root}patents/{pid}", pid) for pid in sorted(documents)])
            self.server.expect_request(f"{root}publication-dates/{day}/patents").respond_with_data(body)
            for pid, path in documents.items():
                self.server.expect_request(f"{root}patents/{pid}/document.xml").respond_with_data(
                    path.read_bytes(), content_type="application/xml"
                )

    def _ops(self, biblio: Path) -> None:
        data = biblio.read_bytes()  # a search reply with its biblio (constituents=biblio)
        documents = etree.fromstring(data).iter("{http://www.epo.org/exchange}exchange-documents")
        retrieval = (b'<ops:world-patent-data xmlns:ops="http://ops.epo.org" xmlns="http://www.epo.org/exchange">'
                     + b"".join(etree.tostring(d) for d in documents) + b"</ops:world-patent-data>")  # fmt: skip
        none = (b'<?xml version="1.0"?><ops:world-patent-data xmlns:ops="http://ops.epo.org" '
                b'xmlns="http://www.epo.org/exchange"><ops:biblio-search total-result-count="0">'
                b'<ops:range begin="1" end="0"/><ops:search-result/></ops:biblio-search></ops:world-patent-data>')  # fmt: skip

        def search(request: Request) -> Response:
            self.asked += 1
            return Response(data if self.published() else none, content_type="application/xml")

        token = '{"access_token": "tok", "token_type": "BearerToken", "expires_in": "1199"}'
        self.server.expect_request("/auth/accesstoken", method="POST").respond_with_data(
            token, content_type="application/json"
        )
        self.server.expect_request("/rest-services/published-data/search").respond_with_handler(search)
        self.server.expect_request(
            "/rest-services/published-data/publication/docdb/biblio", method="POST"
        ).respond_with_data(retrieval, content_type="application/xml")


class Webhook:
    """The subscriber's webhook on loopback: when (simulated time) the first alert arrived."""

    def __init__(self, server: HTTPServer) -> None:
        self.first_at: datetime | None = None
        self.count = 0
        server.expect_request("/hook", method="POST").respond_with_handler(self.receive)

    def receive(self, request: Request) -> Response:
        self.count += 1
        self.first_at = self.first_at or datetime.now(UTC)
        return Response("ok")


CONFIG = """\
database = "warning.db"
watchlists = "{watchlists}"
classifiers = "{classifiers}"

[logging]
level = "WARNING"

[sources.office]
kind = "{kind}"
base_url = "{base_url}"
countries = ["{country}"]
{options}

[[subscribers]]
name = "exporter"
kind = "enterprise"
language = "en"
watchlists = ["motorcycles", "nev-batteries", "led-lighting", "rail-transit", "medical-devices", "drones"]
min_score = 0.5
mode = "immediate"
webhook = ["{hook}"]
"""

OPTIONS = {
    "uspto_bulk": 'api_key_env = "BENCH_ODP_KEY"\ndownload_dir = "downloads"\ndatasets = ["{dataset}"]',
    "ep_publication_server": "",
    "epo_ops": 'key_env = "BENCH_OPS_KEY"\nsecret_env = "BENCH_OPS_SECRET"\nlookback_days = 2',
}


def train_models(work: Path) -> Path:
    """The demo's models, trained once on the sample's labelled examples; their folder."""
    write_files(work)
    (work / "config.toml").write_text(
        f'database = "train.db"\nwatchlists = "{WATCHLISTS_DIR.as_posix()}"\nclassifiers = "classifiers"\n'
    )
    app = App(config=load_config(work / "config.toml"), db_path=work / "train.db")
    try:
        for data in sorted((work / "labels").glob("*.jsonl")):
            train_watchlist(app, data.stem, data)
    finally:
        app.close()
    return work / "classifiers"


def run_round(release: Release, work: Path, classifiers: Path, rng: random.Random) -> dict:
    """One publication at a random moment of its day, the service on the accelerated clock."""
    folder = Path(tempfile.mkdtemp(dir=work))
    end_of_day = datetime.combine(
        release.expected.date() + timedelta(days=1), datetime.min.time(), release.expected.tzinfo
    )
    span = (end_of_day - release.expected).total_seconds()
    publish_at = (release.expected + timedelta(seconds=rng.uniform(0, span))).astimezone(UTC)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        office = Office(server, release, work / "sample", work / "ep-mirror")
        hook = Webhook(server)
        config_path = folder / "config.toml"
        config_path.write_text(CONFIG.format(
            watchlists=WATCHLISTS_DIR.as_posix(), classifiers=classifiers.as_posix(), kind=release.source_kind,
            base_url=server.url_for("/eps/" if release.source_kind == "ep_publication_server" else "/"),
            country=release.country, hook=server.url_for("/hook"),
            options=OPTIONS[release.source_kind].format(dataset="grants" if "grants" in release.kind else "applications"),
        ))  # fmt: skip
        config = load_config(config_path)
        start = release.expected.astimezone(UTC) - timedelta(minutes=10)
        with time_machine.travel(start, tick=True) as clock:
            _seed_state(config, folder / "warning.db", release, start - timedelta(hours=6))
            office.publish_at = publish_at
            found_at, jobs_run, busy = _simulate(
                config, folder / "warning.db", clock, start, publish_at, hook, release
            )
        if hook.first_at is None:
            raise SystemExit(f"{release.kind}: no alert within {GIVE_UP} of publication")
        return {
            "office": release.kind,
            "published_at": publish_at.isoformat(),
            "found_after_min": round((found_at - publish_at).total_seconds() / 60, 2) if found_at else None,
            "alert_after_min": round((hook.first_at - publish_at).total_seconds() / 60, 2),
            "alerts": hook.count,
            "office_requests": office.asked,
            "jobs_run": jobs_run,
            "processing_s": round(busy, 2),
        }
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _seed_state(config, db_path: Path, release: Release, checked: datetime) -> None:
    """The store as the previous release left it: its day stored, checked hours ago."""
    db = open_db(db_path)
    try:
        state = SourceState("office", release.country, release.previous_day, last_success=checked.isoformat(),
                            published_through=json.dumps(dict.fromkeys(("grant", "application"), release.previous_day)), new_at=checked.isoformat())  # fmt: skip
        save_source_state(db, state)
    finally:
        db.conn.close()


def _simulate(
    config, db_path: Path, clock, start: datetime, publish_at: datetime, hook: Webhook, release: Release
):
    """Minute by minute, fire what the scheduler's triggers fire, until the alert is received."""
    runner = JobRunner(config, db_path)
    planned = plan_jobs(config)
    runner.chainable = {p.name for p in planned}
    moment, found_at, jobs_run, busy = start, None, 0, 0.0
    while hook.first_at is None and moment < publish_at + GIVE_UP:
        clock.move_to(moment)
        for job in planned:
            if job.trigger is None or not job.fired_since(moment - STEP, moment):
                continue
            began = time.perf_counter()
            results = runner.run(job.name)
            busy += time.perf_counter() - began
            jobs_run += len(results)
            if found_at is None and job.job.source and _stored(db_path):
                found_at = datetime.now(UTC)
        moment += STEP
    return found_at, jobs_run, busy


def _stored(db_path: Path) -> bool:
    db = open_db(db_path)
    try:
        return db.execute("SELECT count(*) FROM publications").fetchone()[0] > 0
    finally:
        db.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="random publication moments per office kind")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    import os

    os.environ.update({"BENCH_ODP_KEY": "k", "BENCH_OPS_KEY": "k", "BENCH_OPS_SECRET": "s"})
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="latency-"))
    try:
        classifiers = train_models(work)
        rounds = [run_round(r, work, classifiers, rng) for r in RELEASES for _ in range(args.rounds)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = _summary(rounds)
    OUT.mkdir(exist_ok=True)
    (OUT / "latency.json").write_text(json.dumps({"rounds": rounds, "summary": summary}, indent=2) + "\n")
    print(f"{'office':28} {'rounds':>6} {'found (min) mean/max':>22} {'alert (min) mean/max':>22}  < 1 h")
    for office, s in summary.items():
        print(f"{office:28} {s['rounds']:>6} {s['found_mean']:>10.1f} / {s['found_max']:<9.1f} "
              f"{s['alert_mean']:>10.1f} / {s['alert_max']:<9.1f}  {'yes' if s['alert_max'] < 60 else 'NO'}")  # fmt: skip


def _summary(rounds: list[dict]) -> dict:
    out = {}
    for office in dict.fromkeys(r["office"] for r in rounds):
        mine = [r for r in rounds if r["office"] == office]
        alerts = [r["alert_after_min"] for r in mine]
        found = [r["found_after_min"] for r in mine if r["found_after_min"] is not None]
        out[office] = {
            "rounds": len(mine),
            "found_mean": statistics.mean(found),
            "found_max": max(found),
            "alert_mean": statistics.mean(alerts),
            "alert_max": max(alerts),
            "processing_s_mean": statistics.mean(r["processing_s"] for r in mine),
        }
    return out


if __name__ == "__main__":
    main()
