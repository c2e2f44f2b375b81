"""Run a generator a little ahead of its consumer: in a background thread, or in a child process.

Parsing a weekly file then overlaps with the consumer's SQLite writes, so `warning ingest`
uses two cores. A thread suffices for small files (lxml and sqlite3 release the GIL while they
work); for big files forked children parse alternate chunks of documents and send them back
pickled, so the Python work of parsing no longer competes with storing. Queues are bounded:
memory stays flat.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
_PATIENCE = 0.1  # seconds between checks that the consumer is still there, when the queue is full
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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
    produce: Callable[..., Iterator[tuple[list[T], object]]],
    args: tuple,
    counts: dict[str, int] | None,
    shards: int = 2,
    depth: int = 32,
    on_mark: Callable[[object], None] | None = None,
    handover: tuple = (),
) -> Iterator[T]:
    """Yield, in order, the items of chunks produced by ``shards`` forked child processes.

    ``produce(*args, counts, shard, shards)`` yields one ``(items, mark)`` per chunk it owns,
    chunk ``c`` being owned by shard ``c % shards``; the parent takes chunks round-robin, so
    the order is that of a single pass, and calls ``on_mark(mark)`` before a chunk's items (how
    far the file is read, for a progress display). The children's ``counts`` are added to
    ``counts``; a child's exception is raised here; closing this generator early (or a child
    dying) stops them all, and the children end when this process dies, even by SIGKILL.
    ``handover``: connections (or files) in ``args`` meant for the children only, closed here once
    they are started, so that a child reading one sees its end when the writing child is gone.
    """
    context = multiprocessing.get_context("fork")
    channels = [context.Queue(maxsize=depth) for _ in range(shards)]
    lifeline, held = os.pipe()  # children watch the read end: EOF means this process is gone
    children = [
        context.Process(
            target=_child, args=(produce, (*args, k, shards), channels[k], (os.getpid(), lifeline, held)),
            daemon=True,
        )
        for k in range(shards)
    ]  # fmt: skip
    try:
        for child in children:
            child.start()
        for connection in handover:
            connection.close()
        os.close(lifeline)
        lifeline = -1
        yield from _collect(channels, children, counts, on_mark)
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
            if child.pid is not None:
                child.join()
        for connection in handover:  # closed already unless a child failed to start
            connection.close()
        for fd in (lifeline, held):
            if fd >= 0:
                os.close(fd)


def _collect(channels: list, children: list, counts: dict[str, int] | None, on_mark) -> Iterator:
    shards = len(children)
    chunk = 0
    while True:
        kind, payload = _receive(channels[chunk % shards], children[chunk % shards], children)
        if kind == "end":
            _add(counts, payload)
            break
        items, mark = payload
        if on_mark is not None:
            on_mark(mark)
        yield from items
        chunk += 1
    for k in range(shards):
        if k != chunk % shards:
            # Every chunk is delivered: the other children only have their counts left.
            while (message := _receive(channels[k], children[k], children))[0] != "end":
                pass
            _add(counts, message[1])


def _receive(
    channel: multiprocessing.Queue, child: multiprocessing.Process, children: list
) -> tuple[str, object]:
    while True:
        try:
            kind, payload = channel.get(timeout=_PATIENCE * 10)
        except queue.Empty:
            # Another child's failure counts too: the awaited one may be waiting on it.
            failed = [c.exitcode for c in children if c.exitcode not in (None, 0)]
            if not child.is_alive() or failed:
                code = child.exitcode if child.exitcode not in (None, 0) else failed[0]
                raise RuntimeError(f"a parser process ended unexpectedly (exit code {code})") from None
            continue
        if kind == "error":
            raise payload
        return kind, payload


def _add(counts: dict[str, int] | None, more: dict[str, int]) -> None:
    if counts is not None:
        for key, value in more.items():
            counts[key] = counts.get(key, 0) + value


def _child(
    produce: Callable[..., Iterator[tuple[list, object]]],
    args: tuple,
    channel: multiprocessing.Queue,
    parent: tuple[int, int, int],
) -> None:
    die_with_parent(*parent)
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


def die_with_parent(parent_pid: int, lifeline: int, held: int) -> None:
    """Make this forked child end when its parent dies, however it dies (SIGKILL included).

    Two ways, as a parser child left behind holds 50 MB and a file for nothing: on Linux the
    kernel sends SIGKILL when the parent goes (``PR_SET_PDEATHSIG``); everywhere, a thread
    waits on a pipe whose only write end the parent holds, and reading EOF there means the
    parent is gone. ``held`` is this child's inherited copy of that write end, closed here.
    """
    os.close(held)
    _set_parent_death_signal()
    if os.getppid() != parent_pid:  # the parent died before the signal was set
        os._exit(1)
    threading.Thread(target=_watch_lifeline, args=(lifeline,), name="lifeline", daemon=True).start()


def _set_parent_death_signal() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # this process's own symbols: libc is among them
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no usable libc: the lifeline pipe still works
        pass


def _watch_lifeline(fd: int) -> None:
    try:
        os.read(fd, 1)  # blocks while the parent lives; b"" (or an error) once it is gone
    finally:
        os._exit(1)
