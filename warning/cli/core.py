"""Foundation commands: check-config, status (`warning ingest` is with the sources commands)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from warning.classify.watchlists import load_watchlists, validate_watchlist_dir
from warning.cli.group import cli, get_app, get_scope
from warning.clusters.definitions import cluster_problems, load_clusters
from warning.config.secrets import check_secrets
from warning.delivery.queue import config_problems, config_warnings
from warning.errors import ConfigError, WarningError
from warning.orgs.declarations import unseen_watchlists
from warning.service.status import collect_status
from warning.service.status_text import format_status


@cli.command("check-config")
@click.pass_context
def check_config(ctx: click.Context) -> None:
    """Validate the config file, its secrets and every watchlist file.

    Exits 1 with one readable line per problem. Every value of the config (ranges, choices,
    folders, names of subscribers and sources, the schedule) is checked when any command loads
    it, so the same lines stop every other command too; this also checks the watchlist files,
    the secrets' environment variables and the subscribers' channels.
    Warnings (settings that work but should change, such as a robot URL with its token written
    in the file) are printed and do not fail.

    \b
    Example:
      warning --config config.toml check-config
    """
    try:
        app = get_app(ctx)
    except ConfigError as exc:  # the file's own problems, one line each, as below
        for line in str(exc).splitlines():
            click.echo(f"error: {line}", err=True)
        ctx.exit(1)
    problems = [
        f"environment variable {n} is not set (named in the config)" for n in check_secrets(app.config)
    ]
    problems += _watchlist_problems(app)
    problems += _delivery_problems(app)
    problems += cluster_problems(app.config, _stored_subscription_names(app))
    where = app.config.path or "built-in defaults (no config file)"
    for warning in _delivery_warnings(app):
        click.echo(f"warning: {warning}", err=True)
    if problems:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        ctx.exit(1)
    click.echo(f"config OK: {where}")
    click.echo(f"  database: {app.db_path}")
    click.echo(f"  sources: {', '.join(app.config.sources) or 'none'}")
    click.echo(f"  subscribers: {', '.join(s.name for s in app.config.subscribers) or 'none'}")
    click.echo(f"  clusters: {', '.join(c.name for c in load_clusters(app.config)) or 'none'}")


def _stored_subscription_names(app) -> frozenset[str]:
    """Names of the store's subscriptions, when there is a store (check-config creates none)."""
    if not app.db_path.exists():
        return frozenset()
    from warning.orgs.subscribers import stored_subscribers  # deferred: only a store has them

    return frozenset(s.name for s in stored_subscribers(app.db))


def _watchlist_problems(app) -> list[str]:
    return validate_watchlist_dir(app.config.watchlists_dir)


def _delivery_problems(app) -> list[str]:
    """Subscribers' settings, and watchlists they or auto-open rules name that do not exist."""
    problems = config_problems(app.config)
    try:
        known = {w.name for w in load_watchlists(app.config.watchlists_dir)}
    except WarningError:
        return problems  # the watchlist files' own errors are reported above
    for sub in app.config.subscribers:
        problems += [
            f"subscriber {sub.name!r} follows watchlist {w!r}, which is not in {app.config.watchlists_dir}"
            for w in sub.watchlists
            if w not in known
        ]
    for i, rule in enumerate(app.config.risks.auto_open):
        problems += [
            f"risks.auto_open[{i}] names watchlist {w!r}, which is not in {app.config.watchlists_dir}"
            for w in rule.watchlists
            if w not in known
        ]
    return problems


def _delivery_warnings(app) -> list[str]:
    return config_warnings(app.config) + unseen_watchlists(app.config)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """What the service holds and how its sources and jobs are doing.

    \b
    Examples:
      warning status
      warning status --json | jq .alerts_pending
      warning --as li.lei status     # counts of what li.lei's organisation sees
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    info = collect_status(app.db, config=app.config, scope=scope)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(format_status(info, str(app.db_path)))


@cli.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep everything in this folder (default: a temporary folder).",
)
def demo(workdir: Path | None) -> None:
    """Run the whole pipeline offline on the bundled sample and print what it alerted.

    Writes a sample of a few hundred publications in the offices' real formats (USPTO, EP and
    OPS XML; Chinese, Japanese, Korean titles among them), then ingests, trains one model per
    shipped watchlist, classifies, opens risk cases, delivers alerts to a file channel and writes
    an association digest. Nothing leaves the machine.

    \b
    Examples:
      warning demo
      warning demo --dir /tmp/warning-demo && warning --config /tmp/warning-demo/config.toml status
    """
    # Deferred for start-up time: the demo loads the whole pipeline (the classifier's numpy, scipy
    # and scikit-learn, lxml for the sample), which no other command of this module needs.
    from warning.demo.run import run_demo, summary_lines

    folder = workdir or Path(tempfile.mkdtemp(prefix="warning-demo-"))
    click.echo(f"warning demo: working in {folder}")
    report = run_demo(folder, say=click.echo)
    for line in summary_lines(report):
        click.echo(line)
