"""Small text helpers the office XML parsers share: whitespace, dates, classification codes."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_IPC = re.compile(r"^\s*\d?\s*([A-HY])\s*(\d\d)\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")
_DATE = re.compile(r"^\s*(\d{4})-?(\d\d)-?(\d\d)")


def squash(text: str | None) -> str:
    """Text with runs of whitespace as one space, stripped ('' for None)."""
    return _SPACE.sub(" ", text or "").strip()


def iso_date(text: str | None) -> str | None:
    """``20111228`` or ``2011-12-28`` as ``2011-12-28``; None when absent or not a date."""
    match = _DATE.match(text or "")
    if not match or match.group(1) == "0000":
        return None
    year, month, day = match.groups()
    return f"{year}-{month}-{day}" if "01" <= month <= "12" and "01" <= day <= "31" else None


def ipc_from_text(text: str | None) -> str:
    """An IPC/CPC code written by an office (``H04W  84/20 A I``, ``7C 07C 29/00``) as ``H04W84/20``.

    Section Y exists only in CPC (tagging of cross-sectional technologies such as Y02 climate).
    """
    match = _IPC.match(text or "")
    if not match:
        return ""
    section, klass, subclass, group, subgroup = match.groups()
    return f"{section}{klass}{subclass}{int(group)}/{subgroup}"
