"""Backups with restic: `asysta kopia` (a snapshot, then retention), `kopia lista`,
`kopia odtworz --do FOLDER [--migawka ID]`. The restore drill is `pipeline.ops.proba`.

What goes in: the archive (outbox: families, registers, journal, reports), the whole inbox
(waiting, rejected and held files, unread scans), the configuration file and the centre's
own schemas and templates. Consistency: the snapshot is taken while holding the archive
lock (`archive_lock`), so the watcher files nothing during it and no half-filed document
is captured; forms that arrive meanwhile wait in the inbox.

Each backup is journaled (snapshot id and counts, nothing else). No snapshot is taken while
the mass-change guard is raised, and retention keeps the last snapshot that passed the drill.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import BackupError, ResourceError
from pipeline.core.fsutil import DIR_MODE, FILE_MODE, make_private_dirs
from pipeline.ops import stanplik, straz
from pipeline.ops.restic import PASSED_TAG, TAG, Restic
from pipeline.stages.archive import LOCK_NAME, archive_lock

# locks and the work files of a run in progress (removed by the next run anyway)
EXCLUDES = (LOCK_NAME, ".asysta-obserwator.lock", ".tmp-*", ".przetwarzanie-*")


@dataclass(frozen=True)
class Backup:
    snapshot: str
    files: int
    new_files: int
    added_bytes: int
    seconds: float
    created_repository: bool
    retention: str  # "" or why retention was skipped (an append-only server refuses it)


def sources(settings: Settings) -> list[Path]:
    """What is backed up, existing paths only, the archive first."""
    paths = [settings.outbox, settings.inbox, settings.scans, settings.source,
             settings.foldery.formularze, settings.foldery.szablony]
    out: list[Path] = []
    for path in paths:
        if path is None or not path.exists():
            continue
        path = path.resolve()
        if not any(path == p or path.is_relative_to(p) for p in out):
            out.append(path)
    return out


def _summary(output: str) -> dict[str, Any]:
    for line in reversed(output.splitlines()):
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("message_type") == "summary":
            return message
    raise BackupError("restic nie podał podsumowania kopii – kopia mogła nie powstać")


def backup(settings: Settings) -> Backup:
    """One snapshot and retention; a failure is recorded (stan shows it) and raised."""
    outbox = settings.outbox
    try:
        started = time.monotonic()
        guard = straz.blocked(outbox)
        if guard is None and straz.check(outbox, settings.kopia.prog_zmian_procent).alarm:
            guard = straz.blocked(outbox)
        if guard is not None:
            raise BackupError(f"kopii nie wykonano: {guard}")
        restic = Restic(settings.kopia)
        created = restic.ensure_repository()
        excludes = [arg for pattern in EXCLUDES for arg in ("--exclude", pattern)]
        with archive_lock(outbox):  # nothing is filed while the snapshot is taken
            output = restic.run("backup", "--json", "--tag", TAG, *excludes,
                                *(str(p) for p in sources(settings)))
        summary = _summary(output)
        retention = forget(restic, settings)
    except BackupError as exc:
        stanplik.record(outbox, stanplik.BACKUP, False, str(exc))
        log_outcome(outbox, "kopia", "blad", przyczyna=str(exc).split(" – ")[0])
        raise
    result = Backup(str(summary.get("snapshot_id", "")), int(summary.get("total_files_processed", 0)),
                    int(summary.get("files_new", 0)), int(summary.get("data_added", 0)),
                    time.monotonic() - started, created, retention)
    stanplik.record(outbox, stanplik.BACKUP, True, "", migawka=result.snapshot, plikow=result.files)
    log_outcome(outbox, "kopia", "ok", migawka=result.snapshot, plikow=result.files,
         nowych=result.new_files, bajtow=result.added_bytes)
    return result


def forget(restic: Restic, settings: Settings) -> str:
    """Retention: daily, weekly and monthly snapshots as set, and always the last snapshot
    that passed the drill. "" when done, else why not (e.g. an append-only REST server)."""
    cfg = settings.kopia
    try:
        restic.run("forget", "--tag", TAG, "--keep-tag", PASSED_TAG, "--keep-last", "1",
                   "--keep-daily", str(cfg.zachowaj_dzienne),
                   "--keep-weekly", str(cfg.zachowaj_tygodniowe),
                   "--keep-monthly", str(cfg.zachowaj_miesieczne), "--prune")
    except BackupError as exc:
        return str(exc)
    return ""


def log_outcome(outbox: Path, akcja: str, wynik: str, **details: Any) -> None:
    # a full disk of the archive: the state file and the exit code say it
    with contextlib.suppress(ResourceError):
        journal.log(outbox, akcja, wynik=wynik, **details)


def snapshots(settings: Settings) -> list[dict[str, Any]]:
    return Restic(settings.kopia).snapshots()


def _check_target(target: Path, settings: Settings) -> Path:
    target = target.resolve()
    for live in (settings.outbox, settings.inbox):
        live = live.resolve()
        if target == live or target.is_relative_to(live) or live.is_relative_to(target):
            raise BackupError(f"folder {target} to działające archiwum albo inbox (lub ich część) – "
                              "kopię odtwarza się zawsze do nowego, pustego folderu")
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"folder {target} nie jest pusty – wskaż nowy, pusty folder")
    return target


def make_private_tree(root: Path) -> None:
    """0700 folders and 0600 files under root, whatever the snapshot recorded."""
    os.chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            os.chmod(os.path.join(folder, name), DIR_MODE, follow_symlinks=False)
        for name in files:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                os.chmod(path, FILE_MODE)


def find_outbox(root: Path) -> Path | None:
    """The restored archive: the folder holding the journal and the family folders."""
    for folder, dirs, files in os.walk(root):
        if journal.JOURNAL_NAME in files and "rodziny" in dirs:
            return Path(folder)
    for folder, _dirs, files in os.walk(root):
        if journal.JOURNAL_NAME in files:
            return Path(folder)
    return None


def restore_into(restic: Restic, snapshot: str, target: Path) -> None:
    """restic restore into target (made private first), every restored file private."""
    make_private_dirs(target)
    os.chmod(target, DIR_MODE)
    ident = [snapshot] if snapshot != "latest" else ["latest", "--tag", TAG]
    restic.run("restore", *ident, "--target", str(target))
    make_private_tree(target)


def restore(settings: Settings, target: Path, snapshot: str = "latest") -> Path | None:
    """Restore for real into a new, empty folder (never over the live archive); returns the
    restored archive's folder."""
    target = _check_target(target, settings)
    restic = Restic(settings.kopia)
    restore_into(restic, snapshot, target)
    log_outcome(settings.outbox, "kopia_odtworzona", "ok", migawka=snapshot[:8])
    return find_outbox(target)
