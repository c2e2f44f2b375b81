"""The words of alerts and digests, one gettext catalogue per language.

``locales/LANG/LC_MESSAGES/warning.po`` holds a language's words, keyed by the name the templates
use (``t.brand``, ``t.steps.ep_grant``: a dot marks a group); Babel reads them. Adding Japanese or
Vietnamese is one translated copy of a catalogue: `languages` finds every catalogue there is, and a
word a catalogue lacks is taken from the English one. A word no catalogue has is an error where a
template asks for it, never a silent blank.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent / "locales"
DOMAIN = "warning"
FALLBACK = "en"


def languages() -> tuple[str, ...]:
    """The languages that have a catalogue, Chinese and English first."""
    found = {p.parent.parent.name for p in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    first = [lang for lang in ("zh", "en") if lang in found]
    return (*first, *sorted(found - set(first)))


@lru_cache(maxsize=16)
def messages(lang: str) -> dict[str, str]:
    """Every translated word of ``lang``'s catalogue, by key; the English ones where it has none."""
    own = _read(lang)
    return own if lang == FALLBACK else {**_read(FALLBACK), **own}


def _read(lang: str) -> dict[str, str]:
    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=DOMAIN)
    return {m.id: m.string for m in catalog if m.id and m.string}


class Words(Mapping):
    """A catalogue as the templates read it: ``t.brand``, ``t["update_" ~ reason]``,
    ``t.steps[key]``, ``t.legal_category.get(code, code)``."""

    def __init__(self, words: dict[str, str], prefix: str = "") -> None:
        self._words, self._prefix = words, prefix

    def __getitem__(self, key: str) -> str | Words:
        full = self._prefix + key
        if full in self._words:
            return self._words[full]
        if any(k.startswith(full + ".") for k in self._words):
            return Words(self._words, full + ".")
        raise KeyError(full)

    def __getattr__(self, name: str) -> str | Words:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"no word {self._prefix + name!r} in the catalogues") from None

    def __iter__(self) -> Iterator[str]:
        n = len(self._prefix)
        return iter(dict.fromkeys(k[n:].split(".")[0] for k in self._words if k.startswith(self._prefix)))

    def __len__(self) -> int:
        return sum(1 for _ in self)


def words(lang: str) -> Words:
    """The words of ``lang`` (`languages`), for the templates' ``t``."""
    return Words(messages(lang))
