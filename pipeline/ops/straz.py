"""The mass-change guard: ransomware encrypts files in place (same names, new contents)
or deletes them. Archived documents are never rewritten, so when a large share of them
(`[kopia] prog_zmian_procent`) changed or vanished between two scans, the guard raises an
alarm: the watcher stops filing, `asysta stan` is critical, and `asysta kopia` refuses to
add a snapshot over the good ones. The alarm stays until the administrator clears it
(`asysta stan --zwolnij-blokade`), after restoring the archive or confirming the change.

The scan compares each file's size, modification and change times and inode with the
previous scan (`outbox/.stan/straz.json`): cheap enough for every batch. Files that the
program rewrites itself (registers, checklists, binders) and hidden work files are not
counted; neither is a family folder removed by `asysta usun` (the journal says so).
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import journal
from pipeline.core.errors import ResourceError
from pipeline.core.fsutil import ensure_private_dir, replace
from pipeline.documents.banner import STATE_DIR
from pipeline.sprawa.register import FAMILIES_DIR, REGISTER_NAME

MANIFEST_NAME = "straz.json"
ALARM_NAME = "alarm.json"
REWRITTEN = frozenset({REGISTER_NAME, "checklista.json", "checklista.pdf", "teczka.pdf"})
MIN_CHANGED = 5  # fewer changed files than this is never an attack (e.g. a reused slot)

Stamp = list[int]  # size, mtime_ns, ctime_ns, inode


@dataclass(frozen=True)
class Verdict:
    checked: int  # documents compared with the previous scan
    changed: int  # … changed or gone
    alarm: bool

    @property
    def percent(self) -> float:
        return 100.0 * self.changed / self.checked if self.checked else 0.0


def _state(outbox: Path, name: str) -> Path:
    return outbox / STATE_DIR / name


def scan(outbox: Path) -> dict[str, Stamp]:
    """Every archived document: path relative to `rodziny/` → its stamp."""
    out: dict[str, Stamp] = {}
    stack = [(str(outbox / FAMILIES_DIR), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            elif prefix and entry.name not in REWRITTEN:
                out[prefix + entry.name] = [info.st_size, info.st_mtime_ns, info.st_ctime_ns,
                                            info.st_ino]
    return out


def _removed_families(outbox: Path) -> set[str]:
    return {str(e.get("rodzina")) for e in journal.read(outbox) if e.get("akcja") == "usunieto"}


def compare(before: dict[str, Stamp], now: dict[str, Stamp], outbox: Path,
            threshold: float) -> Verdict:
    changed = [rel for rel, stamp in before.items() if now.get(rel) != stamp]
    gone_families = {rel.split("/", 1)[0] for rel in changed if rel not in now}
    if gone_families:  # a whole family deleted after its retention period is not an attack
        legal = gone_families & _removed_families(outbox)
        changed = [rel for rel in changed if rel.split("/", 1)[0] not in legal or rel in now]
    count = len(changed)
    alarm = count >= MIN_CHANGED and 100.0 * count / max(1, len(before)) >= threshold
    return Verdict(len(before), count, alarm)


def alarm(outbox: Path) -> dict[str, object] | None:
    """The raised alarm (when, how much changed), or None."""
    path = _state(outbox, ALARM_NAME)
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):  # an unreadable alarm is still an alarm
        return {"czas": 0, "zmienione": -1, "sprawdzone": -1}


def check(outbox: Path, threshold: float, record: bool = True) -> Verdict:
    """Scan, compare with the previous scan, raise the alarm or remember this scan as good
    (`record=False`: only compare, as `asysta stan` does: it may run under another account,
    whose files the service could not read). A previous scan that no longer parses (encrypted
    too) raises the alarm when documents exist."""
    now = scan(outbox)
    try:
        before = json.loads(_state(outbox, MANIFEST_NAME).read_text(encoding="utf-8"))["pliki"]
        verdict = compare(dict(before), now, outbox, threshold)
    except OSError:  # the first scan (or one this account may not read): nothing to compare
        verdict = Verdict(len(now), 0, False)
    except (ValueError, KeyError, TypeError, AttributeError):
        verdict = Verdict(len(now), len(now), len(now) >= MIN_CHANGED)
    if not record:
        return verdict
    if verdict.alarm:
        _raise(outbox, verdict)
    elif alarm(outbox) is None:
        with contextlib.suppress(OSError):  # a full disk: the next scan compares with the last
            remember(outbox, now)
    return verdict


def remember(outbox: Path, files: dict[str, Stamp] | None = None) -> None:
    ensure_private_dir(outbox / STATE_DIR)
    body = {"czas": time.time(), "pliki": scan(outbox) if files is None else files}
    replace(_state(outbox, MANIFEST_NAME), json.dumps(body, separators=(",", ":")).encode())


def _raise(outbox: Path, verdict: Verdict) -> None:
    if alarm(outbox) is not None:
        return
    body = {"czas": time.time(), "zmienione": verdict.changed, "sprawdzone": verdict.checked}
    try:
        ensure_private_dir(outbox / STATE_DIR)
        replace(_state(outbox, ALARM_NAME), json.dumps(body).encode())
    except OSError:
        pass  # `stan` finds the changes itself on its own scan
    with contextlib.suppress(ResourceError):
        journal.log(outbox, "alarm_zmian", wynik="wstrzymano_archiwizacje",
                    zmienione=verdict.changed, sprawdzone=verdict.checked)


def clear(outbox: Path) -> None:
    """The administrator's word that the archive is good now: the alarm goes, this scan is
    the new reference."""
    _state(outbox, ALARM_NAME).unlink(missing_ok=True)
    remember(outbox)
    journal.log(outbox, "alarm_zmian", wynik="zwolniono")


def blocked(outbox: Path) -> str | None:
    """A Polish reason why nothing may be filed or backed up now, or None."""
    raised = alarm(outbox)
    if raised is None:
        return None
    changed = raised.get("zmienione", -1)
    what = f"{changed} z {raised.get('sprawdzone')} plików" if isinstance(changed, int) and changed >= 0 \
        else "wiele plików"
    return (f"w archiwum zmieniło się albo zniknęło naraz {what} (możliwy atak "
            "szyfrującego wirusa) – archiwizacja i kopie wstrzymane; sprawdź archiwum, w razie "
            "potrzeby odtwórz je z kopii (asysta kopia odtworz), potem: asysta stan "
            "--zwolnij-blokade")
