"""Who hears about a case (its owner, else the programme's default owner) and what its notices show."""

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


def case_row(case: dict[str, Any]) -> dict[str, Any]:
    """The outbox columns a case's notice is filed under: its publication, product line and id."""
    return {
        "publication_id": case["publication_id"],
        "watchlist": case.get("watchlist") or None,
        "case_id": case["id"],
    }
