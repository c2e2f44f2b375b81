"""Shared pieces of the result-list exports users download from patent services (PATENTSCOPE, Lens)."""

from __future__ import annotations

import re
from datetime import date

from warning.identity import normalise_id, split_id
from warning.models import APPLICATION, DESIGN, GRANT, PLANT, Publication
from warning.sources.classification import normalise_symbol

_DATE_FORMATS = (
    (re.compile(r"^(\d{4})-(\d\d)-(\d\d)"), ("y", "m", "d")),
    (re.compile(r"^(\d\d)[./](\d\d)[./](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d\d)/(\d\d)/(\d\d)$"), ("d", "m", "yy")),
    (re.compile(r"^(\d{4})(\d\d)(\d\d)$"), ("y", "m", "d")),
)


def export_date(value: str | None) -> str | None:
    """ISO ``YYYY-MM-DD`` from ``2013-04-25``, ``25.04.2013``, ``25/04/2013``, ``25/04/13`` or ``20130425``."""
    v = (value or "").strip()
    for pattern, order in _DATE_FORMATS:
        m = pattern.match(v)
        if not m:
            continue
        parts = dict(zip(order, m.groups(), strict=True))
        if "yy" in parts:
            yy = int(parts["yy"])
            parts["y"] = str((2000 if yy <= date.today().year % 100 + 1 else 1900) + yy)
        try:
            return date(int(parts["y"]), int(parts["m"]), int(parts["d"])).isoformat()
        except ValueError:
            return None
    return None


def split_list(value: str | None, separator: str) -> list[str]:
    """Non-empty, stripped, de-duplicated items of a ``;``- or ``;;``-separated cell."""
    if not value:
        return []
    return list(dict.fromkeys(" ".join(p.split()) for p in str(value).split(separator) if p.strip()))


def symbols(value: str | None, separator: str) -> list[str]:
    """IPC/CPC symbols of a cell, in the store's compact spelling (`warning.sources.classification`)."""
    return list(dict.fromkeys(s for s in (normalise_symbol(p) for p in split_list(value, separator)) if s))


def doc_type_from(kind: str, label: str = "") -> str:
    """The document type from a service's label ("Granted Patent") or, failing that, the kind code."""
    text = label.lower()
    if "design" in text:
        return DESIGN
    if "plant" in text:
        return PLANT
    if "grant" in text:
        return GRANT
    if "application" in text:
        return APPLICATION
    return GRANT if kind[:1] in ("B", "C") else APPLICATION


def export_publication(raw_number: str, source: str, ref: str, **fields) -> Publication:
    """A `Publication` for one export row; ValueError when the row has no publication number."""
    if not raw_number or not raw_number.strip():
        raise ValueError("no publication number")
    pid = normalise_id(raw_number)
    country, number, kind = split_id(pid)
    kind = fields.pop("kind", "") or kind
    if kind and not pid.endswith(f"-{kind}") and country:
        pid = normalise_id(f"{country}-{number}-{kind}")
        country, number, kind = split_id(pid)
    title = fields.pop("title", "")
    abstract = fields.pop("abstract", "")
    return Publication(
        id=pid,
        country=country,
        number=number,
        kind=kind,
        doc_type=doc_type_from(kind, fields.pop("doc_label", "")),
        titles={"en": title} if title else {},
        abstracts={"en": abstract} if abstract else {},
        lang="en",
        source=source,
        raw_ref=ref,
        **fields,
    )
