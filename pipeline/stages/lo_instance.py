"""A warm LibreOffice for the converter's pool: its private profile slot and the parent
side of the `lo_worker.py` macro that converts inside it (`pipeline.stages.convert`).

Each instance owns a private profile (never shared with a desktop LibreOffice or another
asysta process) and lives in its own process group, so it can be killed whole. The macro
talks to its parent over a Unix socket in a folder only the parent's user can enter.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.fsutil import cache_dir, replace, replace_if_changed
from pipeline.stages.soffice import pdf_filter_options

PROFILE_SLOTS = 32
START_TIMEOUT_S = 60.0  # a LibreOffice that is not listening by then is killed
QUIT_TIMEOUT_S = 5.0  # a graceful exit; then the process group is killed
WORKER_SCRIPT = Path(__file__).with_name("lo_worker.py")
MACRO_FILE = "asysta_lo_worker.py"  # its name in the profile's user/Scripts/python/
MACRO_URL = f"vnd.sun.star.script:{MACRO_FILE}$serve?language=Python&location=user"
SOCKET_ENV = "ASYSTA_LO_SOCKET"  # lo_worker.SOCKET_ENV
FILTER_ENV = "ASYSTA_LO_FILTER"  # lo_worker.FILTER_ENV


def runs_macros(soffice: str) -> bool:
    """Whether this LibreOffice can run Python macros (Debian: libreoffice-script-provider-python)."""
    return (Path(soffice).resolve().parent / "pythonscript.py").is_file()


def install_macro(profile: Path) -> None:
    """The worker macro in the profile, as this asysta ships it."""
    folder = profile / "user" / "Scripts" / "python"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    replace_if_changed(folder / MACRO_FILE, [WORKER_SCRIPT.read_bytes()])


def macro_environment(python: str, address: str) -> dict[str, str]:
    """LibreOffice's environment for the macro. Its embedded Python finds its standard
    library through the first `python3` on PATH: that must be the one pyuno belongs to,
    not a virtualenv's or pyenv's (a different build makes LibreOffice abort)."""
    path = os.environ.get("PATH", os.defpath)
    return {**os.environ, "PATH": f"{os.path.dirname(python)}{os.pathsep}{path}",
            SOCKET_ENV: address, FILTER_ENV: pdf_filter_options()}


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


_UNO_CHECK = "import uno; from com.sun.star.beans import PropertyValue; print(uno.__file__)"
_uno_pythons: dict[str, str | None] = {}
_uno_lock = threading.Lock()


def find_uno_python(soffice: str) -> str | None:
    """A Python that can `import uno` (LibreOffice's own, Debian's python3-uno), or None.

    The application's Python usually cannot: pyuno is built for the system Python. Asking
    each candidate takes a few tenths of a second, so the answer is remembered in the cache
    folder for as long as that Python, its `uno` module and LibreOffice stay the same files.
    """
    with _uno_lock:
        if soffice not in _uno_pythons:
            _uno_pythons[soffice] = _remembered_uno_python(soffice) or _probe_uno_python(soffice)
        return _uno_pythons[soffice]


def _probe_uno_python(soffice: str) -> str | None:
    program = Path(soffice).resolve().parent
    candidates = [str(program / "python"), sys.executable, "/usr/bin/python3",
                  shutil.which("python3") or ""]
    for python in dict.fromkeys(c for c in candidates if c and os.access(c, os.X_OK)):
        try:
            # PropertyValue too: PyPI has an unrelated package called "uno"
            check = subprocess.run([python, "-I", "-c", _UNO_CHECK], timeout=30,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if check.returncode == 0:
            module = check.stdout.decode("utf-8", "replace").strip()
            _remember_uno_python(soffice, python, module)
            return python
    return None


_UNO_CACHE = "python-uno.json"


def _identity(*paths: str) -> list[list[int]] | None:
    """What tells these files from their replacements (an upgrade, a reinstall)."""
    try:
        return [[info.st_ino, info.st_size, info.st_mtime_ns]
                for info in (os.stat(p) for p in paths)]
    except OSError:
        return None


def _remembered_uno_python(soffice: str) -> str | None:
    try:
        known = json.loads((cache_root() / _UNO_CACHE).read_text(encoding="utf-8"))
        python, module = known["python"], known["uno"]
        if known["soffice"] == soffice and known["pliki"] == _identity(soffice, python, module):
            return str(python)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _remember_uno_python(soffice: str, python: str, module: str) -> None:
    files = _identity(soffice, python, module)
    if files is None:
        return
    with contextlib.suppress(OSError):
        root = cache_root()
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        data = {"soffice": soffice, "python": python, "uno": module, "pliki": files}
        replace(root / _UNO_CACHE, json.dumps(data).encode("utf-8"))


def cache_root() -> Path:
    return cache_dir("libreoffice")


@dataclass
class Slot:
    """A LibreOffice profile folder that no other running converter uses."""

    profile: Path
    lock_fd: int | None  # flock held for our lifetime; None for a temporary profile
    temporary: bool

    @classmethod
    def claim(cls) -> Slot:
        try:
            root = cache_root()
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


def group_members(pgid: int, name: str = "") -> list[int]:
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


class WorkerFailed(Exception):
    def __init__(self, reason: str) -> None:  # "start", "hang" or "crash"
        super().__init__(reason)
        self.reason = reason


class Worker:
    """Parent side of one LibreOffice running the `lo_worker.py` macro."""

    def __init__(self, python: str, soffice: str, slot: Slot, index: int) -> None:
        self.python = python  # a Python with pyuno: LibreOffice's embedded one must find it
        self.soffice = soffice
        self.slot = slot
        self.index = index
        self.process: subprocess.Popen[bytes] | None = None
        self.channel: socket.socket | None = None
        self.documents = 0  # converted since the last start
        self.ready = False  # started and listening
        self._quit_sent = False
        self._buffer = b""

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start LibreOffice with the macro; a broken profile is wiped and tried once more."""
        # An instance that exited on its own (it died while idle) is reaped, with what is
        # left of its group, and is not "ready" until its successor says so.
        self.kill()
        for attempt in range(2):
            if attempt:
                shutil.rmtree(self.slot.profile, ignore_errors=True)
            kill_strays(self.slot.profile)
            try:
                self._launch()
                if self._read(START_TIMEOUT_S).get("ready"):
                    self.ready = True
                    return
            except (WorkerFailed, OSError):
                pass
            self.kill()
        raise WorkerFailed("start")

    def _launch(self) -> None:
        """LibreOffice running the macro, and the socket it has connected to."""
        install_macro(self.slot.profile)
        folder = tempfile.mkdtemp(prefix="asysta-lo-")  # 0700: only we can connect
        address = os.path.join(folder, "s")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(address)
            listener.listen(1)
            self.process = subprocess.Popen(
                [self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
                 "--nolockcheck", "--nodefault", f"-env:UserInstallation={self.slot.profile.as_uri()}",
                 MACRO_URL],
                env=macro_environment(self.python, address),
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killed whole
            )
            self._buffer = b""
            self._quit_sent = False
            self.documents = 0
            deadline = time.monotonic() + START_TIMEOUT_S
            while not select.select([listener], [], [], 0.05)[0]:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise WorkerFailed("start")
            self.channel, _ = listener.accept()
        finally:
            listener.close()
            shutil.rmtree(folder, ignore_errors=True)  # a connection needs no name

    def request(self, message: dict[str, object], timeout: float) -> dict[str, object]:
        assert self.channel is not None
        try:
            self.channel.sendall((json.dumps(message) + "\n").encode("utf-8"))
        except OSError:  # LibreOffice is gone
            self.kill()
            raise WorkerFailed("crash") from None
        return self._read(timeout)

    def _read(self, timeout: float) -> dict[str, object]:
        """One reply line; a hang or an exit kills the worker and raises."""
        assert self.channel is not None
        fd = self.channel.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise WorkerFailed("hang")
            readable, _, _ = select.select([fd], [], [], remaining)
            if readable:
                try:
                    chunk = self.channel.recv(65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.kill()
                    raise WorkerFailed("crash")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            reply = json.loads(line)
        except ValueError:
            reply = None
        if not isinstance(reply, dict):
            self.kill()
            raise WorkerFailed("crash")
        return reply

    def ask_to_quit(self) -> None:
        """It quits after the current document (at once when idle)."""
        if self.channel is not None and not self._quit_sent:
            self._quit_sent = True
            with contextlib.suppress(OSError):
                self.channel.sendall(b'{"quit": true}\n')

    def let_go(self) -> None:
        """Ask it to quit and leave it to exit on its own: an idle instance is gone a tenth of
        a second later, and one that cannot quit kills itself (lo_worker.QUIT_WAIT_S)."""
        self.ready = False
        self.ask_to_quit()
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        self.process = None  # reaped by the subprocess module, or by init once we exit

    def stop(self, deadline: float) -> None:
        """Graceful exit until `deadline` (monotonic), then the whole group is killed."""
        self.ready = False
        self.ask_to_quit()
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(max(0.0, deadline - time.monotonic()))
        self.kill()

    def kill(self) -> None:
        """Kill LibreOffice's process group and reap it."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # A successor must not meet a dying LibreOffice on the same profile.
        deadline = time.monotonic() + QUIT_TIMEOUT_S
        while group_members(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        self.process = None
        self.ready = False
        self._buffer = b""

    def soffice_pids(self) -> list[int]:
        process = self.process
        return group_members(process.pid, "soffice") if process is not None else []
