"""Office text is data: how it is made inert in each format the service writes.

Titles, applicants, codes, terms and notices come from offices and feeds nobody here controls; a
title may hold ``[text](http://evil)``, ``<at id=all></at>``, ``<!channel>`` or ``=HYPERLINK(...)``.
One function per format, used by every template and writer of that format:

- `markdown_text` / `markdown_block` (DingTalk, WeCom and Feishu robots): the characters that open
  markup become their full-width look-alikes (``[`` -> ``［``, ``<`` -> ``＜`` ...), a marker at
  the start of a line (``#``, ``-``, ``1.``) likewise, an entity (``&#91;``) loses its ``&``, and a
  URL its ``://`` and a ``www.`` its dot (``http：／／``, ``www．``), so no renderer finds a link,
  image, tag, mention or heading in it. A bare domain name (``example.com``) is left as written:
  a renderer may link it, but it shows its own address, unlike the text of a markdown link.
  Backslash escapes are not used: the robots do not document them, and a renderer that ignores
  them would still see ``\\[text\\](url)`` as a link.
- `slack_text` / `slack_block` (Slack mrkdwn): ``&``, ``<`` and ``>`` as Slack documents, and the
  formatting characters (``*`` ``_`` ``~`` `````), which Slack cannot escape, as look-alikes; the
  blocks are sent ``verbatim`` so Slack does not turn bare URLs or names into links either.
- HTML: Jinja2's autoescape; plain text is written as it is.
- `spreadsheet_cell` (CSV and spreadsheets): a cell that would start a formula (``=`` ``+`` ``-``
  ``@``, a tab or a line break, or their full-width forms) gets a leading ``'``; numbers stay numbers.
- `safe_url`: the service's own links, http(s) only, with the characters that could end a link
  in markdown or Slack percent-encoded.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

_LOOKALIKES = {
    "\\": "＼",
    "`": "｀",
    "*": "＊",
    "_": "＿",
    "~": "～",
    "[": "［",
    "]": "］",
    "<": "＜",
    ">": "＞",
    "|": "｜",
    "#": "＃",
    "$": "＄",
}
_MARKDOWN = str.maketrans(_LOOKALIKES)
_SLACK_FORMATTING = str.maketrans({c: _LOOKALIKES[c] for c in "*_~`"})
_LINE_MARKER = str.maketrans({"-": "－", "+": "＋", "=": "＝", ".": "．", ")": "）"})
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_SCHEME = re.compile(r"(?<=[A-Za-z0-9]):?//")
_WWW = re.compile(r"(?i)\bwww\.")
# Controls that end or reorder a line in some renderer: C0/C1 controls, Unicode line and paragraph
# separators; bidi overrides are dropped (they can make a title display as something else).
_CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t]+")


def _lines(value: Any, keep_lines: bool) -> list[str]:
    text = _BIDI.sub("", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    if not keep_lines:
        text = text.replace("\n", " ")
    return [_SPACES.sub(" ", _CONTROLS.sub(" ", line)).strip() for line in text.split("\n")]


def _markdown_line(line: str) -> str:
    line = _ENTITY.sub("＆", line).translate(_MARKDOWN)
    line = _SCHEME.sub(lambda m: "：／／" if m.group(0).startswith(":") else "／／", line)
    line = _WWW.sub(lambda m: m.group(0)[:-1] + "．", line)
    if line[:1] in ("-", "+", "="):
        return line[0].translate(_LINE_MARKER) + line[1:]
    return _ORDERED_MARKER.sub(lambda m: m.group(1) + m.group(2).translate(_LINE_MARKER), line)


def markdown_text(value: Any) -> str:
    """``value`` as inert text on one line of a robot's markdown (line breaks become spaces)."""
    return _markdown_line(_lines(value, keep_lines=False)[0])


def markdown_block(value: Any) -> str:
    """``value`` as inert markdown text that keeps its line breaks (a notice's body)."""
    return "\n".join(_markdown_line(line) for line in _lines(value, keep_lines=True))


def _slack_line(line: str) -> str:
    escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.translate(_SLACK_FORMATTING)


def slack_text(value: Any) -> str:
    """``value`` as inert text on one line of Slack mrkdwn."""
    return _slack_line(_lines(value, keep_lines=False)[0])


def slack_block(value: Any) -> str:
    """``value`` as inert Slack mrkdwn that keeps its line breaks."""
    return "\n".join(_slack_line(line) for line in _lines(value, keep_lines=True))


_FORMULA_START = frozenset("=+-@\t\r\n＝＋－＠")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def spreadsheet_cell(value: Any) -> Any:
    """A CSV or spreadsheet cell that cannot run as a formula: text that would start one (after
    any leading spaces) gets a leading ``'``; numbers, including negative ones, are left alone."""
    if not isinstance(value, str) or not value:
        return value
    first = value.lstrip(" ")[:1]
    if first not in _FORMULA_START or _NUMBER.fullmatch(value.strip()):
        return value
    return "'" + value


def spreadsheet_row(values: list[Any]) -> list[Any]:
    """`spreadsheet_cell` of every value of a row."""
    return [spreadsheet_cell(v) for v in values]


_URL_SAFE = ":/?#@!$&+,;=%-._~"


def safe_url(url: Any) -> str:
    """One of the service's own links, fit for markdown ``(...)`` and Slack ``<...|...>``: only
    http(s), and nothing in it that could close the link (``( ) < > [ ] |``, quotes, spaces are
    percent-encoded). Anything else gives ``""`` (the template then shows no link)."""
    text = str(url or "").strip()
    if urlsplit(text).scheme.lower() not in ("http", "https"):
        return ""
    return quote(text, safe=_URL_SAFE)
