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
parsed with `warning.sources.ep_server.parser` and a checkpoint follows each complete date.

A reply that is not what was asked for (an HTML error page or an empty body under HTTP 200, a
listing that links nothing, a document cut in transit) is a failed request: retried, then the
date fails and the cursor stays before it. A document that comes back broken the same way
twice is itself bad and is quarantined alone. A date read less than ``overlap_days`` after it
(the default run, on publication day) stays open: the next run lists it again and fetches the
documents it does not hold yet from this source, so a late-loaded document is not missed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

import requests

from warning.clock import today  # a module name of its own: tests move the day
from warning.config.rules import above, at_least, one_of
from warning.errors import ParseError, SourceUnavailable
from warning.identity import make_id
from warning.models import QuarantinedDocument
from warning.sources.base import Checkpoint, FetchedItem, FileFormat, ParsedItem, Release, Source
from warning.sources.ep_server.parser import SOURCE as PARSED_AS
from warning.sources.ep_server.parser import parse_ep_document
from warning.sources.http import TryAgain, with_retries
from warning.sources.reading import Reading, read_whole

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://data.epo.org/publication-server/"
_DATE_TEXT = re.compile(r"(\d{4})[/-]?(\d\d)[/-]?(\d\d)")
_PATENT_ID = re.compile(r"^EP(\d+)NW([A-Z]\d?)$")
_DOCUMENT_ROOT = re.compile(rb"<ep-patent-document[\s>/]")


@dataclass(frozen=True)
class Options:
    api_version: str = "v1.2"  # the REST interface version in the URL
    kinds: tuple[str, ...] = ("A1", "A2", "B1", "B2")  # kinds fetched (A3 search reports carry no text)
    lookback_days: int = 14  # first run (empty cursor): publication dates this many days back
    timeout: float = 60.0  # seconds per HTTP request
    max_retries: int = 4
    backoff_seconds: float = 2.0
    overlap_days: int = 1  # a date read less than this many days after it is listed again next run
    CHECKS: ClassVar = {
        "kinds": one_of("A1", "A2", "A3", "A4", "A8", "A9", "B1", "B2", "B3", "B8", "B9"),
        "lookback_days": at_least(0),
        "timeout": above(0),
        "max_retries": at_least(0),
        "backoff_seconds": at_least(0),
        "overlap_days": at_least(0),
    }


def is_ep_xml(path: Path, head: bytes) -> bool:
    """An EP publication-server document (``ep-patent-document``)."""
    return b"<ep-patent-document" in head


def read_ep_xml(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    yield from read_whole(path, reading, source=PARSED_AS, parse=parse_ep_document)


class EpPublicationServer(Source):
    """The week's new EP A and B documents from the EPO publication server."""

    kind = "ep_publication_server"
    Options = Options
    schedule = ("30 14 * * wed", "Europe/Berlin")  # the EP Bulletin: Wednesdays, 14:00 CET
    releases = (Release("bulletin", "0 14 * * wed", "Europe/Berlin"),)
    formats = (FileFormat("ep-xml", is_ep_xml, read_ep_xml),)

    def fetch(self, state, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Documents of every publication date after the cursor (or from ``since``) up to ``until``."""
        end = until or today()
        conditional = since is None and bool(state.cursor)
        resp = self._get("publication-dates", state if conditional else None, read=_dates_listing)
        if resp.status_code == 304:
            log.info("%s: no new publication date since %s", self.config.name, state.cursor)
            return
        first = since or self._start(state.cursor, end)
        dates = [d for d in publication_dates(resp.text) if first <= d <= end]
        etag, modified = resp.headers.get("ETag", ""), resp.headers.get("Last-Modified", "")
        open_from = today() - timedelta(days=max(0, self.options.overlap_days) - 1)
        for i, day in enumerate(dates):
            try:
                yield from self._date(day, skip_stored=since is None)
            except SourceUnavailable as exc:  # the date and the cursor before it stay
                raise type(exc)(f"publication date {day}: {exc}") from None
            if day >= open_from:  # read on publication day: the next run lists it again
                yield Checkpoint((day - timedelta(days=1)).isoformat())
                continue
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

    def _date(self, day: date, skip_stored: bool) -> Iterator[ParsedItem]:
        listing = self._get(f"publication-dates/{day:%Y%m%d}/patents", read=_patents_listing)
        ids = [i for i in patent_ids(listing.text) if _PATENT_ID.match(i).group(2) in self.options.kinds]
        if skip_stored:  # a date listed again (the overlap): only what this source has not stored
            held = self.stored_ids([publication_id(i) for i in ids])
            ids = [i for i in ids if publication_id(i) not in held]
            self.counts["already_stored"] = self.counts.get("already_stored", 0) + len(held)
        log.info("%s: %d documents to fetch of %s", self.config.name, len(ids), day)
        for patent_id in ids:
            self.counts["documents"] = self.counts.get("documents", 0) + 1
            yield from self._document(patent_id)

    def _document(self, patent_id: str) -> list[ParsedItem]:
        """One document; a reply that is no document is retried, one broken twice alike is kept."""
        ref = f"{self.config.name}:{patent_id}"
        seen: set[bytes] = set()

        def read(resp: requests.Response) -> list[ParsedItem]:
            items = list(parse_ep_document(resp.content, ref))
            bad = next((i for i in items if isinstance(i, QuarantinedDocument)), None)
            if bad is None:
                return items
            if not _DOCUMENT_ROOT.search(resp.content[:65536]):
                raise ParseError(bad.reason)  # an error page or an empty body: not the document
            digest = hashlib.sha256(resp.content).digest()
            if digest in seen:
                return items  # the same broken bytes again: the document itself is bad
            seen.add(digest)
            raise ParseError(f"{bad.reason} (cut in transit, or broken at the office? asking again)")

        return self._get(f"patents/{patent_id}/document.xml", read=read)

    def _get(self, path: str, validators=None, read=None):
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

        def attempt():
            resp = session.get(url, headers=headers, timeout=self.options.timeout)
            self.counts["bytes"] = self.counts.get("bytes", 0) + len(resp.content)
            if resp.status_code == 304:
                return resp
            if resp.status_code == 200:
                try:
                    return read(resp) if read else resp
                except ParseError as exc:  # no answer to the request: ask again
                    raise TryAgain(f"HTTP 200 but {exc}") from None
            if resp.status_code < 500 and resp.status_code != 429:
                raise SourceUnavailable(f"publication server {path}: HTTP {resp.status_code}")
            raise TryAgain(f"HTTP {resp.status_code}")

        def count_retry(why: str, delay: float) -> None:
            self.counts["retries"] = self.counts.get("retries", 0) + 1

        return with_retries(
            attempt,
            what=f"publication server {path}",
            retries=self.options.max_retries,
            backoff=self.options.backoff_seconds,
            sleep=self.sleep,
            on_retry=count_retry,
        )


def publication_id(patent_id: str) -> str:
    """The canonical id of a server document id: ``EP2921808NWB1`` -> ``EP-2921808-B1``."""
    number, kind = _PATENT_ID.match(patent_id).groups()
    return make_id("EP", number, kind)


def _dates_listing(resp: requests.Response) -> requests.Response:
    if not publication_dates(resp.text):
        raise ParseError("the publication-dates listing links no date (an error page?)")
    return resp


def _patents_listing(resp: requests.Response) -> requests.Response:
    if not patent_ids(resp.text):
        raise ParseError("the date's listing links no document (an error page?)")
    return resp


def _links(listing: str) -> Iterator[tuple[str, str]]:
    """(href, link text) of every link on a listing page; the server's HTML is not always tidy."""
    # Deferred for start-up time: bs4 (with soupsieve) takes 0.15 s to import, and every command
    # that lists the file formats (`warning ingest`) imports this module without reading a listing.
    from bs4 import BeautifulSoup

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


SOURCE = EpPublicationServer
