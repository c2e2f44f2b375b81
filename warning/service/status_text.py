"""``warning status`` for a person: short aligned tables, English and Chinese labels."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


def format_status(info: dict[str, Any], db_path: str) -> str:
    """The status picture from `collect_status` as lines of text an operator reads at a glance."""
    lines = [f"database 数据库: {db_path}"]
    if "service" in info:
        pid = info["service"]["pid"]
        lines.append(
            f"service 服务: running (pid {pid})" if pid else "service 服务: not running (`warning run`)"
        )
    lines.append("")
    lines += _table(_totals(info))
    if info.get("sources"):
        lines += ["", "sources 数据源"]
        lines += _table(
            [["source", "country", "cursor", "last success 最近成功", "last failure 最近失败"]]
            + [
                [
                    s["source"],
                    s["country"] or "-",
                    s["cursor"] or "-",
                    _when(s["last_success"]) or "never",
                    _failure(s),
                ]
                for s in info["sources"]
            ],
            indent=2,
        )
    if info.get("clusters"):
        lines += ["", "clusters 产业集群"]
        lines += _table(
            [["cluster", "backfill windows 回填窗口", "publications 文献", "filings tracked 跟踪申请"]]
            + [_cluster_row(name, c) for name, c in info["clusters"].items()],
            indent=2,
        )
    polling = [job for job in info.get("schedule") or [] if job.get("polling")]
    if polling:
        lines += ["", "publication 发布"]
        lines += _table([[job["job"], _polling_text(job["polling"])] for job in polling], indent=2)
    if info.get("schedule_error"):
        lines += ["", f"schedule 计划: invalid: {info['schedule_error']}"]
    elif "schedule" in info:
        lines += ["", "jobs 任务"]
        lines += (
            _table(
                [["job", "schedule", "next run 下次运行", "last run 上次运行", "result 结果"]]
                + [_job_row(job) for job in info["schedule"]],
                indent=2,
            )
            if info["schedule"]
            else ["  none: no sources, watchlists or subscribers configured"]
        )
    return "\n".join(lines)


def _cluster_row(name: str, c: dict[str, Any]) -> list[str]:
    windows = ", ".join(f"{s} {n}" for s, n in sorted(c["windows"].items())) or "-"
    filings = ", ".join(f"{s} {n}" for s, n in sorted(c["filings"].items())) or "-"
    return [name, windows, f"{c['publications']} ({c['backfilled']} backfilled)", filings]


def _totals(info: dict[str, Any]) -> list[list[str]]:
    by_country = ", ".join(f"{c} {n}" for c, n in list(info["publications_by_country"].items())[:12])
    alerts = f"{info['alerts_pending']} pending 待发 · {info['alerts_sent']} sent 已发 · {info['alerts_dead']} dead 失败"
    return [
        ["publications 公开文献", str(info["publications"]) + (f"  ({by_country})" if by_country else "")],
        [
            "quarantined 隔离",
            str(info["quarantined"]) + ("  (why 原因: `warning quarantine`)" if info["quarantined"] else ""),
        ],
        ["matches 命中", str(info["matches"])],
        ["alerts 预警", alerts],
        ["risk cases open 风险案件", str(info["risk_cases_open"])],
        ["labels 标注", str(info["labels"])],
    ]


def _job_row(job: dict[str, Any]) -> list[str]:
    schedule = job["cron"] if job["cron"] != "off" else "off"
    if job.get("polling"):
        schedule = "polls from publication time 按发布时间轮询"
    if job.get("after_each_fetch"):
        schedule += " + after each fetch"
    last = job.get("last_run") or {}
    result = last.get("status", "never run")
    numbers = [f"{k} {v}" for k, v in (last.get("counts") or {}).items() if type(v) is int and v]
    if numbers and result == "ok":
        result += ": " + ", ".join(numbers[:3])
    if last.get("error"):
        result += f": {_short(last['error'])}"
    for step, run in (job.get("step_runs") or {}).items():
        if run["status"] != "ok":
            result += f"; {step} {run['status']}" + (f": {_short(run['error'], 40)}" if run["error"] else "")
    next_run = _when(job["next_run"], job["timezone"]) if job["next_run"] else "-"
    return [job["job"], schedule, next_run, _when(last.get("started_at")) or "-", result]


def _polling_text(poll: dict[str, Any]) -> str:
    """One line per polling source: is the office's file there, and when is it checked next."""
    zone = poll["expected_timezone"] or "UTC"
    expected = f"{poll['release']} expected {_when(poll['expected'], zone)}"
    next_expected = (
        f"next expected 下次预计 {_when(poll['next_expected'], zone)}" if poll["next_expected"] else ""
    )
    if poll["state"] == "expected":
        return f"{expected}: not yet published / 预计发布，尚未发布; next check 下次检查 {_when(poll['next_check'], zone)}"
    if poll["state"] == "gave_up":
        stopped = _when(poll["gave_up_at"], zone)
        return f"{expected}: not published, checks stopped {stopped} / 未发布，已停止检查; {next_expected}"
    if poll["state"] == "not_awaited":  # its waiting time was over before the first check
        said = f"{expected}: before the first check, not awaited / 首次检查之前，未等待"
        return f"{said}; {next_expected}".rstrip("; ")
    if poll["state"] == "published":
        return f"{expected}: published / 已发布; {next_expected}".rstrip("; ")
    return f"not checked yet / 尚未检查; {next_expected}".rstrip("; ")


def _failure(source: dict[str, Any]) -> str:
    if not source["last_failure"]:
        return "-"
    return f"{_when(source['last_failure'])} {_short(source['last_error'] or '')}".rstrip()


def _when(text: str | None, timezone: str = "UTC") -> str:
    if not text:
        return ""
    moment = datetime.fromisoformat(text).astimezone(ZoneInfo(timezone))
    return moment.strftime("%Y-%m-%d %H:%M %Z")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(rows: list[list[str]], indent: int = 0) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)]
        out.append((" " * indent + "  ".join(cells)).rstrip())
    return out


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
