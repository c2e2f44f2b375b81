"""One ``warning run`` per database: an exclusive ``flock`` beside it, holding the owner's pid."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from warning.errors import StoreError


class AlreadyRunning(StoreError):
    """Another ``warning run`` holds this database's lock."""


class InstanceLock:
    """An exclusive ``flock`` on ``<db>.lock`` beside the database, holding the owner's pid."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(f"{db_path}.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> InstanceLock:
        """Take the lock or raise AlreadyRunning naming the process that holds it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the process lifetime
        except OSError as exc:
            raise StoreError(f"cannot create the instance lock {self.path}: {exc.strerror or exc}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip() or "unknown"
            handle.close()
            raise AlreadyRunning(
                f"another `warning run` (pid {pid}) is already running on this database "
                f"(lock {self.path}); stop it first or use another --db"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return self

    def holder(self) -> int | None:
        """The pid of the running `warning run` on this database, if any (read only, no locking)."""
        try:
            pid = int(self.path.read_text(encoding="utf-8").strip() or 0)
        except (OSError, ValueError):
            return None
        if pid <= 0:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid  # alive, owned by another user (the service account)
        return pid

    def release(self) -> None:
        """Give the lock up (the process exiting does the same)."""
        if self._file is not None:
            self._file.seek(0)
            self._file.truncate()  # a clean stop leaves no pid behind for `status` to report
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
