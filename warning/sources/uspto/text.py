"""Text out of USPTO XML: whitespace-normalised, with named character entities turned into text.

Office files reference their DTD, which is never loaded, so a named entity such as ``&rdquo;``
or the ISO 8879 Greek ``&lgr;`` (USPTO 2001-2004) stays an entity node; here it becomes its
character again.
"""

from __future__ import annotations

import re
from html.entities import name2codepoint

from lxml import etree

_GREEK = {
    "agr": "α", "bgr": "β", "ggr": "γ", "dgr": "δ", "egr": "ε", "zgr": "ζ", "eegr": "η", "thgr": "θ",
    "igr": "ι", "kgr": "κ", "lgr": "λ", "mgr": "μ", "ngr": "ν", "xgr": "ξ", "ogr": "ο", "pgr": "π",
    "rgr": "ρ", "sgr": "σ", "tgr": "τ", "ugr": "υ", "phgr": "φ", "khgr": "χ", "psgr": "ψ", "ohgr": "ω",
}  # fmt: skip
ENTITY_TEXT: dict[str, str] = {name: chr(code) for name, code in name2codepoint.items()}
ENTITY_TEXT.update(_GREEK)
ENTITY_TEXT.update({k[0].upper() + k[1:]: v.upper() for k, v in _GREEK.items()})
ENTITY_TEXT.update({"equals": "=", "plus": "+", "minus": "−", "apos": "'", "lsqb": "[", "rsqb": "]"})


def raw_text(el: etree._Element | None) -> str:
    """Every piece of text under ``el``, entities resolved to characters, not normalised."""
    if el is None:
        return ""
    # itertext runs in C; an entity node comes out as its reference, "&rdquo;".
    joined = "".join(el.itertext())
    if "&" not in joined or not _ENTITY_REF.search(joined):
        return joined
    return "".join(_entity(t) if t[:1] == "&" and t[-1:] == ";" else t for t in el.itertext())


def _entity(piece: str) -> str:
    if _ENTITY_REF.fullmatch(piece):
        return ENTITY_TEXT.get(piece[1:-1], " ")
    return piece


_ENTITY_REF = re.compile(r"&[A-Za-z][\w.-]*;")


def text(el: etree._Element | None) -> str:
    """The text under ``el`` on one line, runs of whitespace collapsed."""
    return " ".join(raw_text(el).split())


def paragraphs(el: etree._Element | None, tags: tuple[str, ...]) -> str:
    """Text of each child block (``p``, ``claim``...) on its own line; whole text when none."""
    if el is None:
        return ""
    blocks = [text(child) for child in el.iter(*tags)]
    blocks = [b for b in blocks if b]
    return "\n".join(blocks) if blocks else text(el)


def person_name(first: str, last: str) -> str:
    """``First Last`` from the parts an office gives (either may be empty)."""
    return " ".join(p for p in (" ".join(first.split()), " ".join(last.split())) if p)
