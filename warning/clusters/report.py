"""A cluster's landscape as a report: one self-contained HTML page with inline SVG charts, or an
.xlsx workbook (`warning.clusters.workbook`), in Chinese or English."""

from __future__ import annotations

import base64
import html
from datetime import date
from pathlib import Path
from typing import Any

from warning.clusters.competitors import STATUSES
from warning.clusters.definitions import load_cluster
from warning.clusters.labels import LANGUAGES, TEXT, status_labels
from warning.clusters.landscape import Landscape, build_landscape
from warning.errors import WarningError


def write_report(app: Any, name: str, out: Path, lang: str = "zh", today: date | None = None) -> Landscape:
    """Write cluster ``name``'s landscape to ``out``: ``.html`` or ``.xlsx`` by its suffix."""
    if lang not in LANGUAGES:
        raise WarningError(f"report language must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise WarningError(f"{out}: the report is written as .html or .xlsx, not {suffix or 'no suffix'}")
    land = build_landscape(app.db, load_cluster(app.config, name), today)
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".xlsx":
        # Deferred for start-up time: openpyxl loads only for a workbook.
        from warning.clusters.workbook import write_workbook

        write_workbook(land, out, lang)
    else:
        out.write_text(render_html(land, lang), encoding="utf-8")
    return land


def render_html(land: Landscape, lang: str) -> str:
    """The report page: every chart inline, no file or network needed to open it."""
    return _render("report.html", land, lang, inline_svg=True)


def render_fragment(land: Landscape, lang: str) -> str:
    """The landscape as a part of another page (the web app's): each chart an ``<img>`` of its SVG
    as a data URI, since a page whose policy forbids inline styles cannot draw inline SVG."""
    return _render("_landscape.html", land, lang, inline_svg=False)


def _render(template: str, land: Landscape, lang: str, inline_svg: bool) -> str:
    # Deferred for start-up time: jinja2 and matplotlib load only for a report.
    from jinja2 import Environment, PackageLoader, select_autoescape

    from warning.clusters import charts  # deferred with matplotlib, which it loads

    text = TEXT[lang]
    labels = status_labels(lang)
    env = Environment(
        loader=PackageLoader("warning.clusters", "templates"), autoescape=select_autoescape(["html"])
    )
    drawn = {
        "per_year": charts.year_country_svg(land, text["other"]) if land.years else "",
        "top_applicants": charts.ranked_bars_svg(land.top_applicants) if land.top_applicants else "",
        "codes": charts.ranked_bars_svg(land.codes, "#3a9b5d") if land.codes else "",
        "status": charts.status_svg(land.statuses, labels) if land.statuses else "",
    }
    svgs = {k: (v if inline_svg else _as_image(v, text[k])) for k, v in drawn.items()}
    return env.get_template(template).render(
        land=land, cluster=land.cluster, t=text, lang=lang, labels=labels, svgs=svgs, statuses=STATUSES
    )


def _as_image(svg: str, alt: str) -> str:
    if not svg:
        return ""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img class="chart" alt="{html.escape(alt)}" src="data:image/svg+xml;base64,{data}">'
