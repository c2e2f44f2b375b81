"""people commands: ``warning orgs add|list|show|members``, ``warning users add|list|disable|passwd``,
``warning tokens create|list|revoke``. Each acts as ``--as LOGIN`` (default: the programme's admin)."""

from __future__ import annotations

import json
import sys

import click

from warning.cli.group import cli, get_app, get_scope
from warning.orgs import manage
from warning.orgs.subscribing import visible_subscriptions
from warning.store import orgs as org_store
from warning.store.scope import KINDS, ROLES, visible_watchlists
from warning.store.watchlists import watchlist_owner


def _echo_json(value) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@cli.group()
def orgs() -> None:
    """Organisations (组织): enterprises, industry associations and the escort programme.

    An enterprise's own watchlists, labels and risk cases are seen by it and the programme only;
    an association sees the cases its member enterprises share with it; the programme sees all.

    \b
    Examples:
      warning orgs add acme-motor --name "Acme Motor" --name-zh 爱克摩托 --kind enterprise
      warning orgs add lighting-assoc --name "Lighting association" --kind association
      warning orgs members lighting-assoc --add acme-motor
      warning orgs list
    """


@orgs.command("add")
@click.argument("org_id", metavar="ID")
@click.option("--name", required=True, help="The organisation's name.")
@click.option("--name-zh", default="", help="Its Chinese name (中文名称).")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.pass_context
def orgs_add(ctx: click.Context, org_id: str, name: str, name_zh: str, kind: str) -> None:
    """Add an organisation (添加组织); ID is a short slug people type. Programme admins only.

    \b
    Example:
      warning orgs add acme-motor --name "Acme Motor" --name-zh 爱克摩托 --kind enterprise
    """
    app = get_app(ctx)
    manage.add_org_as(app.db, get_scope(ctx), org_id, name, kind, name_zh)
    click.echo(f"added {kind} {org_id} ({name})")


@orgs.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="Only organisations of this kind.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def orgs_list(ctx: click.Context, kind: str | None, as_json: bool) -> None:
    """List the organisations you may see (组织列表), with their number of people.

    \b
    Examples:
      warning orgs list
      warning orgs list --kind association --json
    """
    app = get_app(ctx)
    found = manage.visible_orgs(app.db, get_scope(ctx), kind)
    if as_json:
        _echo_json(found)
        return
    for org in found:
        click.echo(
            f"{org['id']:<24} {org['kind']:<12} {org['people']:>3} people  {org['name']} {org['name_zh']}"
        )
    if not found:
        click.echo("no organisations")


@orgs.command("show")
@click.argument("org_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def orgs_show(ctx: click.Context, org_id: str, as_json: bool) -> None:
    """Show one organisation (组织详情): people, members, subscriptions, own watchlists.

    \b
    Example:
      warning orgs show lighting-assoc
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    org = manage.require_visible_org(app.db, scope, org_id)
    inside = scope.is_programme or scope.org_id == org_id  # a member or an association: the name only
    info = {
        **org,
        "members": org_store.members(app.db, org_id) if inside else [],
        "associations": org_store.associations_of(app.db, org_id),
        "people": [u["login"] for u in manage.visible_users(app.db, scope, org_id)] if inside else [],
        "subscriptions": [s["name"] for s in visible_subscriptions(app.db, scope, org_id)] if inside else [],
        "own_watchlists": [
            w for w in visible_watchlists(app.db, scope) if watchlist_owner(app.db, w) == org_id
        ],
    }
    if as_json:
        _echo_json(info)
        return
    click.echo(f"{org['id']}: {org['name']} {org['name_zh']} ({org['kind']})")
    for key in ("members", "associations", "people", "subscriptions", "own_watchlists"):
        click.echo(f"  {key.replace('_', ' ')}: {', '.join(info[key]) or '-'}")


@orgs.command("members")
@click.argument("association")
@click.option("--add", "added", multiple=True, metavar="ENTERPRISE", help="Make this enterprise a member.")
@click.option("--remove", "removed", multiple=True, metavar="ENTERPRISE", help="End this membership.")
@click.pass_context
def orgs_members(
    ctx: click.Context, association: str, added: tuple[str, ...], removed: tuple[str, ...]
) -> None:
    """List an association's member enterprises (会员企业), or change them (programme admins).

    A member enterprise may share its risk cases with the association.

    \b
    Examples:
      warning orgs members lighting-assoc
      warning orgs members lighting-assoc --add acme-motor --remove old-member
    """
    app = get_app(ctx)
    scope = get_scope(ctx)
    manage.require_visible_org(app.db, scope, association)
    for enterprise in added:
        manage.set_member_as(app.db, scope, association, enterprise, True)
    for enterprise in removed:
        manage.set_member_as(app.db, scope, association, enterprise, False)
    click.echo(f"{association}: {', '.join(org_store.members(app.db, association)) or 'no members'}")


@cli.group()
def users() -> None:
    """People (人员) and their roles: viewer, reviewer (labels, works on cases), admin.

    \b
    Examples:
      warning users add li.lei --org acme-motor --role reviewer --email li.lei@acme.example
      warning users passwd li.lei
      warning users list --org acme-motor
      warning users disable li.lei        # and revokes every token of theirs
    """


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("login")
@click.option("--org", "org_id", required=True, metavar="ORG", help="The person's organisation.")
@click.option("--role", type=click.Choice(ROLES), default="viewer", show_default=True)
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--email", default="", help="E-mail address.")
@click.option("--language", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--password", "ask_password", is_flag=True, help="Ask for a password (else: none yet).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.pass_context
def users_add(ctx, login, org_id, role, display_name, email, language, ask_password, password_stdin) -> None:
    """Add a person to an organisation (添加人员); admins of it or of the programme.

    The password is stored only as an argon2id hash; without one the person signs in with a
    token (`warning tokens create`) until `warning users passwd` sets it.

    \b
    Examples:
      warning users add li.lei --org acme-motor --role reviewer --password
      echo "$PASSWORD" | warning users add ops --org escort --role admin --password-stdin
    """
    app = get_app(ctx)
    password = _read_password(password_stdin) if (ask_password or password_stdin) else None
    fields = {"display_name": display_name, "email": email, "language": language, "password": password}
    manage.add_user_as(app.db, get_scope(ctx), login, org_id, role, **fields)
    click.echo(f"added {login} to {org_id} as {role}")


@users.command("list")
@click.option("--org", "org_id", metavar="ORG", help="Only this organisation's people.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def users_list(ctx: click.Context, org_id: str | None, as_json: bool) -> None:
    """List people (人员列表): the programme sees everyone, others their own organisation.

    \b
    Examples:
      warning users list
      warning users list --org acme-motor --json
    """
    app = get_app(ctx)
    found = manage.visible_users(app.db, get_scope(ctx), org_id)
    if as_json:
        _echo_json(found)
        return
    for u in found:
        state = f"disabled {u['disabled_at']}" if u["disabled_at"] else "active"
        click.echo(
            f"{u['login']:<20} {u['org_id']:<20} {u['role']:<9} {u['language']}  {state}  {u['display_name']}"
        )
    if not found:
        click.echo("no people")


@users.command("disable")
@click.argument("login")
@click.pass_context
def users_disable(ctx: click.Context, login: str) -> None:
    """Disable a person (停用): they can no longer sign in, and every token of theirs is revoked.

    \b
    Example:
      warning users disable li.lei
    """
    app = get_app(ctx)
    revoked = manage.disable_user_as(app.db, get_scope(ctx), login)
    click.echo(f"disabled {login}; {revoked} token(s) revoked")


@users.command("passwd")
@click.argument("login")
@click.option("--password-stdin", is_flag=True, help="Read the new password from the first line of stdin.")
@click.pass_context
def users_passwd(ctx: click.Context, login: str, password_stdin: bool) -> None:
    """Set a person's password (修改密码): one's own, or as an admin of their organisation.

    \b
    Examples:
      warning users passwd li.lei
      echo "$NEW_PASSWORD" | warning --as li.lei users passwd li.lei --password-stdin
    """
    app = get_app(ctx)
    manage.set_password_as(app.db, get_scope(ctx), login, _read_password(password_stdin))
    click.echo(f"password of {login} changed")


@cli.group()
def tokens() -> None:
    """API tokens (访问令牌) for the JSON API: shown once when created, stored only hashed.

    \b
    Examples:
      warning tokens create li.lei --name ci
      warning tokens list
      warning tokens revoke 3
    """


@tokens.command("create")
@click.argument("login")
@click.option("--name", required=True, help="What the token is for (ci, laptop ...).")
@click.pass_context
def tokens_create(ctx: click.Context, login: str, name: str) -> None:
    """Create a token for LOGIN and print it once: it cannot be shown again.

    \b
    Example:
      warning tokens create li.lei --name ci
    """
    app = get_app(ctx)
    token = manage.create_token_as(app.db, get_scope(ctx), login, name)
    click.echo(token)
    click.echo("shown once; store it now (只显示一次)", err=True)


@tokens.command("list")
@click.option("--login", metavar="LOGIN", help="Only this person's tokens.")
@click.pass_context
def tokens_list(ctx: click.Context, login: str | None) -> None:
    """List tokens (never the tokens themselves: their first characters, use and revocation).

    \b
    Example:
      warning tokens list --login li.lei
    """
    app = get_app(ctx)
    found = manage.visible_tokens(app.db, get_scope(ctx), login)
    for t in found:
        state = (
            f"revoked {t['revoked_at']}" if t["revoked_at"] else f"last used {t['last_used_at'] or 'never'}"
        )
        click.echo(f"{t['id']:>4}  {t['login']:<20} {t['name']:<16} {t['prefix']}...  {state}")
    if not found:
        click.echo("no tokens")


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.pass_context
def tokens_revoke(ctx: click.Context, token_id: int) -> None:
    """Revoke a token by its id (from `warning tokens list`).

    \b
    Example:
      warning tokens revoke 3
    """
    app = get_app(ctx)
    done = manage.revoke_token_as(app.db, get_scope(ctx), token_id)
    click.echo(f"token {token_id} " + ("revoked" if done else "was revoked already"))
