"""Delivery channels, one module each, listed once in `MODULES`.

Each module names its channel classes in ``CHANNELS``; a channel declares its name, its
``[[subscribers]]`` keys, how an address is checked and how it sends (`warning.delivery.channels.base`).
Adding a channel is its module plus its name in `MODULES`. The order is the order of a
subscriber's addresses (and so of its outbox rows).
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from functools import cache

from warning.config.schema import Config
from warning.delivery.channels.base import AddressKey, Channel
from warning.errors import ConfigError

MODULES = ("email", "slack", "webhook", "chatapps", "console", "file")  # modules of this folder


@cache
def channel_classes() -> dict[str, type[Channel]]:
    """Every channel by name, in `MODULES` order."""
    found: dict[str, type[Channel]] = {}
    for module in MODULES:
        for cls in importlib.import_module(f"warning.delivery.channels.{module}").CHANNELS:
            found[cls.name] = cls
    return found


def address_keys() -> dict[str, AddressKey]:
    """Every ``[[subscribers]]`` key a channel reads addresses from, by its name in the file."""
    return {key.name: key for cls in channel_classes().values() for key in cls.keys}


def get_channel(name: str, config: Config, sleep: Callable[[float], None] = time.sleep) -> Channel:
    """The channel registered under ``name``, configured from ``config``."""
    channels = channel_classes()
    if name not in channels:
        raise ConfigError(f"unknown channel {name!r} (known: {', '.join(sorted(channels))})")
    return channels[name](config, sleep=sleep)
