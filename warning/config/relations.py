"""What one part of the configuration says of another, checked when the file is loaded.

Each value's own rules are declared beside it (``CHECKS``, `warning.config.rules`); these are the
rules between values: a name that must name something configured elsewhere, a channel that needs
its section. `warning.config.loading.parse_config` runs them after every value has passed its own rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warning.config.schema import Config
from warning.errors import ConfigError
from warning.service.scheduler import plan_jobs


def relation_problems(config: Config, data: dict[str, Any], found: list[str]) -> list[str]:
    """One line per contradiction in ``config`` (``data``: the file's TOML tables, to tell a
    section left out from one written with its defaults; ``found``: the values' own problems)."""
    problems: list[str] = []
    for check in _RELATIONS:
        problems += check(config, data)
    if "schedule" in data and not any(p.startswith("schedule.") for p in found):
        problems += _schedule_plans(config)  # it repeats the time zone and misfire rules
    return problems


def _names(config: Config) -> str:
    return ", ".join(s.name for s in config.subscribers) or "none configured"


def _unique_subscribers(config: Config, data: dict[str, Any]) -> list[str]:
    names = [s.name for s in config.subscribers]
    twice = sorted({n for n in names if names.count(n) > 1})
    return [f"subscribers: the name {n!r} is used by more than one subscriber" for n in twice]


def _channels_have_sections(config: Config, data: dict[str, Any]) -> list[str]:
    """What each channel a subscriber uses says its section needs (`Channel.section_problem`)."""
    if not config.subscribers:
        return []
    # Deferred for start-up time, as in `warning.config.loading`: only a config with subscribers.
    from warning.delivery.channels import channel_classes

    problems = []
    for i, sub in enumerate(config.subscribers):
        for cls in channel_classes().values():
            problem = cls.section_problem(config, data) if cls.addresses(sub.channels) else ""
            if problem:
                problems.append(f"subscribers[{i}] ({sub.name}) {problem}")
    return problems


def _owners_are_subscribers(config: Config, data: dict[str, Any]) -> list[str]:
    known = {s.name for s in config.subscribers}
    named = [("risks.default_owner", config.risks.default_owner)]
    named += [(f"risks.auto_open[{i}].owner", rule.owner) for i, rule in enumerate(config.risks.auto_open)]
    return [
        f"{key} must be the name of a subscriber (known: {_names(config)}), not {name!r}"
        for key, name in named
        if name and name not in known
    ]


def _legal_source_is_ops(config: Config, data: dict[str, Any]) -> list[str]:
    name = config.risks.legal_source
    ops = [n for n, s in config.sources.items() if s.kind == "epo_ops"]
    if not name or name in ops:
        return []
    return [
        f"risks.legal_source must name an epo_ops source (configured: {', '.join(ops) or 'none'}), not {name!r}"
    ]


def _backoff_cap(config: Config, data: dict[str, Any]) -> list[str]:
    alerts = config.alerts
    if alerts.backoff_cap_seconds >= alerts.backoff_seconds:
        return []
    return [
        f"alerts.backoff_cap_seconds must be at least backoff_seconds ({alerts.backoff_seconds}), "
        f"not {alerts.backoff_cap_seconds}"
    ]


def _schedule_plans(config: Config) -> list[str]:
    """Job names and cron expressions of [schedule], as the scheduler will read them."""
    try:
        plan_jobs(config)
    except ConfigError as exc:
        return [str(exc).removeprefix(f"{config.path}: ")]
    return []


_RELATIONS: tuple[Callable[[Config, dict[str, Any]], list[str]], ...] = (
    _unique_subscribers,
    _channels_have_sections,
    _owners_are_subscribers,
    _legal_source_is_ops,
    _backoff_cap,
)
