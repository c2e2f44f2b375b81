"""Text out of USPTO XML: whitespace-normalised, with named character entities turned into text.

Office files reference their DTD, which is never loaded, so a named entity such as ``&rdquo;``
or the ISO 8879 Greek ``&lgr;`` (USPTO 2001-2004) stays an entity node; here it becomes its
character again.
"""

from __future__ import annotations

import re
from functools import partial
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


# The text of a subtree serialised in one C call, where itertext hands Python each piece in turn.
# It drops an entity node's reference, so it reads only subtrees known to hold none.
_SERIALISED_TEXT = partial(etree.tostring, method="text", encoding="unicode", with_tail=False)


# A reference to an entity other than the five XML predefines (which the parser turns into text).
_NAMED_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z_:]")


def may_hold_entities(data: bytes) -> bool:
    """Whether parsing ``data`` may leave an entity node (an ``&rdquo;``): a named reference in its
    bytes, or bytes not ASCII-compatible (UTF-16, UTF-32), where such a reference is not seen."""
    return b"\x00" in data[:64] or _NAMED_REFERENCE.search(data) is not None


def raw_text(el: etree._Element | None, entities: bool = True) -> str:
    """Every piece of text under ``el``, entities resolved to characters, not normalised.

    ``entities=False``: the caller knows the subtree holds no entity node (`may_hold_entities`),
    and the text is read in one call.
    """
    if el is None:
        return ""
    if not entities:
        return _SERIALISED_TEXT(el)
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


def text(el: etree._Element | None, entities: bool = True) -> str:
    """The text under ``el`` on one line, runs of whitespace collapsed (``entities``: see `raw_text`)."""
    return one_line(raw_text(el, entities))


def one_line(raw: str) -> str:
    """``" ".join(raw.split())``: runs of whitespace as one space, none at the ends.

    Most texts of a grant differ from that only by single line breaks and the spaces at their
    ends; such a text is made so with two C calls where splitting makes an object of every word.
    Exact: every whitespace character but the space is unprintable, so a printable text without
    two spaces in a row and none at its ends has the words of ``raw`` one space apart.
    """
    line = raw.replace("\n", " ").strip(" ")
    if "  " not in line and line.isprintable():
        return line
    return " ".join(raw.split())


def paragraphs(el: etree._Element | None, tags: tuple[str, ...], entities: bool = True) -> str:
    """Text of each child block (``p``, ``claim``...) on its own line; whole text when none."""
    if el is None:
        return ""
    if entities:
        blocks = [text(child) for child in el.iter(*tags)]
    else:  # `text` without its calls between, for the many claims of a grant
        blocks = [one_line(_SERIALISED_TEXT(child)) for child in el.iter(*tags)]
    blocks = [b for b in blocks if b]
    return "\n".join(blocks) if blocks else text(el, entities)


def person_name(first: str, last: str) -> str:
    """``First Last`` from the parts an office gives (either may be empty)."""
    return " ".join(f"{first} {last}".split())  # the words of both, as joining each part's words would
