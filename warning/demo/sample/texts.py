"""Titles, abstracts and claims in each office's language, combined from the phrase tables.

An `Invention` is one draw of component x two features x effect from a topic; the functions
here word it as each office would (Japanese abstracts with 【課題】/【解決手段】, Russian
ones with "Сущность изобретения", EP claims without numbers ...), so the same invention
filed in several countries reads as one family.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from warning.demo.sample.content import Topic, phrase

_ARTICLES = ("a ", "an ", "the ", "um ", "uma ")


@dataclass(frozen=True)
class Invention:
    """One invention: what it is, what it has and what that achieves, in every language."""

    topic: Topic
    component: dict[str, str]
    feature: dict[str, str]
    feature2: dict[str, str]
    feature3: dict[str, str]
    effect: dict[str, str]
    variant: int  # picks among equivalent sentence templates

    @property
    def key(self) -> tuple:
        return (
            self.topic.key,
            self.component["en"],
            self.feature["en"],
            self.feature2["en"],
            self.effect["en"],
        )


def invent(topic: Topic, rng: random.Random) -> Invention:
    """Draw one invention from a topic's phrase tables."""
    features = rng.sample(topic.features, k=min(3, len(topic.features)))
    while len(features) < 3:
        features.append(features[-1])
    return Invention(
        topic=topic,
        component=phrase(rng.choice(topic.components)),
        feature=phrase(features[0]),
        feature2=phrase(features[1]),
        feature3=phrase(features[2]),
        effect=phrase(rng.choice(topic.effects)),
        variant=rng.randrange(3),
    )


def bare(text: str) -> str:
    """The phrase without its leading indefinite or definite article."""
    for article in _ARTICLES:
        if text.startswith(article):
            return text[len(article) :]
    return text


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def title(inv: Invention, lang: str) -> str:
    """The invention's title as an office writing in ``lang`` would give it."""
    c, f, v = inv.component[lang], inv.feature[lang], inv.variant
    en_like = {
        "en": (f"{cap(bare(c))} with {bare(f)}", f"{cap(bare(c))} having {bare(f)}", f"{cap(bare(c))}"),
        "zh": (f"一种具有{f}的{c}", f"{c}及其制造方法", f"一种{c}"),
        "ja": (f"{c}", f"{f}を備えた{c}", f"{c}及びその製造方法"),
        "ko": (f"{f}{_particle(f, '을', '를')} 포함하는 {c}", f"{c}", f"{c} 및 이의 제조 방법"),
        "pt": (f"{bare(c)} com {bare(f)}", f"{bare(c)}", f"{bare(c)} e método de fabricação do mesmo"),
        "ru": (f"{cap(c)} с {f}", f"{cap(c)}", f"{cap(c)} с {f}"),
        "vi": (f"{cap(c)} có {f}", f"{cap(c)}", f"Phương pháp sản xuất {c}"),
        "de": (f"{c} mit {f}", f"{c}", f"{c} mit {f}"),
        "fr": (f"{c} comprenant {f}", f"{c}", f"{c} et son procédé de fabrication"),
    }
    return en_like[lang][v]


def abstract(inv: Invention, lang: str) -> str:
    """A one-paragraph abstract in ``lang`` (en, zh, ja, ko, pt, ru, vi)."""
    c, f, f2, e = inv.component[lang], inv.feature[lang], inv.feature2[lang], inv.effect[lang]
    v = inv.variant % 2
    if lang == "en":
        first = (
            f"{cap(c)} includes {f} and {f2}. This arrangement {e}.",
            f"Disclosed is {c} comprising {f}. The {bare(c)} further comprises {f2}, which {e}.",
        )[v]
        tail = (
            "",
            f" A method of manufacturing the {bare(c)} is also disclosed.",
            " The structure is simple and inexpensive.",
        )
        return first + tail[inv.variant]
    if lang == "zh":
        first = (
            f"本发明公开了一种{c}，包括{f}和{f2}。该{c}能够{e}。",
            f"本发明提供一种{c}，其具有{f}，并设有{f2}，从而{e}。",
        )[v]
        return first + ("", f"本发明还公开了该{c}的制造方法。", "本发明结构简单，成本低。")[inv.variant]
    if lang == "ja":
        means = (f"{c}は、{f}と、{f2}とを備える。", f"{c}は、{f}を備え、さらに{f2}を有する。")[v]
        return f"【課題】{e}{c}を提供する。【解決手段】{means}【選択図】図{1 + inv.variant}"
    if lang == "ko":
        topic_c = f"{c}{_particle(c, '은', '는')}"
        return (
            f"본 발명은 {c}에 관한 것으로, 상기 {topic_c} {f}{_particle(f, '과', '와')} {f2}{_particle(f2, '을', '를')} 포함한다. 이에 따라 {e}.",
            f"{f}{_particle(f, '을', '를')} 구비한 {c}{_particle(c, '이', '가')} 개시된다. 상기 {topic_c} {f2}{_particle(f2, '을', '를')} 더 포함하며, {e}.",
        )[v]
    if lang == "pt":
        return (
            f"A presente invenção refere-se a {c} que compreende {f} e {f2}. A configuração {e}.",
            f"A invenção descreve {c} com {f} e {f2}. A invenção {e}.",
        )[v]
    if lang == "ru":
        return (
            f"Сущность изобретения: {c} с {f} и {f2}. Технический результат — {e}.",
            f"Предложено устройство: {c} с {f}, дополнительно снабженное {f2}. Технический результат — {e}.",
        )[v]
    if lang == "vi":
        return (
            f"Sáng chế đề cập đến {c} có {f} và {f2}, giúp {e}.",
            f"{cap(c)} theo sáng chế bao gồm {f} và {f2}. Nhờ đó, sáng chế {e}.",
        )[v]
    raise ValueError(f"no abstract template for language {lang!r}")


def claims(inv: Invention, lang: str) -> list[str]:
    """Independent claim 1 and two dependent claims, unnumbered (en, de, fr)."""
    c, f, f2, f3, e = (
        inv.component[lang],
        inv.feature[lang],
        inv.feature2[lang],
        inv.feature3[lang],
        inv.effect[lang],
    )
    if lang == "en":
        name = bare(c)
        return [
            f"{cap(c)} comprising: {f}; and {f2}, wherein the {name} {e}.",
            f"The {name} according to claim 1, further comprising {f3}.",
            f"A method of manufacturing the {name} according to claim 1 or 2.",
        ]
    if lang == "de":
        return [
            f"{c} mit {f} und {f2}, wobei {e}.",
            f"{c} nach Anspruch 1, ferner mit {f3}.",
            "Verfahren zur Herstellung des Erzeugnisses nach Anspruch 1 oder 2.",
        ]
    if lang == "fr":
        return [
            f"{cap(c)} comprenant {f} et {f2}, {e}.",
            f"{cap(c)} selon la revendication 1, comprenant en outre {f3}.",
            "Procédé de fabrication selon la revendication 1 ou 2.",
        ]
    raise ValueError(f"no claim template for language {lang!r}")


def _particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """The Korean particle that fits the word's last syllable (은/는, 을/를, 이/가, 과/와)."""
    last = word.rstrip()[-1:] or "a"
    if "가" <= last <= "힣":
        has_final_consonant = (ord(last) - 0xAC00) % 28 != 0
        return after_consonant if has_final_consonant else after_vowel
    return after_vowel
