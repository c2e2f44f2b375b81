"""The one list of source plugins, and what it answers: the source kinds and the local file formats.

Adding an office is its own folder (a `Source` class in its ``source.py``, named ``SOURCE``) plus
its name in `OFFICES`. The order is the order file formats are tried in: the first detector that
accepts a file wins, so the catch-all JSON format (``exports``) comes last.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from warning.config.build import build
from warning.errors import ConfigError
from warning.sources.base import FileFormat, Source

OFFICES = ("uspto", "ep_server", "epo_ops", "exports")  # folders of warning/sources/


@cache
def sources() -> tuple[type[Source], ...]:
    """The `Source` class of every office, in `OFFICES` order."""
    return tuple(importlib.import_module(f"warning.sources.{name}.source").SOURCE for name in OFFICES)


def registered_kinds() -> dict[str, type[Source]]:
    """Every source kind a ``[sources.NAME]`` table may name."""
    return {cls.kind: cls for cls in sources() if cls.kind}


def source_class(kind: str) -> type[Source]:
    kinds = registered_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; supported kinds: {', '.join(sorted(kinds))}")
    return kinds[kind]


def iter_file_formats() -> Iterator[FileFormat]:
    """`file_formats` one office at a time: an office's modules are imported only once the formats
    before it are tried (detecting a USPTO weekly file imports no other office's client)."""
    for name in OFFICES:
        yield from importlib.import_module(f"warning.sources.{name}.source").SOURCE.formats


def file_formats() -> list[FileFormat]:
    """Every local file format an office reads, in the order they are tried."""
    return [fmt for cls in sources() for fmt in cls.formats]


def validate_source_options(
    kind: str, options: dict[str, Any], where: str, problems: list[str] | None = None
) -> Any:
    """Check a ``[sources.NAME]`` table's kind-specific keys against the plugin's ``Options``,
    and their values against the rules ``Options.CHECKS`` declares (`warning.config.build`)."""
    try:
        cls = source_class(kind)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    path, _, table = where.partition(": ")
    try:
        return build(cls.Options, options, Path(path), table, problems=problems)
    except ConfigError as exc:
        common = "kind, enabled, base_url, countries"
        raise ConfigError(f"{exc} (and the keys every source takes: {common})") from None
