"""sources commands: ``warning fetch`` and ``warning ingest``."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

import click

from warning.cli.group import cli, get_app, require_programme
from warning.sources.fetch import fetch_all, fetch_source
from warning.sources.ingest import IngestResult, ingest_paths

SHOWN_REASONS = 10


class DateParam(click.ParamType):
    """A calendar date written YYYY-MM-DD or YYYYMMDD."""

    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: D102 - click API
        if isinstance(value, date):
            return value
        for fmt in ("%Y-%m-%d", "%Y%m%d"):
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.fail(f"{value!r} is not a date (use YYYY-MM-DD)", param, ctx)


@cli.command()
@click.option(
    "--source", "source_name", metavar="NAME", help="Only this [sources.NAME] table (default: all enabled)."
)
@click.option(
    "--since", type=DateParam(), help="Fetch publications from this date (default: from each cursor)."
)
@click.option("--until", type=DateParam(), help="Fetch publications up to this date (default: today).")
@click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: on a terminal).")
@click.pass_context
def fetch(
    ctx: click.Context, source_name: str | None, since: date | None, until: date | None, progress
) -> None:
    """Fetch new publications from the configured sources into the store.

    Each source resumes from its cursor per country, so running it again fetches only what is
    new; --since/--until fetch a window again (a backfill never moves a cursor back). Only
    sources configured and enabled in the config run. Exits 1 when a source or country failed
    (the others still ran; `warning status` shows the last error of each).

    \b
    Examples:
      warning fetch                                  # every enabled source, from its cursor
      warning fetch --source ops                     # one [sources.ops] table
      warning fetch --source ops --since 2024-01-01 --until 2024-01-31
    """
    if since and until and since > until:
        raise click.BadParameter("--since is after --until", param_hint="--since")
    app = get_app(ctx)
    require_programme(ctx, "fetching")
    show = sys.stderr.isatty() if progress is None else progress
    with _progress_bar(show) as report:
        if source_name:
            results = {source_name: fetch_source(app, source_name, since, until, progress=report)}
        else:
            results = fetch_all(app, since, until, progress=report)["sources"]
    if not results:
        click.echo("no enabled sources configured ([sources.NAME] tables in the config)")
        return
    for name, result in results.items():
        _echo_source(name, result)
    if any(r["status"] != "ok" for r in results.values()):
        ctx.exit(1)


def _echo_source(name: str, result: dict) -> None:
    click.echo(
        f"{name} ({result['kind']}): {result['inserted']} new, {result['merged']} merged, "
        f"{result['unchanged']} unchanged, {result['quarantined']} quarantined — {result['status']}"
    )
    for country, r in result["countries"].items():
        where = country or "-"
        line = f"  {where}: {r['inserted']} new, {r['merged']} merged, {r['quarantined']} quarantined"
        line += f", cursor {r.get('cursor') or '-'}"
        if r["status"] != "ok":
            line += f"  [{r['status']}: {r.get('error', '')}]"
        click.echo(line, err=r["status"] != "ok")


@contextmanager
def _progress_bar(show: bool):
    if not show:
        yield None
        return
    from tqdm import tqdm  # deferred for start-up time: only a progress bar needs tqdm

    with tqdm(unit=" docs", desc="fetch", file=sys.stderr) as bar:

        def report(label: str, stored: int) -> None:
            bar.set_postfix_str(label)
            bar.update(stored)

        yield report


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a terminal).")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], progress: bool | None) -> None:
    """Load local files and folders into the store.

    Reads the project's JSON Lines (or JSON), and every office format the sources know (USPTO
    XML or zip, EP XML, OPS XML, PATENTSCOPE and Lens exports, the Indian Patent Office journal's
    grant lists as CSV), told apart by their content, not their names. Bad documents, and what
    exceeds the [ingest] size limits, are quarantined with their reason; the rest of the batch
    goes on. Every document read is counted once:
    new, merged, unchanged, quarantined or skipped (not a patent document). Ingesting a file
    again adds nothing. Exits 1 when the files held no patent document at all.

    \b
    Examples:
      warning ingest labelled.jsonl
      warning ingest downloads/ipg240102.zip exports/lens.csv
      warning ingest india/2019_grants.csv           # IPO journal grant lists
      warning ingest --progress downloads/           # a folder, with a progress bar
    """
    app = get_app(ctx)
    require_programme(ctx, "ingesting")
    show = sys.stderr.isatty() if progress is None else progress
    result = ingest_paths(app.db, list(paths), progress=show, limits=app.config.ingest)
    click.echo(_summary(result))
    for line in _problems(result):
        click.echo(f"  {line}", err=True)
    if result.publications == 0:
        click.echo("error: no patent document in the files given", err=True)
        ctx.exit(1)


def _summary(result: IngestResult) -> str:
    c = result.as_counts()
    skipped = f", {c['skipped']} skipped (not patent documents)" if c["skipped"] else ""
    return (
        f"{c['files']} file(s): {c['inserted']} new, {c['merged']} merged, {c['unchanged']} unchanged, "
        f"{c['quarantined']} quarantined{skipped}; {c['read']} document(s) read"
    )


def _problems(result: IngestResult) -> list[str]:
    """Each quarantine reason once (the first few), then the files that held no patent and said nothing."""
    lines = [f"quarantined {reason}" for reason in result.quarantine_reasons[:SHOWN_REASONS]]
    more = result.quarantined - len(lines)
    if more > 0:
        lines.append(
            f"... and {more} more quarantined (`warning quarantine` lists them by kind, with their reasons)"
        )
    lines += result.without_patents
    return lines
