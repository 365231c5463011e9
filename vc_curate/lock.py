"""One writer per local output: a lock file holding the writer's pid and host.

A second writer is refused with a one-line error. A lock whose holder is gone (same host, no such process:
a `kill -9`) is taken over, so `--resume` works after a crash. Remote outputs (s3://, gs://) are not locked:
a lock file on an object store is not atomic, so two runs into one remote OUT are not detected.
"""

from __future__ import annotations

import os
import socket
import uuid


class OutputLockedError(Exception):
    """Another live run is writing the same output."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


class OutputLock:
    def __init__(self, path: str, what: str):
        self.path, self.what = path, what
        self.held = False

    def acquire(self) -> None:
        me = f"{os.getpid()} {socket.gethostname()}\n"
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                self._take_over_if_stale()
                continue
            with os.fdopen(fd, "w") as f:
                f.write(me)
            self.held = True
            return
        raise OutputLockedError(f"{self.what} is locked ({self.path}), and the lock kept coming back")

    def _take_over_if_stale(self) -> None:
        try:
            with open(self.path) as f:
                pid_text, _, host = f.read().strip().partition(" ")
        except FileNotFoundError:
            return  # released meanwhile: try again
        pid = int(pid_text) if pid_text.isdigit() else None
        if host == socket.gethostname() and pid is not None and not _alive(pid):
            stale = f"{self.path}.stale-{uuid.uuid4().hex}"
            try:
                os.rename(self.path, stale)  # atomic: of two runs taking over, one wins, the other sees a live lock
                os.remove(stale)
            except FileNotFoundError:
                pass
            return
        holder = f"pid {pid_text} on {host}" if host else "another run"
        raise OutputLockedError(f"{self.what} is being written by {holder} (lock file {self.path}); if that run "
                                "is gone, delete the lock file")

    def release(self) -> None:
        if self.held:
            self.held = False
            try:
                os.remove(self.path)
            except FileNotFoundError:
                pass
