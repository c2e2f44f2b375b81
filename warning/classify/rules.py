"""The rules of many watchlists matched against a whole batch at once.

Keywords are found with the featurizer's span hashes (a keyword is a span starting at a word start,
or anywhere for CJK), so 100 watchlists' keywords cost a few numpy passes per batch instead of
100 regular expressions per publication. Semantics are those of `warning.watchlists.match_keywords`.
Codes and competitors are short lists per publication and are looked up in dictionaries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from warning.classify.evidence import join_groups, lists_json
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
class RuleHits:
    """Hits of one kind as parallel arrays, in the order the evidence lists them."""

    docs: np.ndarray  # int64
    watchlists: np.ndarray  # int64
    pieces: np.ndarray  # object: each hit JSON-encoded ('"B62K11"')

    @classmethod
    def of(cls, docs: list[int], watchlists: list[int], pieces: list[str]) -> RuleHits:
        array = np.empty(len(pieces), dtype=object)
        array[:] = pieces
        return cls(np.array(docs, dtype=np.int64), np.array(watchlists, dtype=np.int64), array)

    def mask(self, shape: tuple[int, int]) -> np.ndarray:
        """(docs, watchlists) booleans: any hit."""
        out = np.zeros(shape, dtype=bool)
        out[self.docs, self.watchlists] = True
        return out

    def of_pair(self, doc: int, wl: int) -> list[str]:
        chosen = np.flatnonzero((self.docs == doc) & (self.watchlists == wl))
        return [json.loads(self.pieces[i]) for i in chosen.tolist()]

    def json_lists(self, docs: np.ndarray, wls: np.ndarray, n_wl: int) -> np.ndarray:
        """Per (doc, watchlist) pair, the JSON body of its list of hits."""
        return lists_json(
            docs * n_wl + wls, self.docs * n_wl + self.watchlists, np.arange(len(self.docs)), self.pieces
        )


@dataclass
class BatchRules:
    """Rule hits of a batch: (documents x watchlists) counts plus the hits themselves."""

    keyword_counts: np.ndarray  # (docs, watchlists) distinct keywords hit
    exclude_counts: np.ndarray
    code_hits: RuleHits
    competitor_hits: RuleHits
    keyword_hits: sp.csr_matrix  # (docs, keyword entries) 0/1
    rules: RuleSet

    def evidence(self, doc: int, wl: int) -> dict[str, list[str]]:
        """The rules a document hit for one watchlist, in the evidence JSON shape (one pair; slow)."""
        hits = self.keyword_hits
        words: dict[str, list[str]] = {"keywords": [], "exclude": []}
        for entry in hits.indices[hits.indptr[doc] : hits.indptr[doc + 1]]:
            owner, kind, text = self.rules.entries[entry]
            if owner == wl:
                words[kind].append(text)
        return {
            "cpc": self.code_hits.of_pair(doc, wl),
            "keywords": sorted(words["keywords"]),
            "competitors": self.competitor_hits.of_pair(doc, wl),
            "exclude": sorted(words["exclude"]),
        }

    def evidence_json(self, docs: np.ndarray, wls: np.ndarray) -> tuple[np.ndarray, ...]:
        """JSON bodies of the cpc, keywords, competitors and exclude lists of many (doc, watchlist) pairs."""
        n_wl = self.keyword_counts.shape[1]
        keywords, exclude = self._keyword_lists(docs, wls)
        cpc = self.code_hits.json_lists(docs, wls, n_wl)
        competitors = self.competitor_hits.json_lists(docs, wls, n_wl)
        return cpc, keywords, competitors, exclude

    def _keyword_lists(self, docs: np.ndarray, wls: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rules, n = self.rules, len(docs)
        sub = self.keyword_hits[docs]
        match = np.repeat(np.arange(n), np.diff(sub.indptr))
        entry = sub.indices
        own = rules.entry_owner[entry] == wls[match]
        match, entry = match[own], entry[own]
        order = np.lexsort((rules.entry_rank[entry], match))
        match, entry = match[order], entry[order]
        is_kw = rules.entry_is_keyword[entry]
        return (
            join_groups(match[is_kw], rules.entry_pieces[entry[is_kw]], n),
            join_groups(match[~is_kw], rules.entry_pieces[entry[~is_kw]], n),
        )

    def rules_score(self) -> np.ndarray:
        """(docs, watchlists) scores from the rules alone."""
        shape = self.keyword_counts.shape
        code = self.code_hits.mask(shape)
        comp = self.competitor_hits.mask(shape)
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
        # Spans worth hashing: a table of their first two characters per group (see `_lead_of`).
        leads: dict[tuple[bool, int], np.ndarray] = defaultdict(lambda: np.zeros(1 << 16, dtype=bool))
        self.first_chars = {a: np.zeros(1 << 16, dtype=bool) for a in (False, True)}
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
                    leads[(anywhere, len(key))][_lead_of(key)] = True
                    self.first_chars[anywhere][ord(key[0]) & 0xFFFF] = True
                    self.entries.append((wl, kind, text))
        # Equal keywords of several watchlists share one hash: hash id -> entries via a 0/1 matrix.
        self.groups = {}
        hash_rows, entry_cols = [], []
        for key, pairs in groups.items():
            unique = sorted({h for h, _ in pairs})
            base = sum(len(g[0]) for g in self.groups.values())
            ids = {h: base + i for i, h in enumerate(unique)}
            self.groups[key] = (
                np.array(unique, dtype=np.uint64),
                np.array([ids[h] for h in unique]),
                leads[key],
            )
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
        self._index_entries()
        # Codes and applicant names repeat across publications: their owners are looked up once.
        self._code_cache: dict[str, tuple[tuple[int, str], ...]] = {}
        self._applicant_cache: dict[str, list[int]] = {}

    def _index_entries(self) -> None:
        entries = self.entries
        self.entry_owner = np.array([e[0] for e in entries], dtype=np.int64)
        self.entry_is_keyword = np.array([e[1] == "keywords" for e in entries], dtype=bool)
        # evidence lists keywords sorted by text
        rank = np.empty(len(entries), dtype=np.int64)
        rank[sorted(range(len(entries)), key=lambda i: (entries[i][0], entries[i][1], entries[i][2]))] = (
            np.arange(len(entries))
        )
        self.entry_rank = rank
        self.entry_pieces = np.empty(len(entries), dtype=object)
        self.entry_pieces[:] = [json.dumps(e[2], ensure_ascii=False) for e in entries]
        self.to_watchlists = sp.csr_matrix(
            (np.ones(len(entries)), (np.arange(len(entries)), self.entry_owner)),
            shape=(len(entries), len(self.watchlists)),
        )

    def match(self, batch: TextBatch, codes: list[list[str]], applicants: list[list[str]]) -> BatchRules:
        """Every watchlist's rule hits for every document of the batch."""
        hits = self._keyword_hits(batch)
        is_kw = self.entry_is_keyword.astype(float)
        kw = (hits @ sp.diags(is_kw) @ self.to_watchlists).toarray()
        ex = (hits @ sp.diags(1.0 - is_kw) @ self.to_watchlists).toarray()
        return BatchRules(
            keyword_counts=kw.astype(np.int64),
            exclude_counts=ex.astype(np.int64),
            code_hits=self._code_hits(codes),
            competitor_hits=self._competitor_hits(applicants),
            keyword_hits=hits,
            rules=self,
        )

    def _keyword_hits(self, batch: TextBatch) -> sp.csr_matrix:
        docs, found = [], []
        n = len(batch.codes)
        codes = np.append(batch.codes, np.uint32(0))
        # CJK keywords match anywhere, others at word starts; only starts whose first two
        # characters begin some keyword of the group are hashed.
        candidates = {False: batch.word_starts}
        if any(anywhere for anywhere, _ in self.groups):
            candidates[True] = np.flatnonzero(self.first_chars[True][codes[:-1] & 0xFFFF])
        lead = {a: _leads(codes, c) for a, c in candidates.items()}
        for (anywhere, length), (hashes, entry_ids, table) in self.groups.items():
            starts = candidates[anywhere]
            starts = starts[table[lead[anywhere][1 if length >= 2 else 0]] & (starts + length <= n)]
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

    def _code_hits(self, codes: list[list[str]]) -> RuleHits:
        cache = self._code_cache
        # One pass over the batch's codes; most have no owner, so the per-hit work below is small.
        found = [cache[c] if c in cache else self._learn_code(c) for doc_codes in codes for c in doc_codes]
        _bound(self._code_cache)
        sizes = [len(owners) for owners in found]
        doc_of_code = np.repeat(np.arange(len(codes)), [len(doc_codes) for doc_codes in codes])
        docs = np.repeat(doc_of_code, sizes).tolist()
        hits = [hit for owners in found if owners for hit in owners]
        # first occurrence of each (document, watchlist, code); documents stay in order
        unique = list(dict.fromkeys((d, wl, piece) for d, (wl, piece) in zip(docs, hits, strict=True)))
        return RuleHits.of([u[0] for u in unique], [u[1] for u in unique], [u[2] for u in unique])

    def _learn_code(self, code: str) -> tuple[tuple[int, str], ...]:
        """(watchlist, JSON-encoded code key) for every watchlist with a prefix of ``code``."""
        key = _code_key(code)
        owners: list[int] = []
        for length in self.prefix_lengths:
            if length > len(key):
                break
            owners += self.prefixes.get(key[:length], ())
        piece = json.dumps(key, ensure_ascii=False) if owners else ""
        found = self._code_cache[code] = tuple((wl, piece) for wl in dict.fromkeys(owners))
        return found

    def _competitor_hits(self, applicants: list[list[str]]) -> RuleHits:
        docs, wls, pieces = [], [], []
        for d, names in enumerate(applicants):
            for applicant in names:
                owners = self._applicant_cache.get(applicant)
                if owners is None:
                    owners = self._applicant_cache[applicant] = self._competitor_owners(applicant)
                if owners:
                    piece = json.dumps(applicant, ensure_ascii=False)
                    docs += [d] * len(owners)
                    wls += owners
                    pieces += [piece] * len(owners)
        _bound(self._applicant_cache)
        return RuleHits.of(docs, wls, pieces)

    def _competitor_owners(self, applicant: str) -> list[int]:
        words = normalise_applicant(applicant).split()
        owners: set[int] = set()
        for i in range(len(words), 0, -1):
            owners.update(self.competitors.get(" ".join(words[:i]), ()))
        return sorted(owners)


def _lead_of(key: str) -> int:
    """The lead-table slot of a keyword: its first two characters, or its one character."""
    if len(key) == 1:
        return ord(key[0]) & 0xFFFF
    return ((ord(key[0]) * 40503) ^ ord(key[1])) & 0xFFFF


def _leads(codes: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`_lead_of` for spans at ``starts`` of one and of at least two characters."""
    first = codes[starts].astype(np.int64)
    two = ((first * 40503) ^ codes[starts + 1].astype(np.int64)) & 0xFFFF
    return first & 0xFFFF, two


def _bound(cache: dict, size: int = 200_000) -> None:
    if len(cache) > size:
        cache.clear()
