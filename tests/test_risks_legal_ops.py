"""`refresh_legal_status` through the configured epo_ops source, against a local OPS (tests/ops_server.py)."""

from __future__ import annotations

import pytest

from tests.conftest import CORPUS
from tests.ops_server import KEY, SECRET, FakeOps
from warning.app import App
from warning.config.loading import parse_config
from warning.errors import ConfigError
from warning.models import Publication
from warning.risks import open_case, refresh_legal_status
from warning.store import risks as store
from warning.store.publications import save_publications


@pytest.fixture
def ops(httpserver, corpus, monkeypatch):
    fake = FakeOps(httpserver, CORPUS)
    fake.legal_body = corpus("epo-ops-patent-dev", "get_legal__response.xml").read_bytes()
    monkeypatch.setenv("OPS_KEY", KEY)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    return fake


def make_app(tmp_path, ops: FakeOps, legal_source: str = "ops", **options) -> App:
    table = {"kind": "epo_ops", "base_url": ops.base_url, "countries": ["EP", "US"], **options}
    data = {
        "sources": {"ops": table},
        "subscribers": [{"name": "programme", "email": ["escort@programme.example"]}],
        "smtp": {"host": "localhost"},
        "risks": {"legal_source": legal_source, "default_owner": "programme"},
    }
    return App(config=parse_config(data, tmp_path / "config.toml"), db_path=tmp_path / "legal.db")


def test_refresh_through_the_ops_source(ops, tmp_path):
    app = make_app(tmp_path, ops)
    b1 = Publication(
        id="EP-2400812-B1", country="EP", number="2400812", kind="B1", publication_date="2019-11-27"
    )
    save_publications(app.db, [b1])
    case_id = open_case(app.db, b1.id, "Acme")
    counts = refresh_legal_status(app)
    assert (counts["cases"], counts["failed"], counts["new_events"], counts["notified"]) == (1, 0, 69, 1)
    (request,) = ops.calls["inpadoc"]
    assert request.path.endswith("/rest-services/legal/publication/docdb/EP.2400812.B1")
    assert [(d["kind"], d["date"]) for d in store.case_deadlines(app.db, case_id)] == [
        ("ep-opposition", "2020-08-27")
    ]
    assert refresh_legal_status(app)["new_events"] == 0
    app.close()


def test_unavailable_ops_is_counted_per_case(ops, tmp_path):
    app = make_app(tmp_path, ops, max_retries=1, backoff_seconds=0.0)  # no real waiting in tests
    save_publications(app.db, [Publication(id="EP-2400812-A1", country="EP", number="2400812", kind="A1")])
    open_case(app.db, "EP-2400812-A1", "Acme")
    for _ in range(3):
        ops.fault("inpadoc", 503)
    counts = refresh_legal_status(app)
    assert (counts["cases"], counts["failed"]) == (1, 1)
    app.close()


def test_legal_source_must_be_an_ops_source(ops, tmp_path):
    with pytest.raises(
        ConfigError, match=r"risks.legal_source must name an epo_ops source \(configured: ops\)"
    ):
        make_app(tmp_path, ops, legal_source="nowhere")
