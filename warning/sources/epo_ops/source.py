"""Source plugin ``epo_ops``: EPO Open Patent Services, worldwide publications by country.

For each configured country the plugin searches published data in CQL by publication-date
window (``pn=VN and pd within "20240101 20240107"``, optionally ``and (cpc=B62K or cpc=H01M)``),
pages through the hits 100 at a time with the ``Range`` header, and fetches biblio (titles,
abstracts in every language, parties, IPC/CPC) for the hits in batches. OPS answers at most
2,000 hits per query, so a window reporting more is split in halves until each part fits.
After each window the cursor (the last publication date fully fetched) is checkpointed.

A reply that is not a well-formed answer to its request (cut off, an HTML page, an OPS
``<fault>`` under HTTP 200) is a failed request: retried, then the window fails and its cursor
stays (`warning fetch` exits 1 naming it); only a document that is itself bad is quarantined,
alone. OPS keeps loading documents of a publication date after that date, so the last
``overlap_days`` days (today, by default) stay open: the cursor never passes them and the next
run reads them again, merging what it already has (nothing is duplicated).

Network details (OAuth2, throttling, quotas, retries) live in `warning.sources.epo_ops.client`.
Also here: `fetch_legal_events`, which risk tracking calls for INPADOC legal events.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import ClassVar

import requests

from warning.clock import today  # a module name of its own: tests move the day
from warning.config.rules import above, at_least, between
from warning.errors import ConfigError, SourceUnavailable
from warning.identity import make_id, split_id
from warning.models import LegalEvent, QuarantinedDocument
from warning.sources.base import Checkpoint, FetchedItem, FileFormat, ParsedItem, Release, Source
from warning.sources.epo_ops.client import MB, OpsClient
from warning.sources.epo_ops.legal import parse_legal_events
from warning.sources.epo_ops.parser import (
    biblio_items,
    parse_ops_response,
    require_not_found_fault,
    search_references,
)
from warning.sources.reading import Reading, read_whole

log = logging.getLogger(__name__)
SEARCH_CAP = 2000  # OPS never returns hits beyond the 2,000th of a query
DEFAULT_BASE_URL = "https://ops.epo.org/3.2/"


@dataclass(frozen=True)
class Options:
    key_env: str = "OPS_KEY"  # environment variable holding the OPS consumer key
    secret_env: str = "OPS_SECRET"  # environment variable holding the OPS consumer secret
    cpc: tuple[str, ...] = ()  # narrow every search to these CPC classes (any of them)
    weekly_quota_mb: float = 4096.0  # the fair-use allowance of the account (free: about 4 GB/week)
    max_quota_share: float = 0.8  # stop before this share of the weekly allowance is used
    page_size: int = 100  # search hits per page (OPS maximum 100)
    batch_size: int = 100  # documents per biblio retrieval (OPS maximum 100)
    timeout: float = 60.0  # seconds per HTTP request
    window_days: int = 7  # publication-date window of one search before splitting
    lookback_days: int = 7  # first run (empty cursor): start this many days before today
    overlap_days: int = 1  # the last days (today: 1) the next run reads again: OPS loads late
    max_retries: int = 4
    backoff_seconds: float = 2.0
    max_wait_seconds: float = 600.0  # longest Retry-After the fetch waits before giving up
    CHECKS: ClassVar = {
        "weekly_quota_mb": above(0),
        "max_quota_share": (above(0), between(0, 1)),
        "page_size": between(1, 100),
        "batch_size": between(1, 100),
        "timeout": above(0),
        "window_days": at_least(1),
        "lookback_days": at_least(0),
        "overlap_days": at_least(0),
        "max_retries": at_least(0),
        "backoff_seconds": at_least(0),
        "max_wait_seconds": at_least(0),
    }


def is_ops_xml(path: Path, head: bytes) -> bool:
    """A saved EPO OPS response (``ops:world-patent-data``)."""
    return b"world-patent-data" in head and b"<" in head[:200]


def read_ops_xml(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    yield from read_whole(path, reading, source="epo_ops", parse=parse_ops_response)


class EpoOps(Source):
    """Worldwide publications through OPS, one CQL search per country and date window."""

    kind = "epo_ops"
    Options = Options
    schedule = ("0 5 * * *", "UTC")  # searched daily, by publication-date window
    # OPS loads every day; a country may publish nothing on a given day, so anything new counts.
    releases = (Release("daily load", "0 5 * * *", "UTC", found_by="new"),)
    formats = (FileFormat("ops-xml", is_ops_xml, read_ops_xml),)

    def fetch(self, state, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Publications of ``state.country`` published between ``since`` (else the cursor) and ``until``."""
        if not state.country:
            raise ConfigError(f'source {self.config.name}: epo_ops needs `countries` (e.g. ["VN", "TH"])')
        client = self._client = getattr(self, "_client", None) or self.client()  # one token for all countries
        end = until or today()
        start = since or self._start_from_cursor(state.cursor, end)
        try:
            for first, last in date_windows(start, end, self.options.window_days):
                try:
                    yield from self._window(client, state.country, first, last)
                except SourceUnavailable as exc:  # the window and its cursor stay where they were
                    raise type(exc)(f"window {first}..{last}: {exc}") from None
                yield Checkpoint(cursor=min(last, self._open_from() - timedelta(days=1)).isoformat())
        finally:
            self.counts.update(client.counts)

    def client(self) -> OpsClient:
        """An `OpsClient` configured from this source's options."""
        opts = self.options
        return OpsClient(
            base_url=self.config.base_url or DEFAULT_BASE_URL,
            key_env=opts.key_env,
            secret_env=opts.secret_env,
            session=self.session or _new_session(),
            sleep=self.sleep,
            clock=getattr(self, "clock", time.monotonic),
            timeout=opts.timeout,
            max_retries=opts.max_retries,
            backoff_seconds=opts.backoff_seconds,
            max_wait_seconds=opts.max_wait_seconds,
            quota_bytes=opts.weekly_quota_mb * opts.max_quota_share * MB,
            earlier_bytes=self.recent_bytes,
        )

    def _start_from_cursor(self, cursor: str, end: date) -> date:
        if not cursor:
            return end - timedelta(days=self.options.lookback_days)
        # A cursor stored before the overlap (or a larger overlap_days) still re-reads the open days.
        return min(date.fromisoformat(cursor[:10]) + timedelta(days=1), self._open_from())

    def _open_from(self) -> date:
        """The first day that is still open: read again by the next run (OPS loads documents late)."""
        return today() - timedelta(days=max(0, self.options.overlap_days) - 1)

    def _window(self, client: OpsClient, country: str, first: date, last: date) -> Iterator[FetchedItem]:
        query = cql_query(country, first, last, self.options.cpc)
        total, numbers = self.search_page(client, query, 1)
        if total > SEARCH_CAP and first < last:
            middle = first + (last - first) // 2
            log.info("OPS %s: %d hits > %d; splitting the window", query, total, SEARCH_CAP)
            self.counts["window_splits"] = self.counts.get("window_splits", 0) + 1
            yield from self._window(client, country, first, middle)
            yield from self._window(client, country, middle + timedelta(days=1), last)
            return
        if total > SEARCH_CAP:
            log.warning(
                "OPS %s: %d hits on one day; only the first %d are reachable", query, total, SEARCH_CAP
            )
            self.counts["unreachable_hits"] = self.counts.get("unreachable_hits", 0) + total - SEARCH_CAP
        yield from self.biblio(client, numbers)
        for begin in range(1 + self.options.page_size, min(total, SEARCH_CAP) + 1, self.options.page_size):
            _, numbers = self.search_page(client, query, begin)
            yield from self.biblio(client, numbers)

    def search_page(self, client: OpsClient, query: str, begin: int, size: int = 0) -> tuple[int, list[str]]:
        """(hits OPS reports, docdb numbers of one page of ``size`` hits, else ``page_size``, from
        hit ``begin``) of a CQL search."""
        end = min(begin + (size or self.options.page_size) - 1, SEARCH_CAP)
        ref = f"OPS search {query} {begin}-{end}"

        def read(resp: requests.Response) -> tuple[int, list[str]]:
            if resp.status_code == 404:
                require_not_found_fault(resp.content, ref)
                return 0, []  # OPS answers a search without hits with its 404 fault
            return search_references(resp.content, ref)

        return client.request_read(
            "GET",
            "rest-services/published-data/search",
            "search",
            read,
            params={"q": query},
            headers={"Range": f"{begin}-{end}", "Accept": "application/xml"},
        )

    def biblio(self, client: OpsClient, numbers: list[str]) -> Iterator[ParsedItem]:
        """The publications (or quarantined documents) of these docdb numbers, in retrieval batches."""
        size = self.options.batch_size
        for start in range(0, len(numbers), size):
            batch = numbers[start : start + size]
            ref = f"OPS biblio {batch[0]}..{batch[-1]}"

            def read(resp: requests.Response, ref: str = ref, n: int = len(batch)) -> list[ParsedItem]:
                if resp.status_code == 404:
                    reason = require_not_found_fault(resp.content, ref)
                    return [
                        QuarantinedDocument(
                            self.kind, f"{ref}: OPS found none of {n} documents ({reason})", ref
                        )
                    ]
                return biblio_items(resp.content, ref)

            items = client.request_read(
                "POST",
                "rest-services/published-data/publication/docdb/biblio",
                "retrieval",
                read,
                data="\n".join(batch).encode(),
                headers={"Content-Type": "text/plain", "Accept": "application/xml"},
            )
            self._count_missing(batch, items, ref)
            yield from items

    def _count_missing(self, batch: list[str], items: list[ParsedItem], ref: str) -> None:
        """Log numbers a well-formed reply left out: OPS has not loaded them (the overlap re-reads)."""
        if len(items) >= len(batch):
            return
        answered = {getattr(item, "id", "") for item in items}
        missing = [n for n in batch if make_id(*n.split(".", 2)) not in answered]
        if missing and len(missing) < len(batch):
            log.warning("%s: OPS left out %d of %d documents: %s", ref, len(missing), len(batch), missing[:5])
            self.counts["biblio_missing"] = self.counts.get("biblio_missing", 0) + len(missing)


def cql_query(country: str, first: date, last: date, cpc: tuple[str, ...] = ()) -> str:
    """``pn=VN and pd within "20240101 20240107"`` (and any of the CPC classes, when given)."""
    query = f'pn={country} and pd within "{first:%Y%m%d} {last:%Y%m%d}"'
    if cpc:
        query += " and (" + " or ".join(f"cpc={c}" for c in cpc) + ")"
    return query


def date_windows(start: date, end: date, days: int) -> Iterator[tuple[date, date]]:
    """Consecutive inclusive windows of at most ``days`` days from ``start`` to ``end``."""
    step = timedelta(days=max(1, days))
    while start <= end:
        last = min(start + step - timedelta(days=1), end)
        yield start, last
        start = last + timedelta(days=1)


def docdb_number(publication_id: str) -> str:
    """The canonical id as OPS docdb input: ``US-20120057518-A1`` -> ``US.2012057518.A1``."""
    country, number, kind = split_id(publication_id)
    if country == "US" and len(number) == 11 and number[:2] == "20" and kind.startswith("A"):
        number = number[:4] + number[5:]  # DOCDB keeps six serial digits for US pre-grant numbers
    return ".".join(p for p in (country, number, kind) if p)


def fetch_legal_events(
    source_config,
    publication_id: str,
    session=None,
    sleep: Callable[[float], None] = time.sleep,
    client: OpsClient | None = None,
) -> list[LegalEvent]:
    """INPADOC legal events of one publication (``rest-services/legal/publication/docdb/{id}``).

    ``source_config`` is the `SourceConfig` of an ``epo_ops`` source (its base URL, credentials,
    throttling and quota settings apply; ``client``: one already made, to share its token and
    quota count across many publications). A publication OPS does not know gives ``[]``; a reply
    that is no legal answer (cut off, an HTML page) is asked again, then SourceUnavailable.
    """
    if source_config.kind != EpoOps.kind:
        raise ConfigError(f"source {source_config.name!r} is {source_config.kind}, not epo_ops")
    client = client or EpoOps(source_config, session=session, sleep=sleep).client()
    ref = f"OPS legal {publication_id}"

    def read(resp: requests.Response) -> list[LegalEvent]:
        if resp.status_code == 404:
            require_not_found_fault(resp.content, ref)
            return []
        return parse_legal_events(resp.content)

    path = f"rest-services/legal/publication/docdb/{docdb_number(publication_id)}"
    return client.request_read("GET", path, "inpadoc", read)


def _new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "patent-warning/0.1 (overseas patent early warning)"
    return session


SOURCE = EpoOps
