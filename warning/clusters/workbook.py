"""The landscape as an .xlsx workbook (openpyxl): one sheet per table, native Excel charts beside them.

Every text cell comes from offices (titles, applicant names) and goes through
`warning.delivery.escaping.spreadsheet_cell`, so none can start a formula; numbers stay numbers.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from warning.clusters.competitors import STATUSES
from warning.clusters.labels import TEXT, status_labels
from warning.clusters.landscape import Landscape
from warning.delivery.escaping import spreadsheet_row

_SHEET_NAMES = {
    "zh": (
        "概览",
        "年度与国家",
        "申请人",
        "技术分类",
        "法律状态",
        "新进入者",
        "竞争对手组合",
        "多市场同族",
        "申请清单",
    ),
    "en": (
        "Summary",
        "Years",
        "Applicants",
        "Codes",
        "Status",
        "New entrants",
        "Portfolios",
        "Families",
        "Filings",
    ),
}


def write_workbook(land: Landscape, out: Path, lang: str) -> None:
    """Write every table of the landscape, with a bar chart on the counted ones."""
    t, labels = TEXT[lang], status_labels(lang)
    names = _SHEET_NAMES[lang]
    book = Workbook()
    summary = book.active
    summary.title = names[0]
    cluster = land.cluster
    _rows(
        summary,
        [t["report"], cluster.label(lang)],
        [
            [t["generated"], land.today],
            [t["markets"], ", ".join(cluster.countries)],
            [t["competitors"], ", ".join(c.name for c in cluster.competitors)],
            [t["filings"], len(land.filings)],
            [t["publications"], land.publications],
        ],
    )
    years = book.create_sheet(names[1])
    _rows(
        years,
        [t["year"], *land.countries],
        [[y, *(land.per_year_country[y].get(c, 0) for c in land.countries)] for y in land.years],
    )
    _chart(years, t["per_year"], len(land.years), len(land.countries), stacked=True)
    applicants = book.create_sheet(names[2])
    _rows(applicants, [t["applicant"], t["count"]], [list(r) for r in land.top_applicants])
    _chart(applicants, t["top_applicants"], len(land.top_applicants), 1)
    codes = book.create_sheet(names[3])
    _rows(codes, [t["code"], t["count"]], [list(r) for r in land.codes])
    _chart(codes, t["codes"], len(land.codes), 1)
    status = book.create_sheet(names[4])
    _rows(status, [t["status_col"], t["count"]], [[labels[s], n] for s, n in land.statuses.items()])
    _chart(status, t["status"], len(land.statuses), 1)
    entrants = book.create_sheet(names[5])
    _rows(entrants, [t["applicant"], t["first_year"], t["count"]], [list(r) for r in land.new_entrants])
    portfolios = book.create_sheet(names[6])
    _rows(
        portfolios,
        [t["competitors"], t["country"], *(labels[s] for s in STATUSES)],
        [
            [competitor, country, *(counts.get(s, 0) for s in STATUSES)]
            for competitor, markets in land.portfolios.items()
            for country, counts in markets.items()
        ],
    )
    families = book.create_sheet(names[7])
    _rows(
        families,
        [t["family"], t["markets"], t["title"], t["applicant"]],
        [
            [f["family_id"], ", ".join(f["markets"]), f["title"], "; ".join(f["applicants"])]
            for f in land.families
        ],
    )
    filings = book.create_sheet(names[8])
    _rows(
        filings,
        [
            t["id"],
            t["country"],
            t["year"],
            t["status_col"],
            t["competitors"],
            t["applicant"],
            t["code"],
            t["title"],
        ],
        [
            [
                f.ids[0],
                f.country,
                f.year,
                labels[f.status],
                f.competitor,
                "; ".join(f.applicants),
                " ".join(f.codes),
                f.title,
            ]
            for f in land.filings
        ],
    )
    book.save(out)


def _rows(sheet: Worksheet, header: list, rows: list[list]) -> None:
    sheet.append(spreadsheet_row(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(spreadsheet_row(row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))


def _chart(sheet: Worksheet, title: str, rows: int, series: int, stacked: bool = False) -> None:
    """A bar chart of the sheet's first ``rows`` data rows and ``series`` value columns."""
    if not rows or not series:
        return
    chart = BarChart()
    chart.title = title
    chart.type = "col" if stacked else "bar"
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    data = Reference(sheet, min_col=2, max_col=1 + series, min_row=1, max_row=rows + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 18, 9
    sheet.add_chart(chart, f"{chr(ord('A') + series + 2)}2")
