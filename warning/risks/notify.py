"""Who hears about a case (its owner, else the programme's default owner) and on which channels."""

from __future__ import annotations

from typing import Any

from warning.config.schema import Config, SubscriberConfig


def case_recipient(config: Config, owner: str) -> SubscriberConfig | None:
    """The subscriber named as the case's owner, else ``[risks] default_owner``, else None."""
    for name in (owner, config.risks.default_owner):
        for sub in config.subscribers:
            if name and sub.name == name:
                return sub
    return None


def outbox_rows(
    sub: SubscriberConfig, key_prefix: str, kind: str, case: dict[str, Any], payload: dict[str, Any]
) -> list[dict[str, Any]]:
    """One outbox row per channel and address of ``sub``, keyed ``{key_prefix}:{subscriber}:{channel}:{address}``.

    ``payload`` carries ``subject`` and ``text`` as {zh, en}; the row's ``title`` and ``body`` (what
    the alert templates show) are those in the subscriber's language.
    """
    from warning.delivery.queue import subscriber_addresses

    lang = sub.language if sub.language in ("zh", "en") else "en"
    shown = {
        "title": (payload.get("subject") or {}).get(lang, ""),
        "body": (payload.get("text") or {}).get(lang, ""),
        "url": publication_url(payload.get("publication_id", "")),
        "language": lang,
    }
    return [
        {
            "key": f"{key_prefix}:{sub.name}:{channel}:{address}",
            "kind": kind,
            "subscriber": sub.name,
            "channel": channel,
            "address": address,
            "publication_id": case["publication_id"],
            "watchlist": case.get("watchlist") or None,
            "case_id": case["id"],
            "payload": {**payload, **shown},
        }
        for channel, address in subscriber_addresses(sub)
    ]


def enqueue_rows(db, rows: list[dict[str, Any]]) -> int:
    """Add rows to the alerts outbox through the alerts area's `enqueue` (a known key adds nothing)."""
    if not rows:
        return 0
    from warning.delivery.queue import enqueue

    added = enqueue(db, rows)
    return added if isinstance(added, int) else len(added or [])


def case_brief(case: dict[str, Any]) -> dict[str, Any]:
    """The case fields every risk message shows."""
    titles = case.get("titles") or {}
    return {
        "case_id": case["id"],
        "publication_id": case["publication_id"],
        "publication_title": titles.get("en") or titles.get("zh") or next(iter(titles.values()), ""),
        "titles": titles,
        "country": case.get("country") or "",
        "enterprises": case.get("enterprises") or [],
        "watchlist": case.get("watchlist") or "",
        "severity": case.get("severity") or "",
        "status": case.get("status") or "",
        "owner": case.get("owner") or "",
    }


def publication_url(publication_id: str) -> str:
    """The publication's public Espacenet page."""
    compact = publication_id.replace("-", "")
    return f"https://worldwide.espacenet.com/patent/search?q=pn%3D{compact}" if compact else ""
