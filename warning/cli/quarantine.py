"""quarantine command: ``warning quarantine``, what ingest and fetch kept out of the store and why."""

from __future__ import annotations

import json
import sys

import click

from warning.cli.group import cli, get_app, require_programme
from warning.store.quarantine import quarantine_kinds, quarantined, quarantined_raw


@cli.command()
@click.option(
    "--source", metavar="NAME", help="Only what this source kept (uspto_bulk, ipo-journal, lens ...)."
)
@click.option("--list", "as_list", is_flag=True, help="The newest items one by one instead of their kinds.")
@click.option("--grep", "contains", metavar="TEXT", help="Only items whose reason or file names TEXT.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=20, show_default=True, help="With --list.")
@click.option(
    "--raw", "raw_id", type=int, metavar="ID", help="Write item ID's kept bytes to standard output."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list).")
@click.pass_context
def quarantine(
    ctx: click.Context,
    source: str | None,
    as_list: bool,
    contains: str | None,
    limit: int,
    raw_id: int | None,
    as_json: bool,
) -> None:
    """What was kept out of the store (隔离区), and why: bad documents, rows and files.

    Without options, each kind of problem once (reasons alike but for their rows, files and
    values), with its count, source and the newest example. --list shows the items themselves,
    newest first; --raw writes what one item was kept with (a document's bytes as read; a CSV
    row as its cells joined by commas), to fix it and ingest it again: ingesting what was fixed
    adds it, and adds nothing twice.

    \b
    Examples:
      warning quarantine
      warning quarantine --list --source ipo-journal --grep 'not an Indian patent number'
      warning quarantine --raw 1287 > row.csv
    """
    app = get_app(ctx)
    require_programme(ctx, "the quarantine")
    if raw_id is not None:
        found = quarantined_raw(app.db, raw_id)
        if found is None:
            raise click.ClickException(
                f"no quarantined item {raw_id} (`warning quarantine --list` shows them)"
            )
        item, raw = found
        if not raw:
            why = f"over the size kept ({item['raw_size']:,} bytes)" if item["raw_size"] else "none were read"
            raise click.ClickException(f"item {raw_id} was kept without its bytes: {why}; see {item['ref']}")
        sys.stdout.buffer.write(raw)
        return
    rows = (
        quarantined(app.db, source, contains, limit)
        if as_list
        else quarantine_kinds(app.db, source, contains)
    )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif not rows:
        click.echo("nothing quarantined / 隔离区为空")
    elif as_list:
        for r in rows:
            click.echo(
                f"{r['id']:>7}  {r['created_at'][:16]}  {r['source']}  {r['ref']}\n         {r['reason']}"
            )
    else:
        click.echo(
            f"{sum(r['count'] for r in rows):,} quarantined, {len(rows)} kind(s) / 隔离条目及原因类别:"
        )
        for r in rows:
            click.echo(
                f"{r['count']:>7,}  {r['source']}  {r['kind']}\n         e.g. #{r['example_id']}: {r['example']}"
            )
