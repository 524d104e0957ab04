"""The audit log `outbox/dziennik.jsonl`: one JSON line per event, tamper-evident.

Only the case number, attachment number, file names and field keys go in:
never a field's value. Each entry carries `poprzedni` (the hash of the entry
before it) and `hash` (SHA-256 of the entry itself, `hash` left out), so an
edited, removed or reordered line breaks the chain from that point on;
`asysta sprawdz --dziennik` names the first broken entry.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from .fsutil import ensure_private_dir

JOURNAL_NAME = "dziennik.jsonl"
GENESIS = "0" * 64


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


def log(outbox: Path, akcja: str, *, plik: str | None = None, rodzina: str | None = None,
        wynik: str = "ok", **details: Any) -> None:
    ensure_private_dir(outbox)
    fd = os.open(outbox / JOURNAL_NAME, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # the chain needs one writer at a time
        entry = {
            "czas": datetime.now().astimezone().isoformat(timespec="seconds"),
            "akcja": akcja,
            "plik": plik,
            "rodzina": rodzina,
            "wynik": wynik,
            **details,
            "poprzedni": _last_hash(fd),
        }
        entry["hash"] = _digest(entry)
        os.write(fd, (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def read(outbox: Path) -> list[dict[str, Any]]:
    path = outbox / JOURNAL_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


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
                return count, number, "wpis nie jest poprawnym JSON-em"
            if not isinstance(entry, dict) or entry.get("poprzedni") != previous:
                return (count, number,
                        "wpis nie wskazuje na poprzedni (usunięty, wstawiony lub przestawiony wpis)")
            if entry.get("hash") != _digest(entry):
                return count, number, "treść wpisu została zmieniona"
            previous = entry["hash"]
    return count, None, ""
