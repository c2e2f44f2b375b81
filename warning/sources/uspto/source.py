"""The ``uspto_bulk`` source: the USPTO's weekly full-text files, discovered on the Open Data Portal.

Each run lists the weekly files published since the cursor (grants ``ipgYYMMDD.zip`` on
Tuesdays, applications ``ipaYYMMDD.zip`` on Thursdays), downloads each one with resume and a
size/checksum check (`warning.sources.uspto.odp`), parses it as a stream straight from the zip
(`warning.sources.uspto.parser`) and yields a `Checkpoint` after each file: the cursor is the ISO
date of the last file fully stored, so a crash resumes with the file it was in.

Config (``[sources.NAME]`` with ``kind = "uspto_bulk"``; ``base_url`` default
``https://api.uspto.gov/``)::

    api_key_env = "USPTO_ODP_API_KEY"   # environment variable holding the ODP API key
    datasets = ["grants", "applications"]   # or ODP product identifiers
    download_dir = "downloads/uspto"    # where zips are downloaded (resumable .part files)
    keep_downloads = false              # delete each zip once stored
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, ClassVar

import requests

from warning.clock import today
from warning.config.rules import above, at_least, one_of
from warning.config.secrets import secret
from warning.models import APPLICATION, DESIGN, GRANT, PLANT, REISSUE
from warning.sources.base import (
    Checkpoint,
    FetchedItem,
    FileFormat,
    ParsedItem,
    Release,
    Source,
    published_days,
)
from warning.sources.reading import Reading
from warning.sources.uspto.odp import BulkFile, OdpClient
from warning.sources.uspto.parser import looks_like_uspto, parse_uspto_file
from warning.sources.uspto.stream import ZIP_SIGNATURE, zip_head

log = logging.getLogger(__name__)
DEFAULT_BASE_URL = "https://api.uspto.gov/"
PRODUCTS = {"grants": "PTGRXML", "applications": "APPXML"}
# What each product's files hold (the document types `published_days` keeps).
PRODUCT_DOC_TYPES = {"PTGRXML": (GRANT, DESIGN, PLANT, REISSUE), "APPXML": (APPLICATION,)}


@dataclass(frozen=True)
class Options:
    api_key_env: str = "USPTO_ODP_API_KEY"  # environment variable holding the ODP API key
    datasets: tuple[str, ...] = ("grants", "applications")  # or ODP product identifiers
    download_dir: str = "downloads/uspto"  # zips are downloaded here (relative: to the config file)
    keep_downloads: bool = False  # keep each zip after it is stored
    timeout: float = 120.0  # seconds per HTTP request (and between bytes of a download)
    max_retries: int = 4  # 5xx, 429, timeouts, cut downloads, bad checksums
    backoff_seconds: float = 5.0  # first retry delay, doubled each attempt
    lookback_days: int = 14  # first run (empty cursor): start this many days before today
    CHECKS: ClassVar = {
        "datasets": one_of(*PRODUCTS, *PRODUCTS.values()),
        "timeout": above(0),
        "max_retries": at_least(0),
        "backoff_seconds": at_least(0),
        "lookback_days": at_least(0),
    }


def is_uspto(path: Path, head: bytes) -> bool:
    """USPTO full-text XML, single or concatenated, or a zip whose first member is."""
    if head[:4] == ZIP_SIGNATURE:
        return looks_like_uspto(zip_head(path)[1])
    return looks_like_uspto(head)


def read_uspto(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    yield from parse_uspto_file(path, reading=reading)


class UsptoBulk(Source):
    """USPTO weekly full-text XML (grants and applications) through the Open Data Portal."""

    kind = "uspto_bulk"
    Options = Options
    # USPTO grants on Tuesday and applications on Thursday, the files up by the US morning.
    schedule = ("0 9 * * tue,thu", "America/New_York")
    # The weekly files are dated and released on their day, from midnight Eastern time.
    releases = (
        Release("grants", "0 0 * * tue", "America/New_York", doc_types=(GRANT, DESIGN, PLANT, REISSUE)),
        Release("applications", "0 0 * * thu", "America/New_York", doc_types=(APPLICATION,)),
    )
    formats = (FileFormat("uspto-xml", is_uspto, read_uspto),)

    @classmethod
    def expected_releases(cls, options: Any) -> tuple[Release, ...]:
        """Only the weekly files of the datasets fetched (grants: Tuesday, applications: Thursday)."""
        wanted = {PRODUCTS.get(d, d) for d in (options or Options()).datasets}
        return tuple(r for r in cls.releases if PRODUCTS[r.name] in wanted)

    def fetch(self, state: Any, since: date | None, until: date | None) -> Iterator[FetchedItem]:
        """Every weekly file from the cursor (or ``since``) to ``until``, one checkpoint per file."""
        if state.country not in ("", "US"):
            log.info("uspto_bulk serves US only; country %s skipped", state.country)
            return
        start, end = self._window(state.cursor, since, until)
        conditional = since is None
        products = [PRODUCTS.get(d, d) for d in self.options.datasets]
        starts = {p: self._product_start(state, p, start, end, since) for p in products}
        if all(first > end for first in starts.values()):
            return
        client = self._client()
        etags, modified = _load(state.etag), _load(state.last_modified)
        files: list[BulkFile] = []
        for product in (p for p in products if starts[p] <= end):
            listing = client.list_files(
                product, starts[product], end, etags.get(product, "") if conditional else "",
                modified.get(product, "") if conditional else "",
            )  # fmt: skip
            if conditional:  # a backfill's listing says nothing about the cursor's window
                etags[product], modified[product] = listing.etag, listing.last_modified
            files += listing.files
        for bulk in sorted(files, key=lambda f: (f.day, f.name)):
            yield from self._fetch_file(client, bulk)
            yield Checkpoint(bulk.day)
        self.counts["bytes"] = self.counts.get("bytes", 0) + client.bytes
        yield Checkpoint(
            state.cursor or "", json.dumps(etags, sort_keys=True), json.dumps(modified, sort_keys=True)
        )

    def _fetch_file(self, client: OdpClient, bulk: BulkFile) -> Iterator[ParsedItem]:
        path = client.download(bulk, self.config.resolve(self.options.download_dir))
        counts: dict[str, int] = {}
        reading = Reading(self.limits) if self.limits is not None else None
        yield from parse_uspto_file(path, counts, reading=reading)
        log.info("%s: %s", bulk.name, ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
        for key, value in (("files", 1), *counts.items()):
            self.counts[key] = self.counts.get(key, 0) + value
        if not self.options.keep_downloads:
            path.unlink(missing_ok=True)

    def _client(self) -> OdpClient:
        api_key = secret(self.options.api_key_env, f"source {self.config.name} (USPTO ODP API key)")
        return OdpClient(
            self.config.base_url or DEFAULT_BASE_URL,
            api_key,
            self.session or requests.Session(),
            timeout=self.options.timeout,
            retries=self.options.max_retries,
            backoff=self.options.backoff_seconds,
            sleep=self.sleep,
        )

    def _product_start(self, state: Any, product: str, start: date, end: date, since: date | None) -> date:
        """Where one product's listing starts: the day after its own newest stored file where that
        lies before the cursor (one cursor serves both products, so Tuesday's grants posted after
        Thursday's applications were stored would otherwise never be listed), but never more than
        ``lookback_days`` back (nor less, for a product of which nothing is stored yet)."""
        days = published_days(state.published_through)
        stored = max((days[t] for t in PRODUCT_DOC_TYPES.get(product, ()) if t in days), default="")
        if since is not None:
            return start
        floor = end - timedelta(days=self.options.lookback_days)
        own = date.fromisoformat(stored) + timedelta(days=1) if stored else floor
        return min(start, max(own, floor))

    def _window(self, cursor: str, since: date | None, until: date | None) -> tuple[date, date]:
        end = until or today()
        if since:
            return since, end
        if cursor:
            return date.fromisoformat(cursor) + timedelta(days=1), end
        return end - timedelta(days=self.options.lookback_days), end


def _load(text: str) -> dict[str, str]:
    """Per-product ETag/Last-Modified, kept as a JSON object in the source state."""
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


SOURCE = UsptoBulk
