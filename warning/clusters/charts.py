"""The landscape's charts as inline SVG (matplotlib, Agg): text stays text, so the reader's browser
draws Chinese and Japanese names with its own fonts, and the page needs no file beside it."""

from __future__ import annotations

import io
import re
import warnings

from warning.clusters.landscape import Landscape

STATUS_COLOURS = {
    "pending": "#d9822b",
    "granted": "#2b7bb9",
    "opposed": "#b9372b",
    "lapsed": "#8a8a8a",
    "withdrawn": "#c4b59a",
    "revoked": "#5a2b2b",
}
_PALETTE = ("#2b7bb9", "#d9822b", "#3a9b5d", "#b9372b", "#7b4bb9", "#8a8a8a", "#c4b59a")
_SVG_START = re.compile(r"^.*?(<svg\b)", re.S)


def _figure(width: float, height: float):
    # Deferred for start-up time: matplotlib takes a third of a second to import and only a
    # report draws charts.
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # after use("Agg"): the backend is chosen first

    fig = Figure(figsize=(width, height), dpi=96)
    return fig, fig.subplots()


def _svg(fig) -> str:
    import matplotlib  # deferred as in _figure: already loaded there

    buffer = io.StringIO()
    with warnings.catch_warnings():
        # The server may have no CJK font to measure with; the SVG keeps the text, and the
        # reader's browser draws it with its own fonts.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.tight_layout()
        with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "cluster-report"}):
            fig.savefig(buffer, format="svg")
    return _SVG_START.sub(r"\1", buffer.getvalue(), count=1)  # no XML prolog inside HTML


def year_country_svg(land: Landscape, other: str) -> str:
    """Filings per year, stacked by the six countries with most filings (the rest as ``other``)."""
    fig, ax = _figure(7.5, 3.0)
    shown = land.countries[:6]
    bottom = [0] * len(land.years)
    series = [(c, [land.per_year_country[y].get(c, 0) for y in land.years]) for c in shown]
    rest = [sum(n for c, n in land.per_year_country[y].items() if c not in shown) for y in land.years]
    if any(rest):
        series.append((other, rest))
    for i, (label, values) in enumerate(series):
        ax.bar(land.years, values, bottom=bottom, label=label, color=_PALETTE[i % len(_PALETTE)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", labelrotation=45, labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    if series:
        ax.legend(fontsize=8, frameon=False, ncol=min(7, len(series)))
    return _svg(fig)


def ranked_bars_svg(items: list[tuple[str, int]], colour: str = "#2b7bb9") -> str:
    """Horizontal bars, largest on top (top applicants, classification codes)."""
    fig, ax = _figure(7.5, 0.3 * max(3, len(items)) + 0.6)
    labels = [label if len(label) <= 48 else label[:47] + "…" for label, _ in reversed(items)]
    ax.barh(range(len(items)), [n for _, n in reversed(items)], color=colour)
    ax.set_yticks(range(len(items)), labels, fontsize=8)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


def status_svg(statuses: dict[str, int], labels: dict[str, str]) -> str:
    """Filings by legal status, one bar each in the status's colour."""
    fig, ax = _figure(7.5, 2.4)
    names = list(statuses)
    ax.bar(
        [labels.get(s, s) for s in names],
        [statuses[s] for s in names],
        color=[STATUS_COLOURS[s] for s in names],
    )
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
