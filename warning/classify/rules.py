"""The rules of many watchlists matched against a whole batch at once.

Keywords are found with the featurizer's span hashes (a keyword is a span starting at a word start,
or anywhere for CJK), so 100 watchlists' keywords cost a few numpy passes per batch instead of
100 regular expressions per publication. Semantics are those of `warning.watchlists.match_keywords`.
Codes and competitors are short lists per publication and are looked up in dictionaries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from warning.classify.featurize import TextBatch, _scalar_hash, normalise_text
from warning.watchlists import _CJK_RE, Watchlist, _code_key, competitor_index, normalise_applicant

# Rules-only scoring (no trained model yet): independent pieces of evidence, combined as
# 1 - prod(1 - p). One code hit, or two keywords, or a keyword and a competitor, pass 0.5.
P_CODE = 0.6
P_KEYWORD = 0.3
MAX_KEYWORDS = 3
P_COMPETITOR = 0.3
EXCLUDE_FACTOR = 0.3
RULES_THRESHOLD = 0.5


@dataclass
class BatchRules:
    """Rule hits of a batch: sparse (documents x watchlists) counts plus the hit lists."""

    keyword_counts: np.ndarray  # (docs, watchlists) distinct keywords hit
    exclude_counts: np.ndarray
    code_hits: list[dict[int, list[str]]]  # per document: watchlist index -> codes
    competitor_hits: list[dict[int, list[str]]]
    keyword_hits: sp.csr_matrix  # (docs, keyword entries) 0/1
    entries: list[tuple[int, str, str]]  # (watchlist index, 'keywords' | 'exclude', keyword)

    def evidence(self, doc: int, wl: int) -> dict[str, list[str]]:
        """The rules a document hit for one watchlist, in the evidence JSON shape."""
        hits = self.keyword_hits
        words: dict[str, list[str]] = {"keywords": [], "exclude": []}
        for entry in hits.indices[hits.indptr[doc] : hits.indptr[doc + 1]]:
            owner, kind, text = self.entries[entry]
            if owner == wl:
                words[kind].append(text)
        return {
            "cpc": self.code_hits[doc].get(wl, []),
            "keywords": sorted(words["keywords"]),
            "competitors": self.competitor_hits[doc].get(wl, []),
            "exclude": sorted(words["exclude"]),
        }

    def rules_score(self) -> np.ndarray:
        """(docs, watchlists) scores from the rules alone."""
        n_docs, n_wl = self.keyword_counts.shape
        code = np.zeros((n_docs, n_wl), dtype=bool)
        comp = np.zeros((n_docs, n_wl), dtype=bool)
        for d in range(n_docs):
            code[d, list(self.code_hits[d])] = True
            comp[d, list(self.competitor_hits[d])] = True
        miss = (1 - P_CODE * code) * (1 - P_KEYWORD) ** np.minimum(self.keyword_counts, MAX_KEYWORDS)
        miss = miss * (1 - P_COMPETITOR * comp)
        return (1.0 - miss) * np.where(self.exclude_counts > 0, EXCLUDE_FACTOR, 1.0)


class RuleSet:
    """Keywords, excludes, code prefixes and competitors of many watchlists, compiled once."""

    def __init__(self, watchlists: list[Watchlist]) -> None:
        self.watchlists = watchlists
        self.entries: list[tuple[int, str, str]] = []
        # (anywhere?, length) -> sorted hashes and the entry ids behind each
        groups: dict[tuple[bool, int], list[tuple[int, int]]] = defaultdict(list)
        firsts_of: dict[tuple[bool, int], list[tuple[int, int]]] = defaultdict(list)
        seen = set()
        for wl, w in enumerate(watchlists):
            for kind in ("keywords", "exclude"):
                for text in getattr(w, kind):
                    key = normalise_text(text)
                    if (wl, kind, key) in seen:
                        continue  # "Patient" (de) and "patient" (en) are one keyword
                    seen.add((wl, kind, key))
                    anywhere = bool(_CJK_RE.search(key))
                    groups[(anywhere, len(key))].append((_scalar_hash(key), len(self.entries)))
                    firsts_of[(anywhere, len(key))].append((ord(key[0]), len(self.entries)))
                    self.entries.append((wl, kind, text))
        # Equal keywords of several watchlists share one hash: hash id -> entries via a 0/1 matrix.
        self.groups = {}
        hash_rows, entry_cols = [], []
        for key, pairs in groups.items():
            unique = sorted({h for h, _ in pairs})
            base = sum(len(g[0]) for g in self.groups.values())
            ids = {h: base + i for i, h in enumerate(unique)}
            firsts = np.array(sorted({first for first, _ in firsts_of[key]}), dtype=np.uint32)
            self.groups[key] = (np.array(unique, dtype=np.uint64), np.array([ids[h] for h in unique]), firsts)
            for h, entry in pairs:
                hash_rows.append(ids[h])
                entry_cols.append(entry)
        n_hashes = sum(len(g[0]) for g in self.groups.values())
        self.hash_to_entry = sp.csr_matrix(
            (np.ones(len(hash_rows)), (hash_rows, entry_cols)), shape=(n_hashes, len(self.entries))
        )
        self.prefixes: dict[str, list[int]] = defaultdict(list)
        for wl, w in enumerate(watchlists):
            for prefix in (*w.cpc, *w.ipc):
                if wl not in self.prefixes[prefix]:
                    self.prefixes[prefix].append(wl)
        self.prefix_lengths = sorted({len(p) for p in self.prefixes})
        self.competitors: dict[str, list[int]] = defaultdict(list)
        for wl, w in enumerate(watchlists):
            for key in competitor_index(w):
                self.competitors[key].append(wl)

    def match(self, batch: TextBatch, codes: list[list[str]], applicants: list[list[str]]) -> BatchRules:
        """Every watchlist's rule hits for every document of the batch."""
        hits = self._keyword_hits(batch)
        owner = np.array([e[0] for e in self.entries], dtype=np.int64)
        is_kw = np.array([e[1] == "keywords" for e in self.entries], dtype=bool)
        n_wl = len(self.watchlists)
        to_wl = sp.csr_matrix(
            (np.ones(len(self.entries)), (np.arange(len(self.entries)), owner)),
            shape=(len(self.entries), n_wl),
        )
        kw = np.asarray((hits @ sp.diags(is_kw.astype(float)) @ to_wl).todense())
        ex = np.asarray((hits @ sp.diags((~is_kw).astype(float)) @ to_wl).todense())
        return BatchRules(
            keyword_counts=kw.astype(np.int64),
            exclude_counts=ex.astype(np.int64),
            code_hits=[self._codes(c) for c in codes],
            competitor_hits=[self._competitors(a) for a in applicants],
            keyword_hits=hits,
            entries=self.entries,
        )

    def _keyword_hits(self, batch: TextBatch) -> sp.csr_matrix:
        docs, found = [], []
        n = len(batch.codes)
        for (anywhere, length), (hashes, entry_ids, firsts) in self.groups.items():
            # CJK keywords match anywhere, so only positions holding a keyword's first character are tried
            starts = np.flatnonzero(np.isin(batch.codes, firsts)) if anywhere else batch.word_starts
            starts = starts[starts + length <= n]
            if not len(starts):
                continue
            h = batch.spans.hash(starts, starts + length)
            where = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
            ok = hashes[where] == h
            # the span must not cross into the next document
            ok &= batch.doc_of[starts] == batch.doc_of[starts + length - 1]
            ok &= batch.codes[starts + length - 1] != 0
            docs.append(batch.doc_of[starts[ok]])
            found.append(entry_ids[where[ok]])
        rows = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        cols = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        n_hashes = self.hash_to_entry.shape[0]
        matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(batch.n_docs, n_hashes))
        matrix = (matrix @ self.hash_to_entry).tocsr()
        matrix.data[:] = 1.0  # a keyword found twice is still one keyword
        return matrix

    def _codes(self, codes: list[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for code in codes:
            key = _code_key(code)
            for length in self.prefix_lengths:
                for wl in self.prefixes.get(key[:length], ()) if len(key) >= length else ():
                    if key not in out.setdefault(wl, []):
                        out[wl].append(key)
        return out

    def _competitors(self, applicants: list[str]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for applicant in applicants:
            words = normalise_applicant(applicant).split()
            owners = set()
            for i in range(len(words), 0, -1):
                owners.update(self.competitors.get(" ".join(words[:i]), ()))
            for wl in owners:
                out.setdefault(wl, []).append(applicant)
        return out
