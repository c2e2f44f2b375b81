"""The one featurizer every watchlist shares: stateless hashing of words and characters.

Stateless, so a batch of new publications is featurized once and scored by every watchlist, and a
model trained today still reads tomorrow's publications. Features, all in one hashed space:

- words of alphabetic scripts, their 6-letter stems (``turbochargers`` -> ``turboc``) and pairs of
  neighbouring words (function words dropped);
- character 5-grams inside long words, so German compounds (``Kraftstoffeinspritzventil``) share
  features with their parts;
- character unigrams and bigrams of Chinese, Japanese and Korean runs, which have no spaces.

That is the ``words`` family, which every model uses. A model may add the ``chars`` family:
character n-grams (3 to 5) of every word padded with a space each side (like scikit-learn's
``char_wb``), which carry short texts such as titles, where words are few and one word's variants
(oven / ovens / ovenable) must meet. Each family has its own half of the columns and is
L2-normalised on its own, so a model of one family scores the same whatever else is computed, and
the chars family is computed only for batches a model of it reads.

The whole batch is hashed with numpy (a polynomial hash of every span through prefix sums), not
term by term in Python: that is what makes 100,000 publications a minute possible on one core.
`terms()` lists the same features as readable strings and `hash_terms()` maps them to their
columns, which is how explanations show words instead of column numbers.

Counts are log-scaled and each row is L2-normalised. Any change to what is emitted or how it is
hashed must bump `FEATURIZER_VERSION`: models record it and a mismatch is refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from warning.classify.watchlists import CJK_CHARS
from warning.config.schema import ClassifyConfig

HASH_BITS = 20
DEFAULT_TEXT_CHARS = ClassifyConfig.max_text_chars
MAX_BATCH_CHARS = 4_000_000  # characters featurized at once: about 350 MB of work arrays
FAMILY_WIDTH = 2**HASH_BITS
FAMILIES = ("words", "chars")  # family k owns columns [k * FAMILY_WIDTH, (k + 1) * FAMILY_WIDTH)
N_FEATURES = FAMILY_WIDTH * len(FAMILIES)
WORDS = ("words",)
CHAR_NGRAMS = (3, 4, 5)
CHAR_MARK = "#"  # a readable char n-gram term: "#" + the n-gram, padding spaces written "_"
FEATURIZER_VERSION = f"polyhash-words-stems-pairs-c5-cjk12-wb345-v2-{HASH_BITS}x2"
STEM = 6
LONG_WORD = 12
GRAM = 5
_P = np.uint64(0x100000001B3)  # odd, so it has an inverse modulo 2**64
_Q = np.uint64(pow(int(_P), -1, 2**64))
_PAIR = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_MASK = 2**64 - 1
STOPWORDS = frozenset(
    """an and are as at be by for from has have in into is it its of on or said such that the
    their then there these this to was which with wherein whereby being can may one more least
    first second plurality each other der die das und oder mit von zu ein eine einer des
    le la les et ou de du un une en pour par avec""".split()
)


def _char_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code point below 65536: part of a word, a CJK character, a digit."""
    chars = [chr(i) for i in range(65536)]
    cjk = np.zeros(65536, dtype=bool)
    for lo, hi in _cjk_ranges():
        cjk[lo : hi + 1] = True
    word = np.array([c.isalnum() for c in chars]) & ~cjk
    digit = np.array([c.isdigit() for c in chars])
    return word, cjk, digit


def _cjk_ranges() -> list[tuple[int, int]]:
    pairs = CJK_CHARS.split("\\")  # CJK_CHARS is a regex class body of 'a-b' ranges
    text = "".join(pairs)
    return [(ord(text[i]), ord(text[i + 2])) for i in range(0, len(text), 3)]


_WORD_CHAR, _CJK_CHAR, _DIGIT_CHAR = _char_tables()
_DIGIT_CHAR[65535] = False
# Kind of each code point: 0 separator, 1 word character, 2 CJK; 65535 stands for everything above.
_KIND = np.where(_CJK_CHAR, 2, np.where(_WORD_CHAR, 1, 0)).astype(np.int8)
_KIND[65535] = 0


def normalise_text(text: str) -> str:
    """What the featurizer reads: NFKC, lower case."""
    return unicodedata.normalize("NFKC", text).lower()


# ---------------------------------------------------------------- readable terms (Python)


def _scalar_hash(term: str) -> int:
    h = 0
    for ch in term:
        h = (h * int(_P) + ord(ch)) & _MASK
    return h


def _scalar_column(h: int) -> int:
    h = (h ^ (h >> 33)) & _MASK
    h = (h * int(_MIX)) & _MASK
    h = (h ^ (h >> 29)) & _MASK
    return h >> (64 - HASH_BITS)


@lru_cache(maxsize=200_000)
def hash_term(term: str) -> int:
    """The column of one readable term; a word pair is written with one space ("fuel tank"), a
    character n-gram as ``CHAR_MARK`` + the n-gram with "_" for the padding ("#_ove")."""
    if term.startswith(CHAR_MARK):
        return _scalar_column(_scalar_hash(term[1:].replace("_", " "))) + FAMILY_WIDTH
    if " " in term:
        a, b = term.split(" ", 1)
        return _scalar_column((_scalar_hash(a) * int(_PAIR) + _scalar_hash(b)) & _MASK)
    return _scalar_column(_scalar_hash(term))


def hash_terms(term_list: Sequence[str]) -> np.ndarray:
    """Columns of many readable terms, in order."""
    return np.array([hash_term(t) for t in term_list], dtype=np.int64)


def terms(text: str, families: Sequence[str] = WORDS) -> list[str]:
    """The features of one text as readable strings (slow; for explanations, not for scoring)."""
    codes = np.frombuffer(normalise_text(text).encode("utf-32-le"), dtype=np.uint32)
    text = normalise_text(text)
    kinds = _KIND[np.minimum(codes, 65535)]
    words, feats = [], []
    for start, end in _runs(kinds == 1):
        w = text[start:end]
        if len(w) >= 2 and not _DIGIT_CHAR[min(ord(w[0]), 65535)] and w not in STOPWORDS:
            words.append(w)
    feats += words + [w[:STEM] for w in words if len(w) > STEM]
    feats += [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    feats += [w[i : i + GRAM] for w in words if len(w) >= LONG_WORD for i in range(len(w) - GRAM + 1)]
    for start, end in _runs(kinds == 2):
        run = text[start:end]
        feats += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    if "chars" in families:
        feats += [CHAR_MARK + g for start, end in _runs(kinds == 1) for g in _char_grams(text[start:end])]
    return feats


def _char_grams(word: str) -> list[str]:
    padded = f"_{word}_"
    return [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]


def char_terms(text: str) -> list[tuple[str, str]]:
    """(char n-gram term, the word it comes from) for every n-gram of ``text``'s words."""
    norm = normalise_text(text)
    codes = np.frombuffer(norm.encode("utf-32-le"), dtype=np.uint32)
    kinds = _KIND[np.minimum(codes, 65535)]
    return [
        (CHAR_MARK + gram, norm[start:end])
        for start, end in _runs(kinds == 1)
        for gram in _char_grams(norm[start:end])
    ]


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


# ---------------------------------------------------------------- batch hashing (numpy)


class _Spans:
    """Polynomial hashes of arbitrary spans of one long code-point array, via prefix sums."""

    def __init__(self, codes: np.ndarray) -> None:
        n = len(codes)
        self.ppow = _powers(_P, n)
        qpow = _powers(_Q, n)
        self.prefix = np.zeros(n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(codes.astype(np.uint64) * qpow, out=self.prefix[1:])

    def hash(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Hash of codes[start:end] (end exclusive) for arrays of spans."""
        with np.errstate(over="ignore"):
            return self.ppow[end - 1] * (self.prefix[end] - self.prefix[start])


_POWER_CACHE: dict[int, np.ndarray] = {}


def _powers(base: np.uint64, n: int) -> np.ndarray:
    cached = _POWER_CACHE.get(int(base))
    if cached is None or len(cached) < n:
        size = max(n, 1 << 16, 2 * len(cached) if cached is not None else 0)
        with np.errstate(over="ignore"):
            cached = np.cumprod(np.full(size, base, dtype=np.uint64))
            cached = np.concatenate([[np.uint64(1)], cached[:-1]])
        _POWER_CACHE[int(base)] = cached
    return cached[:n]


def _columns(h: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * _MIX
        h = h ^ (h >> np.uint64(29))
    return (h >> np.uint64(64 - HASH_BITS)).astype(np.int64)


_STOP_HASHES = np.array(sorted(_scalar_hash(w) for w in STOPWORDS), dtype=np.uint64)
# A first sieve: bit 16..31 of a word's hash says whether it can be a stopword at all; the few
# that can are compared exactly (a binary search over every word's hash cost more than hashing).
_STOP_SIEVE = np.zeros(1 << 16, dtype=bool)
_STOP_SIEVE[((_STOP_HASHES >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64)] = True


class TextBatch:
    """A batch of texts as one code-point array, with what the featurizer and rule matcher share."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.n_docs = len(texts)
        joined = "\x00".join(normalise_text(t) for t in texts) + "\x00"
        self.codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        is_sep = self.codes == 0
        self.doc_of = np.cumsum(is_sep) - is_sep  # a separator belongs to the document before it
        self.kinds = _KIND[np.minimum(self.codes, 65535)]
        self.spans = _Spans(self.codes)
        is_word = self.kinds == 1
        prev = np.concatenate([[False], is_word[:-1]])
        after = np.concatenate([is_word[1:], [False]])
        self.word_starts = np.flatnonzero(is_word & ~prev)
        self.word_ends = np.flatnonzero(is_word & ~after) + 1


def featurize(texts: Sequence[str], families: Sequence[str] = WORDS) -> sp.csr_matrix:
    """A (documents x N_FEATURES) float32 matrix: log counts of hashed terms, each family's part
    of a row L2-normalised. Only the ``families`` asked for are computed (the others are zero).
    Long batches are featurized a few rows at a time (`MAX_BATCH_CHARS`), with the same result."""
    parts = chunks_by_chars([len(t) for t in texts])
    if len(parts) == 1:
        return featurize_batch(TextBatch(texts), families)
    return sp.vstack([featurize_batch(TextBatch(texts[part]), families) for part in parts], format="csr")


def featurize_batch(batch: TextBatch, families: Sequence[str] = WORDS) -> sp.csr_matrix:
    """`featurize` for a batch already prepared (the rule matcher reads the same batch)."""
    if batch.n_docs == 0:
        return sp.csr_matrix((0, N_FEATURES), dtype=np.float32)
    unknown = set(families) - set(FAMILIES)
    if unknown:
        raise ValueError(f"unknown feature families {sorted(unknown)}; known: {FAMILIES}")
    parts = [*_word_features(batch), *_cjk_features(batch)] if "words" in families else []
    if "chars" in families:
        parts.append(_char_features(batch))
    rows = np.concatenate([p[0] for p in parts])
    cols = np.concatenate([p[1] for p in parts])
    return _to_matrix(rows, cols, batch.n_docs, len(families) > 1)


def _word_features(batch: TextBatch):
    codes, spans, doc_of = batch.codes, batch.spans, batch.doc_of
    start, end = batch.word_starts, batch.word_ends
    keep = (end - start >= 2) & ~_DIGIT_CHAR[np.minimum(codes[start], 65535)]
    start, end = start[keep], end[keep]
    h = spans.hash(start, end)
    keep = np.ones(len(h), dtype=bool)
    maybe = np.flatnonzero(_STOP_SIEVE[((h >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.int64)])
    where = np.minimum(np.searchsorted(_STOP_HASHES, h[maybe]), len(_STOP_HASHES) - 1)
    keep[maybe] = _STOP_HASHES[where] != h[maybe]
    start, end, h = start[keep], end[keep], h[keep]
    doc = doc_of[start]
    yield doc, _columns(h)
    long = end - start > STEM
    yield doc[long], _columns(spans.hash(start[long], start[long] + STEM))
    same = doc[1:] == doc[:-1]
    with np.errstate(over="ignore"):
        pair = h[:-1][same] * _PAIR + h[1:][same]
    yield doc[:-1][same], _columns(pair)
    yield _long_word_grams(start, end, doc, spans)


def _long_word_grams(start, end, doc, spans):
    long = end - start >= LONG_WORD
    s, e, d = start[long], end[long], doc[long]
    counts = e - s - GRAM + 1
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    gram_start = np.repeat(s, counts) + offsets
    return np.repeat(d, counts), _columns(spans.hash(gram_start, gram_start + GRAM))


def _cjk_features(batch: TextBatch):
    kinds, spans, doc_of = batch.kinds, batch.spans, batch.doc_of
    pos = np.flatnonzero(kinds == 2)
    yield doc_of[pos], _columns(spans.hash(pos, pos + 1))
    pos2 = pos[kinds[pos + 1] == 2]
    yield doc_of[pos2], _columns(spans.hash(pos2, pos2 + 2))


def _char_features(batch: TextBatch):
    """Char n-grams of every word, padded with one space each side; in the chars family's columns."""
    mapped = np.where(batch.kinds == 1, batch.codes, 32).astype(np.uint32)
    spans = _Spans(np.concatenate([np.array([32], dtype=np.uint32), mapped]))
    start, end = batch.word_starts, batch.word_ends + 2  # padded word, in the shifted array
    doc = batch.doc_of[batch.word_starts]
    docs, cols = [], []
    for n in CHAR_NGRAMS:
        counts = np.maximum(end - start - n + 1, 0)
        offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        gram_start = np.repeat(start, counts) + offsets
        docs.append(np.repeat(doc, counts))
        cols.append(_columns(spans.hash(gram_start, gram_start + n)) + FAMILY_WIDTH)
    return np.concatenate(docs), np.concatenate(cols)


def _to_matrix(rows: np.ndarray, cols: np.ndarray, n_docs: int, several: bool) -> sp.csr_matrix:
    keys, counts = np.unique(rows * N_FEATURES + cols, return_counts=True)
    indptr = np.searchsorted(keys, np.arange(n_docs + 1, dtype=np.int64) * N_FEATURES)
    data = np.log1p(counts.astype(np.float32))
    indices = (keys % N_FEATURES).astype(np.int32)
    if several:  # each (row, family) part is normalised alone; a part starts where its group does
        group = keys // N_FEATURES * len(FAMILIES) + indices // FAMILY_WIDTH
        starts = np.flatnonzero(np.append(True, group[1:] != group[:-1])) if len(keys) else indptr[:0]
    else:
        starts = indptr[:-1][np.diff(indptr) > 0]
    if len(data):
        norms = np.sqrt(np.add.reduceat(data**2, starts))
        data /= np.repeat(norms, np.diff(np.append(starts, len(data))))
    return sp.csr_matrix((data, indices, indptr), shape=(n_docs, N_FEATURES))


def publication_text(
    titles: dict, abstracts: dict, claims: dict | None = None, limit: int = DEFAULT_TEXT_CHARS
) -> str:
    """The text a publication is classified on: every title and abstract (claims when nothing
    else), at most ``limit`` characters of it."""
    title, abstract = ("\n".join(v for v in d.values() if v) for d in (titles, abstracts))
    claim = "" if title or abstract else "\n".join(v for v in (claims or {}).values() if v)
    return classification_text(title[:limit], abstract[:limit], claim[:limit], limit)


def classification_text(title: str, abstract: str, claims: str, limit: int = DEFAULT_TEXT_CHARS) -> str:
    """`publication_text` from the joined title, abstract and claims texts the store keeps."""
    text = (f"{title}\n{abstract}" if abstract else title) if title else abstract or claims
    return text[:limit]


def chunks_by_chars(sizes: Sequence[int], budget: int = MAX_BATCH_CHARS) -> list[slice]:
    """Consecutive slices of a batch whose texts have ``sizes`` characters: at most ``budget``
    characters each (or a single text).

    The featurizer needs about 90 bytes per character of a batch; featurizing a batch of long
    texts a few at a time keeps that bounded, and the rows come out the same.
    """
    cuts, total, start = [], 0, 0
    for i, size in enumerate(sizes):
        if total and total + size > budget:
            cuts.append(slice(start, i))
            start, total = i, 0
        total += size
    cuts.append(slice(start, len(sizes)))
    return cuts
