"""USPTO bulk full-text XML, pure: bytes or a local file in, publications out.

Every Red Book version in use since 2001: ``pap`` v1.5/v1.6 applications and ST.32 v2.5
``PATDOC`` grants (`warning.sources.uspto.legacy`), ST.36 v4.0-v4.7 grants and applications
(`warning.sources.uspto.v4`); single documents, concatenated weekly files and zips of them
(`warning.sources.uspto.stream`). Each document is judged alone:

- a sequence listing (``sequence-cwu``) or other non-patent document is skipped and counted;
- text-level faults (a raw ``&`` or ``<`` in text, junk after the root) are repaired, logged;
- a document that cannot be trusted whole (empty, an HTML page, entity declarations, a root
  that never closes, XML that stays broken after repair, a zip stream that ends inside it)
  becomes a `QuarantinedDocument` with its reason, and the rest of the file goes on.

The description, citations and drawings, most of a document's bytes and elements and not kept,
are cut out before parsing.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from lxml import etree

from warning.config.schema import IngestConfig
from warning.errors import ParseError
from warning.models import Publication, QuarantinedDocument
from warning.sources.base import ParsedItem
from warning.sources.readahead import can_fork, read_ahead, read_ahead_in_processes
from warning.sources.reading import CountingReader, Reading
from warning.sources.uspto.legacy import parse_pap, parse_patdoc
from warning.sources.uspto.stream import RawDocument, is_zip, iter_documents, iter_zip_documents
from warning.sources.uspto.text import may_hold_entities
from warning.sources.uspto.v4 import parse_v4
from warning.sources.xml.prolog import prolog_root_name
from warning.sources.xml.safe import EntityRefused, looks_like_html, parse_xml

log = logging.getLogger(__name__)
SOURCE = "uspto_bulk"

BUILDERS: dict[str, Callable[[etree._Element, str], Publication]] = {
    "us-patent-grant": parse_v4,
    "us-patent-application": parse_v4,
    "patent-application-publication": parse_pap,
    "PATDOC": parse_patdoc,
}
# Documents the weekly files carry beside patents; skipped, not quarantined.
NON_PATENT_ROOTS = frozenset(
    {"sequence-cwu", "us-sequence-listing", "sequence-listing", "ST26SequenceListing"}
)
ROOT_MARKERS = tuple(f"<{name}".encode() for name in (*BUILDERS, *NON_PATENT_ROOTS))

CHUNK_DOCUMENTS = 32
PROCESS_FROM_BYTES = 32 * 1024 * 1024  # a weekly zip is 100-250 MB; tests and single documents stay in-thread
# Cut before parsing: never stored, and most of the bytes and elements of a full-text document
# (the classification search fields alone are a sixth of what a grant keeps once its description
# is cut).
_CUTS = (
    (
        (b"<description", b"</description>"),
        (b"<subdoc-description", b"</subdoc-description>"),
        (b"<SDODE", b"</SDODE>"),
    ),
    ((b"<us-references-cited", b"</us-references-cited>"), (b"<references-cited", b"</references-cited>")),
    ((b"<drawings", b"</drawings>"),),
    (
        (b"<us-field-of-classification-search", b"</us-field-of-classification-search>"),
        (b"<field-of-search", b"</field-of-search>"),
    ),
)
_BARE_AMP = re.compile(rb"&(?!(?:[A-Za-z_][\w.-]*|#\d+|#x[0-9A-Fa-f]+);)")
_STRAY_LT = re.compile(rb"<(?![A-Za-z_/!?])")


def parse_uspto(
    data: bytes, ref: str, counts: dict[str, int] | None = None, limits: IngestConfig | None = None
) -> Iterator[ParsedItem]:
    """Publications and quarantined documents from the bytes of one file (single or concatenated)."""
    docs = iter_documents(io.BytesIO(data), max_bytes=(limits or IngestConfig()).document_bytes)
    yield from parse_raw_documents(_at_least_one(docs), ref, counts)


def parse_uspto_file(
    path: Path,
    counts: dict[str, int] | None = None,
    in_process: bool | None = None,
    reading: Reading | None = None,
) -> Iterator[ParsedItem]:
    """Everything in a local USPTO file: ``.xml`` single or concatenated, or a ``.zip`` of them, streamed.

    The file is parsed a few documents ahead of the consumer, so parsing overlaps with storing
    (`warning.sources.readahead`): in child processes when ``in_process`` is true (default:
    for files of ``PROCESS_FROM_BYTES`` and more, where forking pays, when no other thread
    runs), else in a thread. ``reading`` gives the size limits and hears how far the file is
    read; ``counts`` (default: the reading's) hears documents, publications, skipped ...
    """
    reading = reading or Reading()
    if counts is not None:
        reading.counts = counts
    if in_process is None:
        in_process = path.stat().st_size >= PROCESS_FROM_BYTES and _safe_to_fork()
    # `IngestConfig.parsers`: two on two cores (the storer needs a quarter of a parser's CPU).
    parsers = reading.limits.parsers
    if in_process and can_fork() and is_zip(path):
        # Inflating is a third of a zip's cost: one child inflates and cuts, and hands the other
        # theirs through pipes, where each would inflate the whole member for itself.
        feeds = [multiprocessing.get_context("fork").Pipe(duplex=False) for _ in range(parsers - 1)]
        yield from read_ahead_in_processes(
            _parse_fed_chunks,
            (path, reading, feeds),
            reading.counts,
            parsers,
            on_mark=reading.advance_to,
            handover=tuple(end for pair in feeds for end in pair),
        )
    elif in_process and can_fork():
        yield from read_ahead_in_processes(
            _parse_chunks, (path, reading), reading.counts, parsers, on_mark=reading.advance_to
        )
    else:
        yield from read_ahead(_parse_path(path, reading), name=f"parse {path.name}")


def _safe_to_fork() -> bool:
    """No thread but the main one, and tqdm's progress-bar monitor, which holds nothing the parser uses.

    Forking a process that runs other threads (the scheduler's) can copy a lock they hold.
    """
    return all(t is threading.main_thread() or type(t).__name__ == "TMonitor" for t in threading.enumerate())


def _raw_documents(
    path: Path, reading: Reading, wanted: Callable[[int], bool] | None = None
) -> Iterator[tuple[str, RawDocument]]:
    """(ref, document) for every document of a local file, in order (``wanted``: see
    `iter_documents`; a zip's documents all come whole)."""
    if is_zip(path):
        for member, doc in iter_zip_documents(path, reading=reading):
            yield f"{path}!{member}:{doc.index}", doc
        return
    with path.open("rb") as raw:
        limit = reading.limits.document_bytes
        docs = iter_documents(CountingReader(raw, reading), max_bytes=limit, wanted=wanted)
        for doc in _at_least_one(docs):
            yield f"{path}:{doc.index}", doc


def _parse_path(path: Path, reading: Reading) -> Iterator[ParsedItem]:
    for ref, doc in _raw_documents(path, reading):
        yield from reading.prepared(_parse_one(doc, ref, reading.counts))


def _parse_chunks(
    path: Path, reading: Reading, counts: dict[str, int], shard: int, shards: int
) -> Iterator[tuple[list[ParsedItem], int]]:
    """(items, bytes read) of every ``CHUNK_DOCUMENTS`` documents whose chunk number is ``shard`` modulo ``shards``.

    Every shard reads and cuts the whole stream (cheap) but copies out and parses only its own
    chunks (a plain file's document ``index`` is its position in the stream, from 1).
    """

    def mine(index: int) -> bool:
        return (index - 1) // CHUNK_DOCUMENTS % shards == shard

    chunk, items = 0, []
    for n, (ref, doc) in enumerate(_raw_documents(path, reading, mine)):
        if n // CHUNK_DOCUMENTS != chunk:
            if chunk % shards == shard:
                yield items, reading.position
            chunk, items = n // CHUNK_DOCUMENTS, []
        if chunk % shards == shard:
            items.extend(reading.prepared(_parse_one(doc, ref, counts)))
    if chunk % shards == shard:
        yield items, reading.position


def _parse_fed_chunks(
    path: Path, reading: Reading, feeds: list, counts: dict[str, int], shard: int, shards: int
) -> Iterator[tuple[list[ParsedItem], int]]:
    """`_parse_chunks`, the stream read once: shard 0 reads and cuts it, parses its own chunks and
    sends every other chunk's documents down that shard's pipe (``feeds[shard - 1]``: a one-way
    pipe, (receiving end, sending end)); the others parse what comes down theirs."""
    for k, (receiving, sending) in enumerate(feeds, start=1):
        if k != shard:
            receiving.close()
        if shard != 0:
            sending.close()
    if shard != 0:
        yield from _parse_fed(feeds[shard - 1][0], counts, reading)
        return
    senders = [sending for _, sending in feeds]
    try:
        chunk, docs = 0, []
        for n, pair in enumerate(_raw_documents(path, reading)):
            if n // CHUNK_DOCUMENTS != chunk:
                yield from _hand_on(chunk, docs, reading, senders, counts)
                chunk, docs = n // CHUNK_DOCUMENTS, []
            docs.append(pair)
        yield from _hand_on(chunk, docs, reading, senders, counts)
        for sending in senders:
            sending.send(None)  # the end of the stream
    finally:
        for sending in senders:
            sending.close()


def _hand_on(chunk: int, docs: list, reading: Reading, senders: list, counts: dict[str, int]) -> Iterator:
    owner = chunk % (len(senders) + 1)
    if owner:
        senders[owner - 1].send((docs, reading.position))
        return
    yield (
        [item for ref, doc in docs for item in reading.prepared(_parse_one(doc, ref, counts))],
        reading.position,
    )


def _parse_fed(receiving, counts: dict[str, int], reading: Reading) -> Iterator[tuple[list[ParsedItem], int]]:
    try:
        while (message := receiving.recv()) is not None:
            docs, position = message
            yield (
                [item for ref, doc in docs for item in reading.prepared(_parse_one(doc, ref, counts))],
                position,
            )
    except EOFError:  # the reading child is gone before the end of the stream
        raise RuntimeError("the parser process reading the file ended before the file did") from None
    finally:
        receiving.close()


def _at_least_one(docs: Iterable[RawDocument]) -> Iterator[RawDocument]:
    """The documents, or one empty document for an empty file, so that it is quarantined, not lost."""
    empty = True
    for doc in docs:
        empty = False
        yield doc
    if empty:
        yield RawDocument(b"", 1)


def parse_raw_documents(
    docs: Iterable[RawDocument], ref: str, counts: dict[str, int] | None = None
) -> Iterator[ParsedItem]:
    """Parse documents cut from one stream; each ref is ``FILE:N`` (N counts documents from 1)."""
    for doc in docs:
        yield from _parse_one(doc, f"{ref}:{doc.index}", counts)


def _parse_one(doc: RawDocument, ref: str, counts: dict[str, int] | None) -> Iterator[ParsedItem]:
    if doc.too_large and prolog_root_name(doc.data) in NON_PATENT_ROOTS:
        _count(counts, "documents", "skipped")  # a huge sequence listing is no patent either
        return
    if doc.problem:
        _count(counts, "documents", "quarantined")
        yield QuarantinedDocument(SOURCE, doc.problem, ref, doc.data)
        return
    yield from parse_document(doc.data, ref, counts)


def parse_document(data: bytes, ref: str, counts: dict[str, int] | None = None) -> Iterator[ParsedItem]:
    """One XML document: a publication, a quarantined document, or nothing (a skipped non-patent)."""
    _count(counts, "documents")
    try:
        root_name = root_element_name(data, ref)
        builder = BUILDERS.get(root_name)
        if builder is None and root_name in NON_PATENT_ROOTS:
            _count(counts, "skipped")
            log.debug("%s: skipped non-patent document <%s>", ref, root_name)
            return
        if builder is None:
            _refuse_if_hostile(data, ref)
            raise ParseError(f"{ref}: not a USPTO patent document (root element <{root_name}>)")
        root, body = _parse_trusted(data, ref, root_name, counts)
        # A grant's texts are read in one call each when no entity node can be in them.
        publication = (
            parse_v4(root, ref, may_hold_entities(body)) if builder is parse_v4 else builder(root, ref)
        )
    except ParseError as exc:
        _count(counts, "quarantined")
        yield QuarantinedDocument(SOURCE, str(exc), ref, data)
        return
    except ValueError as exc:
        _count(counts, "quarantined")
        yield QuarantinedDocument(SOURCE, f"{ref}: not a usable patent document: {exc}", ref, data)
        return
    _count(counts, "publications")
    yield publication


def root_element_name(data: bytes, ref: str = "") -> str:
    """The root element's name; ParseError for an empty body, an HTML page or XML that cannot be trusted.

    Read from the prolog when it can be (fast); else from the parsed document, whose entity
    declarations are judged there (`warning.sources.xml.safe`).
    """
    if not data[:256].strip() and not data.strip():
        raise ParseError(f"{ref}: empty document")
    if looks_like_html(data):
        raise ParseError(f"{ref}: an HTML page where XML was expected")
    name = prolog_root_name(data)
    if name is not None:
        return name
    root = parse_xml(data, ref)
    return etree.QName(root).localname


def _refuse_if_hostile(data: bytes, ref: str) -> None:
    """Entity declarations are the first reason to give, even for a document no parser takes."""
    try:
        parse_xml(data, ref)
    except EntityRefused:
        raise
    except ParseError:
        pass


def _parse_trusted(
    data: bytes, ref: str, root_name: str, counts: dict[str, int] | None
) -> tuple[etree._Element, bytes]:
    """The parsed root, and the bytes it was parsed from (cut, repaired)."""
    closing = f"</{root_name}>".encode()
    end = data.rfind(closing)
    if end < 0:
        raise ParseError(f"{ref}: truncated: root element <{root_name}> never closes")
    end += len(closing)
    if data[end:].strip():
        log.warning("%s: repaired: removed %d bytes after the root element", ref, len(data) - end)
        _count(counts, "repaired")
    body = _cut_unused(data, end)
    try:
        return parse_xml(body, ref), body
    except EntityRefused:
        raise
    except ParseError:
        repaired = _STRAY_LT.sub(b"&lt;", _BARE_AMP.sub(b"&amp;", body))
        if repaired == body:
            raise
        root = parse_xml(repaired, ref)
        log.warning("%s: repaired: escaped raw '&' or '<' in text", ref)
        _count(counts, "repaired")
        return root, repaired


def _cut_unused(data: bytes, end: int | None = None) -> bytes:
    """The document up to ``end`` without its description, citations, drawings and search fields
    (the first spelling found of each), copied once (a weekly file's every document passes here)."""
    end = len(data) if end is None else end
    spans = []
    for spellings in _CUTS:
        for opening, closing in spellings:
            start = data.find(opening, 0, end)
            if start < 0:
                continue
            stop = data.find(closing, start, end)
            if stop > 0:
                spans.append((start, stop + len(closing)))
                break
    if not spans:
        return data if end == len(data) else data[:end]
    spans.sort()
    kept, at = [], 0
    for start, stop in spans:
        if start < at:  # one inside another (a document that is not what it seems): one by one
            return _cut_one_by_one(data[:end])
        kept.append(data[at:start])
        at = stop
    kept.append(data[at:end])
    return b"".join(kept)


def _cut_one_by_one(data: bytes) -> bytes:
    for spellings in _CUTS:
        for opening, closing in spellings:
            start = data.find(opening)
            if start < 0:
                continue
            end = data.find(closing, start)
            if end > 0:
                data = data[:start] + data[end + len(closing) :]
                break
    return data


def looks_like_uspto(head: bytes) -> bool:
    """Does the start of a file look like USPTO full-text XML (any version)?"""
    return any(marker in head for marker in ROOT_MARKERS) or b"<!DOCTYPE us-patent-" in head


def _count(counts: dict[str, int] | None, *keys: str) -> None:
    if counts is not None:
        for key in keys:
            counts[key] = counts.get(key, 0) + 1
