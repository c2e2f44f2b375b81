"""The sample's publications before they are written in any office format.

A `SamplePlanner` draws inventions (`warning.demo.sample.texts`), gives them applicants, inventors,
classes and priorities, and publishes them at an office with that office's numbers, kind
codes and publication weekdays, in the weeks before `DEMO_DATE` (more in recent weeks, so
digests show a trend). Some inventions are published by several offices and share a family,
as real ones do. Everything comes from one seeded `random.Random`, so a plan is repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from warning.demo.sample.content import PRODUCT_TOPICS, WATCHLISTS, Topic
from warning.demo.sample.content_background import BACKGROUND_TOPICS, NEAR_MISS_TOPICS
from warning.demo.sample.parties import APPLICANTS, COMPETITORS, Applicant, inventors_for
from warning.demo.sample.texts import Invention, invent
from warning.identity import make_id

DEMO_DATE = date(2026, 11, 17)  # a Tuesday: the week the demo pretends to run in
WEEKS = 8
SEED = 20261117

# Weekdays (Monday 0) on which each office publishes; others publish any working day.
_WEEKDAYS = {"US": (1,), "EP": (2,), "WO": (3,), "CN": (1, 4), "JP": (3,), "KR": (0, 1, 2, 3, 4)}
GRANT_KINDS = ("B", "B1", "B2", "C1", "C2", "U", "U1")

# First publication number of each (office, kind); numbers grow from here, in date order.
_FIRST_NUMBER = {
    ("US", "B"): 12834561,
    ("US", "A1"): 20260312345,
    ("EP", "A"): 4712345,
    ("EP", "B"): 4215678,
    ("CN", "A"): 121034567,
    ("CN", "B"): 118234567,
    ("CN", "U"): 224567890,
    ("JP", "A"): 2026150123,
    ("JP", "B"): 7812345,
    ("KR", "A"): 20260123456,
    ("KR", "B"): 102891234,
    ("VN", "A"): 105432,
    ("TH", "A"): 198765,
    ("IN", "A"): 202641012345,
    ("BR", "A"): 102026012345,
    ("MX", "A"): 2026012345,
    ("RU", "C"): 2841234,
    ("RU", "U"): 234567,
    ("TR", "A"): 202612345,
    ("WO", "A"): 2026234567,
}


@dataclass(frozen=True)
class Priority:
    country: str
    number: str  # as the office of first filing writes it, e.g. 2025-123456
    epodoc: str  # as OPS's epodoc format writes it, e.g. JP20250123456
    date: date


@dataclass
class Family:
    """One invention and who made it; every office that publishes it shares these."""

    invention: Invention
    applicant: Applicant
    inventors: list[tuple[str, str]]
    cpc: list[str]
    first_filed: date
    family_id: str
    home_number: int  # serial of the first filing at the applicant's home office
    offices: set[str] = field(default_factory=set)


@dataclass
class SampleDoc:
    """One publication of a family at one office."""

    country: str
    number: str  # docdb form, as USPTO/EP/OPS XML write it
    kind: str
    pub_date: date
    filing_date: date
    app_number: str  # the office's own spelling
    app_docdb: str  # docdb form
    family: Family

    @property
    def id(self) -> str:
        return make_id(self.country, self.number, self.kind)

    @property
    def invention(self) -> Invention:
        return self.family.invention

    @property
    def topic(self) -> Topic:
        return self.family.invention.topic

    @property
    def is_grant(self) -> bool:
        return self.kind in GRANT_KINDS

    @property
    def priority(self) -> Priority | None:
        """The home filing this publication claims; None where this office is the home office."""
        home = self.family.applicant.country
        if home == self.country:
            return None
        return home_filing(home, self.family.first_filed, self.family.home_number)


class SamplePlanner:
    """Deterministic planner of sample publications (see module doc)."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.families: list[Family] = []
        self._numbers = dict(_FIRST_NUMBER)
        self._family_serial = 98765432
        self._product_turn = 0

    def topics(self, count: int) -> list[Topic]:
        """Half product lines (evenly across watchlists), half background (a third near misses)."""
        rng, products = self.rng, count // 2
        chosen = []
        for _ in range(products):
            # One turn across all offices, so every product line gets its share of every size.
            watchlist = WATCHLISTS[self._product_turn % len(WATCHLISTS)]
            self._product_turn += 1
            chosen.append(rng.choice([t for t in PRODUCT_TOPICS if t.watchlist == watchlist]))
        for i in range(count - products):
            pool = NEAR_MISS_TOPICS if i % 3 == 2 else BACKGROUND_TOPICS
            chosen.append(rng.choice(pool))
        rng.shuffle(chosen)
        return chosen

    def publish(
        self, country: str, kinds: list[str], on: date | None = None, reuse: float = 0.25
    ) -> list[SampleDoc]:
        """One publication per kind given, at ``country`` (all ``on`` one day if given), in date order."""
        kinds = list(kinds)
        self.rng.shuffle(kinds)
        topics = self.topics(len(kinds))
        dates = sorted(on or self.publication_date(country) for _ in kinds)
        docs = []
        for topic, kind, pub_date in zip(topics, kinds, dates, strict=True):
            grant = kind in GRANT_KINDS
            family = self._reused_family(topic, country) if not grant and self.rng.random() < reuse else None
            family = family or self.new_family(topic, pub_date, grant)
            family.offices.add(country)
            docs.append(self._doc(country, kind, pub_date, family))
        return docs

    def new_family(self, topic: Topic, pub_date: date, grant: bool) -> Family:
        rng = self.rng
        competitors = [key for key in topic.applicants if key in COMPETITORS]
        # Competitors file most of a watched line's patents, as the escort programme expects.
        pool = competitors if competitors and topic.watchlist and rng.random() < 0.7 else topic.applicants
        applicant = APPLICANTS[rng.choice(pool)]
        lag = rng.randint(900, 1500) if grant else rng.randint(520, 600)
        self._family_serial += rng.randint(1, 9999)
        main = topic.cpc[0] if rng.random() < 0.6 else rng.choice(topic.cpc)
        others = [c for c in topic.cpc if c != main]
        family = Family(
            invention=invent(topic, rng),
            applicant=applicant,
            inventors=inventors_for(applicant, rng),
            cpc=[main, *rng.sample(others, k=min(len(others), rng.randint(1, 3)))],
            first_filed=pub_date - timedelta(days=lag),
            family_id=str(self._family_serial),
            home_number=rng.randint(10000, 199999),
        )
        self.families.append(family)
        return family

    def publication_date(self, country: str) -> date:
        """A publishing day of ``country`` in the last WEEKS weeks, recent weeks likelier."""
        week = self.rng.choices(range(WEEKS), weights=[w + 2 for w in range(WEEKS)])[0]
        monday = DEMO_DATE - timedelta(days=DEMO_DATE.weekday()) - timedelta(weeks=WEEKS - 1 - week)
        day = monday + timedelta(days=self.rng.choice(_WEEKDAYS.get(country, (0, 1, 2, 3, 4))))
        return day if day <= DEMO_DATE else day - timedelta(weeks=1)

    def _reused_family(self, topic: Topic, country: str) -> Family | None:
        candidates = [f for f in self.families if f.invention.topic is topic and country not in f.offices]
        return self.rng.choice(candidates) if candidates else None

    def _doc(self, country: str, kind: str, pub_date: date, family: Family) -> SampleDoc:
        rng = self.rng
        number = self._next_number(country, kind)
        filed = family.first_filed
        if family.applicant.country != country:
            filed += timedelta(days=rng.randint(300, 364))
        serial = rng.randint(10000, 999999)
        original, docdb = application_number(country, filed, serial, family.applicant.country)
        return SampleDoc(country, number, kind, pub_date, filed, original, docdb, family)

    def _next_number(self, country: str, kind: str) -> str:
        key = (country, kind[0]) if (country, kind[0]) in self._numbers else (country, "A")
        if country == "US":
            key = ("US", "A1") if kind.startswith("A") else ("US", "B")
        value = self._numbers[key]
        self._numbers[key] = value + self.rng.randint(40, 900)
        return f"{value:08d}" if key == ("US", "B") else str(value)


def application_number(country: str, filed: date, serial: int, home: str = "") -> tuple[str, str]:
    """The application number as the office writes it, and its docdb form."""
    y = filed.year
    if country == "US":
        series = "19" if y >= 2025 else "18"
        return f"{series}{serial:06d}", f"{series}{serial:06d}"
    if country == "EP":
        return f"{y % 100:02d}{serial:06d}.{serial % 9}", f"{y % 100:02d}{serial:06d}"
    if country == "CN":
        return f"{y}1{serial:07d}.{serial % 9}", f"{y}1{serial:07d}"
    if country == "JP":
        return f"{y}-{serial:06d}", f"{y}{serial:06d}"
    if country == "KR":
        return f"10-{y}-{serial:07d}", f"{y}{serial:07d}"
    if country == "WO":
        return f"PCT/{home}{y}/{serial:06d}", f"{home}{y}{serial:06d}"
    return f"{y}{serial:06d}", f"{y}{serial:06d}"


def home_filing(country: str, filed: date, serial: int) -> Priority:
    """The first filing at the applicant's home office, which later filings claim as priority."""
    y = filed.year
    spelled = {
        "JP": f"{y}-{serial:06d}",
        "CN": f"{y}1{serial:07d}.{serial % 9}",
        "KR": f"10-{y}-{serial:07d}",
        "US": f"63/{serial:06d}",
        "DE": f"10 {y} {serial // 1000:03d} {serial % 1000:03d}.{serial % 9}",
    }
    number = spelled.get(country, f"{y}{serial:06d}")
    epodoc = f"{country}{y}{serial:07d}" + ("P" if country == "US" else "")
    return Priority(country, number, epodoc, filed)
