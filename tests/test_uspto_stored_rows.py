"""The ingest stores exactly what it stored before its speed work (issue 18), column for column.

The expected digests (`tests/expected/uspto_stored_rows.json`) were written by
`tests/stored_rows.py` from the code before that work: every stored column of every publication
of the corpus's USPTO files and of the USPTO fixtures, and each document's encoded row as its
parser hands it on (before any merge of repeats).
"""

from __future__ import annotations

import json

import pytest

from tests import stored_rows
from tests.conftest import CORPUS
from warning.sources.ingest import ingest_paths
from warning.store import open_db

ROOTS = {"<corpus>": CORPUS, "<fixtures>": stored_rows.FIXTURES}


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads(stored_rows.EXPECTED.read_text())


def _files(name: str, corpus) -> list:
    if name == "fixtures":
        return stored_rows.fixture_files()
    corpus("uspto-bulk-xml")  # skips where the corpus is absent
    return stored_rows.corpus_files(CORPUS)


def _differences(got: dict, want: dict) -> list[str]:
    missing = sorted(set(want) - set(got))[:5]
    extra = sorted(set(got) - set(want))[:5]
    changed = sorted(k for k in set(got) & set(want) if got[k] != want[k])[:5]
    return (
        [f"missing {missing}"] * bool(missing)
        + [f"extra {extra}"] * bool(extra)
        + [f"changed {changed}"] * bool(changed)
    )


@pytest.mark.parametrize("name", ["fixtures", "corpus"])
def test_every_stored_column_is_as_before(tmp_path, corpus, expected, name):
    files = _files(name, corpus)
    db = open_db(tmp_path / "store.db")
    result = ingest_paths(db, files)
    assert result.saved.inserted == len(expected[name]) > 0 and result.quarantined == 0
    got = stored_rows.stored_digests(db, ROOTS)
    assert _differences(got, expected[name]) == []


@pytest.mark.parametrize("name", ["fixtures", "corpus"])
def test_every_document_is_encoded_as_before(corpus, expected, name):
    got = stored_rows.document_digests(_files(name, corpus), ROOTS)
    assert len(got) == len(expected[f"{name}_documents"]) > 0
    assert _differences(got, expected[f"{name}_documents"]) == []
