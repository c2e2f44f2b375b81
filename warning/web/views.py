"""What the templates show, worked out of stored rows: titles in the reader's language, links to
the offices, evidence terms marked in the text."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from warning.identity import split_id

# Which stored language to show first, for a reader of each language.
_PREFERENCE = {"zh": ("zh", "en", "ja", "ko"), "en": ("en", "zh", "de", "fr", "ja", "ko")}


def decoded(value: Any, empty: Any) -> Any:
    """A JSON column as Python (already decoded values pass through); bad JSON reads as ``empty``."""
    if isinstance(value, dict | list):
        return value
    try:
        result = json.loads(value) if value else empty
    except ValueError:
        return empty
    return result if isinstance(result, type(empty)) else empty


def best_text(texts: Any, language: str) -> str:
    """The text in the reader's language if held, else the next preferred, else any."""
    texts = decoded(texts, {})
    for lang in _PREFERENCE.get(language, ("en",)):
        if texts.get(lang):
            return texts[lang]
    return next((t for t in texts.values() if t), "")


def office_links(publication_id: str) -> list[tuple[str, str]]:
    """Where a reader can open the publication itself: Espacenet for every office, the office's
    own register where it has a stable address, Google Patents."""
    country, number, kind = split_id(publication_id)
    compact = f"{country}{number}{kind or ''}"
    links = [("Espacenet", f"https://worldwide.espacenet.com/patent/search?q=pn%3D{quote(compact)}")]
    if country == "EP":
        links.append(("EPO Register", f"https://register.epo.org/application?number=EP{quote(number)}"))
    if country == "WO":
        links.append(("PATENTSCOPE", f"https://patentscope.wipo.int/search/en/{quote(compact)}"))
    links.append(("Google Patents", f"https://patents.google.com/patent/{quote(compact)}"))
    return links


def evidence_terms(evidence: Any) -> list[str]:
    """The words a match's evidence names: its top terms and the keywords its rules hit."""
    evidence = decoded(evidence, {})
    terms = [str(t[0]) for t in evidence.get("terms", []) if isinstance(t, list | tuple) and t]
    rules = evidence.get("rules") or {}
    terms += [str(k) for k in rules.get("keywords", []) or []]
    # n-gram features carry markers (spaces, underscores) around what they stand for
    cleaned = {t.strip(" _^$#").replace("_", " ") for t in terms}
    return sorted((t for t in cleaned if len(t) >= 2), key=len, reverse=True)


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` escaped, with every occurrence of ``terms`` (any case) wrapped in <mark>."""
    text = text or ""
    if not terms or not text:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in terms[:200]), re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(Markup("<mark>") + escape(found.group()) + Markup("</mark>"))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)
