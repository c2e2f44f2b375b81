"""Every watchlist's keywords found in a whole batch of texts in a few numpy passes.

A keyword is a span of the batch starting at a word start (or anywhere, for Chinese, Japanese
and Korean keywords) whose polynomial hash, from the featurizer's prefix sums, equals the
keyword's. Only starts whose first four characters (fewer for shorter keywords) begin some keyword
are looked at: a table of those leads gives, for each start, the lengths worth hashing there, so
all keywords of all lengths are found with one hash and one binary search over few spans.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from warning.classify.featurize import TextBatch, _scalar_hash

_SLOTS = 1 << 16
_LEAD = 4  # characters of a keyword's lead
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)  # keys of different lengths never share a hash
_MIX = np.uint64(0xFF51AFD7ED558CCD)


class KeywordIndex:
    """Normalised keys, each with the entries (watchlist keyword or exclude word) it stands for."""

    def __init__(self, keys: list[tuple[str, bool, int]], n_entries: int) -> None:
        """``keys``: (normalised text, matches anywhere?, entry id); equal texts share one hash."""
        by_key: dict[tuple[str, bool], list[int]] = defaultdict(list)
        for text, anywhere, entry in keys:
            by_key[(text, anywhere)].append(entry)
        unique = sorted(by_key)
        hashes = np.array([_key_hash(_scalar_hash(t), len(t)) for t, _ in unique], dtype=np.uint64)
        order = np.argsort(hashes)
        self.hashes = hashes[order]
        rows, cols = [], []
        for position, k in enumerate(order.tolist()):
            for entry in by_key[unique[k]]:
                rows.append(position)
                cols.append(entry)
        self.to_entries = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(unique), n_entries))
        self.leads = {a: _LeadTable([t for t, anywhere in unique if anywhere == a]) for a in (False, True)}

    def find(self, batch: TextBatch) -> sp.csr_matrix:
        """(documents x entries) 0/1: which entries' keys occur in each document."""
        starts, lengths = [], []
        for anywhere, table in self.leads.items():
            if not table.any:
                continue
            if anywhere:
                candidates = np.flatnonzero(table.first_chars[batch.codes & 0xFFFF])
            else:  # word starts whose first three characters may begin some keyword
                candidates = batch.word_starts[table.first_three[_three(batch, batch.word_starts)]]
            s, n = table.spans(batch, candidates)
            starts.append(s)
            lengths.append(n)
        start = np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        length = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64)
        end = start + length
        inside = end <= len(batch.codes)
        start, end, length = start[inside], end[inside], length[inside]
        h = _key_hash(batch.spans.hash(start, end), length)
        where = np.minimum(np.searchsorted(self.hashes, h), max(len(self.hashes) - 1, 0))
        ok = self.hashes[where] == h if len(self.hashes) else np.zeros(len(h), dtype=bool)
        # the span must not cross into the next document
        ok &= batch.doc_of[start] == batch.doc_of[end - 1]
        ok &= batch.codes[end - 1] != 0
        found = sp.csr_matrix(
            (np.ones(int(ok.sum())), (batch.doc_of[start[ok]], where[ok])),
            shape=(batch.n_docs, len(self.hashes)),
        )
        matrix = (found @ self.to_entries).tocsr()
        matrix.data[:] = 1.0  # a keyword found twice is still one keyword
        return matrix


class _LeadTable:
    """Per lead length 1..4: for each slot of a lead's hash, the lengths of the keys it begins.

    Keys of four characters or more are filed under their first four; shorter keys under
    themselves. Tables are CSR (slot -> lengths); a slot shared by two leads only costs a hash.
    """

    def __init__(self, texts: list[str]) -> None:
        self.any = bool(texts)
        self.first_chars = np.zeros(_SLOTS, dtype=bool)
        # by the low 5 bits of the first three characters (any for the missing ones of a short key)
        self.first_three = np.zeros(1 << 15, dtype=bool)
        by_level: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
        for text in texts:
            self.first_chars[ord(text[0]) & 0xFFFF] = True
            bits = [ord(c) & 31 for c in text[:3]]
            key = sum(b << (10 - 5 * i) for i, b in enumerate(bits))
            self.first_three[key : key + (1 << (15 - 5 * len(bits)))] = True
            level = min(len(text), _LEAD)
            by_level[level][_slot(_scalar_hash(text[:level]))].add(len(text))
        self.levels = {}
        for level, slots in sorted(by_level.items()):
            pairs = sorted((slot, n) for slot, lengths in slots.items() for n in lengths)
            keys = np.array([slot for slot, _ in pairs], dtype=np.int64)
            indptr = np.zeros(_SLOTS + 1, dtype=np.int64)
            np.cumsum(np.bincount(keys, minlength=_SLOTS), out=indptr[1:])
            self.levels[level] = (indptr, np.array([n for _, n in pairs], dtype=np.int64))

    def spans(self, batch: TextBatch, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, length) of every span worth hashing, for candidate ``starts``."""
        owners, lengths = [], []
        for level, (indptr, table) in self.levels.items():
            ends = np.minimum(starts + level, len(batch.codes))
            slots = _slot(batch.spans.hash(starts, ends))
            counts = indptr[slots + 1] - indptr[slots]
            has = counts > 0
            slots, counts = slots[has], counts[has]
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            owners.append(np.repeat(starts[has], counts))
            lengths.append(table[np.repeat(indptr[slots], counts) + offsets])
        if not owners:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(owners), np.concatenate(lengths)


def _three(batch: TextBatch, starts: np.ndarray) -> np.ndarray:
    """The low 5 bits of the three characters from each of ``starts``, packed in 15 bits."""
    last = len(batch.codes) - 1
    codes = batch.codes
    return (
        (codes[starts] & 31) << 10
        | (codes[np.minimum(starts + 1, last)] & 31) << 5
        | (codes[np.minimum(starts + 2, last)] & 31)
    ).astype(np.int64)


def _slot(h):
    """A table slot from a span hash (scalar or numpy array): the top 16 bits of a multiplicative
    hash, which depend on every bit of ``h``."""
    if isinstance(h, int):
        return ((h * int(_MIX)) & (2**64 - 1)) >> 48
    with np.errstate(over="ignore"):
        return ((h * _MIX) >> np.uint64(48)).astype(np.int64)


def _key_hash(h, length):
    """A span's hash mixed with its length (scalar or numpy arrays)."""
    if isinstance(h, int):
        return (h + length * int(_LENGTH_MIX)) & (2**64 - 1)
    with np.errstate(over="ignore"):
        return h + length.astype(np.uint64) * _LENGTH_MIX
