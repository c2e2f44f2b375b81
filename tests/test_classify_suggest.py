"""What `warning label --suggest` proposes (`warning.classify.feedback.pick`): mostly the publications
nearest the threshold, some drawn at random, among the newest of the store."""

from __future__ import annotations

import numpy as np

from warning.classify.feedback import SAMPLED, pick
from warning.models import Publication
from warning.store import open_db
from warning.store.matches import iter_publication_rows
from warning.store.publications import save_publications


def test_the_nearest_first_then_a_draw_from_the_rest():
    distance = np.array([0.5, 0.01, 0.3, 0.02, 0.9, 0.03, 0.7, 0.04, 0.6, 0.8])
    picked = pick(distance, 5, np.random.default_rng(0))
    assert [why for _, why in picked] == ["uncertain"] * 3 + ["sample"] * 2
    assert [i for i, _ in picked[:3]] == [1, 3, 5]  # nearest first, in order
    drawn = [i for i, _ in picked[3:]]
    assert len(set(drawn)) == 2 and not set(drawn) & {1, 3, 5}  # from the rest, no repeat
    assert pick(distance, 5, np.random.default_rng(0)) == picked  # the same draw for the same seed
    assert int(5 * SAMPLED) == 2


def test_small_queues_and_small_stores():
    distance = np.array([0.3, 0.1, 0.2])
    assert pick(distance, 1, np.random.default_rng(0)) == [(1, "uncertain")]  # one: the nearest
    assert sorted(i for i, _ in pick(distance, 10, np.random.default_rng(0))) == [0, 1, 2]  # all, once
    assert pick(np.zeros(0), 10, np.random.default_rng(0)) == []
    assert pick(distance, 0, np.random.default_rng(0)) == []


def test_only_the_newest_publications_are_considered(tmp_path):
    db = open_db(tmp_path / "w.db")
    save_publications(
        db, [Publication(f"US-{i}-B1", "US", str(i), "B1", titles={"en": f"title {i}"}) for i in range(1, 8)]
    )
    newest = [r["id"] for rows in iter_publication_rows(db, 2, text_chars=100, newest=3) for r in rows]
    assert newest == ["US-5-B1", "US-6-B1", "US-7-B1"]
    every = [r["id"] for rows in iter_publication_rows(db, 2, text_chars=100) for r in rows]
    assert len(every) == 7
    assert [r["id"] for rows in iter_publication_rows(db, text_chars=100, newest=100) for r in rows] == every
    db.conn.close()
