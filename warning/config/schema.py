"""The configuration's shape: one frozen dataclass per TOML section, with the rules of its values.

Every section is optional. Each dataclass (and each source plugin's ``Options``) declares the
constraints of its values in ``CHECKS`` (`warning.config.rules`: ranges, choices, paths that must
exist); `warning.config.loading` binds a file to these classes and applies them once, when the
file is loaded. Secrets are never in the file: it names environment variables
(``token_env = "SLACK_BOT_TOKEN"``) and `warning.config.secrets` reads them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from warning.config.rules import (
    above,
    at_least,
    between,
    country_code,
    existing_file,
    existing_folder,
    http_url,
    matching,
    one_of,
    time_zone,
    writable_file,
)
from warning.errors import ConfigError

SEVERITIES = ("low", "medium", "high")  # of a risk case
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_EMAIL = matching(r"[^@\s]+@[^@\s]+", "an e-mail address (name@example.org)")


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"  # DEBUG, INFO, WARNING, ERROR
    file: str = ""  # empty: stderr
    CHECKS: ClassVar = {"level": one_of(*LOG_LEVELS, ignore_case=True), "file": writable_file()}


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
    CHECKS: ClassVar = {"base_url": http_url(), "countries": country_code()}

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
    TOML_NAMES: ClassVar = {"sender": "from"}  # `from` is a Python keyword
    CHECKS: ClassVar = {
        "port": between(1, 65535),
        "security": one_of("starttls", "ssl", "none"),
        "sender": _EMAIL,
        "timeout": above(0),
        "ca_file": existing_file(),
    }


@dataclass(frozen=True)
class SlackConfig:
    token_env: str = ""
    base_url: str = "https://slack.com/api/"
    webhook_url_env: str = ""
    CHECKS: ClassVar = {"base_url": http_url(empty_ok=False)}


@dataclass(frozen=True)
class WebhookConfig:
    secret_env: str = ""  # HMAC-SHA256 signing secret for generic webhooks
    timeout: float = 15.0
    dingtalk_secret_env: str = ""  # signing secret of DingTalk robots with "加签" on; empty: unsigned
    feishu_secret_env: str = ""  # signing secret of Feishu/Lark robots with signature verification on
    CHECKS: ClassVar = {"timeout": above(0)}


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
    digest_period: str = "week"  # day, week or month
    # The channels' keys as the file gives them (``email = [...]``, ``dingtalk_env = [...]``,
    # ``console = true``): each channel declares its keys (`warning.delivery.channels`).
    channels: dict[str, Any] = field(default_factory=dict)
    # The organisation the subscription belongs to (its id); empty: one of its own, named like the
    # subscriber, of this ``kind``. ``members``: an association's member enterprises (their ids).
    org: str = ""
    members: tuple[str, ...] = ()
    origin: str = "config"  # not a TOML key: "stored" once read back from the store's subscriptions
    CHECKS: ClassVar = {
        "name": matching(r"\S(.*\S)?", "a name without leading or trailing spaces"),
        "org": matching(r"(\S(.*\S)?)?", "an organisation id without leading or trailing spaces"),
        "members": matching(r"\S(.*\S)?", "an organisation id without leading or trailing spaces"),
        "kind": one_of("enterprise", "association", "programme"),
        "language": one_of("zh", "en"),
        "countries": country_code(),
        "min_score": between(0.0, 1.0),
        "mode": one_of("immediate", "daily", "weekly"),
        "digest_period": one_of("day", "week", "month"),
    }


@dataclass(frozen=True)
class AlertsConfig:
    max_attempts: int = 8  # then the alert moves to dead letters
    backoff_seconds: float = 60.0  # first retry delay; doubles each attempt
    backoff_cap_seconds: float = 6 * 3600.0
    lookback_days: int = 14  # older matches are not queued (no flood for a new subscriber); 0: all
    # "invention": a later family member of an alerted invention is an update in the first alert's
    # thread; "document": every matching publication is an alert of its own.
    per: str = "invention"
    # Where `warning serve` is reached (https://warning.example.org): alerts link to its page of
    # the publication; empty: no such link.
    web_url: str = ""
    CHECKS: ClassVar = {
        "per": one_of("invention", "document"),
        "web_url": http_url(),
        "max_attempts": at_least(1),
        "backoff_seconds": above(0),
        "backoff_cap_seconds": above(0),
        "lookback_days": at_least(0),
    }


@dataclass(frozen=True)
class DigestsConfig:
    # A period with nothing new: "note" sends a short digest saying so, "skip" sends none.
    empty: str = "note"
    attach_xlsx: bool = True  # e-mail digests carry the period's matches as a spreadsheet
    CHECKS: ClassVar = {"empty": one_of("note", "skip")}


@dataclass(frozen=True)
class ScheduleConfig:
    """Cron expressions (``minute hour day month day_of_week``) per job, with one time zone."""

    timezone: str = "UTC"
    jobs: dict[str, str] = field(default_factory=dict)  # checked by the scheduler's plan_jobs
    misfire_grace_seconds: int = 3600
    # Polling until found (`warning.service.polling`): from each office's expected publication
    # time, a cheap conditional check every poll_minutes for poll_hours, then every retry_minutes
    # until give_up_hours after the expected time (then `status` says it never came).
    poll_minutes: int = 5
    poll_hours: float = 12.0
    retry_minutes: int = 30
    give_up_hours: float = 48.0
    CHECKS: ClassVar = {
        "timezone": time_zone(),
        "misfire_grace_seconds": at_least(1),
        "poll_minutes": between(1, 60),
        "poll_hours": at_least(0),
        "retry_minutes": between(1, 1440),
        "give_up_hours": above(0),
    }


@dataclass(frozen=True)
class AutoOpenRule:
    min_score: float = 0.0
    competitor: bool = False  # applicant is a competitor named by the watchlist
    countries: tuple[str, ...] = ()
    watchlists: tuple[str, ...] = ()
    enterprise: str = ""
    owner: str = ""
    severity: str = "medium"
    CHECKS: ClassVar = {
        "min_score": between(0.0, 1.0),
        "countries": country_code(),
        "severity": one_of(*SEVERITIES),
    }


@dataclass(frozen=True)
class RisksConfig:
    reminder_days: tuple[int, ...] = (30, 7, 1)
    default_owner: str = ""  # a subscriber name that receives reminders when a case has no owner
    legal_source: str = ""  # name of the epo_ops source used to refresh legal events
    auto_open: tuple[AutoOpenRule, ...] = ()
    CHECKS: ClassVar = {"reminder_days": at_least(0)}


@dataclass(frozen=True)
class ClassifyConfig:
    batch_size: int = 2000  # publications read, featurized and scored together
    top_terms: int = 8  # terms kept as the explanation of each match
    # Characters of one publication that classification reads (titles and abstracts, or claims
    # where there are neither); a longer stored text is cut there, by SQLite, before Python sees it.
    max_text_chars: int = 20_000
    embedding_model: str = ""  # a sentence-transformers folder or cached model name; "" = none
    CHECKS: ClassVar = {
        "batch_size": between(1, 100_000),
        "top_terms": between(0, 100),
        "max_text_chars": between(100, 1_000_000),
    }


@dataclass(frozen=True)
class IngestConfig:
    """``[ingest]``: the most one document, one zip member and one text field may be.

    What exceeds a limit is quarantined with the reason (the rest of the file goes on), so a
    hostile or broken file cannot exhaust memory or leave a record no later step can handle.
    """

    max_document_mb: float = 64.0  # one XML document, JSON record or line, export file row or sheet
    max_member_mb: float = 8192.0  # one zip member, uncompressed (a weekly USPTO XML is 1-2 GB)
    max_field_chars: int = 1_000_000  # one title, abstract or claims text, one name (real claims: < 0.5 M)
    # Processes parsing a big USPTO file beside the one storing it; 0: the cores less the
    # storer's, at least 2 (on two cores, two parsers and the storer: 1.04x raw lxml against
    # 0.71x with one parser, quiet machine, same bytes), at most 4.
    parser_processes: int = 0

    CHECKS: ClassVar = {
        "max_document_mb": above(0),
        "max_member_mb": above(0),
        "max_field_chars": above(0),
        "parser_processes": between(0, 16),
    }

    @property
    def parsers(self) -> int:
        """How many parser processes a big file gets (`parser_processes`, or by the cores)."""
        if self.parser_processes:
            return self.parser_processes
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 2
        return max(2, min(4, cores - 1))

    @property
    def document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    @property
    def member_bytes(self) -> int:
        return int(self.max_member_mb * 1024 * 1024)


@dataclass(frozen=True)
class Config:
    """The whole configuration. ``base_dir`` is where relative paths are resolved from."""

    base_dir: Path = Path(".")
    path: Path | None = None
    database: str = ""
    watchlists: str = "watchlists"
    clusters: str = "clusters"  # industry clusters, one TOML file each (`warning.clusters`)
    cluster_tables: tuple[Any, ...] = ()  # [[clusters]] tables of the config file itself
    classifiers: str = "classifiers"
    logging: LoggingConfig = LoggingConfig()
    sources: dict[str, SourceConfig] = field(default_factory=dict)
    smtp: SmtpConfig = SmtpConfig()
    slack: SlackConfig = SlackConfig()
    webhook: WebhookConfig = WebhookConfig()
    subscribers: tuple[SubscriberConfig, ...] = ()
    alerts: AlertsConfig = AlertsConfig()
    digests: DigestsConfig = DigestsConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    risks: RisksConfig = RisksConfig()
    classify: ClassifyConfig = ClassifyConfig()
    ingest: IngestConfig = IngestConfig()
    CHECKS: ClassVar = {"database": writable_file(), "watchlists": existing_folder()}

    def resolve(self, value: str) -> Path:
        """A path from the config, relative to the config file's folder."""
        p = Path(value).expanduser()
        return p if p.is_absolute() else (self.base_dir / p)

    @property
    def watchlists_dir(self) -> Path:
        return self.resolve(self.watchlists)

    @property
    def clusters_dir(self) -> Path:
        return self.resolve(self.clusters)

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
            elif f.name.endswith("_env") and isinstance(item, tuple):
                yield from (name for name in item if isinstance(name, str))  # dingtalk_env = [...]
            else:
                yield from _env_values(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith("_env") and isinstance(item, tuple | list):
                yield from (name for name in item if isinstance(name, str))  # a subscriber's dingtalk_env
            else:
                yield from _env_values(item)
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _env_values(item)
