"""How ``warning risks show`` prints one case: its fields, deadlines, family, legal events,
history and audit trail, in Chinese and English."""

from __future__ import annotations

from typing import Any

import click

from warning.risks.cases import LABELS_ZH
from warning.risks.deadlines import LABELS


def print_case(
    case: dict[str, Any],
    deadlines: list[dict[str, Any]],
    family: list[dict[str, Any]],
    events: list,
    history: list[dict[str, Any]],
    trail: list[dict[str, Any]],
) -> None:
    """Print a case for people; ``trail``: the audit entries on it that the reader may see."""
    title = case["titles"].get("zh") or case["titles"].get("en") or next(iter(case["titles"].values()), "")
    click.echo(f"案件 case {case['id']}: {case['publication_id']}  {title}")
    for label, key in (
        ("企业 enterprises", "enterprises"),
        ("产品线 product line", "watchlist"),
        ("等级 severity", "severity"),
        ("理由 reason", "severity_reason"),
        ("负责人 owner", "owner"),
        ("状态 status", "status"),
        ("措施 action", "action"),
        ("结果 outcome", "outcome"),
        ("立案 opened", "opened_at"),
        ("结案 closed", "closed_at"),
    ):
        value = case[key]
        value = ", ".join(value) if isinstance(value, list) else (value or "")
        if value in LABELS_ZH:
            value = f"{value} ({LABELS_ZH[value]})"
        click.echo(f"  {label:<22} {value}")
    click.echo("期限 deadlines:")
    for d in deadlines:
        zh = LABELS.get(d["kind"], {}).get("zh", "")
        click.echo(f"  {d['date']}  {d['kind']} {zh}  ({d['basis']})")
    if family:
        click.echo("同族 family: " + ", ".join(f["publication_id"] for f in family))
    click.echo(f"法律事件 legal events ({len(events)}):")
    for e in events[-20:]:
        click.echo(f"  {e.date} {e.code:<5} {e.category:<14} {e.country:<3} {e.description[:80]}")
    click.echo("历史 history:")
    for h in history:
        change = f"{h['field']}: {h['old'] or ''} -> {h['new'] or ''}" if h["field"] != "note" else "note"
        click.echo(f"  {h['at']} {h['who']}: {change} {h['note'] or ''}".rstrip())
    click.echo("审计 audit:")
    for entry in trail:
        click.echo(f"  {entry['at']} {entry['login'] or entry['org_id'] or 'programme'}: {entry['action']}")
