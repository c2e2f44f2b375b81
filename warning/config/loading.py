"""Loading: a TOML file bound to the dataclasses of `warning.config.schema`, every value checked once.

Unknown keys and wrong types are rejected with the file, the key path and the keys that are
supported, because a silently ignored typo in a mail or quota setting is a lost alert or a banned
API key. Every value is then checked against the rules its dataclass (or source plugin's
``Options``) declares, and `warning.config.relations` checks what one section says of another (a
subscriber's e-mail needs ``[smtp]``). All problems of a file are reported together, each with
the key, the rule and the allowed values, so every command, `check-config` first, stops with the
same readable lines instead of failing later.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path
from typing import Any

from warning.config.build import bind_value, build
from warning.config.relations import relation_problems
from warning.config.schema import Config, SourceConfig, SubscriberConfig
from warning.errors import ConfigError

_TOP_LEVEL_SKIP = {"base_dir", "path", "cluster_tables"}


def find_config_path(explicit: str | None) -> Path | None:
    """--config, else $WARNING_CONFIG, else ./config.toml where it exists, else None."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("WARNING_CONFIG")
    if env:
        return Path(env)
    default = Path("config.toml")
    return default if default.exists() else None


def load_config(path: Path | str | None) -> Config:
    """Load and validate a config file; ``None`` gives the built-in defaults."""
    if path is None:
        return Config(base_dir=Path.cwd())
    path = Path(path)
    return parse_config(read_toml(path, "config file"), path)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """A TOML file's table; ConfigError naming the file when it is missing or not valid TOML."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate a parsed TOML document into a `Config`.

    A wrong key or type stops at once; values breaking their declared rules, and sections that
    contradict each other, are collected and raised together, one line each.
    """
    data = dict(data)
    sources_raw = data.pop("sources", {})
    subscribers_raw = data.pop("subscribers", [])
    # `clusters` is the clusters folder, or [[clusters]] tables written in this file; the tables are
    # bound and checked as cluster files are (`warning.clusters.definitions`), by check-config.
    cluster_tables = tuple(data.pop("clusters")) if isinstance(data.get("clusters"), list) else ()
    problems: list[str] = []
    skip = _TOP_LEVEL_SKIP | {"sources", "subscribers"}
    config = build(Config, data, path, "", skip=skip, problems=problems, also_supported=("subscribers",))
    subscribers = _build_subscribers(subscribers_raw, path, problems)
    sources = _build_sources(sources_raw, path, problems)
    config = dataclasses.replace(
        config,
        base_dir=path.resolve().parent,
        path=path,
        sources=sources,
        subscribers=subscribers,
        cluster_tables=cluster_tables,
    )
    data["subscribers"] = subscribers_raw
    problems += relation_problems(config, {**data, "sources": sources_raw}, problems)
    if problems:
        raise ConfigError("\n".join(f"{path}: {p}" for p in problems))
    return config


def _build_subscribers(raw: Any, path: Path, problems: list[str]) -> tuple[SubscriberConfig, ...]:
    """The ``[[subscribers]]`` tables, each channel's keys bound as that channel declares them."""
    if not isinstance(raw, list):
        raise ConfigError(
            f"{path}: subscribers must be a list of [[subscribers]] tables, not {type(raw).__name__}"
        )
    if not raw:
        return ()
    # Deferred for start-up time: the channels import requests, slack-sdk and smtplib, which a
    # config without subscribers never needs.
    from warning.delivery.channels import address_keys

    keys = address_keys()
    subscribers = []
    for i, table in enumerate(raw):
        where = f"subscribers[{i}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where} must be a table, not {type(table).__name__}")
        subscribers.append(_bind_subscriber(table, path, where, problems, keys))
    return tuple(subscribers)


def bind_subscriber(table: dict[str, Any], where: str) -> SubscriberConfig:
    """One subscriber given as a ``[[subscribers]]`` table would be (the CLI's and the web app's
    subscriptions), checked by the same rules; ConfigError listing every problem."""
    # Deferred for start-up time, as in `_build_subscribers`.
    from warning.delivery.channels import address_keys

    problems: list[str] = []
    sub = _bind_subscriber(table, Path(where), "", problems, address_keys())
    if problems:
        raise ConfigError("; ".join(problems))
    return sub


def _bind_subscriber(
    table: dict[str, Any], path: Path, where: str, problems: list[str], keys: dict[str, Any]
) -> SubscriberConfig:
    sub = build(
        SubscriberConfig,
        table,
        path,
        where,
        skip={"channels", "origin"},
        problems=problems,
        also_supported=keys,
    )
    channels = {
        name: bind_value(
            keys[name].type,
            value,
            keys[name].rule if not keys[name].env else None,
            path,
            f"{where}.{name}",
            problems,
        )
        for name, value in table.items()
        if name in keys
    }
    return dataclasses.replace(sub, channels=channels)


def _build_sources(raw: Any, path: Path, problems: list[str]) -> dict[str, SourceConfig]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [sources] must be a table of [sources.NAME] tables")
    # Deferred for start-up time: the office plugins import lxml, requests and bs4, which a config
    # without [sources] never needs.
    from warning.sources.registry import validate_source_options

    sources = {}
    for name, table in raw.items():
        where = f"sources.{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where} must be a table")
        common = {k: table[k] for k in ("kind", "enabled", "base_url", "countries") if k in table}
        if "kind" not in common:
            raise ConfigError(f"{path}: {where}.kind is required")
        options = {k: v for k, v in table.items() if k not in common}
        src = build(
            SourceConfig,
            {"name": name, **common},
            path,
            where,
            skip={"options", "base_dir"},
            problems=problems,
        )
        built = validate_source_options(src.kind, options, f"{path}: {where}", problems)
        sources[name] = dataclasses.replace(src, options=built, base_dir=path.resolve().parent)
    return sources
