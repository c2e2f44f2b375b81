"""The risk register as an Excel workbook: the CSV export's columns, one sheet, frozen header."""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font

from warning.delivery.escaping import spreadsheet_row
from warning.risks.export import COLUMNS, case_rows, header


def write_xlsx(db, cases: list[dict[str, Any]], out: BinaryIO, today: str, labels: str = "both") -> int:
    """Write the cases to ``out`` as .xlsx (cells that would start a formula neutralised, as in the
    CSV); returns how many rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "risks"
    sheet.append(header(labels))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    rows = case_rows(db, cases, today)
    for row in rows:
        sheet.append(spreadsheet_row([row[key] for key, _, _ in COLUMNS]))
    sheet.freeze_panes = "A2"
    for index, (key, _, _) in enumerate(COLUMNS, start=1):
        width = 40 if key in ("title", "deadlines", "family") else 16
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    book.save(out)
    return len(rows)
