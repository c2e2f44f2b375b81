"""Polling until found: real offices on loopback, the real runner and store, the clock moved.

The EP publication server here serves the corpus's real documents of the 22 September 2021
Bulletin (a Wednesday; expected 14:00 Berlin, 12:00 UTC) and its listings as the EPO documents
them (as in test_ep_publication_server.py); the test decides when the Bulletin appears, or that
the server answers garbage or hangs. The USPTO Open Data Portal is test_uspto_fetch.py's, with
the real grants file of Tuesday 4 January 2005 held back until the test publishes it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from werkzeug import Request, Response

from tests.conftest import CORPUS
from tests.test_uspto_fetch import KEY, FakeOdp
from warning.config.loading import parse_config
from warning.service.polling import (
    EXPECTED,
    FIRST_RUN,
    GAVE_UP,
    PUBLISHED,
    PollPolicy,
    Seen,
    poll_verdict,
)
from warning.service.runner import JobRunner
from warning.service.status import collect_status
from warning.service.status_text import format_status
from warning.sources.base import Release, published_days
from warning.sources.uspto.source import UsptoBulk
from warning.store import open_db
from warning.store.operations import SourceState, get_source_state, save_source_state

EPS = CORPUS / "epo-eps-xml" / "go-epo-eps"
BULLETIN = datetime(2021, 9, 22, 12, 0, tzinfo=UTC)  # Wednesday 14:00 Berlin (CEST)
DOCUMENTS = {"EP3882239NWA1": "application__v1-5-1-A1.xml", "EP2716170NWB2": "grant__v1-5-1-B2.xml"}
ROOT = "/eps/rest/v1.2/"


class LateBulletinServer:
    """The publication server whose new Bulletin date appears when ``published`` is set."""

    def __init__(self, httpserver) -> None:
        self.server = httpserver
        self.published = False
        self.garbage = False  # a 200 that is no listing (an error page)
        self.hang_seconds = 0.0  # the server answers this late (longer than the client waits)
        self.asked: list[str] = []
        httpserver.expect_request(ROOT + "publication-dates").respond_with_handler(self.dates)
        httpserver.expect_request(ROOT + "publication-dates/20210922/patents").respond_with_handler(
            self.patents
        )
        for pid, name in DOCUMENTS.items():
            httpserver.expect_request(f"{ROOT}patents/{pid}/document.xml").respond_with_data(
                (EPS / name).read_bytes(), content_type="application/xml"
            )

    @property
    def base_url(self) -> str:
        return self.server.url_for("/eps/")

    @property
    def etag(self) -> str:
        return '"dates-2"' if self.published else '"dates-1"'

    def dates(self, request: Request) -> Response:
        self.asked.append(request.headers.get("If-None-Match", ""))
        if self.hang_seconds:
            time.sleep(self.hang_seconds)
        if self.garbage:
            return Response(
                "<html><body>Service temporarily unavailable</body></html>", content_type="text/html"
            )
        if request.headers.get("If-None-Match") == self.etag:
            return Response(status=304, headers={"ETag": self.etag})
        days = ["20210915"] + (["20210922"] if self.published else [])
        links = "".join(
            f'<a href="{ROOT}publication-dates/{d}/patents">{d[:4]}/{d[4:6]}/{d[6:]}</a>' for d in days
        )
        return Response(
            f"<html><body>{links}</body></html>", headers={"ETag": self.etag}, content_type="text/html"
        )

    def patents(self, request: Request) -> Response:
        links = "".join(f'<a href="{ROOT}patents/{pid}">{pid}</a>' for pid in DOCUMENTS)
        return Response(f"<html><body>{links}</body></html>", content_type="text/html")


def runner_for(tmp_path, source: dict, **schedule) -> JobRunner:
    config = parse_config({"sources": {"office": source}, "schedule": schedule}, tmp_path / "config.toml")
    runner = JobRunner(config, tmp_path / "poll.db")
    runner.chainable = {"fetch:office"}  # no watchlists here: nothing to classify after a fetch
    return runner


def ep_runner(tmp_path, server: LateBulletinServer, **schedule) -> JobRunner:
    source = {"kind": "ep_publication_server", "base_url": server.base_url, "countries": ["EP"],
              "max_retries": 1, "backoff_seconds": 0.0, "timeout": 0.5}  # fmt: skip
    runner = runner_for(tmp_path, source, **schedule)
    db = open_db(runner.db_path)
    # Last week's Bulletin was fetched: the listing's validators and the date stored.
    last_week = (BULLETIN - timedelta(days=7, hours=-1)).isoformat()
    save_source_state(db, SourceState("office", "EP", "2021-09-15", '"dates-1"', "", 0, "", last_week, "",
                                      "", '{"application": "2021-09-15"}', last_week))  # fmt: skip
    db.conn.close()
    return runner


def tick(runner: JobRunner) -> bool:
    """One wake of the fetch job's timer; whether it asked the office."""
    return bool(runner.run("fetch:office"))


def status_text(runner: JobRunner) -> str:
    db = open_db(runner.db_path)
    try:
        return format_status(collect_status(db, runner.config), str(runner.db_path))
    finally:
        db.conn.close()


def stored(runner: JobRunner) -> list[str]:
    db = open_db(runner.db_path)
    try:
        return sorted(r["id"] for r in db.query("SELECT id FROM publications"))
    finally:
        db.conn.close()


@pytest.fixture
def bulletin(httpserver):
    return LateBulletinServer(httpserver)


def test_a_late_bulletin_is_fetched_within_minutes_of_appearing(tmp_path, bulletin):
    runner = ep_runner(tmp_path, bulletin)
    with time_machine.travel(BULLETIN - timedelta(minutes=1), tick=False) as clock:
        assert not tick(runner) and bulletin.asked == []  # before 14:00 nothing is asked
        clock.shift(timedelta(minutes=1))
        assert tick(runner) and bulletin.asked == ['"dates-1"']  # conditional: answered 304
        text = status_text(runner)
        assert "bulletin expected 2021-09-22 14:00 CEST: not yet published / 预计发布，尚未发布" in text
        assert "next check 下次检查 2021-09-22 14:05 CEST" in text
        clock.shift(timedelta(minutes=3))
        assert not tick(runner) and len(bulletin.asked) == 1  # checked 3 minutes ago: not yet
        clock.shift(timedelta(minutes=2))
        assert tick(runner) and len(bulletin.asked) == 2 and stored(runner) == []
        clock.shift(timedelta(minutes=2))
        bulletin.published = True  # the Bulletin appears at 14:07
        assert not tick(runner)
        clock.shift(timedelta(minutes=3))
        assert tick(runner)  # 14:10: found and fetched at once
        assert stored(runner) == ["EP-2716170-B2", "EP-3882239-A1"]
        assert "bulletin expected 2021-09-22 14:00 CEST: published / 已发布" in status_text(runner)
        for _ in range(12):  # found: the rest of the week asks nothing
            clock.shift(timedelta(minutes=30))
            assert not tick(runner)
        assert len(bulletin.asked) == 3


def test_a_bulletin_that_never_comes_stops_being_asked_and_says_so(tmp_path, bulletin):
    runner = ep_runner(tmp_path, bulletin, poll_hours=2, give_up_hours=6)
    with time_machine.travel(BULLETIN, tick=False) as clock:
        for _ in range(8 * 12):  # 8 hours, a timer wake every 5 minutes
            tick(runner)
            clock.shift(timedelta(minutes=5))
        # 2 h every 5 minutes (24), then every 30 minutes until 6 h (8): then no more.
        assert len(bulletin.asked) == 24 + 8
        db = open_db(runner.db_path)
        runs = list(db.query("SELECT status, error FROM runs WHERE status = 'failed'"))
        db.conn.close()
        assert len(runs) == 1 and "not published after 6 h" in runs[0]["error"]
        assert "已停止检查" in runs[0]["error"]
        text = status_text(runner)
        assert "not published, checks stopped 2021-09-22 20:00 CEST / 未发布，已停止检查" in text
        assert "next expected 下次预计 2021-09-29 14:00 CEST" in text
        clock.move_to(BULLETIN + timedelta(days=7))  # the next Wednesday: checked again
        assert tick(runner) and len(bulletin.asked) == 24 + 8 + 1


def test_a_garbage_reply_is_a_failed_check_asked_again_at_the_next_poll(tmp_path, bulletin):
    runner = ep_runner(tmp_path, bulletin)
    bulletin.garbage = True
    with time_machine.travel(BULLETIN, tick=False) as clock:
        (result,) = runner.run("fetch:office")
        assert not result.ok and "links no date" in result.error
        assert len(bulletin.asked) == 2  # retried once, then the check failed
        assert "not yet published / 预计发布，尚未发布" in status_text(runner)
        assert get_source_state(open_db(runner.db_path), "office", "EP").cursor == "2021-09-15"
        bulletin.garbage, bulletin.published = False, True
        clock.shift(timedelta(minutes=5))
        assert tick(runner) and stored(runner) == ["EP-2716170-B2", "EP-3882239-A1"]


def test_a_hanging_server_fails_the_check_quickly_and_the_next_poll_finds_the_file(tmp_path, bulletin):
    runner = ep_runner(tmp_path, bulletin)
    bulletin.hang_seconds = 1.5  # the client waits 0.5 s
    with time_machine.travel(BULLETIN, tick=False) as clock:
        started = time.monotonic()
        (result,) = runner.run("fetch:office")
        assert not result.ok and "timed out" in result.error.lower()
        assert time.monotonic() - started < 5
        bulletin.hang_seconds, bulletin.published = 0.0, True
        clock.shift(timedelta(minutes=5))
        assert tick(runner) and stored(runner) == ["EP-2716170-B2", "EP-3882239-A1"]


def test_uspto_grants_posted_late_on_tuesday_are_fetched_at_the_next_poll(
    tmp_path, httpserver, corpus, monkeypatch
):
    monkeypatch.setenv("USPTO_ODP_API_KEY", KEY)
    odp = FakeOdp(httpserver, corpus)
    grants = odp.files.pop("ipg050104.zip")
    odp.files.pop("ipa050106.zip")
    odp.listing_etag = '"empty"'
    source = {"kind": "uspto_bulk", "base_url": odp.base_url, "countries": ["US"], "datasets": ["grants"],
              "download_dir": str(tmp_path / "dl"), "max_retries": 0, "backoff_seconds": 0.0}  # fmt: skip
    runner = runner_for(tmp_path, source, poll_minutes=10)
    tuesday = datetime(2005, 1, 4, 5, 0, tzinfo=UTC)  # 00:00 New York (EST)
    db = open_db(runner.db_path)
    save_source_state(db, SourceState("office", "US", "2004-12-28", last_success="2004-12-28T06:00:00+00:00",
                                      published_through='{"grant": "2004-12-28"}'))  # fmt: skip
    db.conn.close()
    with time_machine.travel(tuesday + timedelta(hours=3), tick=False) as clock:
        assert tick(runner) and stored(runner) == []
        assert "grants expected 2005-01-04 00:00 EST: not yet published" in status_text(runner)
        odp.files["ipg050104.zip"], odp.listing_etag = grants, '"with-grants"'  # posted at 03:04
        clock.shift(timedelta(minutes=4))
        assert not tick(runner)  # polled every 10 minutes here
        clock.shift(timedelta(minutes=6))
        assert tick(runner) and len(stored(runner)) > 0
        state = get_source_state(open_db(runner.db_path), "office", "US")
        assert published_days(state.published_through)["grant"] == "2005-01-04"
        clock.shift(timedelta(hours=1))
        assert not tick(runner)


# The verdict alone: pure, at chosen moments.
WEEKLY = (Release("bulletin", "0 14 * * wed", "Europe/Berlin"),)
DAILY = (Release("daily load", "0 5 * * *", "UTC", found_by="new"),)
POLICY = PollPolicy(poll_minutes=5, poll_hours=12, retry_minutes=30, give_up_hours=48)


def test_a_source_never_checked_is_checked_at_once_whatever_the_day():
    verdict = poll_verdict(WEEKLY, POLICY, Seen(), datetime(2021, 9, 20, 9, 0, tzinfo=UTC))
    assert verdict.state == FIRST_RUN and verdict.due


def test_after_the_fast_hours_checks_slow_to_the_retry_interval():
    last = BULLETIN + timedelta(hours=13)
    seen = Seen({"application": "2021-09-15"}, None, last)
    assert not poll_verdict(WEEKLY, POLICY, seen, last + timedelta(minutes=29)).due
    verdict = poll_verdict(WEEKLY, POLICY, seen, last + timedelta(minutes=30))
    assert verdict.state == EXPECTED and verdict.due
    late = poll_verdict(WEEKLY, POLICY, seen, BULLETIN + timedelta(hours=48))
    assert late.state == GAVE_UP and not late.due and late.gave_up_at == BULLETIN + timedelta(hours=48)


def test_a_daily_load_counts_anything_new_stored_after_the_moment():
    moment = datetime(2021, 9, 22, 5, 0, tzinfo=UTC)
    before = Seen({"grant": "2021-09-20"}, moment - timedelta(hours=20), moment - timedelta(hours=1))
    assert poll_verdict(DAILY, POLICY, before, moment).state == EXPECTED
    found = Seen({"grant": "2021-09-20"}, moment + timedelta(minutes=7), moment + timedelta(minutes=7))
    verdict = poll_verdict(DAILY, POLICY, found, moment + timedelta(minutes=20))
    assert verdict.state == PUBLISHED and not verdict.due
    assert verdict.next_expected == datetime(2021, 9, 23, 5, 0, tzinfo=UTC)


def test_thursdays_applications_do_not_stand_for_tuesdays_missing_grants():
    thursday = datetime(2005, 1, 6, 5, 0, tzinfo=UTC)  # 00:00 New York
    seen = Seen({"grant": "2004-12-28", "application": "2005-01-06"}, None, thursday + timedelta(minutes=1))
    # 48 h 10 min after Tuesday's moment: the grants are said missing, not found by the applications.
    verdict = poll_verdict(UsptoBulk.releases, POLICY, seen, thursday + timedelta(minutes=10))
    assert (verdict.state, verdict.release, verdict.due) == (GAVE_UP, "grants", False)
    assert verdict.expected == datetime(2005, 1, 4, 5, 0, tzinfo=UTC)
    patient = PollPolicy(give_up_hours=72)  # still checked, every retry_minutes
    verdict = poll_verdict(UsptoBulk.releases, patient, seen, thursday + timedelta(minutes=31))
    assert (verdict.state, verdict.release, verdict.due) == (EXPECTED, "grants", True)
    grants = Seen({"grant": "2005-01-04", "application": "2005-01-06"}, None, thursday + timedelta(minutes=1))
    assert (
        poll_verdict(UsptoBulk.releases, POLICY, grants, thursday + timedelta(minutes=10)).state == PUBLISHED
    )
