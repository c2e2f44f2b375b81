"""Watchlists: one TOML file per product line, loaded and validated strictly.

A watchlist says what a product line is (free-text description, keywords in any language,
classification prefixes, competitors, seed publications) and how sure a match must be. A file
is bound like every config table (`warning.config.build`): unknown keys are errors naming the
file, the key and the supported keys (a misspelt ``exlude`` that is silently ignored would flood
a subscriber), and each value keeps the rule `WatchlistFile` declares.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from warning.config.build import build
from warning.config.loading import read_toml
from warning.config.rules import Rule, matching
from warning.errors import ConfigError
from warning.identity import normalise_id

_EVIDENCE_KEYS = ("keywords", "cpc", "ipc", "applicants", "seeds")
# Scripts written without spaces between words: a keyword matches anywhere, not at a word start.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK_CHARS}]")
# Letters and digits of alphabetic scripts; a keyword must not follow one of them.
_WORD_CHARS = "0-9a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"
_NAME = matching(r"[a-z0-9][a-z0-9_-]{0,63}", "lower-case letters, digits, '-' or '_' (64 at most)")
_TEXT = Rule("a non-empty string", lambda value, _: bool(value.strip()))
_PROBABILITY = Rule("a number from 0.0 to 1.0", lambda value, _: 0.0 <= value <= 1.0)


@dataclass(frozen=True)
class Competitor:
    """A competitor: a display name and the spellings offices use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    CHECKS: ClassVar = {"name": _TEXT, "aliases": _TEXT}


@dataclass(frozen=True)
class Title:
    zh: str = ""
    en: str = ""


@dataclass(frozen=True)
class WatchlistFile:
    """A watchlist file's keys and the rules of their values, bound as every config table is
    (`warning.config.build`: unknown keys and wrong types refused, each rule checked)."""

    name: str
    description: str
    title: Title = Title()
    countries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    cpc: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    applicants: tuple[Any, ...] = ()  # names, or { name, aliases } tables
    seeds: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    threshold: float | None = None
    target_precision: float | None = None
    owner: str = ""  # an organisation's id: its own watchlist (seeds, labels, model); empty: shared
    CHECKS: ClassVar = {
        "name": _NAME,
        "owner": matching(r"\S(.*\S)?", "an organisation id such as 'acme-motors'"),
        "description": _TEXT,
        **{key: _TEXT for key in ("countries", "keywords", "exclude", "cpc", "ipc", "seeds", "negatives")},
        "threshold": _PROBABILITY,
        "target_precision": _PROBABILITY,
    }


@dataclass(frozen=True)
class Watchlist:
    """One product line to watch (see watchlists/*.toml)."""

    name: str
    description: str
    title: dict[str, str] = field(default_factory=dict)
    countries: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    cpc: tuple[str, ...] = ()
    ipc: tuple[str, ...] = ()
    applicants: tuple[Competitor, ...] = ()
    seeds: tuple[str, ...] = ()
    negatives: tuple[str, ...] = ()
    threshold: float | None = None
    target_precision: float | None = None
    path: Path | None = None
    owner: str = ""  # the organisation whose own watchlist this is; "" for a shared one


def load_watchlist_file(path: Path | str) -> Watchlist:
    """Load and validate one watchlist TOML file; raises ConfigError with a readable reason."""
    path = Path(path)
    return parse_watchlist(read_toml(path, "watchlist file"), path)


def parse_watchlist(data: dict[str, Any], path: Path) -> Watchlist:
    """Validate a parsed TOML table into a `Watchlist`."""
    given = build(WatchlistFile, data, path, "")
    applicants = parse_competitors(given.applicants, path, "applicants")
    if not any(getattr(given, k) for k in _EVIDENCE_KEYS if k != "applicants") and not applicants:
        raise ConfigError(f"{path}: a watchlist needs at least one of {', '.join(_EVIDENCE_KEYS)}")
    if given.threshold is not None and given.target_precision is not None:
        raise ConfigError(f"{path}: give threshold or target_precision, not both")
    return Watchlist(
        name=given.name,
        description=given.description.strip(),
        title={k: getattr(given.title, k) for k in ("zh", "en") if k in (data.get("title") or {})},
        countries=tuple(c.upper() for c in _unique(given.countries)),
        keywords=_unique(given.keywords),
        exclude=_unique(given.exclude),
        cpc=tuple(code_key(c) for c in _unique(given.cpc)),
        ipc=tuple(code_key(c) for c in _unique(given.ipc)),
        applicants=applicants,
        seeds=tuple(normalise_id(s) for s in _unique(given.seeds)),
        negatives=tuple(normalise_id(s) for s in _unique(given.negatives)),
        threshold=given.threshold,
        target_precision=given.target_precision,
        path=path,
        owner=given.owner,
    )


def watchlist_record(watchlist: Watchlist) -> dict[str, Any]:
    """What the store keeps of a watchlist (`warning.store.watchlists`): titles, file, content hash."""
    path = watchlist.path
    data = path.read_bytes() if path is not None and path.is_file() else b""
    return {
        "name": watchlist.name,
        "title_zh": watchlist.title.get("zh", ""),
        "title_en": watchlist.title.get("en", ""),
        "path": str(path or ""),
        "hash": hashlib.sha256(data).hexdigest()[:16],
    }


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values))


def parse_competitors(value: tuple[Any, ...], path: Path, key: str) -> tuple[Competitor, ...]:
    """Competitors from a list of names or ``{ name, aliases }`` tables (``key``: where, for errors)."""
    found = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            found.append(Competitor(item.strip()))
            continue
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: {key}[{i}] must be a name or a {{ name, aliases }} table")
        table = build(Competitor, item, path, f"{key}[{i}]")
        found.append(Competitor(table.name.strip(), _unique(table.aliases)))
    return tuple(found)


def code_key(code: str) -> str:
    """Classification codes compared without spaces or slashes: 'B62K 11/04' -> 'B62K1104'."""
    return re.sub(r"[\s/]+", "", code.upper())


def load_watchlists(directory: Path | str) -> list[Watchlist]:
    """Every watchlist in ``directory`` (sorted by name); the first invalid file raises ConfigError."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    watchlists = [load_watchlist_file(p) for p in sorted(directory.glob("*.toml"))]
    _check_unique(watchlists)
    return sorted(watchlists, key=lambda w: w.name)


def _check_unique(watchlists: list[Watchlist]) -> None:
    seen: dict[str, Path | None] = {}
    for w in watchlists:
        if w.name in seen:
            raise ConfigError(f"{w.path}: watchlist name {w.name!r} is also used by {seen[w.name]}")
        seen[w.name] = w.path


def load_watchlist(name_or_path: str | Path, directory: Path | str) -> Watchlist:
    """A watchlist by its name (looked up in ``directory``) or by the path of its TOML file."""
    text = str(name_or_path)
    candidate = Path(text)
    if text.endswith(".toml") or candidate.is_file():
        return load_watchlist_file(candidate)
    for w in load_watchlists(directory):
        if w.name == text:
            return w
    known = ", ".join(w.name for w in load_watchlists(directory)) or "none"
    raise ConfigError(f"no watchlist named {text!r} in {directory} (known: {known})")


def validate_watchlist_dir(directory: Path | str) -> list[str]:
    """One readable line per problem in the watchlist folder (empty when all is well)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    problems, loaded = [], []
    for path in sorted(directory.glob("*.toml")):
        try:
            loaded.append(load_watchlist_file(path))
        except ConfigError as exc:
            problems.append(str(exc))
    try:
        _check_unique(loaded)
    except ConfigError as exc:
        problems.append(str(exc))
    return problems


# ---------------------------------------------------------------- matching rules


def keyword_pattern(keywords: tuple[str, ...] | list[str]) -> re.Pattern | None:
    """One case-insensitive regex for a keyword list: word start in alphabetic scripts, anywhere in CJK."""
    alphabetic = [k for k in keywords if not CJK_RE.search(k)]
    cjk = [k for k in keywords if CJK_RE.search(k)]
    parts = []
    if alphabetic:
        alts = "|".join(re.escape(k) for k in sorted(alphabetic, key=len, reverse=True))
        parts.append(f"(?<![{_WORD_CHARS}])(?:{alts})")
    if cjk:
        parts.append("|".join(re.escape(k) for k in sorted(cjk, key=len, reverse=True)))
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def match_keywords(pattern: re.Pattern | None, keywords: tuple[str, ...], text: str) -> list[str]:
    """The keywords (as written in the watchlist) that occur in ``text``, overlapping ones included."""
    if pattern is None or not text or not pattern.search(text):
        return []
    found: dict[str, str] = {}
    for k in keywords:
        if k.casefold() not in found and _single_pattern(k).search(text):
            found[k.casefold()] = k
    return list(found.values())


@lru_cache(maxsize=4096)
def _single_pattern(keyword: str) -> re.Pattern:
    return keyword_pattern((keyword,))


_LEGAL_FORMS = {
    "co", "company", "corp", "corporation", "inc", "incorporated", "ltd", "limited", "llc", "lp",
    "plc", "gmbh", "ag", "kg", "se", "sa", "sas", "spa", "srl", "bv", "nv", "ab", "as", "oy",
    "kk", "kabushiki", "kaisha", "the", "and",
}  # fmt: skip
_CJK_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "株式会社", "集团", "公司", "주식회사")


def normalise_applicant(name: str) -> str:
    """A competitor key: case, punctuation and legal forms dropped ("HONDA MOTOR CO LTD" == "Honda Motor Co., Ltd.")."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ").replace(".", "")
    for form in _CJK_LEGAL_FORMS:
        text = text.replace(form, " ")
    words = re.findall(r"[^\W_]+", text)
    while words and words[-1] in _LEGAL_FORMS:
        words.pop()
    while words and words[0] == "the":
        words.pop(0)
    return " ".join(words)


def competitor_index(watchlist: Watchlist) -> dict[str, str]:
    """Normalised spelling -> competitor display name."""
    return spelling_index(watchlist.applicants)


def spelling_index(competitors: tuple[Competitor, ...]) -> dict[str, str]:
    """Normalised spelling (name and aliases) -> the competitor's display name."""
    index = {}
    for comp in competitors:
        for spelling in (comp.name, *comp.aliases):
            key = normalise_applicant(spelling)
            if key:
                index[key] = comp.name
    return index
