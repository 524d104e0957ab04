"""The service's own records in `outbox/.stan/`: the last backup and the last restore
drill (`kopia.json`), read by `asysta stan`."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pipeline.core.fsutil import ensure_private_dir, replace
from pipeline.documents.banner import STATE_DIR

BACKUP_STATE = "kopia.json"
BACKUP, DRILL = "kopia", "sprawdzenie"


def _path(outbox: Path) -> Path:
    return outbox / STATE_DIR / BACKUP_STATE


def read(outbox: Path) -> dict[str, dict[str, Any]]:
    try:
        state = json.loads(_path(outbox).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def record(outbox: Path, what: str, ok: bool, opis: str, **details: Any) -> None:
    """Remember the outcome of a backup or a drill (a failure too: `stan` shows it)."""
    state = read(outbox)
    previous = state.get(what) or {}
    now = time.time()
    state[what] = {"czas": now, "wynik": "ok" if ok else "blad", "opis": opis, **details,
                   "ostatni_sukces": now if ok else previous.get("ostatni_sukces")}
    try:
        ensure_private_dir(_path(outbox).parent)
        replace(_path(outbox), json.dumps(state, ensure_ascii=False).encode("utf-8"))
    except OSError:
        pass  # the archive's disk is full: the journal entry (if any) and stan tell the rest
