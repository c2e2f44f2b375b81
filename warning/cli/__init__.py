"""The ``warning`` command line: one command per pipeline step (contract in DESIGN.md).

`warning.cli.group` holds the group and its options; each area's module adds its commands to it:
``core`` (check-config, status, demo), ``sources`` (fetch, ingest), ``classify`` (classify, train,
evaluate, label), ``alerts`` (alerts, test-channel, digest), ``risks``, ``service`` (run), ``web`` (serve).
"""

from warning.cli import alerts, classify, core, risks, service, sources, web  # noqa: F401  (they add their commands)
from warning.cli.group import cli, get_app, main

__all__ = ["cli", "get_app", "main"]
