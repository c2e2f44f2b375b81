"""Small text helpers the office XML parsers share: whitespace and dates."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
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
