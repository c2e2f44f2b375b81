"""A digest as PDF, drawn with matplotlib (already the chart's library): its text in pages and
its trend chart, in a font that has the text's characters.

matplotlib's bundled DejaVu fonts have no Chinese or Japanese: text with CJK characters needs a
CJK font on the machine (Debian: fonts-noto-cjk or fonts-wqy-microhei), found by name; without
one the PDF is refused with that advice rather than written with empty boxes.
"""

from __future__ import annotations

import base64
import io
import textwrap
import unicodedata

from warning.classify.watchlists import CJK_RE
from warning.errors import WarningError

CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
LINES_PER_PAGE = 64
COLUMNS = 100  # characters of a line; a wide (CJK) character counts two


_CJK_FILES = ("wqy", "notosanscjk", "notoserifcjk", "droidsansfallback", "sourcehansans", "uming")


def cjk_font() -> str:
    """The first installed font of `CJK_FONTS`, or "". matplotlib's font cache may predate a font
    installed later (and skips .ttc collections when it is built): known CJK font files on the
    system are added to it first."""
    from matplotlib import font_manager  # deferred, as in the chart: a third of a second to import

    installed = {f.name for f in font_manager.fontManager.ttflist}
    if not installed & set(CJK_FONTS):
        for path in font_manager.findSystemFonts(fontext="ttf") + font_manager.findSystemFonts(fontext="ttc"):
            if any(key in path.lower().replace("-", "").replace("_", "") for key in _CJK_FILES):
                font_manager.fontManager.addfont(path)
        installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), "")


def _wrap(line: str) -> list[str]:
    if not line:
        return [""]
    wide = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    width = max(20, int(COLUMNS * len(line) / wide)) if wide > len(line) else COLUMNS
    return textwrap.wrap(line, width=width, break_long_words=True) or [""]


def text_pdf(title: str, text: str, chart_png: str = "") -> bytes:
    """``text`` (lines wrapped) under ``title`` on A4 pages, the base64 PNG ``chart_png`` on the first."""
    # Deferred for start-up time, as the chart's: only a PDF needs these.
    import matplotlib

    matplotlib.use("Agg")
    # after use("Agg"): the backend is chosen first
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    font = cjk_font()
    if CJK_RE.search(title + text) and not font:
        raise WarningError(
            "this digest has Chinese or Japanese text and no CJK font is installed for the PDF "
            "(install fonts-noto-cjk or fonts-wqy-microhei), or write .html instead"
        )
    family = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    lines = [part for line in text.splitlines() for part in _wrap(line)]
    chart_lines = 18 if chart_png else 0
    pages = [lines[: LINES_PER_PAGE - chart_lines]]
    rest = lines[LINES_PER_PAGE - chart_lines :]
    pages += [rest[i : i + LINES_PER_PAGE] for i in range(0, len(rest), LINES_PER_PAGE)]
    buffer = io.BytesIO()
    with PdfPages(buffer, metadata={"Title": title, "Creator": "warning"}) as pdf:
        for number, page in enumerate(pages):
            fig = Figure(figsize=(8.27, 11.69))  # A4
            top = 0.95
            fig.text(
                0.06, 0.97, title, fontsize=11, weight="normal" if font else "bold", family=family, va="top"
            )
            if number == 0 and chart_png:
                ax = fig.add_axes((0.06, 0.70, 0.88, 0.24))
                ax.imshow(_image(chart_png))
                ax.axis("off")
                top = 0.69
            for i, line in enumerate(page):
                fig.text(0.06, top - i * 0.0138, line, fontsize=7.5, family=family, va="top")
            pdf.savefig(fig)
    return buffer.getvalue()


def _image(png_base64: str):
    from matplotlib.image import imread  # deferred with the rest of matplotlib

    return imread(io.BytesIO(base64.b64decode(png_base64)), format="png")
