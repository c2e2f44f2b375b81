"""Small pieces every office writer of the sample shares."""

from __future__ import annotations

import re
from datetime import date

from lxml import etree

_SYMBOL = re.compile(r"^([A-H])(\d\d)([A-Z])\s*(\d+)/(\d+)$")


def ymd(day: date) -> str:
    """A date as the offices write it: 20261117."""
    return day.strftime("%Y%m%d")


def split_symbol(symbol: str) -> tuple[str, str, str, str, str]:
    """``"B62K 11/04"`` -> section, class, subclass, main group, subgroup."""
    match = _SYMBOL.match(symbol.strip())
    if not match:
        raise ValueError(f"not a classification symbol: {symbol!r}")
    return match.groups()  # type: ignore[return-value]


def ipc_of(cpc: list[str]) -> list[str]:
    """IPC symbols for CPC ones: CPC-only 2000-series indexing codes dropped, subgroups cut to IPC depth."""
    result = []
    for symbol in cpc:
        section, klass, subclass, main, sub = split_symbol(symbol)
        if int(main) >= 2000:
            continue
        ipc = f"{section}{klass}{subclass} {main}/{sub[:2]}"
        if ipc not in result:
            result.append(ipc)
    return result


def padded(symbol: str, width: int = 19) -> str:
    """A symbol in the fixed-width layout of EP and OPS ``<text>`` fields: ``B62K  11/04``."""
    section, klass, subclass, main, sub = split_symbol(symbol)
    return f"{section}{klass}{subclass}{main:>4}/{sub}".ljust(width)


def serialise(root: etree._Element, header: str, pretty: bool = True) -> bytes:
    """The document with the office's XML declaration and DOCTYPE line in front."""
    body = etree.tostring(root, encoding="unicode", pretty_print=pretty)
    return (header + body).encode("utf-8")
