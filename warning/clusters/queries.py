"""A cluster's subject as OPS CQL: its classes, keywords and competitors, a few terms per query.

OPS refuses long queries (it limits the terms of one query), so the subject is asked as several
filters of at most `TERMS_PER_QUERY` terms each, one group per kind of evidence; the store merges
a publication two filters both find. Each filter is combined with ``pn=COUNTRY and pd within
"FIRST LAST"`` per target country and window (`window_query`).

- classes: the CPC subclass of each code (``cpc=B62K``): OPS searches a class with everything
  under it, and the watchlists keep codes without their slash, so the group cannot be rebuilt;
- keywords: alphabetic ones only (OPS indexes titles and abstracts in Latin script), a single
  word as a truncated term (``ta=motorcycl*``: the watchlists match keywords at a word's start),
  a phrase quoted (``ta="swing arm"``);
- competitors: every spelling, normalised, quoted (``pa="honda motor"``).
"""

from __future__ import annotations

import re
from datetime import date

from warning.classify.watchlists import CJK_RE, load_watchlists, normalise_applicant
from warning.clusters.definitions import Cluster
from warning.config.schema import Config

TERMS_PER_QUERY = 8
_PLAIN_WORD = re.compile(r"[A-Za-z0-9-]+")


def cluster_filters(config: Config, cluster: Cluster) -> list[str]:
    """The CQL filters (``(cpc=B62K or cpc=B62J)`` ...) that together find the cluster's subject."""
    watchlists = {w.name: w for w in load_watchlists(config.watchlists_dir)}
    chosen = [watchlists[n] for n in cluster.watchlists if n in watchlists]
    codes = [c[:4] for w in chosen for c in (*w.cpc, *w.ipc)] + [c[:4] for c in cluster.cpc]
    keywords = [k for w in chosen for k in w.keywords] + list(cluster.keywords)
    spellings = [s for comp in cluster.competitors for s in (comp.name, *comp.aliases)]
    terms = [f"cpc={c}" for c in _unique(codes) if re.fullmatch(r"[A-HY]\d\d[A-Z]", c)]
    filters = _chunks(terms)
    filters += _chunks([t for t in _unique(keyword_term(k) for k in keywords) if t])
    filters += _chunks([t for t in _unique(competitor_term(s) for s in spellings) if t])
    return filters


def keyword_term(keyword: str) -> str:
    """``ta=motorcycl*`` for a word, ``ta="swing arm"`` for a phrase, "" for what OPS cannot search."""
    text = " ".join(keyword.replace('"', " ").split())
    if not text or CJK_RE.search(text) or not text.isascii():
        return ""
    if _PLAIN_WORD.fullmatch(text):
        return f"ta={text.lower()}*" if len(text) >= 4 else f"ta={text.lower()}"
    return f'ta="{text.lower()}"'


def competitor_term(spelling: str) -> str:
    """``pa="honda motor"``: the spelling without legal form and punctuation; "" for non-Latin script."""
    key = normalise_applicant(spelling)
    if not key or not key.isascii():
        return ""
    return f'pa="{key}"'


def window_query(country: str, first: date, last: date, query_filter: str) -> str:
    """``pn=VN and pd within "20200101 20201231" and (cpc=B62K or ...)``."""
    return f'pn={country} and pd within "{first:%Y%m%d} {last:%Y%m%d}" and {query_filter}'


def _chunks(terms: list[str]) -> list[str]:
    return [
        "(" + " or ".join(terms[i : i + TERMS_PER_QUERY]) + ")" for i in range(0, len(terms), TERMS_PER_QUERY)
    ]


def _unique(values) -> list[str]:
    return list(dict.fromkeys(values))
