"""Convert: DOCX to PDF with LibreOffice, the real converter.

LibreOffice's start-up (about a second) costs ten times more than converting a
form, so the converter keeps a small pool of warm LibreOffice instances, one per
CPU core by default. Each instance is driven by a worker process
(`lo_worker.py`, run by a Python that has python3-uno) over UNO, owns a private
profile (never shared with a desktop LibreOffice or another asysta process) and
lives in its own process group, so it can be killed whole.

A batch is split across the instances through a shared queue. Each document has
a time limit; an instance that hangs or crashes is killed and restarted, and
the document gets one more attempt before it is given up as a ConversionError.
An instance is replaced after `recycle_after` documents, so LibreOffice's memory
cannot grow without bound. The pool starts in the background when the converter
is created, so the first form dropped in a watched inbox does not wait for it.

Without python3-uno the converter falls back to one `soffice --convert-to` call
per batch (start-up paid once per batch), retrying failed files one by one.

Both paths export with the same options, `PDF_EXPORT`: PDF/A-2b, tagged. The
document's title, subject, author and language come from the DOCX itself
(`pipeline.pdf.pdfa.describe_docx`).
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import queue
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.core.config import Przetwarzanie
from pipeline.core.errors import RESOURCE_ERRNOS, ConversionError, ResourceError, os_reason

PROFILE_SLOTS = 32
MAX_DEFAULT_WORKERS = 4  # each warm LibreOffice holds 100–200 MB
START_TIMEOUT_S = 60.0  # a LibreOffice that is not listening by then is killed
QUIT_TIMEOUT_S = 5.0  # a graceful exit; then the process group is killed
MAX_START_FAILURES = 3  # consecutive failed starts before the pool gives up for good
ATTEMPTS = 2  # per document: the first try and one retry
IDLE_CHECK_S = 5.0  # an idle instance that died is replaced within this time
WORKER_SCRIPT = Path(__file__).with_name("lo_worker.py")
# Less room than this where the PDF goes, after a failed export: the disk failed, not the
# document (LibreOffice only says that it could not store the file).
LOW_SPACE_BYTES = 1 << 20

# LibreOffice's writer_pdf_Export options for every PDF, in the pool and in the fallback.
PDF_EXPORT: dict[str, bool | int] = {
    "SelectPdfVersion": 2,  # PDF/A-2b (ISO 19005-2, level B): XMP, sRGB output intent, fonts
    "UseTaggedPDF": True,  # structure tree, reading order, headings for screen readers
    "ExportBookmarks": True,  # heading styles become bookmarks
    "DisplayPDFDocumentTitle": True,  # the window shows the title, not the file name
    "ExportFormFields": False,  # an archived document is not a form to fill
    "ExportNotes": False,  # comments left in a centre's template stay out of the archive
}


def pdf_filter_options() -> str:
    """`PDF_EXPORT` in LibreOffice's JSON form: {"Name": {"type": "long", "value": "2"}}."""
    typed = {name: {"type": "boolean", "value": str(value).lower()} if isinstance(value, bool)
             else {"type": "long", "value": str(value)} for name, value in PDF_EXPORT.items()}
    return json.dumps(typed, separators=(",", ":"))


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


def kill_strays(profile: Path) -> int:
    """Kill what still runs on this profile: we hold its slot lock, so any such process is
    left over from an asysta that was killed (its LibreOffice would break ours)."""
    needle = profile.as_uri().encode()
    killed = 0
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int(entry.name) == os.getpid() or needle not in (entry / "cmdline").read_bytes():
                continue
            os.kill(int(entry.name), signal.SIGKILL)
            killed += 1
        except (OSError, ValueError):
            continue
    return killed


def find_soffice(configured: str = "") -> str:
    candidates = [configured] if configured else ["soffice", "libreoffice"]
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                 "/opt/libreoffice/program/soffice"):
        if os.access(path, os.X_OK):
            return path
    raise ConversionError(
        "nie znaleziono LibreOffice (soffice) – zainstaluj pakiet libreoffice-writer-nogui "
        "albo podaj ścieżkę w asysta.toml: [przetwarzanie] soffice = \"…\""
    )


_UNO_CHECK = "import uno; from com.sun.star.beans import PropertyValue"
_uno_pythons: dict[str, str | None] = {}
_uno_lock = threading.Lock()


def find_uno_python(soffice: str) -> str | None:
    """A Python that can `import uno` (LibreOffice's own, Debian's python3-uno), or None.

    The application's Python usually cannot: pyuno is built for the system Python.
    """
    with _uno_lock:
        if soffice not in _uno_pythons:
            program = Path(soffice).resolve().parent
            candidates = [str(program / "python"), sys.executable, "/usr/bin/python3",
                          shutil.which("python3") or ""]
            _uno_pythons[soffice] = None
            for python in dict.fromkeys(c for c in candidates if c and os.access(c, os.X_OK)):
                try:
                    # PropertyValue too: PyPI has an unrelated package called "uno"
                    check = subprocess.run([python, "-I", "-c", _UNO_CHECK], timeout=30,
                                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)
                except (OSError, subprocess.TimeoutExpired):
                    continue
                if check.returncode == 0:
                    _uno_pythons[soffice] = python
                    break
        return _uno_pythons[soffice]


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_WORKERS))


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asysta" / "libreoffice"


@dataclass
class _Slot:
    """A LibreOffice profile folder that no other running converter uses."""

    profile: Path
    lock_fd: int | None  # flock held for our lifetime; None for a temporary profile
    temporary: bool

    @classmethod
    def claim(cls) -> _Slot:
        try:
            root = _cache_root()
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            return cls(Path(tempfile.mkdtemp(prefix="asysta-lo-")), None, True)
        for slot in range(PROFILE_SLOTS):
            try:
                fd = os.open(root / f"profil-{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            except OSError:
                break
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            return cls(root / f"profil-{slot}", fd, False)
        return cls(Path(tempfile.mkdtemp(prefix="asysta-lo-")), None, True)

    def release(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None
        if self.temporary:
            shutil.rmtree(self.profile, ignore_errors=True)


def _need(docx: Path) -> int:
    """Room a PDF of this DOCX surely fits in (a form's PDF is a few times its DOCX)."""
    try:
        return max(LOW_SPACE_BYTES, 4 * docx.stat().st_size)
    except OSError:
        return LOW_SPACE_BYTES


def _is_pdf(pdf: Path) -> bool:
    try:
        with pdf.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(-1024, os.SEEK_END) if pdf.stat().st_size > 1024 else handle.seek(0)
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def _group_members(pgid: int, name: str = "") -> list[int]:
    """Live (not zombie) processes of a process group whose name starts with `name`."""
    pids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return pids
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        comm, _, rest = stat.partition(" (")[2].rpartition(") ")
        fields = rest.split()
        if fields and fields[0] != "Z" and int(fields[2]) == pgid and comm.startswith(name):
            pids.append(int(entry))
    return pids


class _WorkerFailed(Exception):
    def __init__(self, reason: str) -> None:  # "start", "hang" or "crash"
        super().__init__(reason)
        self.reason = reason


class _Worker:
    """Parent side of one `lo_worker.py` process and its LibreOffice."""

    def __init__(self, python: str, soffice: str, slot: _Slot, index: int) -> None:
        self.python = python
        self.soffice = soffice
        self.slot = slot
        self.index = index
        self.process: subprocess.Popen[bytes] | None = None
        self.documents = 0  # converted since the last start
        self.ready = False  # started and listening
        self._buffer = b""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the worker and its LibreOffice; a broken profile is wiped and tried once more."""
        # A worker that exited on its own (its LibreOffice died while idle) is reaped, with
        # what is left of its group, and is not "ready" until its successor says so.
        self.kill()
        for attempt in range(2):
            if attempt:
                shutil.rmtree(self.slot.profile, ignore_errors=True)
            # One name per profile: LibreOffice reuses a stale socket left by a killed
            # instance, so /tmp holds at most one per profile slot.
            digest = hashlib.sha256(str(self.slot.profile).encode()).hexdigest()[:16]
            pipe = f"asysta-{self.slot.profile.name}-{digest}"
            kill_strays(self.slot.profile)
            self.process = subprocess.Popen(
                [self.python, "-I", str(WORKER_SCRIPT), "--soffice", self.soffice,
                 "--profile", self.slot.profile.as_uri(), "--pipe", pipe,
                 "--start-timeout", str(START_TIMEOUT_S),
                 "--filter-options", pdf_filter_options()],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed whole, LibreOffice too
            )
            self._buffer = b""
            self.documents = 0
            try:
                if self._read(START_TIMEOUT_S + 5).get("ready"):
                    self.ready = True
                    return
            except _WorkerFailed:
                pass
            self.kill()
        raise _WorkerFailed("start")

    def request(self, message: dict[str, object], timeout: float) -> dict[str, object]:
        assert self.process is not None and self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode("utf-8"))
            self.process.stdin.flush()
        except (OSError, ValueError):  # a dead worker, or its input closed by close()
            self.kill()
            raise _WorkerFailed("crash") from None
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, object]:
        """One reply line; a hang or an exit kills the worker and raises."""
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise _WorkerFailed("hang")
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                chunk = os.read(fd, 65536)
                if not chunk:
                    self.kill()
                    raise _WorkerFailed("crash")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            self.kill()
            raise _WorkerFailed("crash")
        return reply

    def ask_to_quit(self) -> None:
        stdin = self.process.stdin if self.process is not None else None
        if stdin is not None and not stdin.closed:
            try:
                stdin.write(b'{"quit": true}\n')
                stdin.close()  # end of input: it quits after the current document
            except (OSError, ValueError):
                pass

    def stop(self, deadline: float) -> None:
        """Graceful exit until `deadline` (monotonic), then the whole group is killed."""
        self.ready = False
        self.ask_to_quit()
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(max(0.0, deadline - time.monotonic()))
        self.kill()

    def kill(self) -> None:
        """Kill the worker's process group (LibreOffice included) and reap the worker."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # A successor must not meet a dying LibreOffice on the same profile and pipe.
        deadline = time.monotonic() + QUIT_TIMEOUT_S
        while _group_members(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                if stream:
                    stream.close()
            except OSError:
                pass
        self.process = None
        self.ready = False
        self._buffer = b""

    def soffice_pids(self) -> list[int]:
        process = self.process
        return _group_members(process.pid, "soffice") if process is not None else []


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
        self._pool: list[_Worker] = []
        self._threads: list[threading.Thread] = []
        self._starter: threading.Thread | None = None
        self._decided = threading.Event()  # the pool exists, or we know it cannot
        self._start_failures = 0
        self._broken = False
        self._closed = False
        self._fallback_slot: _Slot | None = None
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
            python = find_uno_python(self.soffice)
            if python is None:
                return
            with self._lock:
                if self._closed:
                    return
                for index in range(self.workers):
                    worker = _Worker(python, self.soffice, _Slot.claim(), index)
                    thread = threading.Thread(target=self._serve, args=(worker,), daemon=True,
                                              name=f"asysta-lo-{index}")
                    self._pool.append(worker)
                    self._threads.append(thread)
                    thread.start()
        finally:
            self._decided.set()

    def close(self) -> None:
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
        deadline = time.monotonic() + QUIT_TIMEOUT_S
        for worker in self._pool:
            worker.stop(deadline)
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

    def _serve(self, worker: _Worker) -> None:
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

    def _try_start(self, worker: _Worker) -> bool:
        try:
            worker.start()
        except (_WorkerFailed, OSError):
            with self._lock:
                self._start_failures += 1
                if self._start_failures >= MAX_START_FAILURES:
                    self._broken = True
            return False
        with self._lock:
            self._start_failures = 0
        return True

    def _attempt(self, worker: _Worker, task: _Task) -> None:
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
        except _WorkerFailed as exc:  # hung or died: the worker is already killed
            return self._retry(task, exc.reason)
        if reply.get("ok") and _is_pdf(task.dst):
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

    # -- fallback: one `soffice --convert-to` call per batch -----------------------------

    def _convert_with_soffice(self, files: list[Path],
                              outdir: Path) -> dict[Path, Path | ConversionError]:
        with self._lock:
            if self._fallback_slot is None:
                self._fallback_slot = _Slot.claim()
            profile = self._fallback_slot.profile
        self._run_soffice(profile, files, outdir)
        missing = [f for f in files if not _is_pdf(outdir / (f.stem + ".pdf"))]
        for f in missing:  # one more attempt each, alone: a bad file cannot sink the others
            self._run_soffice(profile, [f], outdir)
        results: dict[Path, Path | ConversionError] = {}
        for f in files:
            pdf = outdir / (f.stem + ".pdf")
            results[f] = pdf if _is_pdf(pdf) else classify(ConversionError(
                "LibreOffice nie utworzył pliku PDF (przekroczony czas albo błąd programu)"
                + _ADVICE
            ), outdir, _need(f))
        return results

    def _run_soffice(self, profile: Path, files: list[Path], outdir: Path) -> None:
        command = [
            self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
            "--nolockcheck", "--nodefault",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", f"pdf:writer_pdf_Export:{pdf_filter_options()}",
            "--outdir", str(outdir),
            *(str(f) for f in files),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=self.timeout + 2 * len(files))
        # whatever it left behind (a hung or lingering instance) goes too
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
