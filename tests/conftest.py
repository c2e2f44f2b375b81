"""Shared fixtures: an isolated config and database per test, and the real corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("WARNING_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "corpus"))


def corpus_path(*parts: str) -> Path:
    """A path inside ../shared/corpus; skips the test where the corpus is absent, fails in CI."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        reason = f"corpus file not found: {path} (the real data in ../shared/corpus is not on this machine)"
        if os.environ.get("WARNING_REQUIRE_CORPUS") == "1":
            pytest.fail(reason + "; WARNING_REQUIRE_CORPUS=1 makes this a failure")
        pytest.skip(reason)
    return path


@pytest.fixture
def corpus():
    """Call ``corpus("folder", "file")`` to get a real corpus file (skip or fail where absent)."""
    return corpus_path


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    """No test reads the developer's config or database, or writes into the work tree."""
    monkeypatch.delenv("WARNING_CONFIG", raising=False)
    monkeypatch.setenv("WARNING_DB", str(tmp_path / "test.db"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def db(tmp_path):
    from warning.store import open_db

    database = open_db(tmp_path / "store.db")
    yield database
    database.conn.close()
