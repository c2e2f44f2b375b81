"""Declared constraints of configuration values: ranges, choices, paths that must exist.

A config dataclass (and a source plugin's ``Options``) declares them next to its fields in a
``CHECKS`` class attribute, field name -> rule or tuple of rules::

    @dataclass(frozen=True)
    class SmtpConfig:
        port: int = 587
        security: str = "starttls"
        CHECKS: ClassVar = {"port": between(1, 65535), "security": one_of("starttls", "ssl", "none")}

`warning.config.build` applies them to every value the file gives, once, when the config is
loaded: each rule says what a value must be, so the error names the key, the rule and the allowed
values (``smtp.port must be from 1 to 65535, not 70000``). A rule on a list or table field
applies to each of its items.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class Rule:
    """What a value must be (``says``, read after "must be") and the test of it.

    ``holds(value, base)`` gets the config file's folder, where relative paths start.
    """

    says: str
    holds: Callable[[Any, Path], bool]


def between(low: float, high: float) -> Rule:
    """A number from ``low`` to ``high``, both included."""
    return Rule(f"from {low} to {high}", lambda v, _: low <= v <= high)


def at_least(low: float) -> Rule:
    return Rule(f"at least {low}", lambda v, _: v >= low)


def above(low: float) -> Rule:
    return Rule(f"greater than {low}", lambda v, _: v > low)


def one_of(*choices: str, ignore_case: bool = False) -> Rule:
    """One of ``choices`` (in any case with ``ignore_case``)."""
    allowed = {c.casefold() for c in choices} if ignore_case else set(choices)
    says = f"one of {', '.join(choices)}" + (" (in any case)" if ignore_case else "")
    return Rule(says, lambda v, _: (v.casefold() if ignore_case else v) in allowed)


def matching(pattern: str, example: str) -> Rule:
    """Text matching the regular expression ``pattern`` whole; ``example`` says it to people."""
    compiled = re.compile(pattern)
    return Rule(example, lambda v, _: compiled.fullmatch(v) is not None)


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def existing_folder() -> Rule:
    return Rule(
        "an existing folder (a relative path starts at the config file's folder)",
        lambda v, base: _resolve(v, base).is_dir(),
    )


def existing_file() -> Rule:
    """An existing file, or empty (not set)."""
    return Rule(
        "an existing file (a relative path starts at the config file's folder), or empty",
        lambda v, base: not v or _resolve(v, base).is_file(),
    )


def writable_file() -> Rule:
    """A file the service can write: not a folder, in a folder that exists or that it can create
    (its nearest existing ancestor is a folder it may write to); or empty (not set)."""

    def holds(value: str, base: Path) -> bool:
        if not value:
            return True
        path = _resolve(value, base)
        if path.is_dir():
            return False
        if path.exists():
            return os.access(path, os.W_OK)
        ancestor = path.parent
        while not ancestor.exists():
            ancestor = ancestor.parent
        return ancestor.is_dir() and os.access(ancestor, os.W_OK | os.X_OK)

    return Rule(
        "a file the service can write, in a folder that exists or can be created "
        "(a relative path starts at the config file's folder), or empty",
        holds,
    )


def http_url(empty_ok: bool = True) -> Rule:
    says = "an http:// or https:// URL" + (", or empty" if empty_ok else "")
    return Rule(says, lambda v, _: (empty_ok and not v) or v.startswith(("http://", "https://")))


def time_zone() -> Rule:
    def holds(value: str, _: Path) -> bool:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            return False
        return True

    return Rule("an IANA time zone name such as UTC, Europe/Berlin or Asia/Shanghai", holds)


def country_code() -> Rule:
    return matching(r"[A-Z]{2}", "a two-letter office or country code in capitals, such as US, EP, WO or CN")


def violations(rules: Rule | tuple[Rule, ...] | None, value: Any, key_path: str, base: Path) -> list[str]:
    """'KEY must be RULE, not VALUE' for each rule ``value`` breaks (each item of a list or table)."""
    if rules is None:
        return []
    rules = rules if isinstance(rules, tuple) else (rules,)
    if isinstance(value, tuple | list):
        items = [(f"{key_path}[{i}]", v) for i, v in enumerate(value)]
    elif isinstance(value, dict):
        items = [(f"{key_path}.{k}", v) for k, v in value.items()]
    else:
        items = [(key_path, value)]
    return [f"{key} must be {r.says}, not {v!r}" for key, v in items for r in rules if not r.holds(v, base)]
