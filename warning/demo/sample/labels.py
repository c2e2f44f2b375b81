"""Labelled examples for the demo watchlists, in the project's JSON Lines format.

Drawn from the same phrase tables as the office files but as other publications (their own
numbers, fresh draws), so the demo can train on them and then classify documents it has never
seen. Each watchlist gets positives from its product line and negatives from the background,
its near misses and the other product lines.
"""

from __future__ import annotations

import json
import random

from warning.demo.sample.content import PRODUCT_TOPICS, WATCHLISTS, Topic
from warning.demo.sample.content_background import BACKGROUND_TOPICS, NEAR_MISS_TOPICS
from warning.demo.sample.parties import APPLICANTS
from warning.demo.sample.texts import abstract, invent, title
from warning.identity import make_id

POSITIVES = 20
NEGATIVES = 20
# Office, language of its text, and the first number of the range the labelled examples use
# (2025 publications: older than, and never among, the sample's office files).
_OFFICES = (
    ("US", "en", 20250101001),
    ("EP", "en", 4390001),
    ("CN", "zh", 119500001),
    ("JP", "ja", 2025010001),
    ("KR", "ko", 20250010001),
    ("WO", "en", 2025010001),
)
_KINDS = {"US": "A1", "EP": "A1", "CN": "A", "JP": "A", "KR": "A", "WO": "A1"}


def label_records(seed: int) -> list[dict]:
    """About forty labelled examples per demo watchlist, each line naming its watchlist."""
    rng = random.Random(seed)
    serials = {office: first for office, _, first in _OFFICES}
    records = []
    for watchlist in WATCHLISTS:
        for topic, label in _topics_for(watchlist, rng):
            office, lang, _ = _OFFICES[len(records) % len(_OFFICES)]
            serials[office] += rng.randint(3, 97)
            records.append(_record(topic, label, watchlist, office, lang, serials[office], rng))
    return records


def labels_jsonl(seed: int) -> bytes:
    """The labelled examples as JSON Lines bytes (UTF-8, one object a line)."""
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in label_records(seed)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _topics_for(watchlist: str, rng: random.Random) -> list[tuple[Topic, int]]:
    own = [t for t in PRODUCT_TOPICS if t.watchlist == watchlist]
    others = [t for t in PRODUCT_TOPICS if t.watchlist != watchlist]
    near = [t for t in NEAR_MISS_TOPICS if t.near_miss_of == watchlist] or list(NEAR_MISS_TOPICS)
    negatives = [rng.choice(near) for _ in range(5)]
    negatives += [rng.choice(others) for _ in range(7)]
    negatives += [rng.choice(BACKGROUND_TOPICS + NEAR_MISS_TOPICS) for _ in range(NEGATIVES - len(negatives))]
    chosen = [(rng.choice(own), 1) for _ in range(POSITIVES)] + [(t, 0) for t in negatives]
    rng.shuffle(chosen)
    return chosen


def _record(
    topic: Topic, label: int, watchlist: str, office: str, lang: str, serial: int, rng: random.Random
) -> dict:
    inv = invent(topic, rng)
    main = topic.cpc[0] if rng.random() < 0.6 else rng.choice(topic.cpc)
    applicant = APPLICANTS[rng.choice(topic.applicants)]
    name = applicant.native if lang in ("zh", "ja", "ko") and applicant.native else applicant.name
    return {
        "id": make_id(office, str(serial), _KINDS[office]),
        "title": title(inv, lang),
        "abstract": abstract(inv, lang),
        "lang": lang,
        "cpc": [main.replace(" ", "")],
        "applicants": [name],
        "label": label,
        "watchlist": watchlist,
    }
