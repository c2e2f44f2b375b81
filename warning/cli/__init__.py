"""The ``warning`` command line: one command per pipeline step (contract in DESIGN.md).

`warning.cli.group` holds the group and its options; each area's module adds its commands to it:
``core`` (check-config, status, demo), ``sources`` (fetch, ingest), ``quarantine``, ``classify``
(classify, train, evaluate, label), ``alerts`` (alerts, test-channel, digest), ``risks``,
``clusters``, ``service`` (run), ``orgs`` (orgs, users, tokens), ``sharing`` (subscriptions,
audit, risks share, labels), ``web`` (serve).
"""

from warning.cli import (  # noqa: F401  (they add their commands)
    alerts,
    classify,
    clusters,
    core,
    orgs,
    quarantine,
    risks,
    service,
    sharing,
    sources,
    web,
)
from warning.cli.group import cli, get_app, main

__all__ = ["cli", "get_app", "main"]
