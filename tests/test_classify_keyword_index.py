"""Batch keyword finding agrees with the per-text regular expressions on the awkward cases."""

from pathlib import Path

from warning.classify.featurize import TextBatch
from warning.classify.rules import RuleSet
from warning.classify.watchlists import keyword_pattern, match_keywords, parse_watchlist

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


def test_random_keywords_agree_with_the_regex_on_real_texts(corpus):
    import random

    path = corpus("uspto-latam-lucaslopes", "uspto_to_be_classified", "USPTO_ar_inventors_data.txt")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()[:200]
    texts = [" ".join(line.split("\t")[1:3]) for line in lines] + [
        "一种电动摩托车的锂离子电池包及其电池管理系统",
        "リチウムイオン二次電池の正極活物質",
        "5G base station; e-bike 18650 cells",
    ]
    rng = random.Random(4)
    words = [w for t in texts for w in t.split() if len(w) >= 3]
    keywords = {w[: rng.randint(3, min(len(w), 9))] for w in rng.sample(words, 60)}
    keywords |= {" ".join(p) for p in (rng.sample(words, 2) for _ in range(5))}
    keywords |= {"电池", "摩托车", "電池", "5G", "e-bike", "18650"}
    cleaned = sorted(k for k in keywords if k.strip() and k[0].isalnum())
    chunks = [cleaned[i::3] for i in range(3)]
    watchlists = [_watchlist(f"w{i}", chunk, []) for i, chunk in enumerate(chunks)]
    rules = RuleSet(watchlists).match(TextBatch(texts), [[] for _ in texts], [[] for _ in texts])
    found = 0
    for d, text in enumerate(texts):
        for k, w in enumerate(watchlists):
            expected = match_keywords(keyword_pattern(w.keywords), w.keywords, text)
            assert rules.evidence(d, k)["keywords"] == sorted(expected), (w.name, text[:80])
            found += len(expected)
    assert found > 100  # the comparison is not vacuous
