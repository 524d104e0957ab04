"""The watched inbox: native file events (or polling on network shares), a wait until
each file stops changing, a periodic full rescan as a safety net, and batches
handed to the pipeline. The watcher never dies on a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import stat
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from watchdog.events import FileMovedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError, ResourceError
from pipeline.core.fsutil import make_private_dirs, sweep
from pipeline.core.models import Outcome
from pipeline.flow.process import Report, after_batch, process_files
from pipeline.ops import stan, straz
from pipeline.ops.heartbeat import Heartbeat
from pipeline.scans import skany
from pipeline.sprawa.register import families
from pipeline.stages import holding, render
from pipeline.stages.convert import Converter
from pipeline.stages.intake import is_ignored

LOCK_NAME = ".asysta-obserwator.lock"
STUCK_WRITER_S = 30.0  # a file written to, never closed and unchanged this long is taken anyway
RECENT_OUTCOMES = 1000
MAX_BATCH = 64  # files handed to the pipeline at once (LibreOffice gets them together)
RETRY_FIRST_S = 30.0  # a file left in the inbox for a full disk is taken again after this,
RETRY_MAX_S = 600.0  # and the wait doubles up to this while the failure lasts
HEALTH_EVERY_S = 60.0  # `asysta stan` (without LibreOffice) for index.html's banner


@dataclass
class _Pending:
    seen: float  # monotonic time of the last event or size change
    size: int
    mtime_ns: int
    writing: bool  # a "modified" event said it is being written and no "closed" came yet
    closed: bool = False  # a writer closed it: complete, even when empty


class WatcherBusy(AsystaError):
    pass


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write", "deleted"):
            return
        if isinstance(event, FileMovedEvent):  # renamed inside the inbox: already complete
            self.watcher.note(Path(os.fsdecode(event.dest_path)), writing=False, complete=True)
        else:
            # Only "modified" means a writer is at work (until its "closed" event comes). A
            # file moved in from another folder arrives as "created" with no close event
            # ever: it is complete, and a steady size and time decide, as with polling.
            self.watcher.note(Path(os.fsdecode(event.src_path)),
                              writing=event.event_type == "modified",
                              closed=event.event_type == "closed")


class Watcher:
    """Watch `settings.inbox`; call `run()` (until stopped) or `run_once()`."""

    def __init__(self, settings: Settings, converter: Converter, *, polling: bool = False,
                 report: Report | None = None) -> None:
        self.settings = settings
        self.converter = converter
        self.polling = polling
        self.report = report
        cfg = settings.przetwarzanie
        self.settle = cfg.stabilnosc_polling_s if polling else cfg.stabilnosc_s
        self.pending: dict[Path, _Pending] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        # the latest outcomes (bounded: a watcher runs for months) and a count of all of them
        self.outcomes: deque[Outcome] = deque(maxlen=RECENT_OUTCOMES)
        self.counts: Counter[str] = Counter()
        self._lock_fd: int | None = None
        # files left for lack of space (or an I/O error): not taken again until then
        self.deferred: dict[Path, float] = {}
        self.retry_s = RETRY_FIRST_S
        self.scan_report: skany.ScanReport | None = None
        self.scan_outcomes: deque[skany.ScanOutcome] = deque(maxlen=RECENT_OUTCOMES)
        self.heartbeat = Heartbeat(settings.outbox)  # read by `asysta stan`
        self._health_at = 0.0

    # -- state -------------------------------------------------------------------------

    def note(self, path: Path, writing: bool, complete: bool = False, closed: bool = False) -> None:
        """An event (or a rescan) says this file may be new or changing; `complete` when it
        was renamed into the inbox, which happens only once it is whole; `closed` when its
        writer closed it."""
        if path.parent not in (self.settings.inbox, self.settings.scans) or is_ignored(path.name):
            return
        writing = writing and not self.polling  # polling never reports a close
        try:
            info = path.lstat()
        except FileNotFoundError:
            return
        if stat.S_ISDIR(info.st_mode):  # e.g. odrzucone/ itself: folders are never forms
            return
        with self.lock:
            if self.deferred.get(path, 0.0) > time.monotonic():  # backing off
                return
            self.deferred.pop(path, None)
            old = self.pending.get(path)
            if old and not writing and old.size == info.st_size and old.mtime_ns == info.st_mtime_ns:
                old.writing = False  # a close or a rescan: no new data
                old.closed = old.closed or closed
            else:
                seen = time.monotonic() - (self.settle if complete else 0.0)
                self.pending[path] = _Pending(seen, info.st_size, info.st_mtime_ns, writing,
                                              closed)
        self.wake.set()

    def rescan(self) -> None:
        with contextlib.suppress(OSError):  # forms held for a template error, once it changed
            holding.release(self.settings)
        entries = []
        for folder in (self.settings.inbox, self.settings.scans):  # forms, then scans
            with contextlib.suppress(FileNotFoundError):
                entries += list(os.scandir(folder))
        for entry in entries:
            if not entry.is_dir(follow_symlinks=False):  # found by a look, not by an event:
                self.note(Path(entry.path), writing=False, closed=True)  # taken as complete

    def _ready(self) -> list[Path]:
        """Files that stopped changing: same size and time for `settle` seconds; at most
        MAX_BATCH of them, oldest names first, so a flood is taken in steady steps."""
        now = time.monotonic()
        ready: list[Path] = []
        with self.lock:
            for path, state in sorted(self.pending.items()):
                if len(ready) >= MAX_BATCH:
                    break
                try:
                    info = path.lstat()
                except FileNotFoundError:
                    del self.pending[path]
                    continue
                if (info.st_size, info.st_mtime_ns) != (state.size, state.mtime_ns):
                    state.size, state.mtime_ns, state.seen = info.st_size, info.st_mtime_ns, now
                    continue
                quiet = now - state.seen
                # an empty file not yet closed is most often one whose writer has not
                # written yet (polling never sees a close: it waits `settle` as always)
                waiting = state.writing or (state.size == 0 and not state.closed
                                            and not self.polling)
                if quiet >= self.settle and (not waiting or quiet >= STUCK_WRITER_S):
                    ready.append(path)
                    del self.pending[path]
        return sorted(ready)

    # -- running -----------------------------------------------------------------------

    def _claim_inbox(self) -> None:
        """One watcher per inbox: a second one would race the first for every file."""
        make_private_dirs(self.settings.inbox)
        make_private_dirs(self.settings.scans)  # the copier's folder
        fd = os.open(self.settings.inbox / LOCK_NAME,
                     os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise WatcherBusy(
                f"folder {self.settings.inbox} jest już obserwowany przez inny proces asysta "
                "– zatrzymaj go albo wskaż inny folder"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        sweep(self.settings.outbox)  # what a killed run left half-done

    def _release_inbox(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _process(self, paths: list[Path]) -> None:
        if self._guarded():  # a mass change (ransomware?): nothing is filed; the files wait
            return
        scans = [p for p in paths if p.parent == self.settings.scans]
        if scans:
            self._process_scans(scans)
        forms = [p for p in paths if p.parent != self.settings.scans]
        if forms:
            self._process_forms(forms)

    def _process_scans(self, paths: list[Path]) -> None:
        """Signed scans filed beside their documents; the checklists of their families
        are refreshed (a signed document is no longer `niepodpisany`)."""
        try:
            outcomes = skany.process_scans(paths, self.settings, self.scan_report)
            touched = sorted({r for o in outcomes for r in o.rodziny})
            if touched:
                after_batch(self.settings, self.converter, touched)
        except Exception as exc:  # never die on a file: log and carry on
            with contextlib.suppress(ResourceError):
                journal.log(self.settings.outbox, "blad", wynik=type(exc).__name__)
            return
        self.scan_outcomes.extend(outcomes)
        self._back_off([self.settings.scans / o.name for o in outcomes
                        if o.status == "pozostawiony"])

    def _process_forms(self, paths: list[Path]) -> None:
        try:
            outcomes = process_files(paths, self.settings, self.converter, self.report)
        except Exception as exc:  # never die on a file: log and carry on
            with contextlib.suppress(ResourceError):
                journal.log(self.settings.outbox, "blad", wynik=type(exc).__name__)
            return
        for outcome in outcomes:
            self.outcomes.append(outcome)
            self.counts[outcome.status] += 1
        self._back_off([self.settings.inbox / o.name for o in outcomes
                        if o.status == "pozostawiony"])

    def _health(self) -> None:
        """The health check for index.html's banner, at most once a minute."""
        if time.monotonic() < self._health_at:
            return
        self._health_at = time.monotonic() + HEALTH_EVERY_S
        with contextlib.suppress(Exception):
            stan.run(self.settings, libreoffice=False)

    def _guarded(self) -> bool:
        with contextlib.suppress(OSError):
            straz.check(self.settings.outbox, self.settings.kopia.prog_zmian_procent)
        return straz.blocked(self.settings.outbox) is not None

    def _back_off(self, left: list[Path]) -> None:
        """Files left for a full disk wait `retry_s` (doubling while it lasts): retrying at
        once would only fail again and fill the screen; a batch that fits resets the wait."""
        if not left:
            self.retry_s = RETRY_FIRST_S
            return
        retry_at = time.monotonic() + self.retry_s
        with self.lock:
            for path in left:
                self.deferred[path] = retry_at
        self.retry_s = min(self.retry_s * 2, RETRY_MAX_S)

    def _retry_due(self) -> None:
        """Files whose back-off has ended are taken again (complete: they were whole)."""
        now = time.monotonic()
        with self.lock:
            due = [path for path, at in self.deferred.items() if at <= now]
            for path in due:  # gone meanwhile or not: it is no longer deferred
                del self.deferred[path]
        for path in due:
            self.note(path, writing=False, complete=True)

    def run_once(self) -> deque[Outcome]:
        """Process what is in the inbox now (waiting until each file is complete), then return."""
        self._claim_inbox()
        try:
            self.rescan()
            while self.pending:
                ready = self._ready()
                if ready:
                    self._process(ready)
                else:
                    time.sleep(min(0.1, self.settle))
            # checklists a killed earlier run never refreshed, and the passing of time
            if not self._guarded():
                after_batch(self.settings, self.converter, families(self.settings.outbox))
        finally:
            self._release_inbox()
        return self.outcomes

    def run(self, on_ready: Callable[[], None] | None = None) -> None:
        """Watch until `stop()` (or Ctrl+C in the CLI)."""
        self._claim_inbox()
        if threading.current_thread() is threading.main_thread():  # systemctl stop: a clean end
            signal.signal(signal.SIGTERM, lambda *_: self.stop())
        cfg = self.settings.przetwarzanie
        observer = PollingObserver(timeout=cfg.polling_co_s) if self.polling else Observer()
        observer.schedule(_Handler(self), str(self.settings.inbox), recursive=False)
        if self.settings.scans.resolve() != self.settings.inbox.resolve():
            observer.schedule(_Handler(self), str(self.settings.scans), recursive=False)
        observer.start()
        self.heartbeat.start()
        with contextlib.suppress(ResourceError):  # a full disk must not stop the watcher
            journal.log(self.settings.outbox, "start_obserwacji",
                        wynik="polling" if self.polling else "zdarzenia")
        threading.Thread(target=render.prepare_all, args=(self.settings,), daemon=True).start()
        try:
            self.rescan()  # files dropped while nobody was watching
            if on_ready:
                on_ready()
            next_rescan = time.monotonic() + cfg.przeglad_s
            today: date | None = None  # refresh once when idle: the watcher may have slept
            while not self.stopping.is_set():
                self._retry_due()
                ready = self._ready()
                if ready:
                    self._process(ready)
                    continue
                if date.today() != today and not self.pending and not self._guarded():
                    today = date.today()  # time alone turns "oczekuje" into "brak"
                    after_batch(self.settings, self.converter, families(self.settings.outbox))
                if time.monotonic() >= next_rescan:
                    self._health()
                    self.rescan()
                    next_rescan = time.monotonic() + cfg.przeglad_s
                self.wake.wait(timeout=0.05 if self.pending else 1.0)
                self.wake.clear()
        finally:
            observer.stop()
            observer.join(timeout=5)
            self.heartbeat.stop()
            with contextlib.suppress(ResourceError):
                journal.log(self.settings.outbox, "koniec_obserwacji")
            self._release_inbox()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()
