"""Embedding speed: a week's publications (100,000) through the sentence encoder on 2 cores.

Real texts (US grant titles + abstracts of `uspto-latam-lucaslopes`, and PATENTSCOPE titles, in
the proportion of a week's mix chosen by ``--titles-share``) run through the service's encoder
(`warning.classify.embed`, ONNX Runtime, int8 weights, ``max_tokens`` word pieces), and the
vectors are stored in a fresh SQLite store as `classify` stores them (float16). Measured on a
sample and extrapolated to 100,000; the figure to compare with the target is "minutes per
100,000". The encoder: $WARNING_EMBEDDING_MODEL, else the packaged all-MiniLM-L6-v2.

The machine's load average is recorded beside the figures: other jobs on the 2 cores slow it.

    .venv/bin/python benchmarks/embed.py [--sample 3000] [--max-tokens 64 128]
Writes benchmarks/out/embed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from quality import OUT, find_encoder, load_hard, load_ordinary  # noqa: E402

from warning.classify.embed_store import EmbeddingSource  # noqa: E402
from warning.store.db import open_db  # noqa: E402

WEEK = 100_000


def texts_of_a_week(sample: int, titles_share: float) -> list[str]:
    """A sample of real texts: title + abstract publications and title-only ones, mixed."""
    rng = np.random.default_rng(0)
    ordinary = [d["text"] for d in load_ordinary()]
    titles = [d["text"] for d in load_hard()]
    n_titles = int(sample * titles_share)
    picked = [ordinary[i] for i in rng.integers(0, len(ordinary), sample - n_titles)]
    picked += [titles[i] for i in rng.integers(0, len(titles), n_titles)]
    rng.shuffle(picked)
    return picked


def measure(encoder, texts: list[str], batch: int) -> dict:
    """Encode and store ``texts`` in batches as `classify` does; seconds and per-publication costs."""
    with tempfile.TemporaryDirectory() as tmp:
        source = EmbeddingSource(open_db(Path(tmp) / "w.db"), encoder)
        started = time.perf_counter()
        for lo in range(0, len(texts), batch):
            chunk = texts[lo : lo + batch]
            source.vectors([f"XX-{lo + i}-A1" for i in range(len(chunk))], chunk)
        seconds = time.perf_counter() - started
        n = min(batch, len(texts))
        again = time.perf_counter()
        source.vectors([f"XX-{i}-A1" for i in range(n)], texts[:n])  # stored: read back only
        read_seconds = time.perf_counter() - again
    per_second = len(texts) / seconds
    return {
        "publications": len(texts),
        "seconds": round(seconds, 1),
        "publications_per_second": round(per_second, 1),
        "minutes_per_100k": round(WEEK / per_second / 60, 1),
        "read_back_per_second": round(n / read_seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--max-tokens", type=int, nargs="*", default=[64, 128])
    parser.add_argument("--titles-share", type=float, default=0.5, help="share of title-only publications")
    args = parser.parse_args()
    encoder = find_encoder()
    if encoder is None:
        sys.exit("no embedding model: install 'patent-warning[embeddings]' and set WARNING_EMBEDDING_MODEL")
    texts = texts_of_a_week(args.sample, args.titles_share)
    results = {"encoder": encoder.card(), "cores": os.cpu_count(), "load_before": os.getloadavg(), "runs": []}
    for tokens in args.max_tokens:
        encoder.max_tokens = tokens  # the key changes with it, so each run stores afresh
        encoder.tokenizer.enable_truncation(tokens)
        run = {"max_tokens": tokens, **measure(encoder, texts, 2000)}
        results["runs"].append(run)
        print(json.dumps(run), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "embed.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
