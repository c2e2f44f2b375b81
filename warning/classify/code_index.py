"""Which watchlists a batch's classification codes hit, by prefix, with numpy past one lookup.

A code is compared without spaces or slashes (`B62K 11/04` -> `B62K1104`), so a watchlist prefix
`B62K11` matches it; the evidence shows the code as the publication spells it (`B62K11/04`).
Codes repeat across publications: each distinct code is looked up once and given an id, and a
batch becomes arrays of ids expanded to (document, watchlist) hits.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np

from warning.classify.watchlists import Watchlist, code_key

MAX_CODES = 200_000  # distinct codes remembered; beyond, the memory starts again


class CodeIndex:
    """Code prefixes of many watchlists, and the distinct codes seen so far with their owners."""

    def __init__(self, watchlists: list[Watchlist]) -> None:
        self.prefixes: dict[str, list[int]] = defaultdict(list)
        for wl, w in enumerate(watchlists):
            for prefix in (*w.cpc, *w.ipc):
                if wl not in self.prefixes[prefix]:
                    self.prefixes[prefix].append(wl)
        self.lengths = sorted({len(p) for p in self.prefixes})
        self._forget()

    def _forget(self) -> None:
        self.ids: dict[str, int] = {}
        self._keys: dict[str, int] = {}  # compact key -> key id, so spellings of one code dedupe
        self._owners: list[list[int]] = []
        self._key_of: list[int] = []
        self._pieces: list[str] = []
        self._arrays = None

    def hits(self, codes: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(document, watchlist, JSON piece) of each first hit of a code key in a document.

        Hits keep the order of the documents, then of their codes, then of the watchlists.
        """
        if len(self.ids) > MAX_CODES:
            self._forget()
        ids, learn = self.ids, self._learn
        flat = [ids[c] if c in ids else learn(c) for doc_codes in codes for c in doc_codes]
        indptr, owners, key_of, pieces = self._as_arrays()
        flat = np.array(flat, dtype=np.int64)
        counts = indptr[flat + 1] - indptr[flat]
        doc = np.repeat(np.repeat(np.arange(len(codes)), [len(c) for c in codes]), counts)
        code = np.repeat(flat, counts)
        offsets = np.arange(len(code)) - np.repeat(np.cumsum(counts) - counts, counts)
        wl = owners[np.repeat(indptr[flat], counts) + offsets]
        # first occurrence of each (document, watchlist, code key)
        key = (doc * (int(owners.max(initial=0)) + 1) + wl) * len(pieces) + key_of[code]
        first = np.sort(np.unique(key, return_index=True)[1])
        return doc[first], wl[first], pieces[code[first]]

    def _learn(self, code: str) -> int:
        key = code_key(code)
        found: list[int] = []
        for length in self.lengths:
            if length > len(key):
                break
            found += self.prefixes.get(key[:length], ())
        self.ids[code] = len(self._owners)
        self._owners.append(list(dict.fromkeys(found)))
        self._key_of.append(self._keys.setdefault(key, len(self._keys)))
        self._pieces.append(json.dumps(code.strip(), ensure_ascii=False) if found else "")
        return self.ids[code]

    def _as_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The owners of every code seen, as CSR arrays; codes learned since last time appended."""
        built = self._arrays or (
            np.zeros(1, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=object),
        )
        done = len(built[2])
        if done == len(self._owners):
            return built
        new = self._owners[done:]
        counts = np.cumsum([len(o) for o in new], dtype=np.int64) + built[0][-1]
        pieces = np.empty(len(new), dtype=object)
        pieces[:] = self._pieces[done:]
        self._arrays = (
            np.concatenate([built[0], counts]),
            np.concatenate([built[1], np.array([wl for o in new for wl in o], dtype=np.int64)]),
            np.concatenate([built[2], np.array(self._key_of[done:], dtype=np.int64)]),
            np.concatenate([built[3], pieces]),
        )
        return self._arrays
