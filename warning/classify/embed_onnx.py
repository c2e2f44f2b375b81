"""A BERT sentence encoder as an ONNX graph, built from a sentence-transformers folder's weights.

sentence-transformers models (all-MiniLM-L6-v2, paraphrase-multilingual-MiniLM-L12-v2,
multilingual-e5-small, LaBSE ...) are BERT encoders saved as ``model.safetensors`` with a
``config.json``. This module writes the same computation as an ONNX graph (embeddings, N layers of
self-attention and feed-forward, mean or CLS pooling), so ONNX Runtime runs it on CPU without
PyTorch. The safetensors file is read with numpy (its format is a JSON header and raw arrays).
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np

_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": None, "I64": np.int64, "F64": np.float64}
OPSET = 17  # LayerNormalization


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """All tensors of a ``.safetensors`` file as float32/int64 numpy arrays."""
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
        data = fh.read()
    out = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        lo, hi = spec["data_offsets"]
        raw = data[lo:hi]
        if spec["dtype"] == "BF16":  # bfloat16: the high half of a float32
            arr = (np.frombuffer(raw, dtype=np.uint16).astype(np.uint32) << 16).view(np.float32)
        elif _DTYPES.get(spec["dtype"]) is None:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {spec['dtype']}")
        else:
            arr = np.frombuffer(raw, dtype=_DTYPES[spec["dtype"]])
        out[name] = arr.reshape(spec["shape"]).astype(np.float32 if arr.dtype.kind == "f" else arr.dtype)
    return out


def _weight(tensors: dict[str, np.ndarray], name: str) -> np.ndarray:
    for prefix in ("", "bert.", "model."):
        if prefix + name in tensors:
            return tensors[prefix + name]
    raise ValueError(f"the weights have no tensor {name!r} (is this a BERT model?)")


def bert_graph(config: dict, tensors: dict[str, np.ndarray], pooling: str = "mean") -> bytes:
    """The serialised ONNX model: inputs input_ids, attention_mask, token_type_ids (int64, batch x
    tokens); output ``sentence_embedding`` (batch x hidden), pooled but not normalised."""
    # The optional [embeddings] extra: this module is imported without it.
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = int(config["hidden_size"]), int(config["num_attention_heads"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    nodes, inits, names = [], [], set()
    counter = [0]

    def const(name: str, value: np.ndarray) -> str:
        if name not in names:  # the layers share their scalar constants
            names.add(name)
            inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, inputs: list[str], **attrs) -> str:
        counter[0] += 1
        out = f"{kind.lower()}_{counter[0]}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def linear(x: str, prefix: str) -> str:
        w = const(prefix + ".weight.T", _weight(tensors, prefix + ".weight").T.copy())
        return op("Add", [op("MatMul", [x, w]), const(prefix + ".bias", _weight(tensors, prefix + ".bias"))])

    def layer_norm(x: str, prefix: str) -> str:
        gamma = const(prefix + ".weight", _weight(tensors, prefix + ".weight"))
        beta = const(prefix + ".bias", _weight(tensors, prefix + ".bias"))
        return op("LayerNormalization", [x, gamma, beta], axis=-1, epsilon=eps)

    x = _embeddings(tensors, const, op)
    x = layer_norm(x, "embeddings.LayerNorm")
    mask_f = op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    # (1 - mask) * -10000, shaped batch x 1 x 1 x tokens: padding gets no attention
    bias = op("Mul", [op("Sub", [const("one", np.float32(1.0)), mask_f]), const("neg", np.float32(-1e4))])
    bias = op("Unsqueeze", [bias, const("axes12", np.array([1, 2], dtype=np.int64))])
    head_shape = const("head_shape", np.array([0, 0, heads, hidden // heads], dtype=np.int64))
    flat_shape = const("flat_shape", np.array([0, 0, hidden], dtype=np.int64))
    scale = const("scale", np.float32(1.0 / np.sqrt(hidden // heads)))
    for i in range(int(config["num_hidden_layers"])):
        p = f"encoder.layer.{i}."

        def split(t: str) -> str:
            return op("Transpose", [op("Reshape", [t, head_shape])], perm=[0, 2, 1, 3])

        q = split(linear(x, p + "attention.self.query"))
        k = op(
            "Transpose", [op("Reshape", [linear(x, p + "attention.self.key"), head_shape])], perm=[0, 2, 3, 1]
        )
        v = split(linear(x, p + "attention.self.value"))
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), flat_shape])
        x = layer_norm(
            op("Add", [x, linear(context, p + "attention.output.dense")]), p + "attention.output.LayerNorm"
        )
        inner = _gelu(linear(x, p + "intermediate.dense"), const, op)
        x = layer_norm(op("Add", [x, linear(inner, p + "output.dense")]), p + "output.LayerNorm")
    _pool(x, mask_f, pooling, const, op)
    nodes[-1].output[0] = "sentence_embedding"  # the pooling's last node gives the graph's output
    ints = [helper.make_tensor_value_info(n, TensorProto.INT64, ["batch", "tokens"]) for n in _INPUTS]
    out = [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", hidden])]
    graph = helper.make_graph(nodes, "sentence_encoder", ints, out, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    return model.SerializeToString()


_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def _embeddings(tensors, const, op) -> str:
    words = const("word_embeddings", _weight(tensors, "embeddings.word_embeddings.weight"))
    positions = const("position_embeddings", _weight(tensors, "embeddings.position_embeddings.weight"))
    types = const("token_type_embeddings", _weight(tensors, "embeddings.token_type_embeddings.weight"))
    shape = op("Shape", ["input_ids"])
    length = op("Gather", [shape, const("idx1", np.array(1, dtype=np.int64))], axis=0)
    pos_ids = op(
        "Range",
        [const("zero64", np.array(0, dtype=np.int64)), length, const("one64", np.array(1, dtype=np.int64))],
    )
    x = op(
        "Add", [op("Gather", [words, "input_ids"], axis=0), op("Gather", [types, "token_type_ids"], axis=0)]
    )
    return op("Add", [x, op("Gather", [positions, pos_ids], axis=0)])


def _gelu(x: str, const, op) -> str:
    """The exact GELU BERT uses: x * (1 + erf(x / sqrt 2)) / 2."""
    erf = op("Erf", [op("Mul", [x, const("inv_sqrt2", np.float32(1 / np.sqrt(2)))])])
    return op(
        "Mul",
        [op("Mul", [x, op("Add", [erf, const("one_g", np.float32(1.0))])]), const("half", np.float32(0.5))],
    )


def _pool(x: str, mask_f: str, pooling: str, const, op) -> str:
    if pooling == "cls":
        first = op("Gather", [x, const("idx0", np.array(0, dtype=np.int64))], axis=1)
        return op("Identity", [first])
    mask3 = op("Unsqueeze", [mask_f, const("axis2", np.array([2], dtype=np.int64))])
    total = op(
        "ReduceSum", [op("Mul", [x, mask3]), const("axis1", np.array([1], dtype=np.int64))], keepdims=0
    )
    count = op("ReduceSum", [mask_f, const("axis1b", np.array([1], dtype=np.int64))], keepdims=1)
    return op("Div", [total, op("Max", [count, const("tiny", np.float32(1e-9))])])
