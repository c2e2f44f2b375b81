"""Evidence JSON text of a whole batch of matches, without Python work per match.

A match's evidence is the same object as ``json.dumps(evidence, ensure_ascii=False)`` of
``{"terms": [[term, weight], ...], "rules": {"cpc": [...], "keywords": [...], "competitors":
[...], "exclude": [...]}, "model": ..., "model_version": ...}``: each list element is a small
pre-encoded string ("piece"); the pieces of every match are joined once for the whole batch, with
a record separator between matches, and split again. JSON escapes control characters, so the
separator cannot occur inside a piece.
"""

from __future__ import annotations

import json

import numpy as np

_SEP = "\x1e"
_WEIGHT_TEXT: dict[str, np.ndarray] = {}  # by ending: repr(q / 10_000) + ending at q


def weight_text(values: np.ndarray, end: str = "") -> np.ndarray:
    """``repr(round(float(v), 4)) + end`` of float32 values, as an object array of str.

    A float32 times 10**4 is exact in float64, so rint there rounds exactly as Python's round.
    """
    q = np.rint(values.astype(np.float64) * 10_000).astype(np.int64)
    small = (q >= 0) & (q < 1_000_000)
    table = _weight_texts(int(q[small].max()) + 1 if small.any() else 0, end)
    out = np.empty(len(q), dtype=object)
    out[small] = table[q[small]]
    for i in np.flatnonzero(~small).tolist():
        out[i] = repr(round(float(values[i]), 4)) + end
    return out


def _weight_texts(size: int, end: str) -> np.ndarray:
    table = _WEIGHT_TEXT.get(end, np.zeros(0, dtype=object))
    if len(table) < size:
        more = np.empty(size - len(table), dtype=object)
        more[:] = [repr(q / 10_000) + end for q in range(len(table), size)]
        table = _WEIGHT_TEXT[end] = np.concatenate([table, more])
    return table


def join_groups(
    groups: np.ndarray, pieces: np.ndarray, n: int, tails: np.ndarray | None = None
) -> np.ndarray:
    """For groups 0..n-1, the ``pieces`` of each joined with ", " (``groups`` ascending).

    With ``tails``, each item is ``pieces[i] + tails[i]``, joined in the same pass instead of
    building every concatenated string first.
    """
    out = np.full(n, "", dtype=object)
    if not len(groups):
        return out
    last = np.append(groups[1:] != groups[:-1], True)
    width = 2 if tails is None else 3
    mixed = np.empty(width * len(pieces), dtype=object)
    mixed[0::width] = pieces
    if tails is not None:
        mixed[1::width] = tails
    mixed[width - 1 :: width] = np.array([", ", _SEP], dtype=object)[last.astype(np.int8)]
    joined = "".join(mixed.tolist()).split(_SEP)
    joined.pop()  # after the last separator
    parts = np.empty(len(joined), dtype=object)
    parts[:] = joined
    out[groups[last]] = parts
    return out


def lists_json(
    match_keys: np.ndarray, item_keys: np.ndarray, item_order: np.ndarray, item_pieces: np.ndarray
) -> np.ndarray:
    """Per match, the JSON body of the list of items sharing its key, in ``item_order``.

    ``match_keys`` are unique (one per match); items whose key no match has are left out.
    """
    n = len(match_keys)
    if not len(item_keys) or not n:
        return np.full(n, "", dtype=object)
    by_key = np.argsort(match_keys)
    sorted_keys = match_keys[by_key]
    where = np.minimum(np.searchsorted(sorted_keys, item_keys), n - 1)
    hit = sorted_keys[where] == item_keys
    owner = by_key[where[hit]]
    order = np.lexsort((item_order[hit], owner))
    return join_groups(owner[order], item_pieces[hit][order], n)


_FIXED = (  # the evidence object's fixed text around its lists
    '{"terms": [',
    '], "rules": {"cpc": [',
    '], "keywords": [',
    '], "competitors": [',
    '], "exclude": [',
    "]}, ",
    "}" + _SEP,
)


def assemble(
    terms: np.ndarray,
    cpc: np.ndarray,
    keywords: np.ndarray,
    competitors: np.ndarray,
    exclude: np.ndarray,
    kind: np.ndarray,
) -> np.ndarray:
    """The evidence JSON of each match from the bodies of its lists and its model part.

    ``kind`` is the pre-encoded tail: '"model": "trained", "model_version": "..."'.
    """
    parts = np.empty((len(terms), 13), dtype=object)
    parts[:, 0::2] = _FIXED
    for i, column in enumerate((terms, cpc, keywords, competitors, exclude, kind)):
        parts[:, 2 * i + 1] = column
    text = "".join(parts.ravel().tolist()).split(_SEP)
    text.pop()
    out = np.empty(len(text), dtype=object)
    out[:] = text
    return out


def model_tail(kind: str, version: str) -> str:
    """The pre-encoded '"model": ..., "model_version": ...' end of the evidence object."""
    return f'"model": {json.dumps(kind)}, "model_version": {json.dumps(version, ensure_ascii=False)}'
