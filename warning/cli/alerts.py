"""alerts commands: alerts, test-channel, digest."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from warning import clock
from warning.cli.group import cli, get_app, get_scope, require_programme
from warning.config.secrets import redactor
from warning.delivery import periods
from warning.delivery.channels import get_channel
from warning.delivery.digest import PERIODS, build_digest, digest_rows, zone_of
from warning.delivery.dispatch import dispatch
from warning.delivery.outputs import DIGEST_EXTENSIONS, write_digest
from warning.delivery.queue import queue_alerts, subscriber_addresses
from warning.delivery.render import render_message
from warning.errors import NotFound, WarningError
from warning.store import outbox as store


@cli.command()
@click.option("--dry-run", is_flag=True, help="Queue and render, but send nothing.")
@click.option("--dead", "show_dead", is_flag=True, help="List the dead letters and exit.")
@click.option("--revive", is_flag=True, help="Put every dead letter back in the queue, then send.")
@click.option("--list", "show_list", is_flag=True, help="List the latest alerts you may see and exit.")
@click.pass_context
def alerts(ctx: click.Context, dry_run: bool, show_dead: bool, revive: bool, show_list: bool) -> None:
    """Queue alerts for new matches, then send everything the outbox holds.

    Each match reaches each subscriber address once. Run by hand, every pending alert is tried
    now, including those waiting for a retry; the scheduler respects the backoff instead.
    Alerts that failed [alerts] max_attempts times, or that a server refused for good (SMTP 5xx,
    HTTP 4xx), are dead letters (see --dead, --revive). A server that does not answer three
    times in a row, or that asks us to wait, defers its remaining alerts to a later run.

    \b
    Examples:
      warning alerts --dry-run        # what would go out, to whom
      warning alerts
      warning alerts --dead           # what kept failing, and why
      warning alerts --revive         # after fixing the mail server
      warning --as li.lei alerts --list   # what reached li.lei's organisation
    """
    app = get_app(ctx)
    if show_dead or show_list:
        _print_alerts(app, get_scope(ctx), "dead" if show_dead else None)
        return
    require_programme(ctx, "sending alerts")
    if revive:
        click.echo(f"revived {store.revive_dead(app.db, clock.iso(clock.now()))} dead letter(s)")
    queued = queue_alerts(app)
    click.echo(f"queued {queued['queued']} alert(s) for {queued['matches']} new match(es)")
    result = dispatch(app, dry_run=dry_run, respect_backoff=False)
    if dry_run:
        clean = redactor(app.config)
        for p in result["preview"]:
            click.echo(
                clean(
                    f"  would send to {p['channel']} {p['address']} ({p['alerts']} alert(s)): {p['subject']}"
                )
            )
        click.echo(f"dry run: {result['due']} alert(s) due in {result['messages']} message(s); nothing sent")
        return
    click.echo(
        f"sent {result['sent']}, failed {result['failed']} (will retry), dead {result['dead']} "
        f"({result['messages']} message(s))"
    )
    if result.get("deferred"):
        click.echo(
            f"deferred {result['deferred']} alert(s): their server did not answer or asked us to wait "
            "(see the log); they go at the next run"
        )


def _print_alerts(app, scope, status: str | None) -> None:
    rows = store.list_alerts(app.db, status=status, limit=200, scope=scope)
    clean = redactor(app.config)
    for row in rows:
        if status == "dead":
            click.echo(
                clean(f"{row['id']} {row['channel']} {row['address']} {row['key']}: {row['last_error']}")
            )
        else:
            what = row["publication_id"] or (f"case {row['case_id']}" if row["case_id"] else "")
            click.echo(clean(f"{row['id']} {row['status']:<7} {row['kind']:<8} {row['subscriber']} {what}"))
    click.echo(f"{len(rows)} dead letter(s)" if status == "dead" else f"{len(rows)} alert(s)")


@cli.command("test-channel")
@click.argument("subscriber")
@click.option(
    "--channel", "only", help="Only this channel (email, slack, webhook, dingtalk, wecom, feishu ...)."
)
@click.pass_context
def test_channel(ctx: click.Context, subscriber: str, only: str | None) -> None:
    """Send a test message to every address of SUBSCRIBER and report each result.

    Nothing is queued: the message goes out now, and a failure shows the channel's error.

    \b
    Examples:
      warning test-channel acme-motor
      warning test-channel acme-motor --channel email
    """
    app = get_app(ctx)
    require_programme(ctx, "testing channels")
    sub = app.subscriber(subscriber)
    targets = [(c, a) for c, a in subscriber_addresses(sub) if only in (None, c)]
    if not targets:
        raise click.ClickException(
            f"subscriber {subscriber} has no {only or ''} address configured".replace("  ", " ")
        )
    failed = 0
    stamp = clock.iso(clock.now())
    clean = redactor(app.config)  # a robot URL carries its access token: never printed
    for channel, address in targets:
        row = {"key": f"test:{sub.name}:{channel}:{address}:{stamp}", "kind": "test", "payload": {}}
        sender = get_channel(channel, app.config)
        result = sender.send(address, render_message("test", [row], sub.language))
        sender.finish()
        failed += not result.ok
        click.echo(clean(f"{channel} {address}: " + ("ok" if result.ok else f"FAILED {result.error}")))
    if failed:
        ctx.exit(1)


@cli.command()
@click.option("--subscriber", "name", required=True, help="The subscriber (usually an association).")
@click.option(
    "--period", type=click.Choice(PERIODS), default=None, help="Default: the subscriber's digest_period."
)
@click.option("--previous", is_flag=True, help="The whole period before this one: what the scheduler sends.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First day of a window of your own.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (included); default today.")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help=f"Write to this file instead of sending; its extension chooses: {', '.join(DIGEST_EXTENSIONS)}.",
)
@click.pass_context
def digest(
    ctx: click.Context,
    name: str,
    period: str | None,
    previous: bool,
    since: datetime | None,
    until: datetime | None,
    out: Path | None,
) -> None:
    """Build a subscriber's digest, and send it or write it to a file.

    Periods are calendar days, ISO weeks or months in the [schedule] time zone: by default the
    period so far, with --previous the one that ended (the digest the scheduler sent), with
    --since/--until any days. Counts inventions (a family published in several countries once)
    by country, watchlist and applicant (spellings of one name together), competitors' filings
    per country, new entrants, legal changes, the top inventions, a 12-period trend by
    publication date, risk cases and deadlines.

    \b
    Examples:
      warning digest --subscriber lighting-association --period week --out digest.html
      warning digest --subscriber lighting-association --previous --out last-week.pdf
      warning digest --subscriber lighting-association --since 2026-11-01 --until 2026-11-30 --out nov.xlsx
      warning digest --subscriber lighting-association     # send through its channels
    """
    app = get_app(ctx)
    sub = _own_subscriber(ctx, app, name)
    chosen, zone, moment = period or sub.digest_period, zone_of(app), clock.now()
    if since or until:
        window = periods.custom_window((since or until).date(), (until or moment).date(), zone)
    else:
        window = (periods.previous_window if previous else periods.current_window)(chosen, moment, zone)
    result = build_digest(app, sub, window=window)
    if out:
        try:
            write_digest(result, out, sub.language)
        except WarningError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"wrote {out} ({result.stats['total']} match(es), {result.stats['inventions']} invention(s))"
        )
        return
    rows = digest_rows(sub, result, f"manual-{clock.iso(moment)}")
    if not rows:
        raise click.ClickException(f"subscriber {name} has no address; use --out FILE")
    store.insert_alerts(app.db, rows, clock.iso(clock.now()))
    sent = dispatch(app, respect_backoff=False, kinds=["digest"])
    click.echo(f"digest {result.subject}: sent {sent['sent']}, failed {sent['failed']}, dead {sent['dead']}")


def _own_subscriber(ctx: click.Context, app, name: str):
    """A subscriber the acting person's organisation owns (any, for the programme); an unknown
    or another organisation's one reads the same: no such subscriber."""
    scope = get_scope(ctx)
    sub = app.subscriber(name)
    if not scope.is_programme and sub.org != scope.org_id:
        raise NotFound(f"no subscriber named {name!r}")
    return sub
