"""Stored sentence embeddings: float16 vectors by publication and encoder, with their text's hash."""

from __future__ import annotations

import hashlib

import numpy as np
import sqlite_utils

from warning.store.db import transaction

CHUNK = 500  # ids per IN (...) query, under SQLite's variable limit


def text_hash(text: str) -> str:
    """A short, stable digest of the text an embedding was computed from."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def get_embeddings(
    db: sqlite_utils.Database, encoder: str, ids: list[str], hashes: list[str], dim: int
) -> tuple[np.ndarray, np.ndarray]:
    """(len(ids) x dim) float32 vectors and a mask of those found for exactly that text."""
    vectors = np.zeros((len(ids), dim), dtype=np.float32)
    found = np.zeros(len(ids), dtype=bool)
    where = {pid: i for i, pid in enumerate(ids)}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        sql = (
            "SELECT publication_id, text_hash, vector FROM publication_embeddings "
            f"WHERE encoder = ? AND publication_id IN ({', '.join('?' for _ in chunk)})"
        )
        for pid, digest, blob in db.execute(sql, [encoder, *chunk]).fetchall():
            i = where[pid]
            if digest == hashes[i] and len(blob) == 2 * dim:
                vectors[i] = np.frombuffer(blob, dtype=np.float16)
                found[i] = True
    return vectors, found


def save_embeddings(
    db: sqlite_utils.Database, encoder: str, ids: list[str], hashes: list[str], vectors: np.ndarray
) -> None:
    """Store (or replace) the vectors of ``ids``, as float16, in one transaction."""
    half = np.asarray(vectors, dtype=np.float16)
    rows = [
        (pid, encoder, digest, half[i].tobytes())
        for i, (pid, digest) in enumerate(zip(ids, hashes, strict=True))
    ]
    with transaction(db):
        db.conn.executemany(
            "INSERT OR REPLACE INTO publication_embeddings (publication_id, encoder, text_hash, vector) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )


def count_embeddings(db: sqlite_utils.Database, encoder: str) -> int:
    """How many publications have a vector of ``encoder``."""
    sql = "SELECT count(*) FROM publication_embeddings WHERE encoder = ?"
    return int(db.execute(sql, [encoder]).fetchone()[0])
