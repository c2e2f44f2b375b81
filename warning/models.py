"""The canonical records every part of the service exchanges.

Sources adapt their formats to `Publication`; the store, classifier, alerts and risk
register only ever see these.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from warning.identity import make_id

APPLICATION = "application"
GRANT = "grant"
DESIGN = "design"
PLANT = "plant"
REISSUE = "reissue"
UTILITY_MODEL = "utility_model"
# Kind codes of a granted right, whatever the office: B (patent), C (a granted patent in CN, DE
# and others), E (US reissue), S (US design). Every other kind is an application.
GRANTED_KINDS = ("B", "C", "E", "S")
_GRANTED_KIND = re.compile(r"Kind Code of Ref Document: (B\d?)\b")


def doc_type_of_kind(kind: str) -> str:
    """``grant`` for the kind code of a granted right (`GRANTED_KINDS`), else ``application``."""
    return GRANT if (kind or "")[:1].upper() in GRANTED_KINDS else APPLICATION


@dataclass
class Publication:
    """One published patent document, keyed DOCDB style: ``US-20240123456-A1``.

    Text fields are dicts keyed by language code (``en``, ``zh``, ``de`` ...), so a title
    given by the office in three languages keeps all three.
    """

    id: str
    country: str
    number: str
    kind: str
    doc_type: str = APPLICATION
    titles: dict[str, str] = field(default_factory=dict)
    abstracts: dict[str, str] = field(default_factory=dict)
    claims: dict[str, str] = field(default_factory=dict)
    applicants: list[str] = field(default_factory=list)
    inventors: list[str] = field(default_factory=list)
    ipc: list[str] = field(default_factory=list)
    cpc: list[str] = field(default_factory=list)
    publication_date: str | None = None
    filing_date: str | None = None
    priority_date: str | None = None
    application_number: str | None = None
    priority_claims: list[str] = field(default_factory=list)
    family_id: str | None = None
    lang: str | None = None
    source: str | None = None
    raw_ref: str | None = None

    def title(self, prefer: tuple[str, ...] = ("en",)) -> str:
        """The title in the first preferred language present, else any title, else ''."""
        return _pick(self.titles, prefer)

    def abstract(self, prefer: tuple[str, ...] = ("en",)) -> str:
        """The abstract in the first preferred language present, else any, else ''."""
        return _pick(self.abstracts, prefer)

    def text(self) -> str:
        """All titles, abstracts and claims in every language, for classification."""
        parts = [*self.titles.values(), *self.abstracts.values(), *self.claims.values()]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def publication(country: str, number: str, kind: str, **fields: Any) -> Publication:
    """A `Publication` keyed from its office's country, number and kind (`warning.identity.make_id`),
    its document type from the kind unless ``fields`` says it (`doc_type_of_kind`)."""
    fields.setdefault("doc_type", doc_type_of_kind(kind))
    return Publication(id=make_id(country, number, kind), country=country, number=number, kind=kind, **fields)


def _pick(texts: dict[str, str], prefer: tuple[str, ...]) -> str:
    for lang in prefer:
        if texts.get(lang):
            return texts[lang]
    for value in texts.values():
        if value:
            return value
    return ""


@dataclass(frozen=True)
class QuarantinedDocument:
    """A document a source could not trust whole, kept with its reason."""

    source: str
    reason: str
    ref: str
    raw: bytes = b""


@dataclass(frozen=True)
class LegalEvent:
    """One INPADOC legal event of a publication."""

    publication_id: str
    date: str
    code: str
    description: str = ""
    category: str = ""
    country: str = ""

    def granted_kind(self) -> str:
        """For an EP ``AK`` event, the kind code of the granted document it designates (B1, B2),
        as INPADOC writes it in the description; else ''."""
        found = _GRANTED_KIND.search(self.description) if self.code == "AK" else None
        return found.group(1) if found else ""
