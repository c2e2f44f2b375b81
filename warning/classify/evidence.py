"""Why publications matched: the top terms of every match of a batch at once.

The evidence JSON is written from them by `warning.classify.evidence_text`. Top terms: a term's contribution to a match is x_ij * w_j. Each match's nonzeros that can be
strong (among some watchlist's `HEAVY` strongest columns, or counted more than once) are read
first; where the ``top``-th found beats any term left out, they are complete, and the few other
matches are read whole. One sort orders candidates by match, strongest first.
"""

from __future__ import annotations

import json

import numpy as np
import scipy.sparse as sp

from warning.classify.evidence_text import join_groups, weight_text
from warning.classify.featurize import N_FEATURES

# Column -> position in a TermTable; shared scratch space, always left at -1 (single-threaded use).
_POSITION = np.full(N_FEATURES, -1, dtype=np.int32)
HEAVY = 256  # per watchlist, its strongest terms: looked at first (`TermTables.top_terms`)
_CUTS = (np.float32(0.1), np.float32(0.25), np.float32(0.5), np.float32(0.7))  # see `_strongest`
_SEEN = np.zeros(N_FEATURES, dtype=bool)  # scratch for `distinct`, always left False


class TermTables:
    """Every watchlist's explaining columns (positive weight, readable term), in one indexed table.

    Entry ``i`` of the table is one (watchlist, column): its weight, its JSON piece '["term", '
    (the start of a [term, weight] pair) and the term's alphabetical rank within the watchlist,
    which orders terms of equal contribution (features that always occur together get equal
    weights), so the evidence does not depend on sorting accidents. Watchlists sharing one model
    object share its entries; pieces are encoded the first time a term is shown, as most never are.
    """

    def __init__(self, models: list) -> None:
        columns, texts, weights, alpha, self.ids = [], [], [], [], []
        size, seen = 0, {}
        for model in models:
            if id(model) not in seen:
                cols, w, words = _explaining(model)
                seen[id(model)] = (cols, np.arange(size, size + len(cols), dtype=np.int32))
                weights.append(w)
                rank = np.empty(len(words), dtype=np.int64)
                rank[sorted(range(len(words)), key=words.__getitem__)] = np.arange(len(words))
                alpha.append(rank)
                texts += words
                size += len(cols)
            columns.append(seen[id(model)][0])
            self.ids.append(seen[id(model)][1])
        self.columns = columns
        self.weights = np.concatenate(weights) if weights else np.zeros(0, dtype=np.float32)
        self.alpha = np.concatenate(alpha) if alpha else np.zeros(0, dtype=np.int64)
        self.texts = np.empty(size, dtype=object)
        self.texts[:] = texts
        self.pieces = np.full(size, None, dtype=object)
        self._index_columns()

    def _index_columns(self) -> None:
        """The columns with a term in some watchlist (the only nonzeros explanations look at),
        and those among each watchlist's `HEAVY` strongest (see `top_terms`)."""
        columns = np.concatenate(self.columns) if self.columns else np.zeros(0, dtype=np.int64)
        self.explained = np.bincount(columns, minlength=N_FEATURES) > 0
        self.width = len(self.columns)
        owners = np.repeat(np.arange(self.width), [len(c) for c in self.columns])
        entries = (np.concatenate(self.ids) if self.ids else np.zeros(0, dtype=np.int32)) + 1
        shape = (N_FEATURES, self.width)  # (column, watchlist) -> table entry + 1
        self.by_column = sp.csr_matrix((entries, (columns, owners)), shape=shape, dtype=np.int32)
        self.light_max, heavy = np.zeros(self.width, dtype=np.float32), []
        for wl, (cols, ids) in enumerate(zip(self.columns, self.ids, strict=True)):
            weights = self.weights[ids]
            if len(weights) > HEAVY:
                self.light_max[wl] = cut = np.partition(weights, len(weights) - HEAVY - 1)[-HEAVY - 1]
                cols = cols[weights > cut]
            heavy.append(cols)
        heavy = np.concatenate(heavy) if heavy else columns
        self.heavy = np.bincount(heavy, minlength=N_FEATURES) > 0

    def top_terms(
        self, wls: np.ndarray, features: sp.csr_matrix, top: int, docs: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``top`` strongest terms of each match: row ``docs[i]`` of ``features`` (a whole
        batch's; no ``docs``: row ``i``) for the watchlist ``wls[i]``.

        Returns (match, table entry, contribution x_ij * w_j), by match then strongest first.
        Matches come fastest watchlist by watchlist (``wls`` ascending), as `classify` gives them.
        """
        n = len(wls)
        if n == 0 or not len(self.weights) or top == 0:  # no match (the ordinary hour), or no terms
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.astype(np.int32), np.zeros(0, dtype=np.float32)
        docs = np.arange(n) if docs is None else np.asarray(docs)
        order = None if np.all(wls[1:] >= wls[:-1]) else np.argsort(wls, kind="stable")
        if order is not None:
            docs, wls = docs[order], wls[order]
        # First only the nonzeros that can be strong: columns among some watchlist's HEAVY
        # strongest, or counted more than the row's least counted term.
        lengths = np.diff(features.indptr)
        least = np.zeros(features.shape[0], dtype=np.float32)
        least[lengths > 0] = np.minimum.reduceat(features.data, features.indptr[:-1][lengths > 0])
        row_of = np.repeat(np.arange(features.shape[0]), lengths)
        likely = self.heavy[features.indices] | (features.data > least[row_of])
        rows, entry, contrib = self._best(docs, wls, features, likely, top)
        # Any term left out is weaker than its watchlist's light_max times the row's least
        # count: where a match's top-th term is stronger still, its top terms are complete.
        counts = np.bincount(rows, minlength=n)
        last = np.cumsum(counts) - 1
        kth = np.full(n, -1.0, dtype=np.float32)
        full = counts >= top
        kth[full] = contrib[last[full]]
        bound = least[docs] * self.light_max[wls]
        again = np.flatnonzero(~((kth > bound) | (self.light_max[wls] == 0)))
        if len(again):
            redo = np.isin(rows, again)
            more = self._best(np.arange(len(again)), wls[again], features[docs[again]], None, top)
            rows = np.concatenate([rows[~redo], again[more[0]]])
            entry = np.concatenate([entry[~redo], more[1]])
            contrib = np.concatenate([contrib[~redo], more[2]])
            by = np.argsort(rows, kind="stable")
            rows, entry, contrib = rows[by], entry[by], contrib[by]
        if order is not None:
            rows = order[rows]
            by = np.argsort(rows, kind="stable")
            rows, entry, contrib = rows[by], entry[by], contrib[by]
        return rows, entry, contrib

    def _best(self, docs, wls, features, likely, top):
        """`top_terms` of matches among the nonzeros ``likely`` (None: all), ``wls`` ascending."""
        n = len(docs)
        rows, entry, contrib = self._candidates(docs, wls, features, likely)
        if len(rows) > 4 * top * n:  # long texts: most candidates cannot be in the top
            keep = _strongest(rows, contrib, n, top)
            rows, entry, contrib = rows[keep], entry[keep], contrib[keep]
        by = _by_row_strongest_first(rows, contrib, self.alpha[entry], n)
        rows, entry, contrib = rows[by], entry[by], contrib[by]
        counts = np.bincount(rows, minlength=n)
        rank = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
        first = rank < top
        return rows[first], entry[first], contrib[first]

    def _candidates(
        self, docs: np.ndarray, wls: np.ndarray, features: sp.csr_matrix, likely: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(match, table entry, contribution) of every nonzero of each match's row with a term in
        its watchlist, by match (``wls`` ascending).

        The batch's columns with a term somewhere are numbered 0..used-1 first, so that one
        watchlist's entries fill a small table (cached, unlike a table over all 2**21 columns),
        which the nonzeros of all its matches read at once.
        """
        n = len(docs)
        kept = self.explained[features.indices]
        if likely is not None:
            kept &= likely
        nonzero = np.flatnonzero(kept)
        values = features.data[nonzero]
        starts = np.concatenate([[0], np.cumsum(kept, dtype=np.int64)])[features.indptr]
        used = distinct(features.indices[nonzero])
        _POSITION[used] = np.arange(len(used), dtype=np.int32)
        compact = _POSITION[features.indices[nonzero]]
        _POSITION[used] = -1  # left clean for the next batch
        # (watchlist x used column) -> table entry + 1, a watchlist's row small enough to stay cached
        sub = self.by_column[used]
        present, lines = np.unique(wls, return_inverse=True)  # the block's rows: these watchlists
        line_of = np.full(self.width, -1, dtype=np.int64)
        line_of[present] = np.arange(len(present))
        owner = line_of[sub.indices]
        mine = owner >= 0
        block = np.zeros((len(present), len(used)), dtype=np.int32)
        block[owner[mine], np.repeat(np.arange(len(used)), np.diff(sub.indptr))[mine]] = sub.data[mine]
        # every (match, kept nonzero of its row) pair, matches of one watchlist together
        first, counts = starts[docs], starts[docs + 1] - starts[docs]
        ends = np.cumsum(counts)
        where = np.arange(int(ends[-1])) + np.repeat(first - (ends - counts), counts)
        entry = block.ravel()[np.repeat(lines * len(used), counts) + compact[where]] - 1
        hit = np.flatnonzero(entry >= 0)
        entry = entry[hit]
        rows = np.repeat(np.arange(n), counts)[hit]
        return rows, entry, self.weights[entry] * values[where[hit]]  # float32, as stored

    def terms_json(
        self, wls: np.ndarray, features: sp.csr_matrix, top: int, docs: np.ndarray | None = None
    ) -> np.ndarray:
        """Per match (see `top_terms`), the JSON body of its top terms list: '["a", 0.42], ["b", 0.1]'."""
        rows, pieces, weights = self.term_pieces(wls, features, top, docs)
        return join_groups(rows, pieces, len(wls), weights)

    def term_pieces(
        self, wls: np.ndarray, features: sp.csr_matrix, top: int, docs: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The top terms of each match (see `top_terms`) as (match, '["term", ', 'weight]')."""
        rows, entry, contrib = self.top_terms(wls, features, top, docs)
        shown = np.unique(entry)
        for i in shown[np.equal(self.pieces[shown], None)].tolist():
            self.pieces[i] = f"[{json.dumps(self.texts[i], ensure_ascii=False)}, "
        return rows, self.pieces[entry], weight_text(contrib, "]")


def distinct(columns: np.ndarray) -> np.ndarray:
    """The distinct values of an array of feature columns, ascending (`np.unique`, without sorting)."""
    _SEEN[columns] = True
    found = np.flatnonzero(_SEEN)
    _SEEN[found] = False
    return found


def _by_row_strongest_first(rows: np.ndarray, contrib: np.ndarray, alpha: np.ndarray, n: int) -> np.ndarray:
    """The order sorting candidates by row, then strongest first, then alphabetically.

    Positive float32s order as their bit patterns, so (row, strength, alphabetical rank) packs
    into one int64 key and one sort when the three fit; otherwise a (slower) lexsort does the same.
    """
    strength = np.int64(0x7FFFFFFF) - contrib.view(np.int32).astype(np.int64)
    alpha_bits = int(alpha.max()).bit_length() if len(alpha) else 0
    if (n - 1).bit_length() + 31 + alpha_bits <= 63:
        key = (rows.astype(np.int64) << (31 + alpha_bits)) | (strength << alpha_bits) | alpha
        return np.argsort(key)
    return np.lexsort((alpha, strength, rows))


def _strongest(rows: np.ndarray, contrib: np.ndarray, n: int, top: int) -> np.ndarray:
    """A mask keeping at least every row's ``top`` strongest contributions, and few others.

    Sorting every nonzero is the cost of explanations; per row, the highest cut (a fraction of
    the row's strongest contribution) that still leaves ``top`` candidates removes most of them.
    """
    if not len(rows):
        return np.zeros(0, dtype=bool)
    counts = np.bincount(rows, minlength=n)
    present = counts > 0
    strongest = np.ones(n, dtype=np.float32)
    strongest[present] = np.maximum.reduceat(contrib, (np.cumsum(counts) - counts)[present])
    ratio = contrib / strongest[rows]
    level = np.zeros(len(rows), dtype=np.int8)  # small: these arrays are as long as the nonzeros
    for fraction in _CUTS:
        level += ratio >= fraction
    per_level = np.bincount(rows * 8 + level, minlength=8 * n).reshape(n, 8)[:, : len(_CUTS) + 1]
    at_least = np.cumsum(per_level[:, ::-1], axis=1)[:, ::-1]  # candidates at this level or above
    cut = (at_least >= top).sum(axis=1) - 1
    return level >= np.maximum(cut, 0).astype(np.int8)[rows]


def _explaining(model) -> tuple[np.ndarray, np.ndarray, list[str]]:
    if model is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), []
    readable = np.fromiter(model.terms, dtype=np.int64, count=len(model.terms))
    keep = (model.weights > 0) & np.isin(model.indices, readable)
    columns = model.indices[keep].astype(np.int64)
    return columns, model.weights[keep].astype(np.float32), [model.terms[c] for c in columns.tolist()]
