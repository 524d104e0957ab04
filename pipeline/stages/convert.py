"""Convert: DOCX to PDF with LibreOffice, the real converter.

LibreOffice's start-up (about a second) costs ten times more than converting a
form, so the converter keeps a small pool of warm LibreOffice instances, one per
CPU core by default. Each instance runs a Python macro (`lo_worker.py`) that converts
what it is sent over a socket on LibreOffice's own main thread, as `soffice --convert-to`
does (a second process driving it over a UNO bridge costs about a tenth more per
document); it owns a private profile (never shared with a desktop LibreOffice or another
asysta process) and lives in its own process group, so it can be killed whole
(`pipeline.stages.lo_instance`).

A batch is split across the instances through a shared queue. Each document has
a time limit; an instance that hangs or crashes is killed and restarted, and
the document gets one more attempt before it is given up as a ConversionError.
An instance is replaced after `recycle_after` documents, so LibreOffice's memory
cannot grow without bound. The pool starts in the background when the converter
is created, so the first form dropped in a watched inbox does not wait for it.

Without Python macros in LibreOffice (Debian: python3-uno and
libreoffice-script-provider-python) the converter falls back to `soffice --convert-to` calls
(`pipeline.stages.soffice`): start-up paid once per chunk of a batch, and no document is
ever silently left unconverted (one call stops after about 247 files).

Both paths export with the same options, `PDF_EXPORT`: PDF/A-2b, tagged. The
document's title, subject, author and language come from the DOCX itself
(`pipeline.pdf.pdfa.describe_docx`).
"""

from __future__ import annotations

import atexit
import errno
import os
import queue
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.config import Przetwarzanie
from pipeline.core.errors import RESOURCE_ERRNOS, ConversionError, ResourceError, os_reason
from pipeline.stages.lo_instance import (
    QUIT_TIMEOUT_S,
    Slot,
    Worker,
    WorkerFailed,
    find_uno_python,
    runs_macros,
)
from pipeline.stages.lo_instance import kill_strays as kill_strays
from pipeline.stages.soffice import PDF_EXPORT as PDF_EXPORT
from pipeline.stages.soffice import convert_all, find_soffice, is_pdf
from pipeline.stages.soffice import pdf_filter_options as pdf_filter_options

MAX_DEFAULT_WORKERS = 4  # each warm LibreOffice holds 100–200 MB
MAX_START_FAILURES = 3  # consecutive failed starts before the pool gives up for good
ATTEMPTS = 2  # per document: the first try and one retry
IDLE_CHECK_S = 5.0  # an idle instance that died is replaced within this time
# Less room than this where the PDF goes, after a failed export: the disk failed, not the
# document (LibreOffice only says that it could not store the file).
LOW_SPACE_BYTES = 1 << 20

_FAILURES = {
    "hang": "LibreOffice nie przekonwertował dokumentu w wyznaczonym czasie ({timeout:g} s, "
            "dwie próby)",
    "crash": "LibreOffice przerwał pracę przy tym dokumencie (dwie próby)",
    "document": "LibreOffice nie utworzył pliku PDF z tego dokumentu (dwie próby)",
    "start": "nie udało się uruchomić LibreOffice",
    "closed": "konwersję przerwano, bo program kończy pracę",
}
_ADVICE = " – wrzuć plik ponownie; jeśli błąd się powtarza, zgłoś to administratorowi"


def storage_problem(folder: Path, need: int = LOW_SPACE_BYTES) -> int | None:
    """The errno when `folder` cannot take `need` more bytes now (full disk, quota, I/O
    error, read-only), else None. A real write proves it: quotas do not show in statvfs."""
    try:
        info = os.statvfs(folder)
        if info.f_bavail * info.f_frsize < need or (info.f_files and not info.f_favail):
            return errno.ENOSPC
        fd, probe = tempfile.mkstemp(prefix=f".miejsce-{os.getpid()}-", dir=folder)
        try:
            block = bytes(min(need, 1 << 16))
            written = 0
            while written < need:
                written += os.write(fd, block)
            os.fsync(fd)
        finally:
            os.close(fd)
            os.unlink(probe)
    except OSError as exc:
        return exc.errno if exc.errno in RESOURCE_ERRNOS else None
    return None


def classify(failure: ConversionError, folder: Path, need: int = LOW_SPACE_BYTES) -> ConversionError:
    """A failed export where `folder` has no room is the disk's fault: the error then has a
    ResourceError as its cause (`errors.resource_failure` finds it) and a message saying so."""
    code = storage_problem(folder, need)
    if code is None:
        return failure
    text = (f"LibreOffice nie mógł zapisać pliku PDF: {os_reason(code)} w folderze {folder} – "
            "to nie jest błąd formularza")
    classified = ConversionError(text)
    classified.__cause__ = ResourceError(text, code)
    return classified


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def _need(docx: Path) -> int:
    """Room a PDF of this DOCX surely fits in (a form's PDF is a few times its DOCX)."""
    try:
        return max(LOW_SPACE_BYTES, 4 * docx.stat().st_size)
    except OSError:
        return LOW_SPACE_BYTES


@dataclass
class _Task:
    src: Path
    dst: Path
    attempts: int = 0
    start_failed: bool = False  # no LibreOffice could be started for it: use the fallback
    result: Path | ConversionError | None = None
    done: threading.Event = field(default_factory=threading.Event)


_live: weakref.WeakSet[Converter] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """No LibreOffice outlives the program, even when a converter was not closed."""
    for converter in list(_live):
        converter.close()


class Converter:
    """DOCX → PDF through warm private LibreOffice instances; use as a context manager.

    `timeout` limits one `soffice --convert-to` call of the fallback;
    `document_timeout` limits one document in the pool. `workers=0` means one per
    CPU core (at most MAX_DEFAULT_WORKERS); `recycle_after=0` never recycles.
    `pool=False` forces the fallback. Unset values come from `config.Przetwarzanie`.
    """

    def __init__(self, soffice: str = "", timeout: float = 120.0, *,
                 document_timeout: float | None = None, workers: int | None = None,
                 recycle_after: int | None = None, pool: bool = True) -> None:
        defaults = Przetwarzanie()
        self.soffice = find_soffice(soffice)
        self.timeout = timeout
        self.document_timeout = (defaults.konwersja_dokument_timeout_s
                                 if document_timeout is None else document_timeout)
        self.recycle_after = (defaults.restart_po_dokumentach
                              if recycle_after is None else recycle_after)
        count = defaults.konwertery if workers is None else workers
        self.workers = count or default_workers()
        self._pool_wanted = pool
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._pool: list[Worker] = []
        self._threads: list[threading.Thread] = []
        self._starter: threading.Thread | None = None
        self._decided = threading.Event()  # the pool exists, or we know it cannot
        self._start_failures = 0
        self._broken = False
        self._closed = False
        self._fallback_slot: Slot | None = None
        _live.add(self)
        if pool:
            self.warm()
        else:
            self._decided.set()

    @classmethod
    def from_settings(cls, cfg: Przetwarzanie) -> Converter:
        return cls(cfg.soffice, cfg.konwersja_timeout_s,
                   document_timeout=cfg.konwersja_dokument_timeout_s,
                   workers=cfg.konwertery, recycle_after=cfg.restart_po_dokumentach)

    # -- life cycle ----------------------------------------------------------------------

    def warm(self, wait: float = 0.0) -> bool:
        """Start the pool in the background (once); with `wait`, wait up to that many
        seconds until every instance listens. True when the pool is ready."""
        with self._lock:
            if self._starter is None and self._pool_wanted and not self._closed:
                self._starter = threading.Thread(target=self._start_pool, daemon=True,
                                                 name="asysta-lo-start")
                self._starter.start()
        deadline = time.monotonic() + wait
        self._decided.wait(wait)
        while True:
            ready = bool(self._pool) and all(w.ready and w.alive() for w in self._pool)
            if ready or time.monotonic() >= deadline or self._broken:
                return ready
            time.sleep(0.02)

    @property
    def uses_pool(self) -> bool:
        """Whether documents go to warm instances (False: the `soffice` fallback)."""
        self._decided.wait()
        return bool(self._pool) and not self._broken

    def soffice_pids(self) -> list[int]:
        """PIDs of the pool's running LibreOffice processes (diagnostics and tests)."""
        return [pid for worker in list(self._pool) for pid in worker.soffice_pids()]

    def _start_pool(self) -> None:
        try:
            if not runs_macros(self.soffice):
                return
            python = find_uno_python(self.soffice)
            if python is None:
                return
            with self._lock:
                if self._closed:
                    return
                for index in range(self.workers):
                    worker = Worker(python, self.soffice, Slot.claim(), index)
                    thread = threading.Thread(target=self._serve, args=(worker,), daemon=True,
                                              name=f"asysta-lo-{index}")
                    self._pool.append(worker)
                    self._threads.append(thread)
                    thread.start()
        finally:
            self._decided.set()

    def close(self, wait: bool = True) -> None:
        """Stop the pool. `wait=False` (a command that ends now) does not wait for the idle
        instances to finish quitting: each exits on its own a tenth of a second later."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        if self._starter is not None:
            self._starter.join()
        for _ in self._threads:
            self._queue.put(None)
        for worker in self._pool:  # idle ones quit now, in parallel
            worker.ask_to_quit()
        for thread in self._threads:
            thread.join(timeout=self.document_timeout + QUIT_TIMEOUT_S)
        busy = any(thread.is_alive() for thread in self._threads)  # a document hangs
        deadline = time.monotonic() + QUIT_TIMEOUT_S
        for worker in self._pool:
            if wait or busy:
                worker.stop(deadline)
            else:
                worker.let_go()
            worker.slot.release()
        while True:  # tasks of a batch still waiting (close from another thread)
            try:
                task = self._queue.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                self._finish(task, self._failure("closed"))
        if self._fallback_slot is not None:
            self._fallback_slot.release()
        _live.discard(self)

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- converting ------------------------------------------------------------------

    def convert(self, files: list[Path], outdir: Path) -> dict[Path, Path | ConversionError]:
        """PDFs for the given DOCX files, in `outdir`; a failure is returned, not raised."""
        if not files:
            return {}
        names = [f.stem for f in files]
        if len(set(names)) != len(names):
            raise ValueError("DOCX files in one batch need distinct names")
        if self._closed:
            raise RuntimeError("Converter is closed")
        results: dict[Path, Path | ConversionError] = {}
        leftover = list(files)
        if self._pool_wanted and self.uses_pool:
            tasks = [_Task(f.resolve(), (outdir / (f.stem + ".pdf")).resolve()) for f in files]
            for task in tasks:
                self._queue.put(task)
            for f, task in zip(files, tasks, strict=True):
                task.done.wait()
                assert task.result is not None
                ok = isinstance(task.result, Path)
                results[f] = outdir / (f.stem + ".pdf") if ok else task.result
            leftover = [f for f, task in zip(files, tasks, strict=True) if task.start_failed]
        if leftover:
            results.update(self._convert_with_soffice(leftover, outdir))
        return {f: results[f] for f in files}

    def _serve(self, worker: Worker) -> None:
        """One thread per instance: keep it warm, take documents from the shared queue."""
        while not self._closed:
            if not worker.alive() and not self._broken:
                self._try_start(worker)
            try:  # now and then, to replace an instance that died while idle
                task = self._queue.get(timeout=IDLE_CHECK_S)
            except queue.Empty:
                continue
            if task is None:
                return
            try:
                self._attempt(worker, task)
            except Exception:  # a bug here must not leave a batch waiting forever
                worker.kill()
                self._finish(task, self._failure("crash"))

    def _try_start(self, worker: Worker) -> bool:
        try:
            worker.start()
        except (WorkerFailed, OSError):
            with self._lock:
                self._start_failures += 1
                if self._start_failures >= MAX_START_FAILURES:
                    self._broken = True
            return False
        with self._lock:
            self._start_failures = 0
        return True

    def _attempt(self, worker: Worker, task: _Task) -> None:
        task.attempts += 1
        if self._closed:
            return self._finish(task, self._failure("closed"))
        if not worker.alive() and (self._broken or not self._try_start(worker)):
            task.start_failed = True
            return self._retry(task, "start")
        task.start_failed = False
        try:
            reply = worker.request({"src": str(task.src), "dst": str(task.dst)},
                                   self.document_timeout)
        except WorkerFailed as exc:  # hung or died: the worker is already killed
            return self._retry(task, exc.reason)
        if reply.get("ok") and is_pdf(task.dst):
            worker.documents += 1
            retire = bool(self.recycle_after) and worker.documents >= self.recycle_after
            if retire:
                worker.ready = False  # so that warm() waits for its successor
            self._finish(task, task.dst)
            if retire:
                worker.stop(time.monotonic() + QUIT_TIMEOUT_S)  # _serve starts a fresh one
            return None
        if reply.get("fatal"):
            worker.kill()
        return self._retry(task, "document")

    def _retry(self, task: _Task, reason: str) -> None:
        for leftover in (task.dst.with_name(task.dst.name + ".part"), task.dst):
            leftover.unlink(missing_ok=True)
        if task.attempts < ATTEMPTS and not self._closed and not self._broken:
            self._queue.put(task)  # to whichever instance is free; this one restarts first
        else:
            failure = self._failure("closed" if self._closed else reason)
            if reason in ("document", "crash") and not self._closed:
                failure = classify(failure, task.dst.parent, _need(task.src))
            self._finish(task, failure)

    def _failure(self, reason: str) -> ConversionError:
        text = _FAILURES[reason].format(timeout=self.document_timeout)
        return ConversionError(text + ("" if reason == "closed" else _ADVICE), reason)

    @staticmethod
    def _finish(task: _Task, result: Path | ConversionError) -> None:
        task.result = result
        task.done.set()

    # -- fallback: `soffice --convert-to` calls (pipeline.stages.soffice) -------------------

    def _convert_with_soffice(self, files: list[Path],
                              outdir: Path) -> dict[Path, Path | ConversionError]:
        with self._lock:
            if self._fallback_slot is None:
                self._fallback_slot = Slot.claim()
            profile = self._fallback_slot.profile
        failed = set(convert_all(self.soffice, profile, files, outdir, self.timeout))
        return {f: outdir / (f.stem + ".pdf") if f not in failed else classify(ConversionError(
            "LibreOffice nie utworzył pliku PDF (przekroczony czas albo błąd programu)"
            + _ADVICE), outdir, _need(f)) for f in files}
