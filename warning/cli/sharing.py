"""sharing commands: ``warning subscriptions add|list|disable``, ``warning audit``, ``warning risks
share``, ``warning labels``. Each acts as ``--as LOGIN`` (default: the programme's admin)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from warning.cli.group import cli, get_app, get_scope
from warning.cli.risks import risks
from warning.cli.sources import DateParam
from warning.errors import AccessDenied, NotFound
from warning.orgs.audit_export import export_audit
from warning.orgs.cases import share_case_as
from warning.orgs.subscribing import add_subscription_as, disable_subscription_as, visible_subscriptions
from warning.store import audit
from warning.store.db import transaction
from warning.store.matches import share_labels
from warning.store.scope import can_see_watchlist, visible_labels
from warning.store.subscriptions import MODES, PERIODS


@cli.group()
def subscriptions() -> None:
    """Subscriptions (订阅): which watchlists, countries, minimum score, mode and channels an
    organisation receives. ``[[subscribers]]`` in the config file are subscriptions too.

    \b
    Examples:
      warning subscriptions add acme-weekly --org acme-motor --watchlist motorcycles \\
          --mode weekly --channel email=ip@acme.example
      warning subscriptions list
      warning subscriptions disable acme-weekly
    """


def _channels(pairs: tuple[str, ...]) -> dict:
    """``KEY=VALUE`` options as a ``[[subscribers]]`` table writes them (lists, flags, one path)."""
    # Deferred for start-up time: the channels import requests, slack-sdk and smtplib.
    from warning.delivery.channels import address_keys

    keys, table = address_keys(), {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in keys:
            raise click.BadParameter(f"{pair!r}: expected KEY=VALUE with KEY one of {', '.join(keys)}")
        kind = keys[key].type
        if kind is bool:
            table[key] = value.strip().lower() in ("1", "true", "yes", "on")
        elif kind is str:
            table[key] = value
        else:
            table.setdefault(key, []).append(value)
    return table


@subscriptions.command("add")
@click.argument("name")
@click.option("--org", "org_id", required=True, metavar="ORG", help="The organisation that receives it.")
@click.option("--user", "login", metavar="LOGIN", help="One person of that organisation it is for.")
@click.option(
    "--watchlist", "watchlists", multiple=True, metavar="NAME", help="Repeat; none: every one it sees."
)
@click.option("--country", "countries", multiple=True, metavar="CC", help="Repeat; none: every country.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--mode", type=click.Choice(MODES), default="immediate", show_default=True)
@click.option("--digest-period", type=click.Choice(PERIODS), default="week", show_default=True)
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--batch", is_flag=True, help="E-mail: several alerts in one message.")
@click.option("--channel", "channel_pairs", multiple=True, metavar="KEY=VALUE", help="email=..., file=...")
@click.pass_context
def subscriptions_add(ctx, name, org_id, login, watchlists, countries, channel_pairs, **options) -> None:
    """Add or change a subscription (添加订阅); admins of the organisation or of the programme.

    Channels take the keys of a [[subscribers]] table: email=ADDRESS, slack=#CHANNEL,
    webhook=URL, dingtalk_env=VARIABLE (the robot URL stays in the environment), file=PATH,
    console=true. A watchlist the organisation may not see is refused.

    \b
    Examples:
      warning subscriptions add acme-weekly --org acme-motor --watchlist motorcycles \\
          --country EP --country US --min-score 0.6 --mode weekly --channel email=ip@acme.example
      warning subscriptions add assoc-digest --org lighting-assoc --digest-period month \\
          --channel dingtalk_env=DINGTALK_ASSOC_URL
    """
    app = get_app(ctx)
    table = {
        **options,
        "watchlists": list(watchlists),
        "countries": list(countries),
        **_channels(channel_pairs),
    }
    add_subscription_as(app.db, get_scope(ctx), name, org_id, table, login=login)
    click.echo(f"subscription {name} of {org_id} saved")


@subscriptions.command("list")
@click.option("--org", "org_id", metavar="ORG", help="Only this organisation's.")
@click.option("--all", "include_disabled", is_flag=True, help="Also those switched off.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def subscriptions_list(ctx, org_id, include_disabled, as_json) -> None:
    """List subscriptions (订阅列表): the programme sees all, others their organisation's.

    \b
    Examples:
      warning subscriptions list
      warning subscriptions list --org acme-motor --all --json
    """
    app = get_app(ctx)
    found = visible_subscriptions(app.db, get_scope(ctx), org_id, include_disabled=include_disabled)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for s in found:
        state = "off" if s["disabled_at"] else s["mode"]
        lists = ", ".join(s["watchlists"]) or "every watchlist"
        click.echo(
            f"{s['name']:<24} {s['org_id']:<20} {s['origin']:<6} {state:<9} {lists}; {', '.join(s['channels'])}"
        )
    if not found:
        click.echo("no subscriptions")


@subscriptions.command("disable")
@click.argument("name")
@click.pass_context
def subscriptions_disable(ctx, name) -> None:
    """Switch a subscription off (停用订阅); its past alerts stay.

    \b
    Example:
      warning subscriptions disable acme-weekly
    """
    app = get_app(ctx)
    done = disable_subscription_as(app.db, get_scope(ctx), name)
    click.echo(f"subscription {name} " + ("switched off" if done else "was off already"))


@cli.command("audit")
@click.option("--object", "obj", metavar="KIND:ID", help="Only entries on this object (case:3, user:li.lei).")
@click.option(
    "--action", metavar="ACTION", help="Only this action (label, case.open, subscription.save ...)."
)
@click.option("--since", type=DateParam(), help="Only entries at or after DATE (YYYY-MM-DD).")
@click.option("--export", "export_path", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.csv")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def audit_command(ctx, obj, action, since, export_path, as_json) -> None:
    """The audit trail (审计记录): who labelled, opened, changed, shared or closed what, and who
    changed a subscription or a person. Append-only; each reader sees their organisation's.

    \b
    Examples:
      warning audit
      warning audit --object case:3
      warning audit --since 2026-11-01 --export audit.csv
    """
    app = get_app(ctx)
    kind, _, object_id = (obj or "").partition(":")
    since_text = since.isoformat() if since else None
    filters = {
        "object_kind": kind or None,
        "object_id": object_id or None,
        "action": action,
        "since": since_text,
    }
    scope = get_scope(ctx)
    if export_path:
        if export_path.suffix.lower() != ".csv":
            raise click.BadParameter(
                f"{export_path.name}: the audit trail is written as CSV: use .csv", param_hint="--export"
            )
        n = export_audit(app.db, scope, export_path, **filters)
        click.echo(f"{n} audit entr{'y' if n == 1 else 'ies'} written to {export_path}")
        return
    entries = audit.history(app.db, scope, **filters)
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    for e in entries:
        who = e["login"] or e["org_id"] or "programme"
        detail = json.dumps(e["detail"], ensure_ascii=False, sort_keys=True)
        click.echo(f"{e['at']}  {who:<16} {e['action']:<22} {e['object_kind']}:{e['object_id']}  {detail}")
    if not entries:
        click.echo("no audit entries")


@risks.command("share")
@click.argument("case_id", type=int, metavar="CASE")
@click.argument("org_id", metavar="ORG")
@click.pass_context
def risks_share(ctx, case_id, org_id) -> None:
    """Share a risk case with an association (共享案件): its digest and risk lists then show it.

    The enterprise concerned shares with the associations it is a member of; the programme with
    any association.

    \b
    Example:
      warning --as li.lei risks share 3 lighting-assoc
    """
    app = get_app(ctx)
    added = share_case_as(app.db, get_scope(ctx), case_id, org_id)
    click.echo(f"case {case_id} " + ("shared with " if added else "was already shared with ") + org_id)


@cli.command("labels")
@click.option("--watchlist", metavar="NAME", help="Only this watchlist's labels.")
@click.option("--share", "share", metavar="WATCHLIST", help="Share your organisation's labels of WATCHLIST.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def labels_command(ctx, watchlist, share, as_json) -> None:
    """List the labels you may see (标注), or share your organisation's labels of a watchlist.

    An organisation's labels are its own until it shares them; then everyone who sees the
    watchlist sees them and its shared model learns from them.

    \b
    Examples:
      warning labels --watchlist led-lighting
      warning --as li.lei labels --share led-lighting
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    if share:
        if scope.is_programme or not scope.can_review:
            raise AccessDenied("sharing labels is for an organisation's reviewers and admins")
        if not can_see_watchlist(app.db, scope, share):
            raise NotFound(f"no watchlist {share!r}")
        with transaction(app.db):
            n = share_labels(app.db, scope.org_id or "", share)
            audit.record(app.db, scope, "labels.share", "watchlist", share, labels=n)
        click.echo(f"{n} label(s) of {share} shared")
        return
    found = visible_labels(app.db, scope, watchlist)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    for r in found:
        judged = "relevant" if r["label"] else "irrelevant"
        click.echo(
            f"{r['publication_id']:<22} {r['watchlist']:<18} {judged:<10} {r['org_id'] or 'programme':<18} {r['who']}"
        )
    if not found:
        click.echo("no labels")
