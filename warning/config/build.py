"""TOML tables into frozen dataclasses: unknown keys and wrong types refused, declared rules applied.

`build` is the one binder of every configuration table (`warning.config.schema`) and of every source
plugin's ``Options`` (`warning.sources.base`). A dataclass may declare ``CHECKS`` (field ->
`warning.config.rules` rules) and ``TOML_NAMES`` (field -> key, where the key is not a valid
field name, such as ``from``).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from warning.config.rules import violations
from warning.errors import ConfigError


def build(
    cls: type,
    data: Any,
    path: Path,
    where: str,
    skip: set[str] = frozenset(),
    problems: list[str] | None = None,
    also_supported: Iterable[str] = (),
) -> Any:
    """Build dataclass ``cls`` from a TOML table, rejecting unknown keys and wrong types.

    Each value given is then checked against the rules ``cls.CHECKS`` declares for its field
    (`warning.config.rules`): a value breaking one is added to ``problems``, or raised at once
    when no list is given.
    """
    label = f"[{where}]" if where else "the top level"
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: {where or 'config'} must be a table, not {_tomltype(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.name not in skip}
    toml_to_field = {_toml_name(cls, name): name for name in fields}
    unknown = sorted(set(data) - set(toml_to_field) - set(also_supported))
    if unknown:
        supported = ", ".join(sorted({*toml_to_field, *also_supported}))
        raise ConfigError(f"{path}: unknown key {unknown[0]!r} in {label}; supported keys: {supported}")
    kwargs = {}
    broken: list[str] = []
    checks = getattr(cls, "CHECKS", {})
    for key, value in data.items():
        if key not in toml_to_field:
            continue  # one of ``also_supported``: the caller binds it
        name = toml_to_field[key]
        key_path = f"{where}.{key}" if where else key
        kwargs[name] = _convert(hints[name], value, path, key_path, broken)
        broken += violations(checks.get(name), kwargs[name], key_path, path.resolve().parent)
    if broken and problems is None:
        raise ConfigError(f"{path}: {broken[0]}")
    if problems is not None:
        problems += broken
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


def bind_value(hint: Any, value: Any, rules: Any, path: Path, key_path: str, problems: list[str]) -> Any:
    """One value of type ``hint`` from the file, its breaches of ``rules`` added to ``problems``."""
    converted = _convert(hint, value, path, key_path, problems)
    problems += violations(rules, converted, key_path, path.resolve().parent)
    return converted


def _toml_name(cls: type, field_name: str) -> str:
    """The key a field has in the file (``TOML_NAMES`` where it differs from the field's name)."""
    return getattr(cls, "TOML_NAMES", {}).get(field_name, field_name)


def _convert(hint: Any, value: Any, path: Path, key_path: str, problems: list[str]) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        non_none = [a for a in args if a is not type(None)]
        return _convert(non_none[0], value, path, key_path, problems)
    if dataclasses.is_dataclass(hint):
        return build(hint, value, path, key_path, problems=problems)
    if origin is tuple:
        if not isinstance(value, list):
            raise _type_error(path, key_path, "a list", value)
        return tuple(_convert(args[0], v, path, f"{key_path}[{i}]", problems) for i, v in enumerate(value))
    if origin is dict:
        if not isinstance(value, dict):
            raise _type_error(path, key_path, "a table", value)
        return {k: _convert(args[1], v, path, f"{key_path}.{k}", problems) for k, v in value.items()}
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
