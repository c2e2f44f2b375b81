"""The ``warning`` command line: one command per pipeline step (contract in DESIGN.md).

`warning.cli.group` holds the group and its options; each area's module adds its commands to it:
``core`` (check-config, status, demo), ``sources`` (fetch, ingest), ``classify`` (classify, train,
evaluate, label), ``alerts`` (alerts, test-channel, digest), ``risks``, ``clusters``, ``service`` (run).
"""

from warning.cli import alerts, classify, clusters, core, risks, service, sources  # noqa: F401  (they add their commands)
from warning.cli.group import cli, get_app, main

__all__ = ["cli", "get_app", "main"]
