"""Source plugin ``ep_publication_server``: the EPO's European Publication Server (no registration).

The server's REST interface (``{base_url}rest/v1.2/``, as documented by the EPO and used by
public clients such as go-epo-eps) is three levels of listings and documents:

- ``publication-dates``: an HTML page linking every publication date (``2021/06/30``), one
  a week (Wednesdays);
- ``publication-dates/20210630/patents``: the documents of that date, linked by id
  (``EP2921808NWB1``: number, ``NW``, kind);
- ``patents/EP2921808NWB1/document.xml``: the ``ep-patent-document`` XML.

Each run asks for the dates listing conditionally (``If-None-Match``/``If-Modified-Since``
from the previous run): a 304 means no new publication date, so nothing else is asked. New
dates after the cursor are fetched in order; A and B documents of the configured kinds are
parsed with `warning.sources.ep_xml` and a checkpoint follows each complete date.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

import requests
from bs4 import BeautifulSoup

from warning.constraints import above, at_least, one_of
from warning.errors import SourceUnavailable
from warning.sources.base import Checkpoint, FetchedItem, ParsedItem, Source
from warning.sources.ep_xml import parse_ep_document

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://data.epo.org/publication-server/"
_DATE_TEXT = re.compile(r"(\d{4})[/-]?(\d\d)[/-]?(\d\d)")
_PATENT_ID = re.compile(r"^EP(\d+)NW([A-Z]\d?)$")
_RETRYABLE = (requests.Timeout, requests.ConnectionError)


@dataclass(frozen=True)
class Options:
    api_version: str = "v1.2"  # the REST interface version in the URL
    kinds: tuple[str, ...] = ("A1", "A2", "B1", "B2")  # kinds fetched (A3 search reports carry no text)
    lookback_days: int = 14  # first run (empty cursor): publication dates this many days back
    timeout: float = 60.0  # seconds per HTTP request
    max_retries: int = 4
    backoff_seconds: float = 2.0
    CHECKS: ClassVar = {
        "kinds": one_of("A1", "A2", "A3", "A4", "A8", "A9", "B1", "B2", "B3", "B8", "B9"),
        "lookback_days": at_least(0),
        "timeout": above(0),
        "max_retries": at_least(0),
        "backoff_seconds": at_least(0),
    }


class EpPublicationServer(Source):
    """The week's new EP A and B documents from the EPO publication server."""

    kind = "ep_publication_server"
    Options = Options

    @staticmethod
    def parse(data: bytes, ref: str) -> Iterator[ParsedItem]:
        return parse_ep_document(data, ref)

    def fetch(self, state, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Documents of every publication date after the cursor (or from ``since``) up to ``until``."""
        end = until or datetime.now(UTC).date()
        conditional = since is None and bool(state.cursor)
        resp = self._get("publication-dates", state if conditional else None)
        if resp.status_code == 304:
            log.info("%s: no new publication date since %s", self.config.name, state.cursor)
            return
        first = since or self._start(state.cursor, end)
        dates = [d for d in publication_dates(resp.text) if first <= d <= end]
        etag, modified = resp.headers.get("ETag", ""), resp.headers.get("Last-Modified", "")
        for i, day in enumerate(dates):
            yield from self._date(day)
            last = i == len(dates) - 1
            # The listing's validators are kept only once every date in it is stored, else a crash
            # after the first date would make the next run's conditional request skip the rest.
            yield Checkpoint(day.isoformat(), etag if last else "", modified if last else "")
        if not dates and state.cursor:
            yield Checkpoint(state.cursor, etag, modified)

    def _start(self, cursor: str, end: date) -> date:
        if cursor:
            return date.fromisoformat(cursor[:10]) + timedelta(days=1)
        return end - timedelta(days=self.options.lookback_days)

    def _date(self, day: date) -> Iterator[ParsedItem]:
        listing = self._get(f"publication-dates/{day:%Y%m%d}/patents")
        ids = [i for i in patent_ids(listing.text) if _PATENT_ID.match(i).group(2) in self.options.kinds]
        log.info("%s: %d documents published %s", self.config.name, len(ids), day)
        for patent_id in ids:
            resp = self._get(f"patents/{patent_id}/document.xml")
            self.counts["documents"] = self.counts.get("documents", 0) + 1
            yield from parse_ep_document(resp.content, f"{self.config.name}:{patent_id}")

    def _get(self, path: str, validators=None) -> requests.Response:
        url = (self.config.base_url or DEFAULT_BASE_URL).rstrip(
            "/"
        ) + f"/rest/{self.options.api_version}/{path}"
        headers = {}
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        if self.session is None:
            self.session = requests.Session()
        session = self.session
        failure = ""
        for attempt in range(self.options.max_retries + 1):
            try:
                resp = session.get(url, headers=headers, timeout=self.options.timeout)
            except _RETRYABLE as exc:
                failure = f"{type(exc).__name__}: {exc}"
            else:
                self.counts["bytes"] = self.counts.get("bytes", 0) + len(resp.content)
                if resp.status_code in (200, 304):
                    return resp
                failure = f"HTTP {resp.status_code}"
                if resp.status_code < 500 and resp.status_code != 429:
                    raise SourceUnavailable(f"publication server {path}: {failure}")
            if attempt < self.options.max_retries:
                self.counts["retries"] = self.counts.get("retries", 0) + 1
                self.sleep(self.options.backoff_seconds * 2**attempt)
        raise SourceUnavailable(
            f"publication server {path}: gave up after {attempt + 1} attempts ({failure})"
        )


def _links(listing: str) -> Iterator[tuple[str, str]]:
    """(href, link text) of every link on a listing page; the server's HTML is not always tidy."""
    for anchor in BeautifulSoup(listing, "html.parser").find_all("a", href=True):
        yield anchor["href"], anchor.get_text(" ", strip=True)


def publication_dates(listing: str) -> list[date]:
    """Dates linked from the ``publication-dates`` page, oldest first."""
    found = set()
    for href, text in _links(listing):
        match = _DATE_TEXT.search(text) or _DATE_TEXT.search(href.rsplit("/", 1)[-1])
        if match:
            try:
                found.add(date(*(int(g) for g in match.groups())))
            except ValueError:
                continue
    return sorted(found)


def patent_ids(listing: str) -> list[str]:
    """Document ids (``EP2921808NWB1``) linked from a date's ``patents`` page, in listing order."""
    ids = []
    for href, text in _links(listing):
        for candidate in (text.strip(), href.rstrip("/").rsplit("/", 1)[-1]):
            if _PATENT_ID.match(candidate):
                ids.append(candidate)
                break
    return list(dict.fromkeys(ids))
