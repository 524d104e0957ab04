"""The audit log `outbox/dziennik.jsonl`: one JSON line per event, tamper-evident.

Only the case number, attachment number, file names and field keys go in:
never a field's value. Each entry carries `poprzedni` (the hash of the entry
before it) and `hash` (SHA-256 of the entry itself, `hash` left out), so an
edited, removed or reordered line breaks the chain from that point on;
`asysta sprawdz --dziennik` names the first broken entry.

Each entry names the account behind it (`konto`). An entry is written whole or
not at all: one buffer, written until every byte is out, fsync, and on failure
the file is cut back to where it was. A last line cut short by a crash is told
apart from an edit, and the next entry removes it and records the repair.

While a fault-injection test variable is set (`pipeline.core.faults`), the first entry a
process writes to a journal is preceded by a `tryb_testowy` entry naming the variables,
so that an archive touched by a test run says so.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import pwd
from datetime import datetime
from pathlib import Path
from typing import Any

from pipeline.core import faults
from pipeline.core.errors import ResourceError, os_reason
from pipeline.core.fsutil import ensure_private_dir

JOURNAL_NAME = "dziennik.jsonl"
GENESIS = "0" * 64
# `verify`'s answer for a last line cut short by a crash (power cut, full disk), not an edit
TORN = ("ostatni wpis jest niepełny – zapis przerwała awaria (np. wyłączenie komputera albo "
        "brak miejsca na dysku), to nie jest ślad zmiany dziennika; następny zapis usunie "
        "niepełny wiersz i odnotuje to w dzienniku")


# journals (by path) this process has told that a fault-injection test variable is set
_test_mode_told: set[Path] = set()


def _digest(entry: dict[str, Any]) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _last_hash(fd: int) -> str:
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0:
        return GENESIS
    chunk = min(size, 1 << 16)
    os.lseek(fd, size - chunk, os.SEEK_SET)
    tail = os.read(fd, chunk).rstrip(b"\n").rsplit(b"\n", 1)[-1]
    try:
        return str(json.loads(tail)["hash"])
    except (ValueError, KeyError):
        return _digest({"uszkodzony_wpis": tail.decode("utf-8", "replace")})


def account(uid: int | None = None) -> str:
    """The user name of a uid (the running user by default); the number when it has none."""
    uid = os.getuid() if uid is None else uid
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def runner() -> str:
    """Who runs this command: the account, and who used sudo to become it (as on a server
    where the archive belongs to a service account and staff run `sudo -u asysta …`)."""
    name = account()
    via = os.environ.get("SUDO_USER", "")
    return f"{via} (sudo: {name})" if via and via != name else name


def owner(path: Path) -> str | None:
    """The account that owns a file (on a Samba share: the staff member who saved it)."""
    try:
        return account(path.lstat().st_uid)
    except OSError:
        return None


def _write_all(fd: int, data: bytes) -> None:
    """Every byte or an OSError: a short write (a nearly full disk) is continued, never
    ignored, and a write that makes no progress is an I/O error."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        view = view[written:]


def _append(fd: int, entries: list[dict[str, Any]], good: int) -> None:
    """Append whole lines and fsync; on any failure the file is cut back to `good` bytes."""
    data = b"".join((json.dumps(e, ensure_ascii=False, default=str) + "\n").encode("utf-8")
                    for e in entries)
    try:
        _write_all(fd, data)
        os.fsync(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, good)
            os.fsync(fd)
        raise


def _torn_tail(fd: int, size: int) -> tuple[int, bytes]:
    """(offset after the last complete line, the bytes after it): what a crash in the
    middle of a write left at the end of the file (empty when nothing)."""
    if size == 0:
        return 0, b""
    os.lseek(fd, size - 1, os.SEEK_SET)
    if os.read(fd, 1) == b"\n":
        return size, b""
    good = size
    while good > 0:  # back to the previous newline, in chunks
        chunk = min(good, 1 << 16)
        os.lseek(fd, good - chunk, os.SEEK_SET)
        block = os.read(fd, chunk)
        cut = block.rfind(b"\n")
        if cut >= 0:
            good = good - chunk + cut + 1
            break
        good -= chunk
    os.lseek(fd, good, os.SEEK_SET)
    return good, os.read(fd, size - good)


def _complete(tail: bytes) -> bool:
    """A whole entry that only lacks its newline (the crash came after its last byte)."""
    try:
        entry = json.loads(tail)
    except ValueError:
        return False
    return isinstance(entry, dict) and entry.get("hash") == _digest(entry)


def _entry(akcja: str, plik: str | None, rodzina: str | None, wynik: str, konto: str | None,
           details: dict[str, Any]) -> dict[str, Any]:
    return {
        "czas": datetime.now().astimezone().isoformat(timespec="seconds"),
        "akcja": akcja,
        "plik": plik,
        "rodzina": rodzina,
        "wynik": wynik,
        "konto": konto or runner(),
        **details,
    }


def log(outbox: Path, akcja: str, *, plik: str | None = None, rodzina: str | None = None,
        wynik: str = "ok", konto: str | None = None, **details: Any) -> None:
    """Append one entry. `konto` is the account behind it: the owner of a dropped file,
    or (the default) the user running the command (`runner`). Raises ResourceError, leaving the file
    exactly as it was, when the entry cannot be written whole."""
    path = outbox / JOURNAL_NAME
    try:
        ensure_private_dir(outbox)
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    except OSError as exc:
        raise _failed(path, exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the chain needs one writer at a time
        size = os.lseek(fd, 0, os.SEEK_END)
        good, tail = _torn_tail(fd, size)
        entries = []
        if tail and _complete(tail):  # only the newline is missing
            os.ftruncate(fd, good)
            entries.append(json.loads(tail))
        elif tail:  # a torn line: cut it off, and say so in the chain
            os.ftruncate(fd, good)
            repair = _entry("naprawa_dziennika", None, None, "usunieto_niepelny_wpis", None,
                            {"bajtow": len(tail), "sha256": hashlib.sha256(tail).hexdigest()})
            repair["poprzedni"] = _last_hash(fd)
            repair["hash"] = _digest(repair)
            entries.append(repair)
        variables = faults.active() if path not in _test_mode_told else []
        if variables:  # a test switched fault injection on: the journal says so, once
            test_mode = _entry("tryb_testowy", None, None, "wstrzykiwanie_awarii", None,
                               {"zmienne": variables})
            test_mode["poprzedni"] = entries[-1]["hash"] if entries else _last_hash(fd)
            test_mode["hash"] = _digest(test_mode)
            entries.append(test_mode)
        entry = _entry(akcja, plik, rodzina, wynik, konto, details)
        entry["poprzedni"] = entries[-1]["hash"] if entries else _last_hash(fd)
        entry["hash"] = _digest(entry)
        try:
            _append(fd, [*entries, entry], good)
        except OSError:
            if tail:  # put back what was there, so a failure changes nothing
                with contextlib.suppress(OSError):
                    _write_all(fd, tail)
            raise
        if variables:
            _test_mode_told.add(path)
    except OSError as exc:
        raise _failed(path, exc) from exc
    finally:
        os.close(fd)


def _failed(path: Path, exc: OSError) -> ResourceError:
    return ResourceError(f"nie można zapisać wpisu w dzienniku zdarzeń {path} "
                         f"({os_reason(exc.errno)}); dziennik pozostał bez zmian", exc.errno)


def read(outbox: Path) -> list[dict[str, Any]]:
    """Every entry that parses (a torn last line, left by a crash, is skipped)."""
    path = outbox / JOURNAL_NAME
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def accepted(outbox: Path, sha256: str) -> bool:
    """Has a form with these bytes been logged as accepted?"""
    path = outbox / JOURNAL_NAME
    if not path.exists():
        return False
    needle = f'"sha256": "{sha256}"'
    with path.open(encoding="utf-8", errors="replace") as handle:
        return any(needle in line and '"akcja": "przyjeto"' in line for line in handle)


def verify(outbox: Path) -> tuple[int, int | None, str]:
    """(entries checked, line number of the first broken entry or None, why it is broken)."""
    path = outbox / JOURNAL_NAME
    if not path.exists():
        return 0, None, ""
    previous = GENESIS
    count = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            count = number
            try:
                entry = json.loads(line)
            except ValueError:
                if not line.endswith("\n"):  # the very end of the file, cut short
                    return count, number, TORN
                return count, number, "wpis nie jest poprawnym JSON-em"
            if not isinstance(entry, dict) or entry.get("poprzedni") != previous:
                return (count, number,
                        "wpis nie wskazuje na poprzedni (usunięty, wstawiony lub przestawiony wpis)")
            if entry.get("hash") != _digest(entry):
                return count, number, "treść wpisu została zmieniona"
            previous = entry["hash"]
    return count, None, ""
