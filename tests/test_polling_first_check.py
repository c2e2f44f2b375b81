"""A release whose waiting time was over before the source's first check was never waited for:
`status` says so ("not awaited"), not "checks stopped", and no failed run is recorded for it (a
fresh `warning demo` store, whose sample is older than the last Bulletin, is the case)."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from tests.test_polling import BULLETIN, LateBulletinServer, runner_for, status_text, tick
from warning.service.polling import GAVE_UP, NOT_AWAITED, PollPolicy, Seen, poll_verdict
from warning.sources.base import Release
from warning.store import open_db
from warning.store.operations import SourceState, finish_run, save_source_state, start_run

WEEKLY = (Release("bulletin", "0 14 * * wed", "Europe/Berlin"),)
POLICY = PollPolicy()  # give up after 48 h
OLD = {"application": "2021-08-25"}  # the newest day stored: weeks before the Bulletin


def test_a_release_over_before_the_first_check_is_not_awaited():
    first = BULLETIN + timedelta(days=4)  # Sunday: the Bulletin's 48 h ended on Friday
    seen = Seen(OLD, first, first, first_check=first)
    verdict = poll_verdict(WEEKLY, POLICY, seen, first + timedelta(minutes=1))
    assert (verdict.state, verdict.due, verdict.gave_up_at) == (NOT_AWAITED, False, None)
    assert verdict.expected == BULLETIN and verdict.next_expected == BULLETIN + timedelta(days=7)


def test_a_release_waited_for_still_gives_up():
    # Checked (first) during its 48 hours: the checks did stop, and status says so.
    during = BULLETIN + timedelta(hours=47)
    seen = Seen(OLD, during, during, first_check=during)
    verdict = poll_verdict(WEEKLY, POLICY, seen, BULLETIN + timedelta(days=4))
    assert verdict.state == GAVE_UP and verdict.gave_up_at == BULLETIN + timedelta(hours=48)
    # A first check unknown (a Seen made by hand): as before, given up.
    assert (
        poll_verdict(WEEKLY, POLICY, Seen(OLD, None, during), BULLETIN + timedelta(days=4)).state == GAVE_UP
    )


def test_a_fresh_store_with_old_data_says_not_awaited_and_records_no_failure(tmp_path, httpserver):
    server = LateBulletinServer(httpserver)
    source = {"kind": "ep_publication_server", "base_url": server.base_url, "countries": ["EP"],
              "max_retries": 1, "backoff_seconds": 0.0, "timeout": 0.5}  # fmt: skip
    runner = runner_for(tmp_path, source)
    first = BULLETIN + timedelta(days=5)  # Monday: a store made now, holding older publications
    db = open_db(runner.db_path)
    with time_machine.travel(first, tick=False):
        finish_run(db, start_run(db, "fetch:office", "office"), "ok", {"fetched": 40})  # the demo's fetch
    save_source_state(db, SourceState("office", "EP", "2021-09-15", '"dates-1"', "", 0, "", first.isoformat(),
                                      "", "", '{"application": "2021-08-25"}', first.isoformat()))  # fmt: skip
    db.conn.close()
    with time_machine.travel(first + timedelta(hours=1), tick=False) as clock:
        text = status_text(runner)
        assert "checks stopped" not in text and "已停止检查" not in text
        assert "bulletin expected 2021-09-22 14:00 CEST: before the first check, not awaited" in text
        assert "next expected 下次预计 2021-09-29 14:00 CEST" in text
        assert not tick(runner) and not server.asked  # nothing to wait for until the next Bulletin
        db = open_db(runner.db_path)
        failed = db.execute("SELECT count(*) FROM runs WHERE status = 'failed'").fetchone()[0]
        db.conn.close()
        assert failed == 0
        clock.move_to(BULLETIN + timedelta(days=7))  # the next Wednesday 14:00: checked
        assert tick(runner) and len(server.asked) == 1
