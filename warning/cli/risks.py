"""risks commands: ``warning risks open|list|show|update|close|export|legal|remind|auto-open``."""

from __future__ import annotations

import getpass
import io
import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from warning.cli.group import cli, get_app, get_scope, require_programme
from warning.cli.risks_view import print_case
from warning.errors import NotFound, WarningError
from warning.orgs.cases import case_or_not_found, close_case_as, open_case_as, update_case_as
from warning.risks import (
    ACTIONS,
    SEVERITIES,
    STATUSES,
    auto_open_cases,
    queue_reminders,
    refresh_legal_status,
)
from warning.risks.cases import check_names
from warning.risks.export import case_json, export_cases, write_csv
from warning.store import audit
from warning.store import legal_events as legal_store
from warning.store import risks as store
from warning.store.scope import can_see_watchlist


def _who(value: str | None, ctx: click.Context | None = None) -> str:
    """Who a history entry names: --who, else the person --as names, else $WARNING_USER or the login."""
    as_login = ctx.find_root().obj.get("as_login") if ctx is not None else None
    if value or as_login:
        return value or as_login
    try:
        return os.environ.get("WARNING_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _today(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return datetime.strptime(value.replace("-", ""), "%Y%m%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (use YYYY-MM-DD)", param_hint="--today") from None


_WHO = click.option(
    "--who", metavar="NAME", help="Who makes the change (default: $WARNING_USER, else login)."
)


@cli.group()
def risks() -> None:
    """Risk cases of the overseas escort programme (风险案件): owner, deadlines, legal status.

    A case tracks one threatening publication for the affected enterprises until it is resolved
    by design-around, licence, opposition, invalidation or monitoring. Deadlines (EP opposition,
    US post-grant review, JP opposition ...) are computed from the publication and its legal
    events; reminders go to the owner through the alert outbox.

    \b
    Examples:
      warning risks open EP-3456789-B1 --enterprise "Acme Motor 爱克摩托" --watchlist motorcycles
      warning risks list --status new --due-within 60
      warning risks update 3 --status action --action opposition --note "counsel instructed"
      warning risks close 3 --outcome "EP opposition filed, patent revoked"
      warning risks export --out risks.csv
    """


@risks.command("open")
@click.argument("publication")
@click.option(
    "--enterprise",
    "enterprises",
    multiple=True,
    required=True,
    metavar="NAME",
    help="Affected enterprise (free text; repeat for several).",
)
@click.option("--watchlist", metavar="NAME", help="Product line (watchlist name) the risk concerns.")
@click.option(
    "--owner", default="", metavar="SUBSCRIBER", help="Who handles it; reminders go to this subscriber."
)
@click.option("--severity", type=click.Choice(SEVERITIES), default="medium", show_default=True)
@click.option("--reason", default="", help="Why this severity (kept with the case).")
@click.option(
    "--org", metavar="ORG", help="The enterprise the case concerns (programme; default: from owner or names)."
)
@_WHO
@click.pass_context
def open_command(ctx, publication, enterprises, watchlist, owner, severity, reason, org, who) -> None:
    """Open a risk case on a stored publication (立案); prints the case and its deadlines.

    PUBLICATION is an id in any office spelling (EP-3456789-B1, EP3456789B1, US 2024/0123456 A1).
    No match is needed. If an open case on the same publication and product line exists, the
    enterprise joins it instead.

    \b
    Example:
      warning risks open EP3456789B1 --enterprise "Acme Motor" --owner acme-motor \\
          --severity high --reason "claims cover our 2025 scooter frame"
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    check_names(app.effective_config, watchlist=watchlist, owner=owner)
    if watchlist and not can_see_watchlist(app.db, scope, watchlist):
        raise NotFound(f"no watchlist {watchlist!r}")
    case_id = open_case_as(
        app.db,
        scope,
        publication,
        list(enterprises),
        org=org,
        subscribers=app.subscribers,
        watchlist=watchlist,
        owner=owner,
        severity=severity,
        reason=reason,
        who=_who(who, ctx),
    )
    case = store.get_case(app.db, case_id)
    click.echo(
        f"case {case_id}: {case['publication_id']} ({', '.join(case['enterprises'])}) status {case['status']}"
    )
    for d in store.case_deadlines(app.db, case_id):
        click.echo(f"  deadline {d['kind']} {d['date']}  ({d['basis']})")


@risks.command("list")
@click.option("--enterprise", metavar="NAME", help="Only cases affecting this enterprise.")
@click.option("--status", type=click.Choice(STATUSES), help="Only cases in this status.")
@click.option("--country", metavar="CC", help="Only cases on publications of this country (EP, US ...).")
@click.option(
    "--due-within",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Only cases with a deadline from today to DAYS days ahead.",
)
@click.option("--today", metavar="DATE", help="Count from this date instead of today.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of cases with their deadlines.")
@click.pass_context
def list_command(ctx, enterprise, status, country, due_within, today, as_json) -> None:
    """List risk cases (案件列表), filtered by enterprise, status, country and deadline window.

    --json prints [{"id", "publication", "status", "severity", "deadlines": [{"kind", "date"}], ...}].

    \b
    Examples:
      warning risks list
      warning risks list --enterprise "Acme Motor" --status assessing
      warning risks list --country EP --due-within 30 --json
    """
    app = get_app(ctx)
    day = _today(today)
    window = (
        (day.isoformat(), (day + timedelta(days=due_within)).isoformat())
        if due_within is not None
        else (None, None)
    )
    cases = store.list_cases(
        app.db,
        enterprise=enterprise,
        status=status,
        country=country,
        due_from=window[0],
        due_to=window[1],
        scope=get_scope(ctx),
    )
    deadlines = store.deadlines_by_case(app.db, [c["id"] for c in cases])
    if as_json:
        click.echo(
            json.dumps(
                [case_json(c, deadlines.get(c["id"], [])) for c in cases], ensure_ascii=False, indent=2
            )
        )
        return
    if not cases:
        click.echo("no risk cases")
        return
    for c in cases:
        mine = deadlines.get(c["id"], [])
        upcoming = [d for d in mine if d["date"] >= day.isoformat()]
        if upcoming:
            nxt = f"next {upcoming[0]['kind']} {upcoming[0]['date']}"
        else:
            nxt = f"passed {mine[-1]['kind']} {mine[-1]['date']}" if mine else "no deadline"
        click.echo(
            f"{c['id']:>4}  {c['publication_id']:<22} {c['status']:<9} {c['severity']:<6} "
            f"{'; '.join(c['enterprises'])}  [{nxt}]"
        )


@risks.command("show")
@click.argument("case_id", type=int)
@click.option(
    "--json", "as_json", is_flag=True, help="Print the case, deadlines, family, events and history."
)
@click.pass_context
def show_command(ctx, case_id, as_json) -> None:
    """Show one case (案件详情): fields, deadlines, family, legal events and history.

    \b
    Examples:
      warning risks show 3
      warning risks show 3 --json
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    case = case_or_not_found(app.db, scope, case_id)
    deadlines = store.case_deadlines(app.db, case_id)
    family = legal_store.case_family(app.db, case_id)
    ids = legal_store.legal_event_ids_for_number(app.db, *case["publication_id"].split("-")[:2])
    events = legal_store.legal_events_for(app.db, ids)
    history = store.case_history(app.db, case_id)
    if as_json:
        info = {
            **case_json(case, deadlines),
            "titles": case["titles"],
            "family": family,
            "legal_events": [e.__dict__ for e in events],
            "history": history,
            "audit": audit.history(app.db, scope, object_kind="case", object_id=case_id),
        }
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    print_case(
        case,
        deadlines,
        family,
        events,
        history,
        audit.history(app.db, scope, object_kind="case", object_id=case_id),
    )


@risks.command("update")
@click.argument("case_id", type=int)
@click.option(
    "--status", type=click.Choice(STATUSES), help="new, assessing, action or closed (closed needs --outcome)."
)
@click.option("--action", type=click.Choice(ACTIONS), help="The response chosen.")
@click.option("--owner", metavar="SUBSCRIBER", help="New owner (reminders go to this subscriber).")
@click.option("--severity", type=click.Choice(SEVERITIES))
@click.option("--reason", help="Why this severity.")
@click.option("--outcome", help="What came of it.")
@click.option("--note", default="", help="A note for the history.")
@_WHO
@click.pass_context
def update_command(ctx, case_id, status, action, owner, severity, reason, outcome, note, who) -> None:
    """Change a case (更新案件); every change and note is kept in its history with who and when.

    \b
    Examples:
      warning risks update 3 --status assessing --owner acme-motor
      warning risks update 3 --action design-around --note "new frame geometry avoids claim 1"
    """
    app = get_app(ctx)
    check_names(app.effective_config, owner=owner)
    made = update_case_as(
        app.db,
        get_scope(ctx),
        case_id,
        who=_who(who, ctx),
        note=note,
        status=status,
        action=action,
        owner=owner,
        severity=severity,
        severity_reason=reason,
        outcome=outcome,
    )
    for change in made:
        click.echo(f"case {case_id}: {change['field']} {change['old'] or '-'} -> {change['new'] or '-'}")
    if not made and not note:
        click.echo(f"case {case_id}: nothing changed")
    elif note:
        click.echo(f"case {case_id}: note added")


@risks.command("close")
@click.argument("case_id", type=int)
@click.option("--outcome", required=True, help="How the risk was resolved.")
@click.option("--note", default="", help="A note for the history.")
@_WHO
@click.pass_context
def close_command(ctx, case_id, outcome, note, who) -> None:
    """Close a case with its outcome (结案); its pending reminders are cancelled.

    \b
    Example:
      warning risks close 3 --outcome "licence signed 2026-05; royalty 2%"
    """
    app = get_app(ctx)
    close_case_as(app.db, get_scope(ctx), case_id, outcome, who=_who(who, ctx), note=note)
    click.echo(f"case {case_id}: closed")


@risks.command("export")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, writable=True),
    metavar="FILE.csv|FILE.xlsx",
    help="Write to this file, as its extension says (default: CSV on standard output).",
)
@click.option(
    "--labels",
    type=click.Choice(["both", "en", "zh"]),
    default="both",
    show_default=True,
    help="Column titles in English, Chinese or both.",
)
@click.option("--status", type=click.Choice(STATUSES), help="Only cases in this status.")
@click.pass_context
def export_command(ctx, out_path, labels, status) -> None:
    """Export the cases for a spreadsheet (导出): .xlsx, or CSV in UTF-8 with BOM (Excel shows Chinese).

    \b
    Examples:
      warning risks export --out risks.xlsx
      warning risks export --out risks.csv
      warning risks export --labels zh --status action > open-actions.csv
    """
    app = get_app(ctx)
    cases = store.list_cases(app.db, status=status, scope=get_scope(ctx))
    today = date.today().isoformat()
    if out_path:
        try:
            n = export_cases(app.db, cases, Path(out_path), today, labels)
        except WarningError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"{n} case(s) written to {out_path}", err=True)
        return
    buffer = io.StringIO()
    buffer.write("\ufeff")
    write_csv(app.db, cases, buffer, today, labels)
    click.echo(buffer.getvalue(), nl=False)


@risks.command("legal")
@click.pass_context
def legal_command(ctx) -> None:
    """Refresh open cases' legal status from OPS (INPADOC) and notify owners of changes.

    Uses the epo_ops source named by [risks] legal_source.

    \b
    Example:
      warning risks legal
    """
    app = get_app(ctx)
    require_programme(ctx, "refreshing legal status")
    click.echo(json.dumps(refresh_legal_status(app)))


@risks.command("remind")
@click.option("--today", metavar="DATE", help="Pretend today is DATE (YYYY-MM-DD).")
@click.pass_context
def remind_command(ctx, today) -> None:
    """Queue deadline reminders for case owners ([risks] reminder_days before each deadline).

    Run `warning alerts` to send them. Running it twice queues nothing twice.

    \b
    Example:
      warning risks remind && warning alerts
    """
    app = get_app(ctx)
    require_programme(ctx, "queueing reminders")
    click.echo(json.dumps(queue_reminders(app, _today(today))))


@risks.command("auto-open")
@click.pass_context
def auto_open_command(ctx) -> None:
    """Open cases from matches by the [[risks.auto_open]] rules (score, competitor, country).

    \b
    Example:
      warning classify && warning risks auto-open
    """
    app = get_app(ctx)
    require_programme(ctx, "opening cases by rule")
    click.echo(json.dumps(auto_open_cases(app)))
