"""Industry clusters: one TOML file each in ``clusters/`` (beside ``watchlists/``), bound strictly.

A cluster is the thematic patent database of one industry park (a motorcycle cluster, a battery
cluster): the watchlists (product lines) whose codes and keywords define its subject, the
export-target countries, the competitors whose filings are tracked there (with the spellings
offices use), and how many years of history its backfill fetches. A file is bound like every
config table (`warning.config.build`): an unknown key is an error naming the file and the
supported keys. What a cluster says of the rest of the configuration (its watchlists,
subscribers, OPS source) is checked by `cluster_problems`, which ``warning check-config`` runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from warning.classify.watchlists import (
    Competitor,
    Title,
    code_key,
    load_watchlists,
    normalise_applicant,
    parse_competitors,
    spelling_index,
)
from warning.config.build import build
from warning.config.loading import read_toml
from warning.config.rules import Rule, between, country_code, matching
from warning.config.schema import Config
from warning.errors import ConfigError, WarningError

_NAME = matching(r"[a-z0-9][a-z0-9_-]{0,63}", "lower-case letters, digits, '-' or '_' (64 at most)")
# An owner names an organisation (tenancy, issue 13); checked against the organisations once they exist.
_OWNER = matching(
    r"([a-z0-9][a-z0-9_.-]{0,63})?", "an organisation name: lower-case letters, digits, '.', '-', '_'"
)
_TEXT = Rule("a non-empty string", lambda value, _: bool(value.strip()))


@dataclass(frozen=True)
class ClusterFile:
    """A cluster file's keys and the rules of their values."""

    name: str
    description: str = ""
    title: Title = Title()
    owner: str = ""
    watchlists: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    competitors: tuple[Any, ...] = ()  # names, or { name, aliases } tables
    keywords: tuple[str, ...] = ()  # besides the watchlists' own
    cpc: tuple[str, ...] = ()  # besides the watchlists' own
    years: int = 5  # history window of the backfill, counted back from today
    subscribers: tuple[str, ...] = ()  # who hears of a tracked filing's status change
    source: str = ""  # the epo_ops source to backfill and track through ("": the only one)
    max_quota_share: float = 0.5  # of the source's weekly allowance, backfill and tracking together
    CHECKS: ClassVar = {
        "name": _NAME,
        "owner": _OWNER,
        "watchlists": _TEXT,
        "countries": country_code(),
        "keywords": _TEXT,
        "cpc": _TEXT,
        "years": between(1, 30),
        "subscribers": _TEXT,
        "max_quota_share": between(0.01, 1.0),
    }


@dataclass(frozen=True)
class Cluster:
    """One industry cluster (see clusters/*.toml)."""

    name: str
    description: str = ""
    title: dict[str, str] = field(default_factory=dict)
    owner: str = ""
    watchlists: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    competitors: tuple[Competitor, ...] = ()
    keywords: tuple[str, ...] = ()
    cpc: tuple[str, ...] = ()
    years: int = 5
    subscribers: tuple[str, ...] = ()
    source: str = ""
    max_quota_share: float = 0.5
    path: Path | None = None

    def window(self, today: date) -> tuple[date, date]:
        """The first and last publication day of the history window."""
        try:
            first = today.replace(year=today.year - self.years)
        except ValueError:  # 29 February
            first = today.replace(year=today.year - self.years, day=28)
        return first, today

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.name

    def competitor_of(self, applicant: str) -> str:
        """The competitor's display name when ``applicant`` is one of its spellings, else ""."""
        keys = self.__dict__.get("_keys")
        if keys is None:  # built once per cluster: a landscape asks for every applicant of thousands
            keys = competitor_keys(self)
            object.__setattr__(self, "_keys", keys)
        return keys.get(normalise_applicant(applicant), "")


def competitor_keys(cluster: Cluster) -> dict[str, str]:
    """Normalised spelling -> the competitor's display name."""
    return spelling_index(cluster.competitors)


def load_cluster_file(path: Path | str) -> Cluster:
    """Load and validate one cluster TOML file; ConfigError with a readable reason."""
    path = Path(path)
    return parse_cluster(read_toml(path, "cluster file"), path)


def parse_cluster(data: Any, path: Path, where: str = "") -> Cluster:
    """Validate one cluster table (a file's, or ``[[clusters]]`` of the config at ``where``)."""
    given = build(ClusterFile, data, path, where)
    at = f"{where}." if where else ""
    competitors = parse_competitors(given.competitors, path, f"{at}competitors")
    if not given.watchlists and not given.keywords and not given.cpc and not competitors:
        raise ConfigError(
            f"{path}: {at}a cluster needs watchlists, keywords, cpc or competitors to search by"
        )
    return Cluster(
        name=given.name,
        description=given.description.strip(),
        title={k: getattr(given.title, k) for k in ("zh", "en") if k in (data.get("title") or {})},
        owner=given.owner,
        watchlists=_unique(given.watchlists),
        countries=_unique(given.countries),
        competitors=competitors,
        keywords=_unique(given.keywords),
        cpc=tuple(code_key(c) for c in _unique(given.cpc)),
        years=given.years,
        subscribers=_unique(given.subscribers),
        source=given.source,
        max_quota_share=given.max_quota_share,
        path=path,
    )


def _parsed_clusters(config: Config, problems: list[str] | None = None) -> list[Cluster]:
    """The clusters of the folder's files and of the config's ``[[clusters]]`` tables, in that
    order; a broken one raises, or is added to ``problems`` when a list is given."""
    folder = config.clusters_dir
    sources: list = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    sources += [(i, table) for i, table in enumerate(config.cluster_tables)]
    found = []
    for item in sources:
        try:
            if isinstance(item, Path):
                found.append(load_cluster_file(item))
            else:
                found.append(
                    parse_cluster(item[1], config.path or Path("config.toml"), f"clusters[{item[0]}]")
                )
        except ConfigError as exc:
            if problems is None:
                raise
            problems.append(str(exc))
    return found


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values))


def load_clusters(config: Config) -> list[Cluster]:
    """Every cluster (folder and ``[[clusters]]``), by name; the first invalid one raises."""
    clusters = _parsed_clusters(config)
    seen: dict[str, Path | None] = {}
    for c in clusters:
        if c.name in seen:
            raise ConfigError(f"{c.path}: cluster name {c.name!r} is also used by {seen[c.name]}")
        seen[c.name] = c.path
    return sorted(clusters, key=lambda c: c.name)


def load_cluster(config: Config, name: str) -> Cluster:
    """The cluster called ``name``; ConfigError listing the known ones."""
    clusters = load_clusters(config)
    for c in clusters:
        if c.name == name:
            return c
    known = ", ".join(c.name for c in clusters) or "none"
    raise ConfigError(f"no cluster named {name!r} in {config.clusters_dir} (known: {known})")


def ops_source_name(config: Config, cluster: Cluster) -> str:
    """The epo_ops source a cluster fetches through: its ``source``, else the only one configured."""
    ops = [n for n, s in config.sources.items() if s.kind == "epo_ops"]
    if cluster.source:
        if cluster.source not in ops:
            raise ConfigError(
                f"cluster {cluster.name}: source must name an epo_ops source "
                f"(configured: {', '.join(ops) or 'none'}), not {cluster.source!r}"
            )
        return cluster.source
    if len(ops) != 1:
        raise ConfigError(
            f"cluster {cluster.name}: set `source` to one of the epo_ops sources ({', '.join(ops) or 'none configured'})"
        )
    return ops[0]


def cluster_problems(config: Config, stored_subscribers: frozenset[str] = frozenset()) -> list[str]:
    """One readable line per problem of the clusters (folder and ``[[clusters]]``): a cluster's
    own, and names it gives that the config does not know (watchlists, subscribers, OPS source).
    ``stored_subscribers``: the names of the store's subscriptions, which a cluster may name too."""
    problems: list[str] = []
    clusters = _parsed_clusters(config, problems)
    names = [c.name for c in clusters]
    problems += [
        f"clusters: the name {n!r} is used by more than one cluster"
        for n in sorted(set(names))
        if names.count(n) > 1
    ]
    try:
        watchlists = {w.name for w in load_watchlists(config.watchlists_dir)}
    except WarningError:
        watchlists = None  # the watchlist files' own errors are reported by check-config
    subscribers = {s.name for s in config.subscribers} | set(stored_subscribers)
    for c in clusters:
        problems += _relation_problems(config, c, watchlists, subscribers)
    return problems


def _relation_problems(
    config: Config, c: Cluster, watchlists: set[str] | None, subscribers: set[str]
) -> list[str]:
    problems = []
    if watchlists is not None:
        problems += [
            f"{c.path}: watchlists names {w!r}, which is not in {config.watchlists_dir}"
            for w in c.watchlists
            if w not in watchlists
        ]
    problems += [
        f"{c.path}: subscribers names {s!r}, which is neither a configured subscriber nor a stored subscription"
        for s in c.subscribers
        if s not in subscribers
    ]
    if config.sources and (c.source or any(s.kind == "epo_ops" for s in config.sources.values())):
        try:
            ops_source_name(config, c)
        except ConfigError as exc:
            problems.append(f"{c.path}: {exc}")
    return problems
