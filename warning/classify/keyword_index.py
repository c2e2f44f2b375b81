"""Every watchlist's keywords found in a whole batch of texts in a few numpy passes.

A keyword is a span of the batch starting at a word start (or anywhere, for Chinese, Japanese
and Korean keywords) whose polynomial hash, from the featurizer's prefix sums, equals the
keyword's. Only starts whose first two characters begin some keyword are looked at: a table of
those leads gives, for each start, the lengths worth hashing there, so all keywords of all
lengths are found with one hash and one binary search over the candidate spans.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import scipy.sparse as sp

from warning.classify.featurize import TextBatch, _scalar_hash

_SLOTS = 1 << 16
_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)  # keys of different lengths never share a hash


def lead_slot(first: int, second: int | None) -> int:
    """Table slot of a span's first two characters (or its only one)."""
    if second is None:
        return first & 0xFFFF
    return ((first * 40503) ^ second) & 0xFFFF


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
        codes = np.append(batch.codes, np.uint32(0))  # room to read a second character at the end
        starts, lengths = [], []
        for anywhere, table in self.leads.items():
            if not table.any:
                continue
            candidates = (
                np.flatnonzero(table.first_chars[codes[:-1] & 0xFFFF]) if anywhere else batch.word_starts
            )
            s, n = table.spans(codes, candidates)
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
    """For each lead slot, the lengths of the keys starting with such a lead (CSR layout)."""

    def __init__(self, texts: list[str]) -> None:
        self.any = bool(texts)
        self.first_chars = np.zeros(_SLOTS, dtype=bool)
        lengths: list[set[int]] = [set() for _ in range(2 * _SLOTS)]
        for text in texts:
            self.first_chars[ord(text[0]) & 0xFFFF] = True
            # one-character keys live in the second half, keyed by that character alone
            if len(text) == 1:
                lengths[_SLOTS + lead_slot(ord(text[0]), None)].add(1)
            else:
                lengths[lead_slot(ord(text[0]), ord(text[1]))].add(len(text))
        counts = np.array([len(s) for s in lengths], dtype=np.int64)
        self.indptr = np.concatenate([[0], np.cumsum(counts)])
        self.lengths = np.array([n for s in lengths for n in sorted(s)], dtype=np.int64)

    def spans(self, codes: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, length) of every span worth hashing, for candidate ``starts``."""
        first = codes[starts].astype(np.int64)
        two = ((first * 40503) ^ codes[starts + 1].astype(np.int64)) & 0xFFFF
        slots = np.concatenate([two, _SLOTS + (first & 0xFFFF)])
        owners = np.concatenate([starts, starts])
        counts = self.indptr[slots + 1] - self.indptr[slots]
        has = counts > 0
        slots, owners, counts = slots[has], owners[has], counts[has]
        total = int(counts.sum())
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        picked = np.repeat(self.indptr[slots], counts) + offsets
        return np.repeat(owners, counts), self.lengths[picked]


def _key_hash(h, length):
    """A span's hash mixed with its length (scalar or numpy arrays)."""
    if isinstance(h, int):
        return (h + length * int(_LENGTH_MIX)) & (2**64 - 1)
    with np.errstate(over="ignore"):
        return h + length.astype(np.uint64) * _LENGTH_MIX
