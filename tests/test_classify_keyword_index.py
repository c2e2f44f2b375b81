"""Batch keyword finding agrees with the per-text regular expressions on the awkward cases."""

from pathlib import Path

from warning.classify.featurize import TextBatch
from warning.classify.rules import RuleSet
from warning.watchlists import keyword_pattern, match_keywords, parse_watchlist

TEXTS = [
    "Fuel tank for a motorcycle",  # two-word keyword
    "superturbocharger and Turbochargers",  # only the second starts a word
    "路灯 and 灯",  # one-character CJK keyword, anywhere
    "ends with fuel",  # "fuel tank" must not run on into the next text
    "tank at the start; e-bike",  # punctuation inside a keyword
    "",
    "x",
    "灯",  # a one-character text that is a keyword, last in the batch
]


def _watchlist(name: str, keywords: list[str], exclude: list[str]):
    data = {"name": name, "description": "test", "keywords": keywords, "exclude": exclude}
    return parse_watchlist(data, Path(f"{name}.toml"))


def test_keywords_found_in_a_batch_equal_the_regex_matches():
    watchlists = [
        _watchlist("a", ["fuel tank", "turbocharg", "灯", "e-bike", "x"], ["tank"]),
        _watchlist("b", ["Turbocharg", "路灯", "motorcycle"], ["fuel"]),
    ]
    rules = RuleSet(watchlists).match(TextBatch(TEXTS), [[] for _ in TEXTS], [[] for _ in TEXTS])
    for d, text in enumerate(TEXTS):
        for k, w in enumerate(watchlists):
            evidence = rules.evidence(d, k)
            expected = match_keywords(keyword_pattern(w.keywords), w.keywords, text)
            assert evidence["keywords"] == sorted(expected), (w.name, text)
            excluded = match_keywords(keyword_pattern(w.exclude), w.exclude, text)
            assert evidence["exclude"] == sorted(excluded), (w.name, text)
    assert rules.keyword_counts[2].tolist() == [1, 1]  # 灯 for a, 路灯 for b
    assert rules.keyword_counts[0].tolist() == [1, 1] and rules.exclude_counts[0].tolist() == [1, 1]


def test_a_watchlist_without_keywords_finds_nothing():
    watchlists = [parse_watchlist({"name": "c", "description": "t", "cpc": ["B62K"]}, Path("c.toml"))]
    rules = RuleSet(watchlists).match(TextBatch(TEXTS), [[] for _ in TEXTS], [[] for _ in TEXTS])
    assert rules.keyword_counts.sum() == 0 and rules.exclude_counts.sum() == 0
