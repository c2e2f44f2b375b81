"""The demo's organisations at work: a person in each, one risk case shared with the association,
and what each organisation then sees (the config declares the organisations themselves)."""

from __future__ import annotations

from pathlib import Path

from warning.app import App
from warning.orgs.cases import share_case_as
from warning.orgs.manage import add_user_as
from warning.store import users
from warning.store.scope import Scope, scope_for_login, visible_cases, visible_watchlists

# login: (organisation, role); organisations are the config's subscribers (`warning.orgs.declarations`).
PEOPLE = {
    "li.lei": ("acme-motor", "reviewer"),
    "zhang.wei": ("battery-exporter", "reviewer"),
    "wang.fang": ("lighting-association", "viewer"),
    "chen.jing": ("programme", "admin"),
}


def set_up_people(app: App) -> dict[str, dict]:
    """Add the demo's people (once), let Acme share its first risk case with the lighting
    association, and return what each person's organisation sees."""
    programme = Scope.programme()
    for login, (org, role) in PEOPLE.items():
        if users.find_user(app.db, login) is None:
            add_user_as(app.db, programme, login, org, role)
    acme = scope_for_login(app.db, "li.lei")
    own = visible_cases(app.db, acme)
    if own:
        share_case_as(app.db, acme, own[0]["id"], "lighting-association")
    seen = {}
    for login, (org, _role) in PEOPLE.items():
        scope = scope_for_login(app.db, login)
        seen[login] = {
            "org": org,
            "cases": len(visible_cases(app.db, scope)),
            "watchlists": len(visible_watchlists(app.db, scope)),
        }
    return seen


def people_lines(seen: dict[str, dict], config: Path) -> list[str]:
    """What each demo person sees, and how to look as them."""
    if not seen:
        return []
    lines = ["Organisations and people / 组织与人员 (risk cases each may see):"]
    for login, info in seen.items():
        lines.append(f"  {login:<10} {info['org']:<22} {info['cases']:>3} case(s)")
    lines.append(f"  Look as one of them: warning --config {config} --as wang.fang risks list")
    return lines
