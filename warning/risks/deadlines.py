"""Deadlines of a risk case, computed from its publication and its legal events.

One rule per row of `RULES`, each with its legal basis. A rule names the date the period runs
from (a trigger read from the publication, a stored sibling publication of the same number, or a
legal event) and the period in months. Months are added with `relativedelta`, which ends a period
that starts on 31 May on 28/29 February, as EPC Rule 131(4) and the national laws do when the
month has no such day. The date is the nominal expiry: a period ending on a day the office is
closed extends to its next working day (EPC Rule 134(1), 35 U.S.C. 21(b)), which only helps the
opponent, so reminders keyed to the nominal date are never late.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from dateutil.relativedelta import relativedelta

from warning.models import GRANT, LegalEvent, Publication


@dataclass(frozen=True)
class Facts:
    """What the rules read: the case's publication, stored publications of the same office and
    number (the EP A1 and its B1), and the legal events of that number."""

    publication: Publication
    related: tuple[Publication, ...] = ()
    events: tuple[LegalEvent, ...] = ()


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: str  # ISO
    basis: str
    label_zh: str
    label_en: str
    trigger: str  # ISO date the period runs from

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "date": self.date,
            "basis": self.basis,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "trigger": self.trigger,
        }


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    trigger: Callable[[Facts], date | None]
    months: int
    basis: str
    label_zh: str
    label_en: str
    adjust: Callable[[date, Facts], date] | None = field(default=None)

    def apply(self, facts: Facts) -> Deadline | None:
        start = self.trigger(facts)
        if start is None:
            return None
        end = start + relativedelta(months=self.months)
        if self.adjust is not None:
            end = self.adjust(end, facts)
        return Deadline(
            self.kind, end.isoformat(), self.basis, self.label_zh, self.label_en, start.isoformat()
        )


def parse_day(text: str | None) -> date | None:
    """An ISO (``2021-03-17``) or compact (``20210317``) date, else None."""
    digits = re.sub(r"\D", "", (text or "")[:10])
    if len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


# ------------------------------------------------------------------ triggers


def ep_mention_of_grant(facts: Facts) -> date | None:
    """Date of the EP B1 publication, which carries the mention of grant in the Bulletin.

    A B2 (new specification after opposition) or B3 (after limitation) opens no new opposition
    period, so only the B1 counts: the publication itself, a stored B1 of the same number, the
    ``AK`` event designating the B1, or else the first national 'European patent granted' event.
    """
    pub = facts.publication
    if pub.country != "EP":
        return None
    for candidate in (pub, *facts.related):
        if candidate.country == "EP" and candidate.kind == "B1" and parse_day(candidate.publication_date):
            return parse_day(candidate.publication_date)
    granted = [parse_day(e.date) for e in facts.events if e.granted_kind() == "B1"]
    if not any(granted):
        granted = [parse_day(e.date) for e in facts.events if e.code == "REG" and "FG4D" in e.description]
    granted = [d for d in granted if d]
    return min(granted) if granted else None


AIA_EFFECTIVE = date(2013, 3, 16)


def us_aia_grant(facts: Facts) -> date | None:
    """Issue date of a US patent or reissue filed under the AIA (PGR applies to no other)."""
    pub = facts.publication
    if pub.country != "US" or pub.kind not in ("B1", "B2", "E"):
        return None
    effective = parse_day(pub.priority_date) or parse_day(pub.filing_date)
    if effective is not None and effective < AIA_EFFECTIVE:
        return None
    return parse_day(pub.publication_date)


def us_pregrant_publication(facts: Facts) -> date | None:
    pub = facts.publication
    if pub.country != "US" or pub.kind not in ("A1", "A2", "A9"):
        return None
    return parse_day(pub.publication_date)


def us_preissuance_limit(six_months: date, facts: Facts) -> date:
    """35 U.S.C. 122(e)(1): the later of six months and the first rejection, but before allowance."""
    rejections = _event_days(facts.events, ("NON FINAL ACTION MAILED", "FINAL REJECTION MAILED"))
    end = max([six_months, *rejections[:1]])
    allowance = _event_days(facts.events, ("NOTICE OF ALLOWANCE MAILED",))
    return min(end, allowance[0]) if allowance else end


def granted_in(*countries: str, kinds: tuple[str, ...] = ("B",)) -> Callable[[Facts], date | None]:
    """Trigger: publication date of a granted document (kind starting with one of ``kinds``)."""

    def trigger(facts: Facts) -> date | None:
        pub = facts.publication
        granted = pub.doc_type == GRANT or pub.kind.startswith(kinds)
        if pub.country not in countries or not granted:
            return None
        return parse_day(pub.publication_date)

    return trigger


def pct_priority(facts: Facts) -> date | None:
    pub = facts.publication
    if pub.country != "WO":
        return None
    return parse_day(pub.priority_date) or parse_day(pub.filing_date)


def _event_days(events: Iterable[LegalEvent], phrases: tuple[str, ...]) -> list[date]:
    days = [parse_day(e.date) for e in events if any(p in e.description.upper() for p in phrases)]
    return sorted(d for d in days if d)


# ------------------------------------------------------------------ the rules, one per row

RULES: tuple[DeadlineRule, ...] = (
    # Art. 99(1) EPC: notice of opposition within nine months of the publication of the mention of
    # the grant of the European patent (Art. 97(3) EPC: the B1 publication date).
    DeadlineRule(
        "ep-opposition", ep_mention_of_grant, 9, "Art. 99(1) EPC", "欧洲专利异议期限", "EP opposition"
    ),
    # 35 U.S.C. 321(c): a post-grant review petition may only be filed not later than nine months
    # after the grant or reissue (AIA patents only, AIA s. 6(f)(2)(A)). Inter partes review becomes
    # available on the same day (35 U.S.C. 311(c)(1)), so it needs no row of its own.
    DeadlineRule(
        "us-post-grant-review",
        us_aia_grant,
        9,
        "35 U.S.C. 321(c)",
        "美国授权后复审(PGR)期限",
        "US post-grant review",
    ),
    # 35 U.S.C. 122(e)(1): a third-party preissuance submission before the earlier of the notice of
    # allowance and the later of six months after publication and the first rejection.
    DeadlineRule(
        "us-preissuance-submission",
        us_pregrant_publication,
        6,
        "35 U.S.C. 122(e)",
        "美国第三方授权前提交期限",
        "US third-party preissuance submission",
        us_preissuance_limit,
    ),
    # JP Patent Act Art. 113: opposition within six months from the issue of the gazette
    # containing the patent (特許掲載公報).
    DeadlineRule(
        "jp-opposition",
        granted_in("JP", kinds=("B",)),
        6,
        "JP Patent Act Art. 113",
        "日本特许异议期限",
        "JP opposition",
    ),
    # KR Patent Act Art. 132-2: request for cancellation (특허취소신청) until six months after the
    # registration publication.
    DeadlineRule(
        "kr-cancellation",
        granted_in("KR", kinds=("B",)),
        6,
        "KR Patent Act Art. 132-2",
        "韩国专利取消申请期限",
        "KR patent cancellation request",
    ),
    # Indian Patents Act s. 25(2): post-grant opposition within one year from the publication of
    # the grant.
    DeadlineRule(
        "in-post-grant-opposition",
        granted_in("IN", kinds=("B",)),
        12,
        "Indian Patents Act s. 25(2)",
        "印度授权后异议期限",
        "IN post-grant opposition",
    ),
    # BR Industrial Property Law 9.279/1996 Art. 51 (and Art. 57 for utility models):
    # administrative nullity within six months from the grant.
    DeadlineRule(
        "br-administrative-nullity",
        granted_in("BR", kinds=("B", "C", "Y")),
        6,
        "BR Law 9.279/1996 Art. 51",
        "巴西行政无效期限",
        "BR administrative nullity",
    ),
    # PCT Art. 22(1) and 39(1)(a): national phase entry 30 months from the priority date; after it
    # the family may appear in every target market.
    DeadlineRule(
        "pct-national-phase",
        pct_priority,
        30,
        "PCT Art. 22(1)",
        "PCT国家阶段进入(30个月)",
        "PCT national phase entry (30 months)",
    ),
    # Not rules: CN invalidation (Patent Law Art. 45) and EP/national revocation actions have no
    # period; CN has no opposition.
)

LABELS = {rule.kind: {"zh": rule.label_zh, "en": rule.label_en, "basis": rule.basis} for rule in RULES}


def compute_deadlines(facts: Facts) -> list[Deadline]:
    """Every deadline the rules give for these facts, by date."""
    found = [d for d in (rule.apply(facts) for rule in RULES) if d is not None]
    return sorted(found, key=lambda d: (d.date, d.kind))


def publication_deadlines(pub: Publication, today: date) -> list[dict]:
    """The deadlines one publication opens by itself (an alert's or its page's: no case, no legal
    events), each as `Deadline.to_dict` with ``passed`` (before ``today``)."""
    return [{**d.to_dict(), "passed": d.date < today.isoformat()} for d in compute_deadlines(Facts(pub))]
