"""Watchlists: one TOML file per product line, loaded and validated strictly.

A watchlist says what a product line is (free-text description, keywords in any language,
classification prefixes, competitors, seed publications) and how sure a match must be. Unknown
keys are errors naming the file, the key and the supported keys: a misspelt ``exlude`` that is
silently ignored would flood a subscriber.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from warning.config.loading import read_toml
from warning.errors import ConfigError
from warning.identity import normalise_id

SUPPORTED_KEYS = (
    "name",
    "title",
    "description",
    "countries",
    "keywords",
    "exclude",
    "cpc",
    "ipc",
    "applicants",
    "seeds",
    "negatives",
    "threshold",
    "target_precision",
)
_LIST_KEYS = ("countries", "keywords", "exclude", "cpc", "ipc", "seeds", "negatives")
_EVIDENCE_KEYS = ("keywords", "cpc", "ipc", "applicants", "seeds")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Scripts written without spaces between words: a keyword matches anywhere, not at a word start.
CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
CJK_RE = re.compile(f"[{CJK_CHARS}]")
# Letters and digits of alphabetic scripts; a keyword must not follow one of them.
_WORD_CHARS = "0-9a-zA-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff"


@dataclass(frozen=True)
class Competitor:
    """A competitor: a display name and the spellings offices use for it."""

    name: str
    aliases: tuple[str, ...] = ()


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


def load_watchlist_file(path: Path | str) -> Watchlist:
    """Load and validate one watchlist TOML file; raises ConfigError with a readable reason."""
    path = Path(path)
    return parse_watchlist(read_toml(path, "watchlist file"), path)


def parse_watchlist(data: dict[str, Any], path: Path) -> Watchlist:
    """Validate a parsed TOML table into a `Watchlist`."""
    unknown = sorted(set(data) - set(SUPPORTED_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r} in watchlist; supported keys: {', '.join(SUPPORTED_KEYS)}"
        )
    name = _string(data, "name", path, required=True)
    if not _NAME_RE.match(name):
        raise ConfigError(f"{path}: name {name!r} must be lower-case letters, digits, '-' or '_'")
    description = _string(data, "description", path, required=True)
    lists = {key: _string_list(data, key, path) for key in _LIST_KEYS}
    applicants = _competitors(data.get("applicants", []), path)
    if not any(lists.get(k) for k in _EVIDENCE_KEYS if k != "applicants") and not applicants:
        raise ConfigError(f"{path}: a watchlist needs at least one of {', '.join(_EVIDENCE_KEYS)}")
    threshold = _probability(data, "threshold", path)
    target = _probability(data, "target_precision", path)
    if threshold is not None and target is not None:
        raise ConfigError(f"{path}: give threshold or target_precision, not both")
    return Watchlist(
        name=name,
        description=description,
        title=_title(data.get("title", {}), path),
        countries=tuple(c.upper() for c in lists["countries"]),
        keywords=lists["keywords"],
        exclude=lists["exclude"],
        cpc=tuple(code_key(c) for c in lists["cpc"]),
        ipc=tuple(code_key(c) for c in lists["ipc"]),
        applicants=applicants,
        seeds=tuple(normalise_id(s) for s in lists["seeds"]),
        negatives=tuple(normalise_id(s) for s in lists["negatives"]),
        threshold=threshold,
        target_precision=target,
        path=path,
    )


def _string(data: dict, key: str, path: Path, required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{path}: {key} is required")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ConfigError(f"{path}: {key} must be a non-empty string, not {value!r}")
    return value.strip()


def _string_list(data: dict, key: str, path: Path) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{path}: {key} must be a list of non-empty strings")
    return tuple(dict.fromkeys(v.strip() for v in value))


def _title(value: Any, path: Path) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{path}: title must be a table with zh and en, e.g. title = {{ zh = '...', en = '...' }}"
        )
    bad = sorted(set(value) - {"zh", "en"})
    if bad:
        raise ConfigError(f"{path}: unknown key {bad[0]!r} in title; supported keys: en, zh")
    if not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{path}: title.zh and title.en must be strings")
    return dict(value)


def _probability(data: dict, key: str, path: Path) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise ConfigError(f"{path}: {key} must be a number from 0.0 to 1.0, not {value!r}")
    return float(value)


def _competitors(value: Any, path: Path) -> tuple[Competitor, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: applicants must be a list of names or {{ name, aliases }} tables")
    found = []
    for i, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            found.append(Competitor(item.strip()))
            continue
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: applicants[{i}] must be a name or a {{ name, aliases }} table")
        bad = sorted(set(item) - {"name", "aliases"})
        if bad:
            raise ConfigError(
                f"{path}: unknown key {bad[0]!r} in applicants[{i}]; supported keys: aliases, name"
            )
        name = _string(item, "name", path, required=True)
        aliases = _string_list(item, "aliases", Path(f"{path}: applicants[{i}]"))
        found.append(Competitor(name, aliases))
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
    index = {}
    for comp in watchlist.applicants:
        for spelling in (comp.name, *comp.aliases):
            key = normalise_applicant(spelling)
            if key:
                index[key] = comp.name
    return index
