"""Optional sentence embeddings beside the hashed features (``pip install 'patent-warning[embeddings]'``).

``[classify] embedding_model`` names a sentence-transformers model: a local folder (with
``config.json``, ``model.safetensors`` or ``onnx/model.onnx``, and ``tokenizer.json``) or a model
name already in the local Hugging Face cache (nothing is ever downloaded). It runs through ONNX
Runtime on CPU, no PyTorch: a folder without an ONNX file has its BERT weights written as an ONNX
graph once (`embed_onnx`), cached beside the store's other files.

Before trusting a folder, `load_embedding_model` checks it is what it says: a BERT-family config,
a hidden size equal to the pooling's stated dimension, and the produced vectors' width. The
model's name and the SHA-256 of its weights file go into every model card trained with it; a
model whose card names other weights is refused, as its weights would read meaningless vectors.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from warning.errors import ModelError

BATCH = 64
MAX_TOKENS = 64  # word pieces read per publication: the title and the start of the abstract
INSTALL_HINT = "install the extra: pip install 'patent-warning[embeddings]'"


@dataclass
class EmbeddingModel:
    """A sentence encoder: texts to unit-length float32 vectors of ``dim`` dimensions."""

    name: str
    folder: Path
    file_hash: str
    dim: int
    max_tokens: int
    session: object = field(repr=False)
    tokenizer: object = field(repr=False)
    inputs: tuple[str, ...] = ()
    quantized: bool = False  # int8 weights (the graph built here), not the folder's own ONNX file

    @property
    def key(self) -> str:
        """What embeddings in the store are filed under: the weights and how they are run."""
        return f"{self.name}@{self.file_hash[:16]}/{self.max_tokens}{'/int8r' if self.quantized else ''}"

    def card(self) -> dict:
        """What a model card records about the encoder its model was trained with."""
        return {
            "name": self.name,
            "file_hash": self.file_hash,
            "dim": self.dim,
            "max_tokens": self.max_tokens,
            "int8": self.quantized,
        }

    def encode(self, texts: list[str]) -> np.ndarray:
        """(len(texts) x dim) float32, rows of length 1 (an empty text gives a zero row)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")  # similar lengths pad least
        for lo in range(0, len(order), BATCH):
            part = order[lo : lo + BATCH]
            out[part] = self._encode_batch([texts[i] for i in part])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([t or " " for t in texts])
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, : len(enc.ids)] = enc.ids
            mask[row, : len(enc.ids)] = 1
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        result = self.session.run(None, {k: feed[k] for k in self.inputs})[0]
        if result.ndim == 3:  # a token-level ONNX export: mean-pool here
            result = (result * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        vectors = np.asarray(result, dtype=np.float32)
        vectors[[not t.strip() for t in texts]] = 0.0
        return vectors


def load_embedding_model(
    spec: str, cache_dir: Path | None = None, threads: int | None = None
) -> EmbeddingModel:
    """The encoder named by ``spec`` (a folder or a cached model name); ModelError when unusable."""
    try:
        # The optional [embeddings] extra: a plain install has neither package.
        import onnxruntime
        import tokenizers
    except ImportError as exc:
        raise ModelError(
            f"embedding_model {spec!r} is set but {exc.name} is missing: {INSTALL_HINT}"
        ) from None
    folder = resolve_folder(spec)
    config = _read_json(folder / "config.json")
    dim, pooling = _check_architecture(folder, config)
    card_name, card_dim = _model_card(folder)
    if card_dim is not None and card_dim != dim:
        raise ModelError(f"{folder}: the model card states {card_dim} dimensions, config.json {dim}")
    onnx_file = next((p for p in (folder / "onnx" / "model.onnx", folder / "model.onnx") if p.exists()), None)
    weights = onnx_file or folder / "model.safetensors"
    if not weights.exists():
        raise ModelError(f"{folder}: neither onnx/model.onnx nor model.safetensors is there")
    file_hash = _sha256(weights)
    graph = onnx_file or _built_graph(folder, config, pooling, file_hash, cache_dir)
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
    session = onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])
    tokenizer = tokenizers.Tokenizer.from_file(str(_tokenizer_file(folder)))
    max_tokens = min(MAX_TOKENS, _max_seq_length(folder, config))
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()
    inputs = tuple(i.name for i in session.get_inputs())
    model = EmbeddingModel(
        _display_name(spec, folder, card_name), folder, file_hash, dim, max_tokens, session, tokenizer, inputs
    )
    model.quantized = onnx_file is None
    width = model._encode_batch(["dimension check"]).shape[1]
    if width != dim:
        raise ModelError(f"{folder}: the model produces {width}-dimensional vectors, its card states {dim}")
    return model


def resolve_folder(spec: str) -> Path:
    """A local folder as given, else the snapshot of a model name in the Hugging Face cache."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    hub = Path(
        os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", "~/.cache/huggingface")) / "hub"
    )
    snapshots = sorted((hub.expanduser() / f"models--{spec.replace('/', '--')}" / "snapshots").glob("*"))
    if snapshots:
        return snapshots[-1]
    raise ModelError(
        f"embedding_model {spec!r}: no such folder, and no cached model of that name in {hub} "
        "(models are never downloaded here: put the model's folder on disk and name the folder)"
    )


def _check_architecture(folder: Path, config: dict) -> tuple[int, str]:
    kind = config.get("model_type", "")
    if kind not in ("bert", "xlm-roberta", "roberta", "mpnet", "distilbert"):
        raise ModelError(f"{folder}: model_type {kind!r} is not a supported sentence encoder (BERT family)")
    hidden = int(config.get("hidden_size", 0))
    pooling_file = folder / "1_Pooling" / "config.json"
    pooling = _read_json(pooling_file) if pooling_file.exists() else {"word_embedding_dimension": hidden}
    if int(pooling.get("word_embedding_dimension", hidden)) != hidden:
        raise ModelError(
            f"{folder}: pooling states {pooling['word_embedding_dimension']} dimensions, config {hidden}"
        )
    return hidden, "cls" if pooling.get("pooling_mode_cls_token") else "mean"


def _built_graph(folder: Path, config: dict, pooling: str, file_hash: str, cache_dir: Path | None) -> Path:
    if config.get("model_type") != "bert":
        raise ModelError(
            f"{folder}: only BERT weights can be converted here; give a folder with onnx/model.onnx"
        )
    # Needs the extra's onnx package: only a folder without onnx/model.onnx is converted.
    from warning.classify.embed_onnx import bert_graph, read_safetensors

    cache = Path(cache_dir or Path("~/.cache/patent-warning").expanduser())
    target = cache / f"encoder-{file_hash[:16]}-{pooling}-int8r.onnx"  # r: 7-bit weights (reduce_range)
    if not target.exists():
        cache.mkdir(parents=True, exist_ok=True)
        data = bert_graph(config, read_safetensors(folder / "model.safetensors"), pooling)
        # Two processes may build it at once (the scheduler's classify and a `train`): each works in
        # a folder of its own and renames its graph into place; both are the same graph.
        with tempfile.TemporaryDirectory(dir=cache, prefix=".building-") as work:
            full = Path(work) / "full.onnx"
            full.write_bytes(data)
            _quantize(full, target)
    return target


def _quantize(source: Path, target: Path) -> None:
    """int8 weights, one scale per output channel: about twice as fast on CPU, and the vectors
    stay within cosine 0.98 of the float ones (all-MiniLM-L6-v2: 0.993 on average over 400 US
    abstracts, lowest 0.982). The weights use 7 of their 8 bits (``reduce_range``): on a CPU
    without VNNI (AVX2 only, as on the development VM) ONNX Runtime's u8 x s8 products add pairs
    in 16 bits, which 8-bit weights can overflow (a test BERT fell to cosine 0.97 there); with 7
    bits they cannot, and on all-MiniLM the mean cosine is the same. ONNX Runtime scales the
    activations per batch, so a text's vector moves slightly (cosine > 0.995) with the batch it is
    in; each publication's vector is computed once and stored, so no stored score ever moves
    with it."""
    # The optional extra, and heavy: imported only when a graph is converted once.
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = source.with_name("int8.onnx")  # beside the source: in the builder's own folder
    quantize_dynamic(
        source,
        tmp,
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        op_types_to_quantize=["MatMul"],
    )
    tmp.replace(target)


def _tokenizer_file(folder: Path) -> Path:
    path = folder / "tokenizer.json"
    if not path.exists():
        raise ModelError(f"{folder}: tokenizer.json is missing (save the model with a fast tokenizer)")
    return path


def _max_seq_length(folder: Path, config: dict) -> int:
    st = folder / "sentence_bert_config.json"
    if st.exists():
        return int(_read_json(st).get("max_seq_length", 512))
    return int(config.get("max_position_embeddings", 512))


def _model_card(folder: Path) -> tuple[str | None, int | None]:
    """The name (first heading) and the dimensions a model card (README.md) states, if it does."""
    try:
        text = (folder / "README.md").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, None
    name = re.search(r"^# +(\S+)", text, re.M)
    dims = re.search(r"(\d+)[ -]dimensional", text)
    return (name.group(1) if name else None), (int(dims.group(1)) if dims else None)


def _display_name(spec: str, folder: Path, card_name: str | None) -> str:
    return card_name or (folder.name if Path(spec).expanduser().is_dir() else spec)


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read ({exc})") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
