"""The audit log `outbox/dziennik.jsonl`: one JSON line per event.

Only the case number, attachment number, file names and field keys go in:
never a field's value.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from .fsutil import ensure_private_dir

JOURNAL_NAME = "dziennik.jsonl"


def log(outbox: Path, akcja: str, *, plik: str | None = None, rodzina: str | None = None,
        wynik: str = "ok", **details: Any) -> None:
    ensure_private_dir(outbox)
    entry = {
        "czas": datetime.now().astimezone().isoformat(timespec="seconds"),
        "akcja": akcja,
        "plik": plik,
        "rodzina": rodzina,
        "wynik": wynik,
        **details,
    }
    line = (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(outbox / JOURNAL_NAME, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read(outbox: Path) -> list[dict[str, Any]]:
    path = outbox / JOURNAL_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
