"""Publication identity: every office's spelling to one DOCDB-style key, ``CC-NUMBER-KIND``.

USPTO XML writes ``06970935`` + ``B2``, OPS writes ``US`` / ``2005004437`` / ``A1`` (DOCDB drops
one zero of US pre-grant serials), Lens writes ``US_2013_0101709_A1`` or ``US 2013/0101709 A1``,
PATENTSCOPE ``US20050286606`` (no kind) or ``WO/2005/123456``. They must all meet on one key so
the same publication from two sources merges.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s/_,.\-*]+")
# Country, then the number (letters allowed for US D/RE/PP/H/T prefixes), then an optional kind.
_COMPACT = re.compile(r"^([A-Z]{2})([A-Z]{0,2}\d+)([A-Z]\d?)?$")
_US_PREFIXED = re.compile(r"^(D|RE|PP|H|T|X|AI)0*(\d+)$")


def make_id(country: str, number: str, kind: str | None = None) -> str:
    """Build the canonical id from an office's country, number and kind code.

    >>> make_id("US", "06970935", "B2")
    'US-6970935-B2'
    >>> make_id("US", "2005004437", "A1")
    'US-20050004437-A1'
    """
    country = country.strip().upper()
    number = _SEPARATORS.sub("", number.strip().upper())
    kind = (kind or "").strip().upper()
    if number.startswith(country) and len(number) > len(country) and not number[len(country)].isalpha():
        number = number[len(country) :]
    number = _normalise_number(country, number, kind)
    kind = _normalise_kind(country, number, kind)
    return f"{country}-{number}-{kind}" if kind else f"{country}-{number}"


def _normalise_number(country: str, number: str, kind: str) -> str:
    if country == "US":
        return _us_number(number, kind)
    if country == "WO" and len(number) in (9, 10) and number[:4].isdigit() and number[:2] in ("19", "20"):
        # PATENTSCOPE's WO/2004/12345 style: year and a serial padded to six digits.
        return number[:4] + number[4:].zfill(6)
    if number.isdigit():
        return number.lstrip("0") or "0"
    return number


def _us_number(number: str, kind: str) -> str:
    prefixed = _US_PREFIXED.match(number)
    if prefixed:
        return prefixed.group(1) + prefixed.group(2)
    if not number.isdigit():
        return number
    is_pgpub_year = number[:4].isdigit() and 2000 < int(number[:4]) < 2100
    if is_pgpub_year and len(number) == 10 and (kind.startswith("A") or not kind):
        # DOCDB writes pre-grant publications as YYYY + 6 digits; USPTO as YYYY + 7 digits.
        return number[:4] + "0" + number[4:]
    if is_pgpub_year and len(number) == 11:
        return number
    return number.lstrip("0") or "0"


def _normalise_kind(country: str, number: str, kind: str) -> str:
    if country == "US" and number.startswith("D") and kind in ("S1", "S"):
        return "S"
    if country == "US" and number.startswith("RE") and kind in ("E", "E1"):
        return "E"
    return kind


def normalise_id(text: str) -> str:
    """Turn any office spelling into the canonical ``CC-NUMBER-KIND`` id.

    Text in no known spelling is returned stripped but otherwise as given, so it stays unique.

    >>> normalise_id("US 2013/0101709 A1")
    'US-20130101709-A1'
    >>> normalise_id("WO_2008_155316_A1")
    'WO-2008155316-A1'
    >>> normalise_id("EP-4123456-B1")
    'EP-4123456-B1'
    """
    raw = text.strip()
    parts = [p for p in _SEPARATORS.split(raw.upper()) if p]
    if not parts:
        return raw
    if len(parts) >= 2 and _is_country(parts[0]) and not parts[0][2:]:
        country, rest = parts[0], parts[1:]
        if len(rest) >= 3 and re.fullmatch(r"(19|20)\d{6}", rest[-1]) and _is_kind(rest[-2]):
            rest.pop()  # Lens appends the date to keys of republished documents: WO_2009_085025_A3_20091029
        kind = ""
        if len(rest) >= 2 and _is_kind(rest[-1]):
            kind = rest.pop()
        number = "".join(rest)
        if re.fullmatch(r"[A-Z]{0,2}\d+", number):
            return make_id(country, number, kind)
        return raw
    compact = _COMPACT.match("".join(parts))
    if compact:
        country, number, kind = compact.groups()
        return make_id(country, number, kind or "")
    return raw


def split_id(publication_id: str) -> tuple[str, str, str]:
    """Split a canonical id into (country, number, kind); kind may be ''."""
    pieces = publication_id.split("-")
    if len(pieces) == 3:
        return pieces[0], pieces[1], pieces[2]
    if len(pieces) == 2:
        return pieces[0], pieces[1], ""
    return "", publication_id, ""


def _is_country(token: str) -> bool:
    return len(token) >= 2 and token[:2].isalpha() and token[:2].isascii()


def _is_kind(token: str) -> bool:
    return bool(re.fullmatch(r"[A-Z]\d?", token))
