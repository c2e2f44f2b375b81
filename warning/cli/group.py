"""The ``warning`` command group: global options, the App of an invocation, and the one place where
library errors become a readable line and exit status 1."""

from __future__ import annotations

import sys

import click

from warning import __version__
from warning.app import App, make_app
from warning.config.secrets import redactor
from warning.errors import AccessDenied, WarningError
from warning.service.logging import setup_logging
from warning.store.scope import Scope, scope_for_login


class WarningGroup(click.Group):
    """Turns the service's own errors into one readable line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WarningError as exc:
            app = (ctx.find_root().obj or {}).get("app")
            raise click.ClickException(redactor(app.config if app else None)(str(exc))) from None
        except OSError as exc:
            # A file the person named cannot be written or read (--out into a missing folder): say
            # which and why. An OSError without a file name (a network failure) stays a bug's trace.
            if not exc.filename:
                raise
            raise click.ClickException(f"{exc.filename}: {(exc.strerror or str(exc)).lower()}") from None


@click.group(cls=WarningGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config", "config_path", metavar="PATH", help="Config file (else $WARNING_CONFIG, ./config.toml)."
)
@click.option(
    "--db", "db_path", metavar="PATH", help="SQLite database (else $WARNING_DB, config, ./warning.db)."
)
@click.option(
    "--as",
    "as_login",
    metavar="LOGIN",
    help="Act as this person, seeing only what their organisation may (default: the programme's admin).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, prog_name="warning")
@click.pass_context
def cli(
    ctx: click.Context, config_path: str | None, db_path: str | None, as_login: str | None, verbose: int
) -> None:
    """Overseas patent early warning: new filings in export markets, flagged per product line.

    \b
    Examples:
      warning demo                          # the whole pipeline offline on the bundled sample
      warning --config config.toml check-config
      warning fetch --source uspto
      warning ingest exports/*.csv
      warning classify && warning alerts
      warning status --json
      warning --as li.lei risks list         # what one person of one organisation sees
    """
    ctx.ensure_object(dict)
    ctx.obj["config_path"] = config_path
    ctx.obj["db_path"] = db_path
    ctx.obj["as_login"] = as_login
    ctx.obj["verbose"] = verbose


def get_app(ctx: click.Context) -> App:
    """The App for this invocation, built once from --config / --db and the environment."""
    root = ctx.find_root()
    if "app" not in root.obj:
        app = make_app(root.obj.get("config_path"), root.obj.get("db_path"))
        setup_logging(app.config, root.obj.get("verbose", 0))
        root.obj["app"] = app
        root.call_on_close(app.close)
    return root.obj["app"]


def get_scope(ctx: click.Context) -> Scope:
    """Who acts in this invocation: the person ``--as`` names (NotFound if they are unknown or
    disabled), else the programme, which sees and may do everything (whoever runs the CLI on the
    instance's database administers it)."""
    login = ctx.find_root().obj.get("as_login")
    if not login:
        return Scope.programme()
    return scope_for_login(get_app(ctx).db, login)


def require_programme(ctx: click.Context, what: str) -> Scope:
    """The scope, if it is the programme's; AccessDenied otherwise (instance-wide operations)."""
    scope = get_scope(ctx)
    if not scope.is_programme:
        raise AccessDenied(f"{what} is for the programme's people, not {scope.org_id}'s")
    return scope


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="warning")
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
