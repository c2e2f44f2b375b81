"""The source plugin contract and the registry of plugins by ``kind``.

A source is split in two, as in github-to-sqlite: ``fetch`` talks to the network and yields raw
documents (a generator that can resume from a cursor); ``parse`` is pure, bytes in, publications
out, and is what `warning ingest` uses on local files too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from warning.errors import ConfigError
from warning.models import Publication, QuarantinedDocument

ParsedItem = Publication | QuarantinedDocument

_REGISTRY: dict[str, type[Source]] = {}


@dataclass(frozen=True)
class NoOptions:
    """A source kind without keys of its own."""


class Source:
    """Base class of a source plugin. Subclasses set ``kind`` and ``Options``."""

    kind: ClassVar[str] = ""
    Options: ClassVar[type] = NoOptions

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            _REGISTRY[cls.kind] = cls

    @staticmethod
    def parse(data: bytes, ref: str) -> Iterator[ParsedItem]:
        """Pure: turn one raw document or file body into publications or quarantined items."""
        raise TypeError("source plugins must implement parse()")


def registered_kinds() -> dict[str, type[Source]]:
    """Every known source kind, importing the built-in plugins first."""
    _import_builtin_plugins()
    return dict(_REGISTRY)


def source_class(kind: str) -> type[Source]:
    kinds = registered_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; supported kinds: {', '.join(sorted(kinds))}")
    return kinds[kind]


def validate_source_options(kind: str, options: dict[str, Any], where: str) -> Any:
    """Check a ``[sources.NAME]`` table's kind-specific keys against the plugin's ``Options``."""
    from warning.config import build

    try:
        cls = source_class(kind)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    path, _, table = where.partition(": ")
    try:
        return build(cls.Options, options, path, table)
    except ConfigError as exc:
        common = "kind, enabled, base_url, countries"
        raise ConfigError(f"{exc} (and the keys every source takes: {common})") from None


def _import_builtin_plugins() -> None:
    import importlib

    for module in ("uspto_bulk", "epo_ops", "ep_publication_server", "files"):
        try:
            importlib.import_module(f"warning.sources.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"warning.sources.{module}":
                raise
