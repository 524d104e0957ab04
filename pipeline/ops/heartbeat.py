"""The watcher's heartbeat: `outbox/.stan/obserwator.json`, refreshed while it runs.

`asysta stan` reads it: a heartbeat older than `[stan] obserwator_cisza_s`, one whose
process is gone, or one the watcher marked as stopped means nobody files the inbox.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.fsutil import ensure_private_dir, replace
from pipeline.documents.banner import STATE_DIR

HEARTBEAT_NAME = "obserwator.json"
BEAT_EVERY_S = 10.0  # the watcher writes this often


def heartbeat_path(outbox: Path) -> Path:
    return outbox / STATE_DIR / HEARTBEAT_NAME


class Heartbeat:
    """A daemon thread of the watcher writes the heartbeat every BEAT_EVERY_S while the process
    runs, also while a long batch or a backup holding the archive lock keeps the main loop
    busy (a loop that makes no progress shows in `stan` as files waiting in the inbox)."""

    def __init__(self, outbox: Path) -> None:
        self.path = heartbeat_path(outbox)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def write(self, running: bool = True) -> None:
        body = {"pid": os.getpid(), "czas": time.time(), "dziala": running}
        try:
            ensure_private_dir(self.path.parent)
            replace(self.path, json.dumps(body).encode("utf-8"))
        except OSError:
            pass  # a full disk: the heartbeat goes stale and `stan` says so

    def _run(self) -> None:
        while not self._stop.is_set():
            self.write()
            self._stop.wait(BEAT_EVERY_S)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="asysta-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """The watcher ends: the heartbeat says so (a stopped watcher is not a dead one)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.write(running=False)


@dataclass(frozen=True)
class Pulse:
    age_s: float | None  # None: no heartbeat was ever written
    pid: int | None
    running: bool  # the watcher did not mark itself stopped
    alive: bool  # its process exists (always True when it cannot be told)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process (the service user): it exists
        return True
    return True


def read(outbox: Path) -> Pulse:
    try:
        body = json.loads(heartbeat_path(outbox).read_text(encoding="utf-8"))
        pid, when, running = int(body["pid"]), float(body["czas"]), bool(body["dziala"])
    except (OSError, ValueError, KeyError, TypeError):
        return Pulse(None, None, False, False)
    return Pulse(max(0.0, time.time() - when), pid, running, _alive(pid))
