"""``warning serve``: the web app and /api/v1/ on waitress, a production WSGI server."""

from __future__ import annotations

import ipaddress
import logging

import click

from warning.cli.group import cli, get_app

log = logging.getLogger("warning.web")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one)."
)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option(
    "--secure-cookies/--plain-cookies",
    default=None,
    help="Session cookie over HTTPS only (default: on unless HOST is a loopback address).",
)
@click.option(
    "--behind-proxy",
    is_flag=True,
    help="Trust X-Forwarded-For/-Proto from a reverse proxy on this machine (it terminates TLS).",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, threads: int, secure_cookies: bool | None, behind_proxy: bool
) -> None:
    """Serve the review app and the JSON API from the same database as ``warning run``.

    People log in with the password set by ``warning users``; API clients send
    ``Authorization: Bearer TOKEN`` (``warning tokens create LOGIN --name NAME``). Set
    WARNING_WEB_SECRET so sessions survive a restart. Prints the address once listening; Ctrl-C stops it.

    \b
    Example:
      warning serve --port 8080
      WARNING_WEB_SECRET=... warning serve --host 0.0.0.0 --behind-proxy
    """
    # Deferred for start-up time: every other command would load Flask and waitress.
    from waitress import create_server

    from warning.web import create_app  # (the same reason)

    app = get_app(ctx)
    if secure_cookies is None:
        secure_cookies = behind_proxy or not _is_loopback(host)
    web = create_app(app.config, app.db_path, secure_cookies=secure_cookies)
    proxy = {"trusted_proxy": "127.0.0.1", "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
    server = create_server(
        web, host=host, port=port, threads=threads, ident="warning", **(proxy if behind_proxy else {})
    )
    click.echo(
        f"serving http://{host}:{server.effective_port}/ (database {app.db_path}); Ctrl-C stops", err=False
    )
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        server.close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
