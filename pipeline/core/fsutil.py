"""Durable, private file writes: temporary file, fsync, then an atomic link or rename."""

from __future__ import annotations

import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.core import faults

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private_dirs(path: Path) -> None:
    """Create the folder and each missing parent as 0700 whatever the umask (mkdir's
    `parents=True` gives the mode to the last folder only, and the umask trims it);
    folders that exist already are left as they are."""
    missing: list[Path] = []
    while not path.is_dir() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another process: not ours to change
        os.chmod(folder, DIR_MODE)


def ensure_private_dir(path: Path) -> None:
    """Create the folder (and parents) readable by the owner only, whatever the umask."""
    make_private_dirs(path)
    os.chmod(path, DIR_MODE)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_temp(folder: Path, data: bytes | Iterable[bytes], sync: bool = True) -> Path:
    tmp = folder / f".tmp-{os.getpid()}-{secrets.token_hex(6)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        faults.disk_full()
        for chunk in (data,) if isinstance(data, bytes) else data:
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view):]
        if sync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    os.chmod(tmp, FILE_MODE)
    return tmp


def write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet; FileExistsError if it does. Never overwrites."""
    tmp = _write_temp(path.parent, data)
    try:
        os.link(tmp, path)  # atomic and refuses to replace an existing file
    finally:
        tmp.unlink(missing_ok=True)


def replace(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Atomically replace a file (for records that are rewritten, like a register); the
    data may come in pieces (a large page is written as it is made, never held whole)."""
    tmp = _write_temp(path.parent, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_if_changed(path: Path, data: Iterable[bytes]) -> bool:
    """`replace`, unless the file holds these very bytes already: then it is left alone (its
    time too). Written and compared in one pass, so the data is never held whole nor made
    twice. True when the file was written."""
    try:
        old: BinaryIO | None = path.open("rb")
    except OSError:
        old = None
    same = old is not None

    def compared() -> Iterator[bytes]:
        nonlocal same
        for chunk in data:
            if same and old is not None and old.read(len(chunk)) != chunk:
                same = False
            yield chunk
        if same and old is not None and old.read(1):
            same = False

    try:
        tmp = _write_temp(path.parent, compared(), sync=False)  # made durable only if kept
    finally:
        if old is not None:
            old.close()
    try:
        if same:
            return False
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        return True
    finally:
        tmp.unlink(missing_ok=True)


def cache_dir(name: str) -> Path:
    """Where asysta keeps what it can make again (LibreOffice profiles, the code's font):
    $XDG_CACHE_HOME/asysta/<name>, else ~/.cache/asysta/<name>. Not made here."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asysta" / name


def work_dir(outbox: Path, kind: str) -> Path:
    """A private work folder in the outbox, named after this process so that a later run
    can tell it from one still in use (see `sweep`)."""
    ensure_private_dir(outbox)
    return Path(tempfile.mkdtemp(prefix=f".{kind}-{os.getpid()}-", dir=outbox))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(name: str) -> int | None:
    parts = name.split("-")
    return int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None


def sweep(outbox: Path) -> int:
    """Remove work folders and temporary files left by a process that was killed; the
    archive never shows a half-written file for long. Returns how many were removed."""
    removed = 0
    if not outbox.is_dir():
        return 0
    folders = [outbox, *(p for p in (outbox / "rodziny").glob("*") if p.is_dir()),
               # the archive's own hidden folders (the health state `.stan`), not work folders
               *(p for p in outbox.glob(".*") if p.is_dir() and _owner(p.name) is None)]
    for folder in folders:
        for path in folder.glob(".*-*-*"):
            pid = _owner(path.name)
            if pid is None or pid == os.getpid() or _alive(pid):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed += 1
    return removed


def make_private_file(path: Path) -> None:
    """0600 for a file moved into one of the service's folders, whatever mode it was dropped
    with. A file that also lives elsewhere (a hard link) or belongs to another account (a
    staff member's, on a share) is replaced by a private copy of its bytes: its other name
    keeps its own mode, and no chmod is needed on a file that is not ours. Links and other
    non-regular files are left as they are."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        return
    if info.st_nlink == 1 and info.st_uid == os.geteuid():
        os.chmod(path, FILE_MODE)
        return
    replace(path, path.read_bytes())
