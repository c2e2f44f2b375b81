"""Every stored column of the publications a set of USPTO files gives, as digests to compare.

`tests/test_uspto_stored_rows.py` compares what the ingest stores today with
``tests/expected/uspto_stored_rows.json``, written by this module's ``main`` from the code
before the ingest's speed work (issue 18), so any change to a stored value shows.
Run ``PYTHONPATH=. python tests/stored_rows.py`` to write it again (only on purpose).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = ROOT / "tests" / "expected" / "uspto_stored_rows.json"
FIXTURES = ROOT / "tests" / "fixtures" / "uspto"
# Stamps of when a row was written, not what it holds.
_NOT_CONTENT = frozenset({"first_seen", "updated_at"})


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus's USPTO bulk XML files (grants and applications), sorted."""
    return sorted(p for p in (corpus / "uspto-bulk-xml").rglob("*.xml") if p.is_file())


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.xml")) + sorted(FIXTURES.glob("*.zip"))


def stored_digests(db: sqlite_utils.Database, roots: dict[str, Path]) -> dict[str, str]:
    """``{id: sha256 of every content column}``; a path in ``raw_ref`` is made relative to the
    first of ``roots`` (name: folder) it lies in, so the digests do not depend on the machine."""
    out = {}
    for row in db.query("SELECT * FROM publications ORDER BY id"):
        row = {k: v for k, v in row.items() if k not in _NOT_CONTENT}
        ref = row.get("raw_ref") or ""
        for name, folder in roots.items():
            ref = ref.replace(str(folder), name)
        row["raw_ref"] = ref
        text = json.dumps(row, sort_keys=True, ensure_ascii=False)
        out[row["id"]] = hashlib.sha256(text.encode()).hexdigest()
    return out


def document_digests(files: list[Path], roots: dict[str, Path]) -> dict[str, str]:
    """``{ref: sha256}`` of what each document of ``files`` becomes before any merge: the encoded
    row a parser process hands the store, or the reason it is quarantined."""
    from functools import partial

    from warning.config.schema import IngestConfig
    from warning.sources.files import parse_file
    from warning.sources.ingest import prepare_item
    from warning.sources.reading import Reading

    def relative(text: str) -> str:
        for name, folder in roots.items():
            text = text.replace(str(folder), name)
        return text

    out = {}
    prepare = partial(prepare_item, max_chars=IngestConfig().max_field_chars)
    for path in files:
        for n, item in enumerate(parse_file(path, Reading(prepare=prepare))):
            values = getattr(item, "values", None)
            if values is not None:
                key, text = values[0], json.dumps([relative(v) if isinstance(v, str) else v for v in values])
                text += json.dumps(item.grams, ensure_ascii=False)
            else:
                key, text = f"{type(item).__name__} {n}", relative(str(getattr(item, "reason", item)))
            ref = relative(f"{path}: {key}")
            out[ref] = hashlib.sha256(text.encode()).hexdigest()
    return out


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import tempfile

    from tests.conftest import CORPUS
    from warning.sources.ingest import ingest_paths
    from warning.store import open_db

    roots = {"<corpus>": CORPUS, "<fixtures>": FIXTURES}
    expected = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, files in (("corpus", corpus_files(CORPUS)), ("fixtures", fixture_files())):
            db = open_db(Path(tmp) / f"{name}.db")
            ingest_paths(db, files)
            expected[name] = stored_digests(db, roots)
            expected[f"{name}_documents"] = document_digests(files, roots)
    EXPECTED.write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print({k: len(v) for k, v in expected.items()})


if __name__ == "__main__":
    main()
