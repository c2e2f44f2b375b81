"""Code prefixes of many watchlists matched for a batch, across batches and cache resets."""

from pathlib import Path

import warning.classify.code_index as code_index
from warning.classify.code_index import CodeIndex
from warning.classify.watchlists import parse_watchlist


def _watchlists():
    return [
        parse_watchlist({"name": "moto", "description": "t", "cpc": ["B62K", "F02B61"]}, Path("m.toml")),
        parse_watchlist({"name": "batt", "description": "t", "ipc": ["H01M10/42"]}, Path("b.toml")),
        parse_watchlist({"name": "both", "description": "t", "cpc": ["B62K11", "H01M"]}, Path("x.toml")),
    ]


def _hits(index, codes):
    docs, wls, pieces = index.hits(codes)
    return list(zip(docs.tolist(), wls.tolist(), pieces.tolist(), strict=True))


def test_hits_keep_document_and_code_order_and_show_the_code_as_spelled():
    index = CodeIndex(_watchlists())
    codes = [
        ["B62K 11/04", "H01M10/425", "B62K11/04"],  # the third is the first one spelled differently
        [],
        ["G06F3/01"],
        ["F02B61/02", "H01M 10/42"],
    ]
    assert _hits(index, codes) == [
        (0, 0, '"B62K 11/04"'),
        (0, 2, '"B62K 11/04"'),
        (0, 2, '"H01M10/425"'),  # shorter prefixes first
        (0, 1, '"H01M10/425"'),
        (3, 0, '"F02B61/02"'),
        (3, 2, '"H01M 10/42"'),
        (3, 1, '"H01M 10/42"'),
    ]


def test_codes_learned_in_one_batch_serve_the_next_and_a_full_memory_starts_again(monkeypatch):
    index = CodeIndex(_watchlists())
    first = _hits(index, [["B62K11/04"], ["A01B1/00"]])
    assert first == [(0, 0, '"B62K11/04"'), (0, 2, '"B62K11/04"')]
    assert _hits(index, [["A01B1/00"], ["H01M10/42", "B62K11/04"]]) == [
        (1, 2, '"H01M10/42"'),
        (1, 1, '"H01M10/42"'),
        (1, 0, '"B62K11/04"'),
        (1, 2, '"B62K11/04"'),
    ]
    monkeypatch.setattr(code_index, "MAX_CODES", 1)
    assert _hits(index, [["B62K11/04"]]) == first[:2] and len(index.ids) == 1


def test_no_codes_no_hits():
    assert _hits(CodeIndex(_watchlists()), [[], []]) == []
    assert _hits(CodeIndex([]), [["B62K11/04"]]) == []
