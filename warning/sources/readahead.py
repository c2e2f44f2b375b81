"""Run a generator a little ahead of its consumer: in a background thread, or in a child process.

Parsing a weekly file then overlaps with the consumer's SQLite writes, so `warning ingest`
uses two cores. A thread suffices for small files (lxml and sqlite3 release the GIL while they
work); for big files a forked child parses and sends items back in pickled batches, so the
Python work of parsing no longer competes with storing. Queues are bounded: memory stays flat.
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


def read_ahead_in_process(
    produce: Callable[..., Iterator[T]],
    args: tuple,
    counts: dict[str, int] | None,
    batch: int = 64,
    depth: int = 8,
) -> Iterator[T]:
    """Yield what ``produce(*args, counts)`` yields, produced in a forked child process.

    The child's ``counts`` are added to ``counts`` at the end; its exception is raised here;
    closing this generator early (or the child dying) stops and reaps the child.
    """
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=depth)
    child = context.Process(target=_child, args=(produce, args, channel, batch), daemon=True)
    child.start()
    try:
        while True:
            try:
                kind, payload = channel.get(timeout=_PATIENCE * 10)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError(
                        f"the parser process ended unexpectedly (exit code {child.exitcode})"
                    ) from None
                continue
            if kind == "items":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                if counts is not None:
                    for key, value in payload.items():
                        counts[key] = counts.get(key, 0) + value
                return
    finally:
        if child.is_alive():
            child.terminate()
        child.join()


def _child(produce: Callable[..., Iterator], args: tuple, channel: multiprocessing.Queue, batch: int) -> None:
    counts: dict[str, int] = {}
    try:
        pending: list = []
        for item in produce(*args, counts):
            pending.append(item)
            if len(pending) >= batch:
                channel.put(("items", pending))
                pending = []
        if pending:
            channel.put(("items", pending))
        channel.put(("end", counts))
    except BaseException as exc:  # sent to the parent and raised there
        try:
            channel.put(("error", exc))
        except Exception:  # an exception that does not pickle
            channel.put(("error", RuntimeError(repr(exc))))
    finally:
        channel.close()
        channel.join_thread()
