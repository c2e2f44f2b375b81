"""The ingest's fast paths give what the plain ways give (issue 18): whitespace, names, documents
left to another parser process."""

from __future__ import annotations

import io

from warning.sources.uspto.stream import NOT_WANTED, iter_documents
from warning.sources.uspto.text import one_line, person_name

# Every character str.split() splits on, and look-alikes it does not.
_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_SPACES = "\u200b\u00ad\ufeff\x00\x07é电"


def test_one_line_is_joining_the_words():
    texts = ["", " ", "a", " a ", "a  b", "\na b\n", "a\n b", "x\n\ny", "1. A claim;\nb) more\n"]
    texts += [f"a{c}b" for c in _SPACES + _NOT_SPACES]
    texts += [f"{c}a b{c}" for c in _SPACES + _NOT_SPACES]
    texts += [f"a \n{c}b" for c in _SPACES]
    for text in texts:
        assert one_line(text) == " ".join(text.split()), repr(text)


def test_every_character_split_splits_on_but_the_space_is_unprintable():
    # What `one_line`'s fast path rests on, for every code point of this Python's Unicode tables.
    splitting = [chr(c) for c in range(0x110000) if len(f"a{chr(c)}b".split()) == 2]
    assert " " in splitting and len(splitting) > 20
    assert [c for c in splitting if c != " " and c.isprintable()] == []


def test_person_name_is_each_part_squashed_and_joined():
    parts = ["", " ", "Ann", " Ann  Lee ", "\xa0Ann\u3000", "de la\nCruz"]
    for first in parts:
        for last in parts:
            plain = " ".join(p for p in (" ".join(first.split()), " ".join(last.split())) if p)
            assert person_name(first, last) == plain


def test_documents_not_wanted_come_without_their_bytes_and_in_place():
    docs = [f'<?xml version="1.0"?>\n<a n="{n}"/>\n'.encode() for n in range(1, 8)]
    data = b"".join(docs)
    for chunk in (7, 64, len(data)):
        whole = list(iter_documents(io.BytesIO(data), chunk_size=chunk))
        share = list(iter_documents(io.BytesIO(data), chunk_size=chunk, wanted=lambda i: i % 2 == 0))
        assert [d.index for d in share] == [d.index for d in whole] == list(range(1, 8))
        for got, full in zip(share, whole, strict=True):
            if got.index % 2 == 0 or got.index == 7:  # the stream's last document always comes whole
                assert got == full and got.data == docs[got.index - 1]
            else:
                assert (got.data, got.problem) == (b"", NOT_WANTED)
