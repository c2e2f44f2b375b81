"""Rows encoded where they are parsed (`warning.store.rows`) are the rows the store always wrote."""

from __future__ import annotations

import json

from warning.models import Publication
from warning.store.publications import get_publication, save_publications
from warning.store.rows import decode_row, encode, encode_row, publication_row, row_dict


def test_encoding_is_json_dumps_byte_for_byte():
    for value in (
        [],
        {},
        ["a", 'b"c', "\\x", "\n\t\x00\x1f", "é电池\u2028", "\ud800"],
        {"en": 'x"y', "zh": "电池\x7f"},
        ["a", 1],
        {"a": ["x"]},
    ):
        assert encode(value) == json.dumps(value, ensure_ascii=False)


def test_a_row_built_in_one_step_is_the_row_built_from_its_dict_and_decodes_back(db):
    pub = Publication(
        id="CN-1-A",
        country="CN",
        number="1",
        kind="A",
        titles={"zh": "电池", "en": ""},
        applicants=["Acme", "Acme", ""],
        source="ops",
    )
    row = publication_row(pub)
    assert row == encode_row(row_dict(pub)) and row.grams == ("电池 池", "", "")
    assert decode_row(row.values)["applicants"] == ["Acme"]
    assert save_publications(db, [row]).inserted == 1
    assert get_publication(db, "CN-1-A").titles == {"zh": "电池"}
    assert save_publications(db, [publication_row(pub)]).unchanged == 1
