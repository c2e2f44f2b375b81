"""The rules of many watchlists matched against a whole batch at once.

Keywords are found with the featurizer's span hashes (`keyword_index`), so 100 watchlists'
keywords cost a few numpy passes per batch instead of 100 regular expressions per publication;
semantics are those of `warning.classify.watchlists.match_keywords`. Codes and competitors are short lists per publication and are looked up in dictionaries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from warning.classify.code_index import CodeIndex
from warning.classify.evidence_text import join_groups, lists_json
from warning.classify.featurize import TextBatch, normalise_text
from warning.classify.keyword_index import KeywordIndex
from warning.classify.watchlists import CJK_RE, Watchlist, competitor_index, normalise_applicant

# Rules-only scoring (no trained model yet): independent pieces of evidence, combined as
# 1 - prod(1 - p). One code hit, or two keywords, or a keyword and a competitor, pass 0.5.
P_CODE = 0.6
P_KEYWORD = 0.3
MAX_KEYWORDS = 3
P_COMPETITOR = 0.3
EXCLUDE_FACTOR = 0.3
RULES_THRESHOLD = 0.5
_KEYWORD_MISS = (1 - P_KEYWORD) ** np.arange(MAX_KEYWORDS + 1)  # by keywords hit: a lookup, not a power


@dataclass
class RuleHits:
    """Hits of one kind as parallel arrays, in the order the evidence lists them."""

    docs: np.ndarray  # int64
    watchlists: np.ndarray  # int64
    pieces: np.ndarray  # object: each hit JSON-encoded ('"B62K11/04"')

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

    def rules_score(self, evidence: np.ndarray | None = None) -> np.ndarray:
        """(docs, watchlists) scores from the rules alone (``evidence``: `evidence_score`, if known)."""
        evidence = self.evidence_score() if evidence is None else evidence
        return evidence * np.where(self.exclude_counts > 0, EXCLUDE_FACTOR, 1.0)

    def evidence_score(self) -> np.ndarray:
        """(docs, watchlists) the rules' positive evidence (codes, keywords, competitors) combined
        as independent, before any exclude word: the prior a trained model's calibration blends.

        A competitor strengthens a code or keyword hit but is no hit by itself (0 alone): the
        trained decisions pass every hit (`decide`: the rules, the union), and a competitor files
        beyond the product line (a motorcycle maker's car parts, die-casting moulds and machine
        tools: on the Indian grants of 2018-2019, five times the motorcycle watchlist's matches)."""
        shape = self.keyword_counts.shape
        code = self.code_hits.mask(shape)
        comp = self.competitor_hits.mask(shape)
        miss = (1 - P_CODE * code) * _KEYWORD_MISS[np.minimum(self.keyword_counts, MAX_KEYWORDS)]
        subject = code | (self.keyword_counts > 0)
        return np.where(subject, 1.0 - miss * (1 - P_COMPETITOR * comp), 0.0)


class RuleSet:
    """Keywords, excludes, code prefixes and competitors of many watchlists, compiled once."""

    def __init__(self, watchlists: list[Watchlist]) -> None:
        self.watchlists = watchlists
        self.entries: list[tuple[int, str, str]] = []
        keys, seen = [], set()
        for wl, w in enumerate(watchlists):
            for kind in ("keywords", "exclude"):
                for text in getattr(w, kind):
                    key = normalise_text(text)
                    if (wl, kind, key) in seen:
                        continue  # "Patient" (de) and "patient" (en) are one keyword
                    seen.add((wl, kind, key))
                    keys.append((key, bool(CJK_RE.search(key)), len(self.entries)))
                    self.entries.append((wl, kind, text))
        self.keywords = KeywordIndex(keys, len(self.entries))
        self.codes = CodeIndex(watchlists)
        self.competitors: dict[str, list[int]] = defaultdict(list)
        for wl, w in enumerate(watchlists):
            for key in competitor_index(w):
                self.competitors[key].append(wl)
        self._index_entries()
        # Applicant names repeat across publications: their owners are looked up once.
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
        # entry -> its watchlist, one matrix for keywords and one for exclude words
        shape = (len(entries), len(self.watchlists))
        ids = np.arange(len(entries))
        is_kw = self.entry_is_keyword
        self.keywords_to_watchlists, self.excludes_to_watchlists = (
            sp.csr_matrix((np.ones(int(mask.sum())), (ids[mask], self.entry_owner[mask])), shape=shape)
            for mask in (is_kw, ~is_kw)
        )

    def match(self, batch: TextBatch, codes: list[list[str]], applicants: list[list[str]]) -> BatchRules:
        """Every watchlist's rule hits for every document of the batch."""
        hits = self.keywords.find(batch)
        kw = (hits @ self.keywords_to_watchlists).toarray()
        ex = (hits @ self.excludes_to_watchlists).toarray()
        return BatchRules(
            keyword_counts=kw.astype(np.int64),
            exclude_counts=ex.astype(np.int64),
            code_hits=self._code_hits(codes),
            competitor_hits=self._competitor_hits(applicants),
            keyword_hits=hits,
            rules=self,
        )

    def _code_hits(self, codes: list[list[str]]) -> RuleHits:
        docs, wls, pieces = self.codes.hits(codes)
        return RuleHits(docs, wls, pieces)

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


def _bound(cache: dict, size: int = 200_000) -> None:
    if len(cache) > size:
        cache.clear()


def rule_prior(
    watchlist: Watchlist, texts: list[str], codes: list[list[str]] | None = None, applicants=None
) -> np.ndarray:
    """One watchlist's `BatchRules.evidence_score` of each text (the prior a model blends)."""
    none = [[] for _ in texts]
    hits = RuleSet([watchlist]).match(TextBatch(texts), codes or none, applicants or none)
    return hits.evidence_score()[:, 0]
