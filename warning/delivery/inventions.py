"""One alert per invention: a later family member of an invention already alerted is an update.

The first publication of an invention (`warning.store.families`) that matches a subscriber's
watchlist is an alert; a later member (the same invention now published in VN, or granted at the
EPO) is an update to it: its payload says so (``family_update``: the first alert's publication and
why this one is news, a new member or a grant), the channels reply in the first alert's thread,
and the member joins every open risk case on the invention. ``[alerts] per = "document"`` keeps
one independent alert per publication instead.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from warning.models import GRANT
from warning.store import families as store
from warning.store.legal_events import add_family_members

PER_CHOICES = ("invention", "document")


class Inventions:
    """The inventions of one subscriber's queueing run, remembering the alerts queued in it."""

    def __init__(
        self, db: sqlite_utils.Database, subscriber: str, per: str = "invention", web_url: str = ""
    ) -> None:
        self.db, self.subscriber, self.per, self.web_url = db, subscriber, per, web_url
        self._queued: dict[tuple[str, str], str] = {}  # (watchlist, publication) -> its first alert

    def family(self, publication_id: str) -> list[dict[str, Any]]:
        """The invention's members known so far (this publication included)."""
        return store.family_members(self.db, publication_id)

    def update_of(self, match: dict[str, Any], family: list[dict[str, Any]]) -> dict[str, str]:
        """``{"of": first alerted publication, "reason": "member" | "grant"}`` when ``match`` is a
        later member of an invention already alerted to this subscriber; else {} (a new alert)."""
        pid, watchlist = match["publication_id"], match["watchlist"]
        others = [m["id"] for m in family if m["id"] != pid]
        first = next((self._queued[(watchlist, o)] for o in others if (watchlist, o) in self._queued), "")
        first = first or store.first_alerted(self.db, self.subscriber, watchlist, others)
        if self.per == "document" or not first:
            self._queued[(watchlist, pid)] = pid
            return {}
        self._queued[(watchlist, pid)] = first
        return {"of": first, "reason": "grant" if match.get("doc_type") == GRANT else "member"}

    def join_open_cases(self, match: dict[str, Any], family: list[dict[str, Any]]) -> list[int]:
        """Link ``match``'s publication to every open risk case on its invention; returns the cases
        it newly joined."""
        pid = match["publication_id"]
        joined = []
        for case_id in store.open_cases_of(self.db, [m["id"] for m in family]):
            if add_family_members(self.db, case_id, [(pid, match.get("country") or "", "alert")]):
                joined.append(case_id)
        return joined
