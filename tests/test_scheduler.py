"""Scheduler wiring: which jobs run on which cron, when they fire next, and what is due (no sleeping)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from warning.config.schema import Config, RisksConfig, ScheduleConfig, SourceConfig, SubscriberConfig
from warning.errors import ConfigError
from warning.service.jobs import POLL_TICK
from warning.service.polling import expected_moments
from warning.service.scheduler import (
    build_scheduler,
    cron_trigger,
    crontab_day_of_week,
    due_jobs,
    next_runs,
    plan_jobs,
)

MONDAY_NOON = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)  # Monday 3 June 2024


def full_config(tmp_path: Path, **schedule) -> Config:
    """Three offices' sources, a subscriber, a watchlist and a legal source: every job has work."""
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    (tmp_path / "watchlists" / "motorcycles.toml").write_text('name = "motorcycles"\n', encoding="utf-8")
    sources = {
        "uspto": SourceConfig("uspto", "uspto_bulk", countries=("US",)),
        "ep": SourceConfig("ep", "ep_publication_server", countries=("EP",)),
        "ops": SourceConfig("ops", "epo_ops", countries=("VN", "IN")),
    }
    return Config(
        base_dir=tmp_path,
        sources=sources,
        subscribers=(SubscriberConfig("acme", watchlists=("motorcycles",)),),
        risks=RisksConfig(legal_source="ops"),
        schedule=ScheduleConfig(**schedule),
    )


def by_name(planned):
    return {p.name: p for p in planned}


def test_every_job_is_planned_in_pipeline_order_with_its_default_cron(tmp_path):
    planned = plan_jobs(full_config(tmp_path))
    assert [p.name for p in planned] == [
        "fetch:uspto",
        "fetch:ep",
        "fetch:ops",
        "classify",
        "legal",
        "reminders",
        "alerts",
        "digests",
        "train",
    ]
    jobs = by_name(planned)
    # The offices' fetch jobs poll from their publication moments (tests/test_polling.py): a tick.
    assert {jobs[n].cron for n in ("fetch:uspto", "fetch:ep", "fetch:ops")} == {POLL_TICK}
    assert [r.name for r in jobs["fetch:uspto"].job.releases] == ["grants", "applications"]
    assert jobs["alerts"].cron == "*/5 * * * *"
    assert not any(p.configured for p in planned)


def test_expected_moments_fall_on_the_offices_publication_days(tmp_path):
    jobs = by_name(plan_jobs(full_config(tmp_path)))
    runs = next_runs(list(jobs.values()), MONDAY_NOON)
    utc = {name: moment.astimezone(UTC) if moment else None for name, moment in runs.items()}

    def upcoming(job: str) -> list[datetime]:
        return [expected_moments(r, MONDAY_NOON)[1].astimezone(UTC) for r in jobs[job].job.releases]

    # USPTO: Tuesday and Thursday 00:00 New York (EDT, UTC-4); EP: Wednesday 14:00 Berlin (CEST).
    assert upcoming("fetch:uspto") == [
        datetime(2024, 6, 4, 4, 0, tzinfo=UTC),
        datetime(2024, 6, 6, 4, 0, tzinfo=UTC),
    ]
    assert upcoming("fetch:ep") == [datetime(2024, 6, 5, 12, 0, tzinfo=UTC)]
    assert upcoming("fetch:ops") == [datetime(2024, 6, 4, 5, 0, tzinfo=UTC)]
    assert utc["fetch:ops"] == MONDAY_NOON + timedelta(minutes=0)  # the tick: every minute
    assert utc["alerts"] == datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
    assert utc["train"] == datetime(2024, 6, 9, 2, 0, tzinfo=UTC)  # Sunday
    assert utc["legal"] == datetime(2024, 6, 10, 4, 0, tzinfo=UTC)  # the next Monday


def test_a_configured_cron_replaces_polling(tmp_path):
    config = full_config(tmp_path, jobs={"fetch:uspto": "0 9 * * tue,thu"})
    jobs = by_name(plan_jobs(config))
    assert jobs["fetch:uspto"].cron == "0 9 * * tue,thu" and not jobs["fetch:uspto"].job.polls(config)
    assert jobs["fetch:ep"].job.polls(config)


def test_configured_crons_use_the_schedule_time_zone(tmp_path):
    config = full_config(
        tmp_path, timezone="Asia/Shanghai", jobs={"fetch:ep": "0 23 * * 3", "alerts": "*/10 * * * *"}
    )
    jobs = by_name(plan_jobs(config))
    assert jobs["fetch:ep"].configured and jobs["fetch:ep"].timezone == "Asia/Shanghai"
    # Cron's 3 is Wednesday (APScheduler 3.x alone would read it as Thursday).
    assert jobs["fetch:ep"].next_run(MONDAY_NOON) == datetime(2024, 6, 5, 15, 0, tzinfo=UTC)
    assert jobs["alerts"].next_run(MONDAY_NOON + timedelta(minutes=1)) == datetime(
        2024, 6, 3, 12, 10, tzinfo=UTC
    )
    assert jobs["classify"].timezone == "Asia/Shanghai"  # defaults without their own zone follow the table


@pytest.mark.parametrize(
    "field, names",
    [
        ("0", "sun"),
        ("7", "sun"),
        ("2", "tue"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("*/2", "sun,tue,thu,sat"),
        ("0,6", "sun,sat"),
        ("mon-fri", "mon-fri"),
        ("*", "*"),
        ("tue,4", "tue,thu"),
    ],
)
def test_cron_day_of_week_numbers_count_from_sunday(field, names):
    assert crontab_day_of_week(field) == names


def test_cron_trigger_tuesday_means_tuesday():
    trigger = cron_trigger("0 6 * * 2", "UTC")
    assert trigger.get_next_fire_time(None, MONDAY_NOON) == datetime(2024, 6, 4, 6, 0, tzinfo=UTC)


def test_off_leaves_classify_chained_after_fetches_only(tmp_path):
    jobs = by_name(plan_jobs(full_config(tmp_path, jobs={"classify": "off", "train": "OFF"})))
    assert jobs["classify"].trigger is None and jobs["classify"].next_run(MONDAY_NOON) is None
    assert jobs["train"].trigger is None
    assert "classify" not in due_jobs(list(jobs.values()), {}, MONDAY_NOON)


def test_a_config_with_nothing_to_work_on_plans_no_job(tmp_path):
    assert plan_jobs(Config(base_dir=tmp_path)) == []


def test_jobs_without_work_are_left_out_but_a_configured_one_stays(tmp_path):
    config = dataclasses.replace(full_config(tmp_path), subscribers=(), risks=RisksConfig())
    names = [p.name for p in plan_jobs(config)]
    assert "alerts" not in names and "digests" not in names and "legal" not in names
    config = dataclasses.replace(config, schedule=ScheduleConfig(jobs={"alerts": "*/5 * * * *"}))
    assert "alerts" in [p.name for p in plan_jobs(config)]


def test_disabled_sources_are_not_scheduled(tmp_path):
    config = full_config(tmp_path)
    sources = {**config.sources, "ops": dataclasses.replace(config.sources["ops"], enabled=False)}
    names = [p.name for p in plan_jobs(dataclasses.replace(config, sources=sources))]
    assert "fetch:ops" not in names and "fetch:uspto" in names


def test_unknown_job_names_list_the_valid_ones(tmp_path):
    with pytest.raises(ConfigError) as err:
        plan_jobs(full_config(tmp_path, jobs={"fetch:usptoo": "0 6 * * tue"}))
    message = str(err.value)
    assert "unknown job 'fetch:usptoo'" in message
    assert (
        "valid jobs: alerts, classify, clusters, digests, fetch:ep, fetch:ops, fetch:uspto, legal, reminders, train"
        in message
    )


@pytest.mark.parametrize(
    "cron, words",
    [
        ("*/5 * * *", "has 4 field(s), expected five fields"),
        ("61 * * * *", "schedule.jobs.alerts = '61 * * * *'"),
        ("0 6 * * 9", "day of week '9' is out of range"),
        ("0 6 * * funday", "schedule.jobs.alerts"),
    ],
)
def test_bad_cron_expressions_are_readable_config_errors(tmp_path, cron, words):
    with pytest.raises(ConfigError, match="alerts") as err:
        plan_jobs(full_config(tmp_path, jobs={"alerts": cron}))
    assert words in str(err.value)


def test_bad_time_zone_and_grace_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="'Europe/Berln' is not a known time zone"):
        plan_jobs(full_config(tmp_path, timezone="Europe/Berln"))
    with pytest.raises(ConfigError, match="misfire_grace_seconds must be a positive"):
        plan_jobs(full_config(tmp_path, misfire_grace_seconds=0))


def test_due_when_never_run_or_fired_since_the_last_success(tmp_path):
    # Crons configured for the fetches (UTC: 12:30 is 14:30 Berlin); polling jobs tick every minute.
    crons = {"fetch:uspto": "0 13 * * tue,thu", "fetch:ep": "30 12 * * wed", "fetch:ops": "0 5 * * *"}
    planned = plan_jobs(full_config(tmp_path, jobs=crons))
    now = datetime(2024, 6, 5, 15, 2, tzinfo=UTC)  # Wednesday, after the EP bulletin
    last = {p.name: now - timedelta(minutes=1) for p in planned}
    assert due_jobs(planned, last, now) == []
    last["fetch:ep"] = datetime(2024, 6, 5, 12, 29, 59, tzinfo=UTC)  # just before 14:30 Berlin
    last["alerts"] = now - timedelta(minutes=6)
    del last["train"]
    assert due_jobs(planned, last, now) == ["fetch:ep", "alerts", "train"]
    # A run that started at the fire time itself covers that fire.
    last["fetch:ep"] = datetime(2024, 6, 5, 12, 30, tzinfo=UTC)
    assert "fetch:ep" not in due_jobs(planned, last, now)


def test_build_scheduler_wires_one_guarded_job_per_cron(tmp_path):
    config = full_config(tmp_path, jobs={"train": "off"}, misfire_grace_seconds=600)
    planned = plan_jobs(config)
    calls = []
    scheduler = build_scheduler(config, planned, calls.append)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == sorted(p.name for p in planned if p.name != "train")
    for job in jobs.values():
        assert (job.max_instances, job.coalesce, job.misfire_grace_time) == (1, True, 600)
        assert job.args == (job.id,)
    assert jobs["fetch:ep"].trigger is by_name(planned)["fetch:ep"].trigger
    jobs["alerts"].func(*jobs["alerts"].args)
    assert calls == ["alerts"] and not scheduler.running


def test_office_times_follow_daylight_saving_time(tmp_path):
    jobs = by_name(plan_jobs(full_config(tmp_path)))
    winter_monday = datetime(2024, 11, 25, 12, 0, tzinfo=UTC)

    def first(job: str) -> datetime:
        return expected_moments(jobs[job].job.releases[0], winter_monday)[1].astimezone(UTC)

    # The EP Bulletin at 14:00 Berlin is 13:00 UTC in winter (CET) and 12:00 UTC in summer (CEST).
    assert first("fetch:ep") == datetime(2024, 11, 27, 13, 0, tzinfo=UTC)
    # USPTO grants from 00:00 New York: 05:00 UTC in winter (EST).
    assert first("fetch:uspto") == datetime(2024, 11, 26, 5, 0, tzinfo=UTC)


def test_status_reports_a_bad_schedule_instead_of_failing(tmp_path, db):
    from warning.service.status import collect_status

    info = collect_status(
        db, config=full_config(tmp_path, jobs={"alerts": "every five minutes"}), now=MONDAY_NOON
    )
    assert info["schedule"] == [] and "schedule.jobs.alerts" in info["schedule_error"]
    assert info["publications"] == 0
    good = collect_status(db, config=full_config(tmp_path), now=MONDAY_NOON)
    alerts = next(job for job in good["schedule"] if job["job"] == "alerts")
    assert alerts["next_run"] == "2024-06-03T12:00:00+00:00" and alerts["last_run"] is None
    assert good["service"] == {"running": False, "pid": None}
