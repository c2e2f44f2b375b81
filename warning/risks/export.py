"""The risk register as CSV that opens in a spreadsheet (UTF-8 with BOM, so Excel keeps Chinese),
or as an .xlsx workbook.

Titles, enterprises and notes come from offices and people: a cell that would start a formula
is neutralised by ``warning.delivery.escaping.spreadsheet_cell`` (a leading ``'``), as in every sheet the
service writes.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TextIO

from warning.delivery.escaping import spreadsheet_row
from warning.delivery.sheets import workbook_bytes
from warning.errors import WarningError
from warning.risks.cases import LABELS_ZH
from warning.risks.deadlines import LABELS
from warning.store import legal_events as legal_store
from warning.store import risks as store

# (key, English label, Chinese label), in column order.
COLUMNS = (
    ("id", "id", "编号"),
    ("publication", "publication", "公开号"),
    ("title", "title", "标题"),
    ("country", "country", "国家/地区"),
    ("enterprises", "enterprises", "受影响企业"),
    ("watchlist", "product line", "产品线"),
    ("severity", "severity", "风险等级"),
    ("severity_reason", "severity reason", "等级理由"),
    ("owner", "owner", "负责人"),
    ("status", "status", "状态"),
    ("action", "action", "应对措施"),
    ("outcome", "outcome", "结果"),
    ("next_deadline", "next deadline", "最近期限"),
    ("next_deadline_kind", "next deadline kind", "最近期限类型"),
    ("deadlines", "deadlines", "全部期限"),
    ("family", "family", "同族"),
    ("opened_at", "opened", "立案时间"),
    ("closed_at", "closed", "结案时间"),
)


def header(labels: str = "both") -> list[str]:
    """Column titles: ``en``, ``zh`` or ``both`` (``severity 风险等级``)."""
    if labels == "en":
        return [en for _, en, _ in COLUMNS]
    if labels == "zh":
        return [zh for _, _, zh in COLUMNS]
    return [f"{en} {zh}" for _, en, zh in COLUMNS]


def case_rows(db, cases: list[dict[str, Any]], today: str) -> list[dict[str, str]]:
    """One flat row per case (keys of `COLUMNS`); values of fixed vocabularies carry their Chinese label."""
    deadlines = store.deadlines_by_case(db, [c["id"] for c in cases])
    rows = []
    for case in cases:
        mine = deadlines.get(case["id"], [])
        upcoming = [d for d in mine if d["date"] >= today] or mine[-1:]
        titles = case.get("titles") or {}
        family = [f["publication_id"] for f in legal_store.case_family(db, case["id"])]
        rows.append(
            {
                "id": str(case["id"]),
                "publication": case["publication_id"],
                "title": titles.get("zh") or titles.get("en") or next(iter(titles.values()), ""),
                "country": case["country"] or "",
                "enterprises": "; ".join(case["enterprises"]),
                "watchlist": case["watchlist"] or "",
                "severity": _bilingual(case["severity"]),
                "severity_reason": case["severity_reason"] or "",
                "owner": case["owner"] or "",
                "status": _bilingual(case["status"]),
                "action": _bilingual(case["action"]),
                "outcome": case["outcome"] or "",
                "next_deadline": upcoming[0]["date"] if upcoming else "",
                "next_deadline_kind": _deadline_label(upcoming[0]["kind"]) if upcoming else "",
                "deadlines": "; ".join(f"{_deadline_label(d['kind'])} {d['date']}" for d in mine),
                "family": "; ".join(family),
                "opened_at": case["opened_at"] or "",
                "closed_at": case["closed_at"] or "",
            }
        )
    return rows


def write_csv(db, cases: list[dict[str, Any]], out: TextIO, today: str, labels: str = "both") -> int:
    """Write the cases as CSV to ``out`` (opened with ``encoding='utf-8-sig', newline=''``); returns rows."""
    writer = csv.writer(out)
    writer.writerow(header(labels))
    rows = case_rows(db, cases, today)
    for row in rows:
        writer.writerow(spreadsheet_row([row[key] for key, _, _ in COLUMNS]))
    return len(rows)


def cases_xlsx(db, cases: list[dict[str, Any]], today: str, labels: str = "both") -> tuple[bytes, int]:
    """The cases as an .xlsx workbook (every text cell inert, as in the CSV) and how many rows:
    the CLI's export and the web register's download."""
    rows = case_rows(db, cases, today)
    table = [[row[key] for key, _, _ in COLUMNS] for row in rows]
    return workbook_bytes("risk cases", header(labels), table), len(rows)


def write_xlsx(db, cases: list[dict[str, Any]], path: Path, today: str, labels: str = "both") -> int:
    """Write the cases to ``path`` as an .xlsx workbook (`cases_xlsx`); returns rows."""
    data, count = cases_xlsx(db, cases, today, labels)
    path.write_bytes(data)
    return count


def export_cases(db, cases: list[dict[str, Any]], path: Path, today: str, labels: str = "both") -> int:
    """Write the cases to ``path`` as its extension says (.csv or .xlsx); another is refused."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return write_xlsx(db, cases, path, today, labels)
    if suffix == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            return write_csv(db, cases, fh, today, labels)
    raise WarningError(
        f"cannot export risk cases as {suffix or 'a file without an extension'!r}: use .csv or .xlsx"
    )


def _bilingual(value: str | None) -> str:
    if not value:
        return ""
    return f"{value} {LABELS_ZH[value]}" if value in LABELS_ZH else value


def _deadline_label(kind: str) -> str:
    label = LABELS.get(kind)
    return f"{kind} {label['zh']}" if label else kind


def case_json(case: dict[str, Any], deadlines: list[dict[str, Any]]) -> dict[str, Any]:
    """A case as `warning risks list --json` prints it (``publication`` is the id as text)."""
    return {
        "id": case["id"],
        "publication": case["publication_id"],
        "country": case["country"],
        "enterprises": case["enterprises"],
        "watchlist": case["watchlist"],
        "status": case["status"],
        "severity": case["severity"],
        "severity_reason": case["severity_reason"],
        "owner": case["owner"],
        "action": case["action"],
        "outcome": case["outcome"],
        "opened_at": case["opened_at"],
        "closed_at": case["closed_at"],
        "deadlines": [{"kind": d["kind"], "date": d["date"], "basis": d["basis"]} for d in deadlines],
    }
