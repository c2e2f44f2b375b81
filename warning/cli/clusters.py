"""clusters commands: ``warning clusters list|show|backfill|track|report|search|export``."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from warning.cli.group import cli, get_app, get_scope, require_programme
from warning.clusters.definitions import Cluster
from warning.clusters.visibility import visible_cluster, visible_clusters
from warning.store import clusters as store


def _out_option(says: str):
    """The ``--out FILE`` option of report and export (its suffix chooses the format)."""
    return click.option(
        "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path), help=says
    )


@cli.group()
def clusters() -> None:
    """Industry clusters (产业集群): thematic patent databases and the competitors tracked in them.

    A cluster (one TOML file in ``clusters/``) names its watchlists, target countries, competitors
    and a history window; its database is what its backfill brought plus its watchlists' matches
    in its countries.

    \b
    Examples:
      warning clusters list
      warning clusters backfill motorcycles --dry-run
      warning clusters report motorcycles --out motorcycles.html
    """


@clusters.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def list_clusters(ctx: click.Context, as_json: bool) -> None:
    """The configured clusters with their markets, competitors and database size.

    \b
    Example:
      warning clusters list --json
    """
    app = get_app(ctx)
    rows = [_summary(app, c) for c in visible_clusters(app.db, get_scope(ctx), app.config)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo(f"no clusters in {app.config.clusters_dir}")
    for r in rows:
        click.echo(
            f"{r['name']:<20} {r['title']:<28} {','.join(r['countries']):<24} "
            f"competitors {len(r['competitors']):>2}  publications {r['publications']:>6}"
        )


def _seen(ctx: click.Context, name: str) -> Cluster:
    """Cluster ``name`` if the invocation's scope (``--as``) sees it; NotFound otherwise."""
    app = get_app(ctx)
    return visible_cluster(app.db, get_scope(ctx), app.config, name)


def _summary(app, cluster: Cluster) -> dict:
    ids = store.cluster_publication_ids(
        app.db, cluster.name, list(cluster.watchlists), list(cluster.countries)
    )
    return {
        "name": cluster.name,
        "title": cluster.label("zh"),
        "owner": cluster.owner,
        "countries": list(cluster.countries),
        "watchlists": list(cluster.watchlists),
        "competitors": [c.name for c in cluster.competitors],
        "years": cluster.years,
        "publications": len(ids),
        "filings_tracked": len(store.filings(app.db, cluster.name)),
        **store.window_counts(app.db, cluster.name),
    }


@clusters.command()
@click.argument("name")
@click.pass_context
def show(ctx: click.Context, name: str) -> None:
    """One cluster: its definition, its backfill's progress and its tracked filings.

    \b
    Example:
      warning clusters show motorcycles
    """
    app = get_app(ctx)
    cluster = _seen(ctx, name)
    info = _summary(app, cluster)
    click.echo(f"{cluster.name}: {cluster.label('zh')} / {cluster.label('en')}")
    for key in (
        "owner",
        "countries",
        "watchlists",
        "competitors",
        "years",
        "publications",
        "filings_tracked",
    ):
        value = info[key]
        click.echo(f"  {key}: {', '.join(value) if isinstance(value, list) else value}")
    windows = {k: v for k, v in info.items() if k.startswith("windows_") or k == "hits_done"}
    click.echo("  backfill: " + (", ".join(f"{k} {v}" for k, v in windows.items()) or "not started"))


@clusters.command("backfill")
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Only estimate the requests and bytes it would take.")
@click.option("--today", metavar="DATE", help="End of the history window (default: today).")
@click.pass_context
def backfill_command(ctx: click.Context, name: str, dry_run: bool, today: str | None) -> None:
    """Fill a cluster's history through EPO OPS (历史数据回填).

    Searches the cluster's classes, keywords and competitors in each target country over its
    history window, splitting windows OPS answers with more than 2,000 hits, within the cluster's
    share of the weekly quota (``max_quota_share``). Resumable: a re-run after a crash or a paused
    run goes on where it stopped. Backfilled publications are classified but raise no alerts.
    Exits 1 when a request failed; a paused run (quota used up) exits 0 and says so.

    \b
    Examples:
      warning clusters backfill motorcycles --dry-run
      warning clusters backfill motorcycles
    """
    # Deferred for start-up time: the OPS client (requests, lxml) loads only for a backfill.
    from warning.clusters.backfill import backfill

    require_programme(ctx, "a backfill")
    app = get_app(ctx)
    end = date.fromisoformat(today) if today else None
    if dry_run:
        result = backfill(app, name, dry_run=True, today=end)
        _echo_estimate(result)
        return
    with _progress_bar(name) as bar:
        result = backfill(app, name, progress=bar, today=end)
    _echo_result(result)
    if result["status"] == "failed":
        ctx.exit(1)


def _echo_estimate(result: dict) -> None:
    est = result["estimate"]
    click.echo(
        f"cluster {result['cluster']}: {result['windows']} window(s) over {result['window'][0]}..{result['window'][1]}"
    )
    click.echo(f"  hits to fetch: {est['hits']:,}")
    click.echo(
        f"  estimated requests: {est['requests']:,}, bytes: {est['bytes']:,} ({est['bytes'] / 1024 / 1024:.1f} MB)"
    )
    click.echo(f"  quota left for this cluster this week: {result['quota_left_bytes'] / 1024 / 1024:.1f} MB")
    click.echo(f"  this estimate used {est['probe_requests']} request(s), {est['probe_bytes']:,} bytes")
    if result["status"] != "ok":
        click.echo(f"  stopped early: {result['error']}")


def _echo_result(result: dict) -> None:
    plugin = result.get("plugin") or {}
    click.echo(
        f"cluster {result['cluster']}: {result['status']}; inserted {result['inserted']}, merged {result['merged']}, "
        f"unchanged {result['unchanged']}, quarantined {result['quarantined']}; windows done "
        f"{result.get('windows_done', 0)}, pending {result.get('windows_pending', 0)}, split {result['splits']}; "
        f"{plugin.get('requests', 0)} requests, {plugin.get('bytes', 0):,} bytes"
    )
    if result["error"]:
        click.echo(f"  {result['error']}")


class _progress_bar:
    """A tqdm bar on stderr whose total grows as windows report their hits."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __enter__(self):
        from tqdm import tqdm  # deferred: only a backfill draws a bar

        self.bar = tqdm(total=0, unit="pub", desc=f"backfill {self.name}", leave=True)
        return self

    def __call__(self, stored: int, announced: int) -> None:
        if announced:
            self.bar.total += announced
            self.bar.refresh()
        self.bar.update(stored)

    def __exit__(self, *exc) -> None:
        self.bar.close()


@clusters.command()
@click.argument("name", required=False)
@click.pass_context
def track(ctx: click.Context, name: str | None) -> None:
    """Refresh the legal status of the competitors' filings (竞争对手专利法律状态跟踪).

    For each cluster (or NAME only), every competitor filing in the target countries gets its
    current status (pending, granted, opposed, lapsed, withdrawn, revoked) from its INPADOC legal
    events, longest unchecked first, within the cluster's quota share. A status that changed
    queues one alert to the cluster's subscribers and a history entry on any risk case of it.
    The scheduler runs the same as the ``clusters`` job (weekly by default).

    \b
    Examples:
      warning clusters track motorcycles
      warning clusters track && warning alerts
    """
    # Deferred for start-up time: the OPS client (requests, lxml) loads only for tracking.
    from warning.clusters.competitors import track_competitors

    require_programme(ctx, "tracking competitors")
    app = get_app(ctx)
    result = track_competitors(app, name)
    for cluster, r in result["clusters"].items():
        click.echo(
            f"cluster {cluster}: {r['status']}; {r['filings']} filings, {r['checked']} checked, "
            f"{r['changed']} changed, {r['queued']} alerts queued, {r['failed']} failed"
        )
        if r["error"]:
            click.echo(f"  {r['error']}")
    if result["status"] == "failed":
        ctx.exit(1)


@clusters.command()
@click.argument("name")
@_out_option("FILE.html or FILE.xlsx.")
@click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the report."
)
@click.pass_context
def report(ctx: click.Context, name: str, out: Path, lang: str) -> None:
    """Write a cluster's patent landscape (产业集群专利态势报告) as HTML or .xlsx.

    Filings per year and country, top applicants (names normalised), technology codes, granted
    vs pending vs lapsed, new entrants, the competitors' portfolios per target market and the
    families spanning several target markets; charts inline in the HTML page, native charts in
    the workbook.

    \b
    Examples:
      warning clusters report motorcycles --out motorcycles.html
      warning clusters report motorcycles --out motorcycles.xlsx --lang en
    """
    # Deferred for start-up time: the report loads jinja2, matplotlib or openpyxl.
    from warning.clusters.report import write_report

    _seen(ctx, name)
    app = get_app(ctx)
    land = write_report(app, name, out, lang)
    click.echo(f"{out}: {len(land.filings)} filings ({land.publications} publications) of cluster {name}")


@clusters.command()
@click.argument("name")
@click.argument("query")
@click.option("--limit", default=20, show_default=True, help="Most results shown.")
@click.pass_context
def search(ctx: click.Context, name: str, query: str, limit: int) -> None:
    """Full-text search of a cluster's database (titles, abstracts, claims; SQLite FTS5 syntax).

    \b
    Examples:
      warning clusters search motorcycles "swing arm"
      warning clusters search motorcycles 'scooter AND battery' --limit 50
    """
    from warning.clusters.export import cluster_rows  # deferred with the export's csv/openpyxl

    app = get_app(ctx)
    rows = cluster_rows(app.db, _seen(ctx, name), query, limit)
    for r in rows:
        click.echo(f"{r['id']:<22} {r['publication_date']:<10} {r['title'][:70]}  [{r['applicants'][:40]}]")
    click.echo(f"{len(rows)} result(s)")


@clusters.command("export")
@click.argument("name")
@_out_option("FILE.csv or FILE.xlsx.")
@click.option("--query", default="", help="Only publications matching this full-text search.")
@click.pass_context
def export_command(ctx: click.Context, name: str, out: Path, query: str) -> None:
    """Export a cluster's database to CSV or .xlsx (cells that could run as formulas neutralised).

    \b
    Examples:
      warning clusters export motorcycles --out motorcycles.csv
      warning clusters export motorcycles --query battery --out batteries.xlsx
    """
    from warning.clusters.export import cluster_rows, write_export  # deferred with csv/openpyxl

    app = get_app(ctx)
    rows = cluster_rows(app.db, _seen(ctx, name), query)
    write_export(rows, out)
    click.echo(f"{out}: {len(rows)} publication(s) of cluster {name}")


@clusters.command()
@click.argument("name")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.pass_context
def add(ctx: click.Context, name: str, paths: tuple[Path, ...]) -> None:
    """Fill a cluster from local files (PATENTSCOPE/Lens exports, USPTO bulk XML, EP or OPS XML).

    Every format `warning ingest` reads; the publications in the cluster's target countries
    become the cluster's, and those new to the store raise no alerts (history, as a backfill).

    \b
    Examples:
      warning clusters add motorcycles exports/patentscope-motorcycles.xls
      warning clusters add batteries ipg240102.zip lens-export.csv
    """
    from warning.clusters.files import add_files  # deferred with the parsers (lxml, openpyxl)

    require_programme(ctx, "filling a cluster")
    app = get_app(ctx)
    result = add_files(app, name, list(paths))
    click.echo(
        f"cluster {name}: {result['marked']} publication(s) added to the cluster; read {result['read']}, "
        f"inserted {result['inserted']}, merged {result['merged']}, unchanged {result['unchanged']}, "
        f"quarantined {result['quarantined']}"
    )
