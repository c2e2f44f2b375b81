"""Delivery channels, by name: email, slack, webhook, dingtalk, wecom, feishu, console, file."""

from __future__ import annotations

import time
from collections.abc import Callable

from warning.config.schema import Config
from warning.delivery.channels import chatapps, console, email, file, slack, webhook  # noqa: F401  (register)
from warning.delivery.channels.base import CHANNELS, Channel, DeliveryResult, Message
from warning.errors import ConfigError

__all__ = ["CHANNELS", "Channel", "DeliveryResult", "Message", "get_channel"]


def get_channel(name: str, config: Config, sleep: Callable[[float], None] = time.sleep) -> Channel:
    """The channel registered under ``name``, configured from ``config``."""
    try:
        cls = CHANNELS[name]
    except KeyError:
        raise ConfigError(f"unknown channel {name!r} (known: {', '.join(sorted(CHANNELS))})") from None
    return cls(config, sleep=sleep)
