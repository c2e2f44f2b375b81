"""The parts of a publication an alert shows: an abstract cut at a sentence, the first claim.

Offices give abstracts of a few lines to a page and claims as one text (one claim or claim
paragraph a line, numbered or not); an alert shows about `ABSTRACT_CHARS` characters of the one
and the first claim of the other, which is always an independent claim (a dependent claim refers
to an earlier one, so the first cannot).
"""

from __future__ import annotations

import re

ABSTRACT_CHARS = 600
CLAIM_CHARS = 1200
# Where a sentence ends: Latin full stops, question and exclamation marks before a space, and the
# CJK full stops (。．！？), which need no space after them.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])")
_CLAUSE_END = re.compile(r"(?<=[;:])\s+(?=\S)|(?<=[；：])")  # where no sentence ends near
_CLAIM_NUMBER = re.compile(r"^\s*(?:\[?claim\s*)?(\d{1,3})\s*[.)\]、．]\s*", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def cut_at_sentence(text: str, target: int = ABSTRACT_CHARS) -> str:
    """``text`` (spaces squashed) whole if it is at most ``target`` characters (plus a fifth),
    else cut at the sentence end nearest ``target``, else at a word, ending with "…"."""
    text = _SPACES.sub(" ", text or "").strip()
    if len(text) <= target * 6 // 5:
        return text
    for pattern in (_SENTENCE_END, _CLAUSE_END):
        ends = [m.start() for m in pattern.finditer(text)]
        fitting = [e for e in ends if target // 2 <= e <= target * 6 // 5]
        if fitting:
            end = min(fitting, key=lambda e: abs(e - target))
            return text[:end].rstrip() + " …"
    cut = text.rfind(" ", 0, target)
    return text[: cut if cut > target // 2 else target].rstrip() + " …"


def first_claim(claims: str, limit: int = CLAIM_CHARS) -> str:
    """The first claim of a claims text: up to the line numbered "2." where the claims are
    numbered, else the first line; cut at a sentence near ``limit``."""
    lines = [line.strip() for line in (claims or "").splitlines() if line.strip()]
    if not lines:
        return ""
    numbered = _CLAIM_NUMBER.match(lines[0])
    if numbered and numbered.group(1) == "1":
        body = [lines[0][numbered.end() :]]
        for line in lines[1:]:
            found = _CLAIM_NUMBER.match(line)
            if found and found.group(1) != "1":
                break
            body.append(line)
        return cut_at_sentence(" ".join(body), limit)
    return cut_at_sentence(lines[0], limit)


def pick_language(texts: dict[str, str], prefer: tuple[str, ...]) -> tuple[str, str]:
    """(language, text) of the first preferred language present, else of any text, else ("", "")."""
    for lang in prefer:
        if texts.get(lang):
            return lang, texts[lang]
    return next(((k, v) for k, v in texts.items() if v), ("", ""))


def shown_texts(
    abstracts: dict[str, str], claims: dict[str, str], original: str
) -> dict[str, dict[str, str]]:
    """The abstract and first claim an alert carries, in the original language and in English
    (English once where the original is English): ``{"abstract": {lang: text}, "claim": {...}}``."""
    out: dict[str, dict[str, str]] = {"abstract": {}, "claim": {}}
    for kind, texts, shorten in (("abstract", abstracts, cut_at_sentence), ("claim", claims, first_claim)):
        for lang in dict.fromkeys([original or "", "en"]):
            if texts.get(lang):
                out[kind][lang] = shorten(texts[lang])
        if not out[kind]:
            lang, text = pick_language(texts, ())
            if text:
                out[kind][lang] = shorten(text)
    return out
