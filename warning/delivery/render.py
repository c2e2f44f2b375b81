"""Alert and digest content from the Jinja2 templates in ``warning/delivery/templates/``.

The words live in gettext catalogues (``locales/LANG/LC_MESSAGES/warning.po``, read by
`warning.delivery.catalogues`) and the templates; this module only prepares facts: links to public pages, which next step fits, titles per language.
Office text is escaped for each format by the filters of ``warning.delivery.escaping`` (``md``,
``md_block``, ``slack``, ``slack_block``, ``url``); HTML templates autoescape.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe

from warning.delivery import escaping
from warning.delivery.catalogues import languages, words
from warning.delivery.code_titles import code_meaning
from warning.delivery.content import pick_language
from warning.delivery.message import Forms, Message
from warning.delivery.sheets import XLSX_TYPE, matches_xlsx

LANGUAGES = languages()
MAX_TERMS = 6


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The template environment; HTML templates autoescape, text and markdown ones do not."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("warning.delivery", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["percent"] = lambda v: f"{float(v) * 100:.0f}%"
    env.filters["md"] = escaping.markdown_text
    env.filters["md_block"] = escaping.markdown_block
    env.filters["slack"] = escaping.slack_text
    env.filters["slack_block"] = escaping.slack_block
    env.filters["url"] = escaping.safe_url
    env.filters["highlight"] = highlight
    env.globals["number"] = number_text
    env.globals["why"] = why_text
    # The words of every template, per language, from the gettext catalogues.
    env.globals["L"] = {lang: words(lang) for lang in LANGUAGES}
    return env


def highlight(text: str, phrases: list[str]) -> markupsafe.Markup:
    """``text`` escaped as HTML with each of ``phrases`` (case-insensitive) wrapped in ``<mark>``."""
    wanted = sorted({p for p in phrases if p and len(p) > 1}, key=len, reverse=True)
    if not wanted:
        return markupsafe.Markup.escape(text)
    pattern = re.compile("|".join(re.escape(p) for p in wanted), re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(text):
        out += [markupsafe.escape(text[last : found.start()]), markupsafe.Markup("<mark>")]
        out += [markupsafe.escape(found.group(0)), markupsafe.Markup("</mark>")]
        last = found.end()
    out.append(markupsafe.escape(text[last:]))
    return markupsafe.Markup("").join(out)


def number_text(item: dict[str, Any]) -> str:
    """``EP4123456A1``: the publication number as shown."""
    return f"{item.get('country') or ''}{item.get('number') or ''}{item.get('kind_code') or ''}"


def why_text(t: dict[str, Any], item: dict[str, Any]) -> str:
    """Why it matched, in the words of ``t`` (`warning.delivery.catalogues.words`): the words and phrases
    of the text that weighed most, then each rule hit (a code with what it covers)."""
    parts = []
    if item.get("top_terms"):
        parts.append(t["terms"] + t["colon"] + t["list_sep"].join(map(str, item["top_terms"])))
    for name, values in (item.get("rules") or {}).items():
        shown = values if isinstance(values, list | tuple) else [values]
        if name == "cpc":
            shown = _codes_with_meaning([str(code) for code in shown], t)
        parts.append(t.get(f"rule_{name}", name) + t["colon"] + t["list_sep"].join(map(str, shown)))
    return t["part_sep"].join(parts)


def _codes_with_meaning(codes: list[str], t: dict[str, Any]) -> list[str]:
    """Codes grouped by what they cover, each group followed once by its meaning:
    ``H01M10/613, H01M10/42 (batteries ...)``."""
    groups: dict[str, list[str]] = {}
    for code in codes:
        groups.setdefault(code_meaning(code, t["lang"]), []).append(code)
    return [
        t["list_sep"].join(group) + (f"{t['open']}{meaning}{t['close']}" if meaning else "")
        for meaning, group in groups.items()
    ]


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def language(value: str) -> str:
    return value if value in LANGUAGES else "en"


def message_key(alert_keys: list[str]) -> str:
    """The idempotency key of a message: a hash of the sorted alert keys it carries."""
    return hashlib.sha256("\n".join(sorted(alert_keys)).encode()).hexdigest()[:32]


def espacenet_url(publication_id: str) -> str:
    """The publication's public Espacenet page (its id's parts are quoted: a number cannot end the
    link), or "" without an id."""
    compact = publication_id.replace("-", "")
    return f"https://worldwide.espacenet.com/patent/search?q=pn%3D{quote(compact)}" if compact else ""


def public_links(country: str, number: str, kind: str) -> list[dict[str, str]]:
    """Links to the publication's public pages, the most authoritative first (the parts come
    from the office's record, so they are quoted: a number cannot end the link)."""
    espacenet = espacenet_url(country + number + (kind or ""))
    links = []
    if country == "WO":
        links.append(
            {
                "name": "PATENTSCOPE",
                "url": f"https://patentscope.wipo.int/search/en/detail.jsf?docId=WO{quote(number)}",
            }
        )
    elif country == "US":
        links.append(
            {
                "name": "USPTO",
                "url": f"https://image-ppubs.uspto.gov/dirsearch-public/print/downloadPdf/{quote(number)}",
            }
        )
    links.append({"name": "Espacenet", "url": espacenet})
    return links


# A payload queued by an older version, or by hand, may lack some facts: the templates show "-".
_MATCH_DEFAULTS: dict[str, Any] = {
    "publication_id": "",
    "country": "",
    "number": "",
    "kind_code": "",
    "doc_type": "application",
    "publication_date": "",
    "filing_date": "",
    "priority_date": "",
    "applicants": [],
    "cpc": [],
    "watchlist": "",
    "score": 0.0,
    "app_url": "",
    "feedback": {},  # {"relevant": url, "irrelevant": url}: one-click labels (`feedback_links`)
    "deadlines": [],  # a payload queued before alerts named them has none
}


def next_step(item: dict[str, Any]) -> str:
    """Which suggested next step (a key into the templates' sentences) fits this match."""
    if item.get("doc_type") not in (
        None,
        "",
        "application",
    ):  # grants, designs, utility models: rights in force
        return "ep_grant" if item.get("country") == "EP" else "grant"
    if item.get("rules", {}).get("competitors") or float(item.get("score", 0)) >= 0.8:
        return "application_high"
    return "application"


def match_item(payload: dict[str, Any], lang: str) -> dict[str, Any]:
    """Facts a template needs for one match, from the payload queued with it."""
    titles = payload.get("titles") or {}
    original_lang = payload.get("lang") or next((k for k in titles if k != "en"), "en")
    original = titles.get(original_lang) or next(iter(titles.values()), "")
    english = titles.get("en", "")
    watch_titles = payload.get("watchlist_title") or {}
    prefer = (lang, "en", original_lang)
    abstract_lang, abstract = pick_language(payload.get("abstract") or {}, prefer)
    item = {**_MATCH_DEFAULTS, **{k: v for k, v in payload.items() if v is not None}}
    item.update(
        title_original=original,
        title_original_lang=original_lang,
        title_en=english if english != original else "",
        links=public_links(
            payload.get("country", ""), payload.get("number", ""), payload.get("kind_code", "")
        ),
        watchlist_name=watch_titles.get(lang) or watch_titles.get("en") or payload.get("watchlist", ""),
        # Readable reasons where the payload has them; an older payload's raw feature terms else.
        top_terms=list(payload["reasons"] if "reasons" in payload else _raw_terms(payload))[:MAX_TERMS],
        rules={k: v for k, v in (payload.get("rules") or {}).items() if v and k != "exclude"},
        abstract_text=abstract,
        abstract_lang=abstract_lang,
        claim_text=pick_language(payload.get("claim") or {}, prefer)[1],
        family_countries=payload.get("family_countries") or [],
        family_update=payload.get("family_update") or {},
    )
    item["next_step"] = next_step(item)
    return item


def _raw_terms(payload: dict[str, Any]) -> list[str]:
    return [t[0] if isinstance(t, list | tuple) else str(t) for t in (payload.get("terms") or [])]


def item_context(kind: str, payload: dict[str, Any], lang: str) -> dict[str, Any]:
    if kind == "match":
        return {**match_item(payload, lang), "kind": kind}
    return {"title": "", "body": "", "url": "", **payload, "kind": kind}


def render_message(kind: str, rows: list[dict[str, Any]], lang: str) -> Message:
    """One message carrying the payloads of ``rows`` (outbox rows) in language ``lang``.

    A digest row carries its own rendered text; everything else goes through the alert templates.
    Each form is rendered when the channel first reads it (`warning.delivery.message`): a Slack
    delivery renders the mrkdwn template and the subject, not the HTML, text and markdown ones.
    """
    lang = language(lang)
    payloads = [
        r["payload"] if isinstance(r["payload"], dict) else json.loads(r["payload"] or "{}") for r in rows
    ]
    key = message_key([r["key"] for r in rows])
    if kind == "digest" and len(payloads) == 1:
        p = payloads[0]
        return Message(
            key,
            kind,
            lang,
            subject=p["subject"],
            markdown_subject=p["subject"],  # the digest's subject holds no office text: dates and counts
            text=p["text"],
            html=p["html"],
            markdown=p["markdown"],
            data={"digest": p.get("stats", {})},
            forms=Forms(
                slack_subject=lambda: escaping.slack_text(p["subject"]),
                slack=lambda: escaping.slack_block(p["text"]),
                attachments=lambda: _digest_sheet(p, lang),  # e-mail only: a workbook is costly
            ),
        )
    items = [item_context(r["kind"], p, lang) for r, p in zip(rows, payloads, strict=True)]
    context = {"items": items, "lang": lang}
    return Message(
        key,
        kind if len({r["kind"] for r in rows}) == 1 else "batch",
        lang,
        forms=Forms(
            subject=lambda: _subject(context, _plain_line),
            markdown_subject=lambda: _subject(context, escaping.markdown_text),
            slack_subject=lambda: _subject(context, escaping.slack_text),
            text=lambda: render("alert.txt.j2", **context),
            html=lambda: render("alert.html.j2", **context),
            markdown=lambda: render("alert.md.j2", **context),
            slack=lambda: render("alert.slack.j2", **context),
            data=lambda: {"items": [_public_item(i) for i in items]},
        ),
    )


def _digest_sheet(payload: dict[str, Any], lang: str) -> tuple[tuple[str, str, bytes], ...]:
    """The period's matches as an .xlsx attachment, where the digest asks for one and has matches."""
    rows = payload.get("rows") or []
    if not payload.get("attach_xlsx") or not rows:
        return ()
    name = f"{payload.get('label') or 'digest'}-matches.xlsx".replace("..", "_to_")
    return ((name, XLSX_TYPE, matches_xlsx(rows, lang)),)


def _plain_line(value: Any) -> str:
    """Office text in a plain one-line field (an e-mail Subject header: no line breaks)."""
    return " ".join(str(value).split())


def _subject(context: dict[str, Any], esc) -> str:
    """The subject line, with the office text in it passed through ``esc`` (one escaping per format)."""
    return " ".join(render("alert.subject.j2", esc=esc, **context).split())


def _public_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("title_original_lang",)}


def render_file_page(records: list[dict[str, Any]], lang: str) -> str:
    """The HTML page the file channel keeps beside its JSON Lines file."""
    return render("file_page.html.j2", records=records, lang=language(lang))
