"""One spelling for IPC and CPC symbols, whatever the office wrote.

The store keeps symbols compact, as Lens and the project's JSON Lines write them: subclass,
main group without leading zeros, ``/``, subgroup: ``H01M10/42``, ``B62K11/04``. A watchlist
prefix such as ``B62K11`` then matches by a plain ``startswith``.

Offices write them in many ways: ``H01M 10/42`` (WIPO), ``A41D001/06`` (USPTO 2001-2004),
``A45F  504`` (USPTO fixed width: subclass, main group right-aligned in 3, then subgroup),
section/class/subclass/main-group/subgroup elements (ST.36 ``classification-ipcr``, OPS),
``H04W  84/20 A I`` (EP and OPS text, with version flags), ``7C 07C 29/00`` (IPC-7 edition first).
"""

from __future__ import annotations

import re

_SLASHED = re.compile(r"^([A-HY]\d\d[A-Z])\s*0*(\d{1,4})\s*/\s*(\d{1,6})")
# An edition digit first and spaces anywhere in the subclass; section Y exists only in CPC.
_SPACED = re.compile(r"^\d?\s*([A-HY])\s*(\d\d)\s*([A-Z])\s*0*(\d{1,4})\s*/\s*(\d{1,6})")
_FIXED_WIDTH = re.compile(r"^([A-HY]\d\d[A-Z])([ \d]{3})(\d{2,6})$")
_SUBCLASS_GROUP = re.compile(r"^([A-HY]\d\d[A-Z])\s*0*(\d{1,4})$")
_SUBCLASS = re.compile(r"^([A-HY]\d\d[A-Z])$")


def normalise_symbol(text: str) -> str:
    """An IPC or CPC symbol in the compact spelling ``H01M10/42``; '' when there is none.

    >>> normalise_symbol("H01M 10/42")
    'H01M10/42'
    >>> normalise_symbol("A45F  504")
    'A45F5/04'
    >>> normalise_symbol("G06F017/00")
    'G06F17/00'
    >>> normalise_symbol("7C 07C 29/00")
    'C07C29/00'
    >>> normalise_symbol("0101")  # Locarno: not IPC
    ''
    """
    t = " ".join(text.upper().split())
    if not t:
        return ""
    m = _SLASHED.match(t)
    if m:
        return f"{m.group(1)}{int(m.group(2))}/{m.group(3)}"
    m = _SPACED.match(t)
    if m:
        section, klass, subclass, group, subgroup = m.groups()
        return f"{section}{klass}{subclass}{int(group)}/{subgroup}"
    compact_width = text.strip().upper()
    rest = compact_width[4:]
    if rest.strip().isdigit() and len(rest) < 5:
        # A fixed-width symbol whose padding was squeezed ("E03C 104" for "E03C  104").
        compact_width = compact_width[:4] + rest.rjust(5)
    m = _FIXED_WIDTH.match(compact_width)
    if m and m.group(2).strip().isdigit():
        return f"{m.group(1)}{int(m.group(2))}/{m.group(3)}"
    m = _SUBCLASS_GROUP.match(t)
    if m:
        return f"{m.group(1)}{int(m.group(2))}"
    if _SUBCLASS.match(t):
        return t
    return ""  # a Locarno or national class, not IPC/CPC


def symbol_from_parts(section: str, klass: str, subclass: str, main_group: str, subgroup: str) -> str:
    """Join ST.36 ``section``/``class``/``subclass``/``main-group``/``subgroup`` into ``H01M10/42``."""
    head = f"{section.strip()}{klass.strip().zfill(2)}{subclass.strip()}".upper()
    group = main_group.strip().lstrip("0") or "0"
    sub = subgroup.strip() or "00"
    if not main_group.strip():
        return head
    return f"{head}{group}/{sub.zfill(2)}"
