"""HTTP client for the USPTO Open Data Portal bulk datasets: weekly file discovery and downloads.

What the ODP documents and this client relies on:

- ``GET {base}api/v1/datasets/products/{productIdentifier}?fileDataFromDate=YYYY-MM-DD
  &fileDataToDate=YYYY-MM-DD&includeFiles=true`` with the API key in ``X-API-KEY`` answers
  ``{"count": 1, "bulkDataProductBag": [{"productIdentifier": "PTGRXML", ..., "productFileBag":
  {"count": N, "fileDataBag": [{"fileName": "ipg240102.zip", "fileSize": 123,
  "fileDataFromDate": "2024-01-02", "fileDataToDate": "2024-01-02", "fileTypeText": "Data",
  "fileDownloadURI": "https://api.uspto.gov/api/v1/datasets/products/files/PTGRXML/ipg240102.zip",
  "fileReleaseDate": "2024-01-02 00:54:13"}]}}]}``. Products: ``PTGRXML`` (grant full text,
  ``ipgYYMMDD.zip``) and ``APPXML`` (application full text, ``ipaYYMMDD.zip``).
- The download URI answers the zip (possibly after a redirect to storage); ``Range`` requests
  resume a cut download. Storage answers an ``ETag`` that is the MD5 of the file when it was
  uploaded in one part (32 hex digits); then the downloaded file is checked against it.

Conditional requests (``If-None-Match``/``If-Modified-Since``) are sent for the listing; 5xx,
429, timeouts and connection errors are retried with exponential backoff (``sleep`` injected),
and so is a 200 that is no answer: a listing that is not the documented JSON, a download that
is not a whole zip archive (an error page, a cut file). The cursor moves only past whole files.
"""

from __future__ import annotations

import hashlib
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from warning.errors import SourceUnavailable
from warning.sources.http import NETWORK_ERRORS, TryAgain, with_retries

log = logging.getLogger(__name__)
CHUNK = 1 << 20
_MAX_REDIRECTS = 5
_WEEKLY_NAME = re.compile(r"^(?:ipg|ipa|pg|pa)(\d\d)(\d\d)(\d\d)", re.IGNORECASE)
_MD5_ETAG = re.compile(r'^(?:W/)?"?([0-9a-fA-F]{32})"?$')


@dataclass(frozen=True)
class BulkFile:
    """One weekly file a product lists."""

    product: str
    name: str
    url: str
    size: int
    day: str  # ISO date the file's data is for: the cursor after it is processed


@dataclass(frozen=True)
class Listing:
    files: list[BulkFile]
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


class OdpClient:
    """Lists and downloads ODP bulk files; network only, no parsing."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        session: requests.Session,
        *,
        timeout: float = 60.0,
        retries: int = 4,
        backoff: float = 2.0,
        sleep: Callable[[float], None],
    ) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.headers = {"X-API-KEY": api_key, "Accept": "application/json"}
        self.session, self.timeout, self.retries, self.backoff, self.sleep = (
            session,
            timeout,
            retries,
            backoff,
            sleep,
        )
        self.bytes = 0

    def list_files(
        self, product: str, since: date, until: date, etag: str = "", last_modified: str = ""
    ) -> Listing:
        """The data files of ``product`` for ``since``..``until``; ``not_modified`` on 304."""
        url = f"{self.base_url}api/v1/datasets/products/{product}"
        params = {
            "fileDataFromDate": since.isoformat(),
            "fileDataToDate": until.isoformat(),
            "includeFiles": "true",
        }
        headers = dict(self.headers)
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        resp, files = self._with_retries(
            lambda: self._listing_once(product, url, params, headers), f"{product} listing"
        )
        if resp.status_code == 304:
            return Listing([], etag, last_modified, not_modified=True)
        files = [f for f in files if since.isoformat() <= f.day <= until.isoformat()]
        return Listing(files, resp.headers.get("ETag", ""), resp.headers.get("Last-Modified", ""))

    def _listing_once(
        self, product: str, url: str, params: dict, headers: dict
    ) -> tuple[requests.Response, list[BulkFile]]:
        """One listing request; a 200 that is not the documented JSON is a failed request (retried)."""
        resp = self._get_json(url, params, headers)
        if resp.status_code == 304:
            return resp, []
        try:
            body = resp.json()
            if not isinstance(body, dict) or "bulkDataProductBag" not in body:
                raise ValueError(f"no bulkDataProductBag in {resp.text[:120]!r}")
            return resp, _files(product, body)
        except (ValueError, TypeError, AttributeError) as exc:
            raise TryAgain(f"ODP {product} listing is not the documented JSON: {exc}") from None

    def download(self, bulk: BulkFile, folder: Path) -> Path:
        """The file in ``folder``, downloaded (resuming a ``.part`` left by a cut run) and checked."""
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / bulk.name
        if dest.exists() and (not bulk.size or dest.stat().st_size == bulk.size):
            return dest
        part = dest.with_name(dest.name + ".part")
        self._with_retries(lambda: self._download_once(bulk, part), bulk.name)
        part.replace(dest)
        return dest

    def _get_json(self, url: str, params: dict, headers: dict) -> requests.Response:
        resp = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
        _raise_for_status(resp, url)
        self.bytes += len(resp.content)
        return resp

    def _download_once(self, bulk: BulkFile, part: Path) -> None:
        offset = part.stat().st_size if part.exists() else 0
        headers = {"X-API-KEY": self.headers["X-API-KEY"]}
        if offset:
            headers["Range"] = f"bytes={offset}-"
        with self._get_following(bulk.url, headers) as resp:
            if resp.status_code == 416 and offset and offset == bulk.size:
                self._verify(bulk, part, resp.headers.get("ETag", ""))
                return
            if resp.status_code == 416:
                part.unlink()
                raise TryAgain(f"{bulk.name}: the server refused to resume at byte {offset}; starting again")
            _raise_for_status(resp, bulk.url)
            if resp.status_code == 206 and _range_start(resp) != offset:
                part.unlink()
                raise TryAgain(f"{bulk.name}: the server resumed at the wrong byte; starting again")
            with part.open("ab" if resp.status_code == 206 else "wb") as out:
                try:
                    for chunk in resp.iter_content(CHUNK):
                        out.write(chunk)
                        self.bytes += len(chunk)
                except NETWORK_ERRORS as exc:
                    raise TryAgain(f"{bulk.name}: download cut at {out.tell()} bytes: {exc}") from None
            self._verify(bulk, part, resp.headers.get("ETag", ""))

    def _get_following(self, url: str, headers: dict) -> requests.Response:
        """GET following redirects by hand: the API key goes to the ODP host only, never to storage."""
        origin = urlsplit(url).netloc
        for _ in range(_MAX_REDIRECTS):
            resp = self.session.get(
                url, headers=headers, stream=True, timeout=self.timeout, allow_redirects=False
            )
            if resp.status_code not in (301, 302, 303, 307, 308) or "Location" not in resp.headers:
                return resp
            resp.close()
            url = urljoin(url, resp.headers["Location"])
            if urlsplit(url).netloc != origin:
                headers = {k: v for k, v in headers.items() if k != "X-API-KEY"}
        raise SourceUnavailable(f"USPTO ODP: too many redirects for {url}")

    def _verify(self, bulk: BulkFile, part: Path, etag: str) -> None:
        size = part.stat().st_size
        if bulk.size and size < bulk.size:
            raise TryAgain(f"{bulk.name}: got {size} of {bulk.size} bytes")
        if bulk.size and size != bulk.size:
            part.unlink()
            raise TryAgain(f"{bulk.name}: size mismatch: {size} bytes, the listing says {bulk.size}")
        md5 = _MD5_ETAG.match(etag.strip())
        if md5 and _md5(part) != md5.group(1).lower():
            part.unlink()
            raise TryAgain(f"{bulk.name}: checksum mismatch (MD5 differs from the ETag)")
        if bulk.name.lower().endswith(".zip") and not zipfile.is_zipfile(part):
            # Without a size or an MD5 to compare, an error page under 200 would pass as the file.
            with part.open("rb") as fh:
                head = fh.read(80)
            part.unlink()
            raise TryAgain(f"{bulk.name}: the download is not a zip archive (it begins {head!r})")

    def _with_retries(self, attempt: Callable[[], Any], what: str) -> Any:
        def log_retry(why: str, delay: float) -> None:
            log.warning("USPTO ODP %s: %s; retrying in %.0f s", what, why, delay)

        return with_retries(
            attempt,
            what=f"USPTO ODP {what}",
            retries=self.retries,
            backoff=self.backoff,
            sleep=self.sleep,
            on_retry=log_retry,
        )


def _raise_for_status(resp: requests.Response, url: str) -> None:
    if resp.status_code in (200, 206, 304):
        return
    if resp.status_code >= 500 or resp.status_code == 429:
        raise TryAgain(f"HTTP {resp.status_code} from {url}")
    if resp.status_code in (401, 403):
        raise SourceUnavailable(f"USPTO ODP refused the API key (HTTP {resp.status_code}) for {url}")
    raise SourceUnavailable(f"USPTO ODP answered HTTP {resp.status_code} for {url}")


def _range_start(resp: requests.Response) -> int:
    match = re.match(r"bytes (\d+)-", resp.headers.get("Content-Range", ""))
    return int(match.group(1)) if match else -1


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _files(product: str, body: dict) -> list[BulkFile]:
    files = []
    for entry in _products(body.get("bulkDataProductBag") or []):
        for f in (entry.get("productFileBag") or {}).get("fileDataBag") or []:
            name = f.get("fileName") or ""
            if not name.lower().endswith(".zip") or (f.get("fileTypeText") or "Data") != "Data":
                continue  # documentation and DTD files sit beside the data
            day = _file_day(name, f.get("fileDataFromDate") or "")
            url = f.get("fileDownloadURI") or ""
            if day and url:
                files.append(BulkFile(product, name, url, int(f.get("fileSize") or 0), day))
    return files


def _products(bag: list) -> list[dict]:
    """The product entries; some ODP answers nest them one list deeper."""
    flat: list[dict] = []
    for entry in bag:
        flat += [e for e in entry if isinstance(e, dict)] if isinstance(entry, list) else [entry]
    return flat


def _file_day(name: str, from_date: str) -> str:
    if re.fullmatch(r"\d{4}-\d\d-\d\d", from_date[:10]):
        return from_date[:10]
    match = _WEEKLY_NAME.match(name)
    return f"20{match.group(1)}-{match.group(2)}-{match.group(3)}" if match else ""
