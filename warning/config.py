"""Configuration: a TOML file loaded into frozen dataclasses.

Every section is optional. Unknown keys and wrong types are rejected with the file, the key path
and the keys that are supported, because a silently ignored typo in a mail or quota setting is a
lost alert or a banned API key. Secrets are never in the file: it names environment variables
(``token_env = "SLACK_BOT_TOKEN"``) and `secret()` reads them.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warning.errors import ConfigError


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"  # DEBUG, INFO, WARNING, ERROR
    file: str = ""  # empty: stderr


@dataclass(frozen=True)
class SourceConfig:
    """One ``[sources.NAME]`` table. Kind-specific keys are validated by the source plugin."""

    name: str
    kind: str
    enabled: bool = True
    base_url: str = ""
    countries: tuple[str, ...] = ()
    options: Any = None  # the plugin's frozen Options dataclass
    base_dir: Path = Path(".")  # the config file's folder: relative paths in options start here

    def resolve(self, value: str) -> Path:
        """A path from this source's options, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p


@dataclass(frozen=True)
class SmtpConfig:
    host: str = "localhost"
    port: int = 587
    security: str = "starttls"  # starttls, ssl or none
    username_env: str = ""
    password_env: str = ""
    sender: str = "patent-warning@localhost"  # the TOML key is `from`
    timeout: float = 30.0
    ca_file: str = ""  # CA bundle for a private mail server's certificate; empty: system store


@dataclass(frozen=True)
class SlackConfig:
    token_env: str = ""
    base_url: str = "https://slack.com/api/"
    webhook_url_env: str = ""


@dataclass(frozen=True)
class WebhookConfig:
    secret_env: str = ""  # HMAC-SHA256 signing secret for generic webhooks
    timeout: float = 15.0
    dingtalk_secret_env: str = ""  # signing secret of DingTalk robots with "加签" on; empty: unsigned
    feishu_secret_env: str = ""  # signing secret of Feishu/Lark robots with signature verification on


@dataclass(frozen=True)
class SubscriberConfig:
    name: str
    kind: str = "enterprise"  # enterprise, association or programme
    language: str = "zh"  # zh or en
    watchlists: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # empty: every country
    min_score: float = 0.0
    mode: str = "immediate"  # immediate, daily or weekly
    batch: bool = False  # e-mail: several alerts in one message
    email: tuple[str, ...] = ()
    slack: tuple[str, ...] = ()
    webhook: tuple[str, ...] = ()
    dingtalk: tuple[str, ...] = ()
    wecom: tuple[str, ...] = ()
    feishu: tuple[str, ...] = ()
    console: bool = False
    file: str = ""  # JSON Lines outbox file channel (demo, air-gapped sites)
    digest_period: str = "week"  # day, week or month


@dataclass(frozen=True)
class AlertsConfig:
    max_attempts: int = 8  # then the alert moves to dead letters
    backoff_seconds: float = 60.0  # first retry delay; doubles each attempt
    backoff_cap_seconds: float = 6 * 3600.0
    lookback_days: int = 14  # older matches are not queued (no flood for a new subscriber); 0: all


@dataclass(frozen=True)
class ScheduleConfig:
    """Cron expressions (``minute hour day month day_of_week``) per job, with one time zone."""

    timezone: str = "UTC"
    jobs: dict[str, str] = field(default_factory=dict)
    misfire_grace_seconds: int = 3600


@dataclass(frozen=True)
class AutoOpenRule:
    min_score: float = 0.0
    competitor: bool = False  # applicant is a competitor named by the watchlist
    countries: tuple[str, ...] = ()
    watchlists: tuple[str, ...] = ()
    enterprise: str = ""
    owner: str = ""
    severity: str = "medium"


@dataclass(frozen=True)
class RisksConfig:
    reminder_days: tuple[int, ...] = (30, 7, 1)
    default_owner: str = ""  # a subscriber name that receives reminders when a case has no owner
    legal_source: str = ""  # name of the epo_ops source used to refresh legal events
    auto_open: tuple[AutoOpenRule, ...] = ()


@dataclass(frozen=True)
class ClassifyConfig:
    batch_size: int = 2000
    top_terms: int = 8
    embedding_model: str = ""  # a sentence-transformers folder or cached model name; "" = none


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``base_dir`` is where relative paths are resolved from."""

    base_dir: Path = Path(".")
    path: Path | None = None
    database: str = ""
    watchlists: str = "watchlists"
    classifiers: str = "classifiers"
    logging: LoggingConfig = LoggingConfig()
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    smtp: SmtpConfig = SmtpConfig()
    slack: SlackConfig = SlackConfig()
    webhook: WebhookConfig = WebhookConfig()
    subscribers: tuple[SubscriberConfig, ...] = ()
    alerts: AlertsConfig = AlertsConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    risks: RisksConfig = RisksConfig()
    classify: ClassifyConfig = ClassifyConfig()

    def resolve(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def watchlists_dir(self) -> Path:
        return self.resolve(self.watchlists)

    @property
    def classifiers_dir(self) -> Path:
        return self.resolve(self.classifiers)

    def subscriber(self, name: str) -> SubscriberConfig:
        for sub in self.subscribers:
            if sub.name == name:
                return sub
        names = ", ".join(s.name for s in self.subscribers) or "none configured"
        raise ConfigError(f"no subscriber named {name!r} (known: {names})")

    def secret_names(self) -> list[str]:
        """Every environment variable the config names for a secret (keys ending in ``_env``)."""
        return sorted({n for n in _env_values(self) if n})


def _env_values(value: Any) -> Iterator[str]:
    """The values of every ``*_env`` field, in nested sections, lists and source options too."""
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.name.endswith("_env") and isinstance(item, str):
                yield item
            else:
                yield from _env_values(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _env_values(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _env_values(item)


# Keys whose TOML spelling differs from the Python field name.
_RENAMES = {SmtpConfig: {"from": "sender"}}
_TOP_LEVEL_SKIP = {"base_dir", "path"}


def secret(env_name: str, what: str) -> str:
    """Read a secret from the environment variable the config names; never log the value."""
    if not env_name:
        raise ConfigError(f"{what}: no environment variable is configured for this secret")
    value = os.environ.get(env_name)
    if not value:
        raise ConfigError(f"{what}: environment variable {env_name} is not set")
    return value


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
    """Validate a parsed TOML document into a `Config`."""
    data = dict(data)
    sources_raw = data.pop("sources", {})
    config = build(Config, data, path, "", skip=_TOP_LEVEL_SKIP | {"sources"})
    sources = _build_sources(sources_raw, path)
    return dataclasses.replace(config, base_dir=path.resolve().parent, path=path, sources=sources)


def _build_sources(raw: Any, path: Path) -> dict[str, SourceConfig]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [sources] must be a table of [sources.NAME] tables")
    from warning.sources.base import validate_source_options

    sources = {}
    for name, table in raw.items():
        where = f"sources.{name}"
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {where} must be a table")
        common = {k: table[k] for k in ("kind", "enabled", "base_url", "countries") if k in table}
        if "kind" not in common:
            raise ConfigError(f"{path}: {where}.kind is required")
        options = {k: v for k, v in table.items() if k not in common}
        src = build(SourceConfig, {"name": name, **common}, path, where, skip={"options", "base_dir"})
        built = validate_source_options(src.kind, options, f"{path}: {where}")
        sources[name] = dataclasses.replace(src, options=built, base_dir=path.resolve().parent)
    return sources


def build(cls: type, data: Any, path: Path, where: str, skip: set[str] = frozenset()) -> Any:
    """Build dataclass ``cls`` from a TOML table, rejecting unknown keys and wrong types."""
    label = f"[{where}]" if where else "the top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {where or 'config'} must be a table, not {_tomltype(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    toml_to_field = {_toml_name(cls, name): name for name in fields}
    unknown = sorted(set(data) - set(toml_to_field))
    if unknown:
        supported = ", ".join(sorted(toml_to_field))
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in {label}; supported keys: {supported}")
    kwargs = {}
    for key, value in data.items():
        name = toml_to_field[key]
        key_path = f"{where}.{key}" if where else key
        kwargs[name] = _convert(hints[name], value, path, key_path)
    missing = [
        f.name
        for f in fields.values()
        if f.name not in kwargs
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING  # type: ignore[misc]
    ]
    if missing:
        raise ConfigError(f"{path}: {where + '.' if where else ''}{missing[0]} is required")
    return cls(**kwargs)


def _toml_name(cls: type, field_name: str) -> str:
    for toml, py in _RENAMES.get(cls, {}).items():
        if py == field_name:
            return toml
    return field_name


def _convert(hint: Any, value: Any, path: Path, key_path: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _convert(non_none[0], value, path, key_path)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, key_path)
    if origin is tuple:
        if not isinstance(value, list):
            raise _type_error(path, key_path, "a list", value)
        return tuple(_convert(args[0], v, path, f"{key_path}[{i}]") for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise _type_error(path, key_path, "a table", value)
        return {k: _convert(args[1], v, path, f"{key_path}.{k}") for k, v in value.items()}
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is Path and isinstance(value, str):
        return Path(value)
    if hint in (str, int, bool, float) and (type(value) is not hint):
        raise _type_error(path, key_path, _NAMES[hint], value)
    return value


_NAMES = {str: "a string", int: "an integer", bool: "true or false", float: "a number"}


def _type_error(path: Path, key_path: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{path}: {key_path} must be {expected}, not {_tomltype(value)} ({value!r})")


def _tomltype(value: Any) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def check_secrets(config: Config) -> list[str]:
    """Names of configured secret variables that are not set in the environment."""
    return [name for name in config.secret_names() if not os.environ.get(name)]
