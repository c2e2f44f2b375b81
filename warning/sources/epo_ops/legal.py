"""INPADOC legal events from EPO OPS ``legal`` and ``family ... legal`` responses (pure parser).

OPS attaches an application's events to the first family member that carries it; each event is an
``ops:legal`` element whose ``L0xxEP`` children are the INPADOC record (office, gazette date,
event code) and whose ``L5xxEP`` children are the event's details (designated country, kind code of
the referenced document, effective date, free text). The office's own ``pre`` lines repeat the
same data as fixed-width text and are not needed.
"""

from __future__ import annotations

from lxml import etree

from warning.errors import ParseError
from warning.identity import make_id
from warning.models import LegalEvent
from warning.sources.xml.safe import looks_like_html, parse_xml

OPS = "{http://ops.epo.org}"
EXCHANGE = "{http://www.epo.org/exchange}"

# Category of an event code, for the codes seen in INPADOC that a risk case cares about.
# Codes not listed fall back to keywords in the event's description (see `categorize`).
CODE_CATEGORIES = {
    "INTG": "grant-intended",  # EP: intention to grant announced
    "GRAP": "grant-intended",  # EP: communication of intention to grant despatched
    "GRAG": "grant-intended",
    "GRAH": "grant-intended",
    "GRAS": "grant-intended",  # EP: grant fee paid
    "GRAA": "grant-intended",  # EP: (expected) grant; the mention of grant is the B publication
    "26N": "no-opposition",  # EP: no opposition filed
    "PLBE": "no-opposition",
    "PLBI": "opposition",  # EP: opposition filed
    "26": "opposition",
    "PGR": "opposition",  # US: AIA post-grant review filed
    "IPR": "opposition",  # US: AIA inter partes review filed
    "PG25": "lapse",  # EP: lapsed in a contracting state
    "18W": "withdrawal",  # EP: application withdrawn
    "18D": "withdrawal",  # EP: application deemed withdrawn
    "18R": "refusal",  # EP: application refused
    "17P": "examination",
    "17Q": "examination",
    "PGFP": "fee",
    "MAFP": "fee",
    "FEPP": "fee",
    "AS": "transfer",
    "RAP1": "transfer",
    "RAP2": "transfer",
    "REG": "national",
    "STAA": "status",
    "STPP": "status",
}
_KEYWORDS = (
    ("NO OPPOSITION", "no-opposition"),
    ("OPPOSITION", "opposition"),
    ("WITHDRAWN", "withdrawal"),
    ("REFUS", "refusal"),
    ("REVOK", "revocation"),
    ("LAPSE", "lapse"),
    ("CEASED", "lapse"),
    ("EXPIRED", "lapse"),
    ("DISCONTINU", "lapse"),
    ("PATENT GRANT", "grant"),
    ("GRANT OF PATENT", "grant"),
)


def parse_legal_events(xml_bytes: bytes) -> list[LegalEvent]:
    """Every legal event of every family member in an OPS legal (or family with legal) response.

    Each event's ``date`` is the gazette date (ISO), ``code`` the INPADOC event code,
    ``description`` the event text followed by its details (``Ref Country Code: GB; ...``),
    ``category`` one of grant, grant-intended, opposition, no-opposition, lapse, withdrawal,
    refusal, revocation, examination, fee, transfer, national, status, designation, other, and
    ``country`` the country the event concerns (the designated state of a national event, else
    the office). Raises ParseError on anything that is not an OPS response.
    """
    if looks_like_html(xml_bytes):
        raise ParseError("OPS legal response: an HTML page where XML was expected")
    root = parse_xml(xml_bytes, "OPS legal response")
    if etree.QName(root).localname != "world-patent-data":
        raise ParseError(f"OPS legal response: unexpected root element {etree.QName(root).localname!r}")
    events: list[LegalEvent] = []
    for member in root.iter(f"{OPS}family-member"):
        publication_id = _member_publication_id(member)
        if not publication_id:
            continue
        events += [_event(publication_id, legal) for legal in member.findall(f"{OPS}legal")]
    return events


def parse_family_members(xml_bytes: bytes) -> list[str]:
    """Canonical ids of every family member listed in an OPS family or legal response."""
    root = parse_xml(xml_bytes, "OPS family response")
    ids = (_member_publication_id(m) for m in root.iter(f"{OPS}family-member"))
    return list(dict.fromkeys(i for i in ids if i))


def _member_publication_id(member: etree._Element) -> str:
    for doc in member.iterfind(f"{EXCHANGE}publication-reference/{EXCHANGE}document-id"):
        if doc.get("document-id-type") != "docdb":
            continue
        country = doc.findtext(f"{EXCHANGE}country") or ""
        number = doc.findtext(f"{EXCHANGE}doc-number") or ""
        if country and number:
            return make_id(country, number, doc.findtext(f"{EXCHANGE}kind") or "")
    return ""


def _event(publication_id: str, legal: etree._Element) -> LegalEvent:
    fields = {etree.QName(child).localname: child for child in legal if isinstance(child.tag, str)}
    code = (_text(fields.get("L008EP")) or legal.get("code") or "").strip()
    details = _details(legal)
    desc = " ".join((legal.get("desc") or "").split())
    description = "; ".join([desc, *details]) if details else desc
    ref_country = _detail_value(legal, "L501EP")
    return LegalEvent(
        publication_id=publication_id,
        date=_iso(_text(fields.get("L007EP"))),
        code=code,
        description=description,
        category=categorize(code, description),
        country=ref_country or _text(fields.get("L001EP")) or publication_id[:2],
    )


def _details(legal: etree._Element) -> list[str]:
    details = []
    for block in legal.iterfind(f"{OPS}L500EP"):
        for item in block:
            if not isinstance(item.tag, str):
                continue
            label = item.get("desc") or etree.QName(item).localname
            value = _text(item)
            if item.get("descData"):
                value = f"{value} ({item.get('descData')})"
            details.append(f"{label}: {value}")
    return details


def _detail_value(legal: etree._Element, name: str) -> str:
    for block in legal.iterfind(f"{OPS}L500EP"):
        found = block.find(f"{OPS}{name}")
        if found is not None:
            return _text(found)
    return ""


def categorize(code: str, description: str) -> str:
    """What kind of change an event is, from its code, else from words in its description."""
    code = code.strip().upper()
    if code == "AK":
        granted = LegalEvent("", "", "AK", description).granted_kind()
        return "grant" if granted else "designation"
    if code == "STCF" and "PATENT GRANT" in description.upper():
        return "grant"
    if code in CODE_CATEGORIES:
        return CODE_CATEGORIES[code]
    upper = description.upper()
    if "INTENTION TO GRANT" in upper or "BEFORE GRANT" in upper:
        return "other"
    for word, category in _KEYWORDS:
        if word in upper:
            return category
    return "other"


def _text(element: etree._Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _iso(value: str) -> str:
    digits = value.replace("-", "")
    if len(digits) == 8 and digits.isdigit():
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return value
