"""Spreadsheets (.xlsx through openpyxl): a digest's matches, the risk register.

Office text goes in as text, never as a formula: every string cell is passed through
`warning.delivery.escaping.spreadsheet_cell` (a leading ``'`` where it would start one, as in the
CSV export) and typed as a string, so even a value openpyxl would read as ``=...`` stays inert.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from warning.delivery.escaping import spreadsheet_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (key, English, Chinese) of a digest's match rows (`warning.delivery.digest.sheet_row`).
MATCH_COLUMNS = (
    ("publication", "publication", "公开号"),
    ("country", "country", "国家/地区"),
    ("published", "published", "公开日"),
    ("title", "title", "标题"),
    ("title_en", "title (English)", "英文标题"),
    ("applicants", "applicants", "申请人"),
    ("watchlist", "watchlist", "监控产品线"),
    ("score", "relevance", "相关度"),
    ("family", "family members", "同族文献"),
    ("link", "link", "链接"),
)


def workbook_bytes(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One sheet named ``title``: a bold header row, then ``rows``; columns sized to their text."""
    # deferred for start-up time: openpyxl costs every command about 0.2 s, and only a workbook needs it
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([spreadsheet_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, whatever it starts with
    for index, column in enumerate(sheet.iter_cols(values_only=True), start=1):
        width = max((len(str(v)) for v in column if v is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def matches_xlsx(rows: list[dict[str, Any]], lang: str = "en") -> bytes:
    """A digest's matches as a spreadsheet, headers in ``lang`` (zh or en)."""
    header = [zh if lang == "zh" else en for _, en, zh in MATCH_COLUMNS]
    return workbook_bytes("matches", header, [[r.get(k, "") for k, _, _ in MATCH_COLUMNS] for r in rows])
