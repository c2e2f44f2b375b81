"""Why a publication matched, in words a person reads: the features mapped back to the text.

The classifier explains a match by its strongest features (`warning.classify.featurize`): whole
words, 6-letter stems (``cylind``), word pairs with function words dropped (``fuel tank``),
5-grams inside long words, character n-grams (``#_ove``) and CJK characters and bigrams (``ュ``,
``電池``). A stem or a fragment means nothing to a reader, so each is looked up in the
publication's own text and shown as the whole word or phrase it came from (``cylinder``,
``スクーター``); a feature that cannot be found there again is left out rather than shown raw.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from warning.classify.featurize import CHAR_MARK, STOPWORDS
from warning.classify.watchlists import CJK_RE

MAX_PHRASES = 8
MAX_CJK_RUN = 6  # a Han run longer than this is a clause, not a word: the bigram is shown alone
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HANGUL = "\uac00-\ud7af"
_WORD = r"[^\W_]"
# Words a patent uses about everything: weighty for a model of one watchlist, no reason to a reader.
GENERIC = frozenset(
    """between comprising comprises including includes having provided configured arranged
    according thereof therein further least wherein whereby method apparatus device system unit
    member portion part element means first second third plurality""".split()
)
_HYPHENATED = rf"(?:{_WORD}+-)*"  # "straddle-type vehicle", not "type vehicle"


def readable_terms(terms: list[str], text: str, limit: int = MAX_PHRASES) -> list[str]:
    """The whole words and phrases of ``text`` the feature ``terms`` came from, strongest first,
    each once, a word inside a phrase already shown left out; features not found are dropped."""
    text = unicodedata.normalize("NFKC", text or "")
    found: list[str] = []
    for term in terms:
        phrase = phrase_of(str(term), text)
        if not phrase or phrase.casefold() in GENERIC or any(_contains(shown, phrase) for shown in found):
            continue
        found = [shown for shown in found if not _contains(phrase, shown)] + [phrase]
        if len(found) >= limit:
            break
    return found


def _contains(outer: str, inner: str) -> bool:
    return inner.casefold() in outer.casefold()


def phrase_of(term: str, text: str) -> str:
    """The word or phrase of ``text`` that the one feature ``term`` was taken from, or ""."""
    term = unicodedata.normalize("NFKC", term).strip()
    if not term or not text:
        return ""
    if CJK_RE.search(term):
        return _cjk_word(term, text)
    found = _pattern(term).search(text)
    if not found:
        return ""
    words = found.group(0).split()
    # a pair found across the function words the featurizer skips ("pack for an electric") reads
    # as a fragment: the reader gets its two words' own phrases from the other features instead
    if len(words) > 2 and all(w.casefold() in STOPWORDS for w in words[1:-1]):
        return ""
    return " ".join(words)


@lru_cache(maxsize=4096)
def _pattern(term: str) -> re.Pattern:
    """A case-insensitive pattern of the whole word (or words) a feature term stands for."""
    if term.startswith(CHAR_MARK):  # a character n-gram, "_" marking the word's edge
        gram = term[len(CHAR_MARK) :]
        core = re.escape(gram.strip("_"))
        start = "" if gram.startswith("_") else f"{_WORD}*"
        end = "" if gram.endswith("_") else f"{_WORD}*"
        return re.compile(
            rf"(?<![\w-]){_HYPHENATED}{start}{core}{end}(?:-{_WORD}+)*(?!{_WORD})", re.IGNORECASE
        )
    words = term.split()
    if len(words) == 2:  # a pair of neighbouring words, function words between them dropped
        a, b = (re.escape(w) for w in words)
        return re.compile(
            rf"(?<![\w-]){_HYPHENATED}{a}{_WORD}*(?:\W+{_WORD}+){{0,2}}?\W+{b}{_WORD}*(?:-{_WORD}+)*",
            re.IGNORECASE,
        )
    # a word, a stem or a fragment of a long word: the whole (hyphenated) word around it
    return re.compile(
        rf"(?<![\w-]){_HYPHENATED}{_WORD}*{re.escape(term)}{_WORD}*(?:-{_WORD}+)*", re.IGNORECASE
    )


def _cjk_word(term: str, text: str) -> str:
    """A katakana or hangul word, or a short run of Han characters, around the CJK feature; a
    lone character or a piece of a long clause is not a word a reader can use."""
    at = text.find(term)
    if at < 0:
        return ""
    for script in (_KATAKANA, _HANGUL, _HAN):
        if re.fullmatch(f"[{script}]+", term):
            run = re.compile(f"[{script}]+")
            for found in run.finditer(text):
                if found.start() <= at < found.end():
                    word = found.group(0)
                    if len(word) <= MAX_CJK_RUN and (len(word) > 1 or len(term) > 1):
                        return word
                    return term if len(term) > 1 and script == _HAN else ""
    return term if len(term) > 1 else ""
