"""Run a generator a little ahead of its consumer: in a background thread, or in a child process.

Parsing a weekly file then overlaps with the consumer's SQLite writes, so `warning ingest`
uses two cores. A thread suffices for small files (lxml and sqlite3 release the GIL while they
work); for big files forked children parse alternate chunks of documents and send them back
pickled, so the Python work of parsing no longer competes with storing. Queues are bounded:
memory stays flat.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
_PATIENCE = 0.1  # seconds between checks that the consumer is still there, when the queue is full


@dataclass(frozen=True)
class _End:
    error: BaseException | None = None


def read_ahead(items: Iterator[T], size: int = 64, name: str = "read-ahead") -> Iterator[T]:
    """Yield what ``items`` yields, in order, produced up to ``size`` items ahead in a thread.

    An exception raised by ``items`` is raised here; closing this generator early stops the
    thread and closes ``items`` (so its files are closed).
    """
    out: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def put(value: object) -> bool:
        while not stop.is_set():
            try:
                out.put(value, timeout=_PATIENCE)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_End())
        except BaseException as exc:  # handed to the consumer, raised there
            put(_End(exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    try:
        while True:
            item = out.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        worker.join()


def can_fork() -> bool:
    """Whether child processes can be forked here (Linux, macOS; not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def read_ahead_in_processes(
    produce: Callable[..., Iterator[list[T]]],
    args: tuple,
    counts: dict[str, int] | None,
    shards: int = 2,
    depth: int = 32,
) -> Iterator[T]:
    """Yield, in order, the items of chunks produced by ``shards`` forked child processes.

    ``produce(*args, counts, shard, shards)`` yields one list per chunk it owns, chunk ``c``
    being owned by shard ``c % shards``; the parent takes chunks round-robin, so the order is
    that of a single pass. The children's ``counts`` are added to ``counts``; a child's
    exception is raised here; closing this generator early (or a child dying) stops them all.
    """
    context = multiprocessing.get_context("fork")
    channels = [context.Queue(maxsize=depth) for _ in range(shards)]
    children = [
        context.Process(target=_child, args=(produce, (*args, k, shards), channels[k]), daemon=True)
        for k in range(shards)
    ]
    for child in children:
        child.start()
    try:
        chunk = 0
        while True:
            kind, payload = _receive(channels[chunk % shards], children[chunk % shards])
            if kind == "end":
                _add(counts, payload)
                break
            yield from payload
            chunk += 1
        for k in range(shards):
            if k != chunk % shards:
                # Every chunk is delivered: the other children only have their counts left.
                while (message := _receive(channels[k], children[k]))[0] != "end":
                    pass
                _add(counts, message[1])
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            child.join()


def _receive(channel: multiprocessing.Queue, child: multiprocessing.Process) -> tuple[str, object]:
    while True:
        try:
            kind, payload = channel.get(timeout=_PATIENCE * 10)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(
                    f"a parser process ended unexpectedly (exit code {child.exitcode})"
                ) from None
            continue
        if kind == "error":
            raise payload
        return kind, payload


def _add(counts: dict[str, int] | None, more: dict[str, int]) -> None:
    if counts is not None:
        for key, value in more.items():
            counts[key] = counts.get(key, 0) + value


def _child(produce: Callable[..., Iterator[list]], args: tuple, channel: multiprocessing.Queue) -> None:
    counts: dict[str, int] = {}
    try:
        for chunk in produce(*args[:-2], counts, *args[-2:]):
            channel.put(("chunk", chunk))
        channel.put(("end", counts))
    except BaseException as exc:  # sent to the parent and raised there
        try:
            channel.put(("error", exc))
        except Exception:  # an exception that does not pickle
            channel.put(("error", RuntimeError(repr(exc))))
    finally:
        channel.close()
        channel.join_thread()
