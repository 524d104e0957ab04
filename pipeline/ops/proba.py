"""The restore drill, `asysta kopia sprawdz`: restic reads back every byte of the repository
(`check --read-data`), the newest snapshot is restored into a private temporary folder, and
the restored archive must prove itself: every family's register reads, every file a register
names exists, every archived original has the hash the journal (and the register) recorded,
and the journal's chain verifies. The result is journaled and remembered (`asysta stan`); a
snapshot that passed is tagged so that retention never forgets it.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import BackupError, RegisterError
from pipeline.ops import kopia, stanplik
from pipeline.ops.restic import PASSED_TAG, Restic
from pipeline.sprawa.register import Register, families, family_dir

MAX_PROBLEMS = 20


@dataclass(frozen=True)
class Drill:
    snapshot: str
    problems: list[str]
    families: int
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return None
    return digest.hexdigest()


def _registers(outbox: Path, problems: list[str]) -> int:
    count = 0
    for rodzina in families(outbox):
        folder = family_dir(outbox, rodzina)
        try:
            register = Register.load(folder)
        except RegisterError:
            problems.append(f"sprawa {rodzina}: rejestr dokumentów nie daje się odczytać")
            continue
        count += 1
        for entry in register.entries:
            missing = [name for name in entry.files if name and not (folder / name).is_file()]
            if missing:
                problems.append(f"sprawa {rodzina}: brak pliku {missing[0]} wymienionego w rejestrze")
            elif entry.sha256 and _sha256(folder / entry.plik_zrodlowy) != entry.sha256:
                problems.append(f"sprawa {rodzina}: plik {entry.plik_zrodlowy} ma inny skrót niż "
                                "zapisany w rejestrze")
    return count


def _journal_hashes(outbox: Path, problems: list[str]) -> None:
    entries = journal.read(outbox)
    removed = {e.get("rodzina") for e in entries if e.get("akcja") == "usunieto"}
    for entry in entries:
        rodzina, names = entry.get("rodzina"), entry.get("archiwum")
        if (entry.get("akcja") != "przyjeto" or rodzina in removed or not isinstance(names, list)
                or len(names) != 3 or not entry.get("sha256")):
            continue
        original = family_dir(outbox, str(rodzina)) / str(names[2])
        if _sha256(original) != entry["sha256"]:
            problems.append(f"sprawa {rodzina}: plik {names[2]} nie ma skrótu zapisanego w dzienniku")


def verify_archive(outbox: Path) -> tuple[int, list[str]]:
    """(families whose register reads, problems found) for an archive folder."""
    problems: list[str] = []
    checked, broken, why = journal.verify(outbox)
    if not checked:
        problems.append("brak dziennika zdarzeń (dziennik.jsonl) w kopii")
    elif broken is not None:
        problems.append(f"łańcuch dziennika zdarzeń przerwany we wpisie {broken}: {why}")
    count = _registers(outbox, problems)
    _journal_hashes(outbox, problems)
    return count, problems


def _verify_restored(root: Path) -> tuple[int, list[str]]:
    outbox = kopia.find_outbox(root)
    if outbox is None:
        return 0, ["w odtworzonej kopii nie ma archiwum (dziennika zdarzeń)"]
    return verify_archive(outbox)


def _mark_passed(restic: Restic, snapshot: str, earlier: list[str]) -> None:
    """The tag moves to this snapshot: retention keeps it (and no older one for it)."""
    if earlier:
        restic.run("tag", "--remove", PASSED_TAG, *earlier)
    restic.run("tag", "--add", PASSED_TAG, snapshot)


def drill(settings: Settings) -> Drill:
    started = time.monotonic()
    outbox = settings.outbox
    try:
        restic = Restic(settings.kopia)
        found = restic.snapshots()
        if not found:
            raise BackupError("w repozytorium nie ma jeszcze żadnej kopii – najpierw: asysta kopia")
        newest = found[-1]
        snapshot = str(newest["id"])
        problems: list[str] = []
        try:
            restic.run("check", "--read-data")
        except BackupError as exc:
            problems.append(f"restic check --read-data: repozytorium kopii jest uszkodzone ({exc})")
        with tempfile.TemporaryDirectory(prefix="asysta-proba-") as tmp:  # 0700
            try:
                kopia.restore_into(restic, snapshot, Path(tmp) / "kopia")
                count, found_problems = _verify_restored(Path(tmp) / "kopia")
                problems += found_problems
            except BackupError as exc:
                count = 0
                problems.append(f"nie udało się odtworzyć kopii: {exc}")
        if not problems:
            _mark_passed(restic, snapshot, [str(s["id"]) for s in found
                                            if PASSED_TAG in (s.get("tags") or []) and s is not newest])
    except BackupError as exc:
        stanplik.record(outbox, stanplik.DRILL, False, str(exc))
        _log(settings, "blad", przyczyna=str(exc).split(" – ")[0])
        raise
    result = Drill(snapshot[:8], problems[:MAX_PROBLEMS], count, time.monotonic() - started)
    opis = "" if result.ok else f"{len(problems)} problemów, pierwszy: {problems[0]}"
    stanplik.record(outbox, stanplik.DRILL, result.ok, opis, migawka=result.snapshot)
    _log(settings, "ok" if result.ok else "blad", migawka=result.snapshot, rodzin=count,
         problemow=len(problems))
    return result


def _log(settings: Settings, wynik: str, **details: object) -> None:
    kopia.log_outcome(settings.outbox, "kopia_sprawdzona", wynik, **details)

