"""A tiny sentence-transformers BERT folder, built here (random weights), and a numpy BERT to check it.

The folder has what a real one has: config.json, model.safetensors, tokenizer.json (a WordPiece
tokenizer over a vocabulary of real patent words), 1_Pooling/config.json and a README.md model
card stating the dimensions. The numpy forward pass is BERT written out plainly (the
sentence-transformers computation: embeddings, post-norm attention layers, exact GELU, mean
pooling, L2 normalisation), so the ONNX graph the service builds can be checked against it.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

HIDDEN, LAYERS, HEADS, INNER = 32, 2, 4, 64
WORDS = (
    "a an the of for and with to in on motorcycle engine battery lithium cell pizza oven dough "
    "network packet catheter patient drug composition vehicle wheel frame light emitting diode lamp "
    "method system apparatus device control unit sensor data"
).split()


def build_tiny_model(folder: Path, seed: int = 0, card_dims: int = HIDDEN) -> Path:
    """Write a tiny BERT sentence encoder into ``folder``; returns the folder."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors

    folder.mkdir(parents=True, exist_ok=True)
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *WORDS,
        *[f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz"],
    ]
    vocab += list("abcdefghijklmnopqrstuvwxyz")
    ids = {t: i for i, t in enumerate(vocab)}
    tok = Tokenizer(models.WordPiece(ids, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", ids["[CLS]"]), ("[SEP]", ids["[SEP]"])]
    )
    tok.save(str(folder / "tokenizer.json"))
    config = {
        "architectures": ["BertModel"], "model_type": "bert", "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS, "num_attention_heads": HEADS, "intermediate_size": INNER,
        "vocab_size": len(vocab), "max_position_embeddings": 64, "type_vocab_size": 2,
        "layer_norm_eps": 1e-12, "hidden_act": "gelu",
    }  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 64}))
    (folder / "1_Pooling").mkdir(exist_ok=True)
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": HIDDEN, "pooling_mode_mean_tokens": True})
    )
    (folder / "README.md").write_text(
        f"# tiny-test-bert\nThis is a sentence-transformers model: it maps sentences to a {card_dims} "
        "dimensional dense vector space. Random weights, built by the tests.\n"
    )
    write_safetensors(folder / "model.safetensors", tiny_weights(len(vocab), seed))
    return folder


def tiny_weights(vocab_size: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.3):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    t = {
        "embeddings.word_embeddings.weight": w(vocab_size, HIDDEN, scale=1.0),
        "embeddings.position_embeddings.weight": w(64, HIDDEN),
        "embeddings.token_type_embeddings.weight": w(2, HIDDEN),
        "embeddings.LayerNorm.weight": 1 + w(HIDDEN, scale=0.1),
        "embeddings.LayerNorm.bias": w(HIDDEN, scale=0.1),
    }
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        for name, (rows, cols) in {
            "attention.self.query": (HIDDEN, HIDDEN), "attention.self.key": (HIDDEN, HIDDEN),
            "attention.self.value": (HIDDEN, HIDDEN), "attention.output.dense": (HIDDEN, HIDDEN),
            "intermediate.dense": (INNER, HIDDEN), "output.dense": (HIDDEN, INNER),
        }.items():  # fmt: skip
            t[p + name + ".weight"], t[p + name + ".bias"] = w(rows, cols), w(rows, scale=0.1)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[p + norm + ".weight"], t[p + norm + ".bias"] = 1 + w(HIDDEN, scale=0.1), w(HIDDEN, scale=0.1)
    return t


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """The safetensors format: 8-byte header length, a JSON header, then the raw arrays."""
    header, blobs, offset = {}, [], 0
    for name, arr in tensors.items():
        data = np.ascontiguousarray(arr, dtype=np.float32).tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(arr.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def numpy_bert(tensors: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """Mean-pooled, L2-normalised BERT output of one token sequence, in plain numpy."""
    from math import erf, sqrt

    def norm(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * tensors[p + ".weight"] + tensors[p + ".bias"]

    def lin(x, p):
        return x @ tensors[p + ".weight"].T + tensors[p + ".bias"]

    n = len(ids)
    x = (
        tensors["embeddings.word_embeddings.weight"][ids]
        + tensors["embeddings.position_embeddings.weight"][:n]
    )
    x = norm(x + tensors["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    d = HIDDEN // HEADS
    gelu = np.vectorize(lambda v: 0.5 * v * (1 + erf(v / sqrt(2))))
    for i in range(LAYERS):
        p = f"encoder.layer.{i}."
        q, k, v = (
            lin(x, p + f"attention.self.{m}").reshape(n, HEADS, d).transpose(1, 0, 2)
            for m in ("query", "key", "value")
        )
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(d)
        att = np.exp(scores - scores.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(1, 0, 2).reshape(n, HIDDEN)
        x = norm(x + lin(ctx, p + "attention.output.dense"), p + "attention.output.LayerNorm")
        x = norm(x + lin(gelu(lin(x, p + "intermediate.dense")), p + "output.dense"), p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)
