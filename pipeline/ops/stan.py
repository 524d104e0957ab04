"""`asysta stan`: one health check for an administrator or a monitoring system.

Exit codes follow the Nagios/Zabbix convention: 0 ok, 1 warning (`ostrzezenie`),
2 critical (`krytyczny`). Each check's line says, in Polish, what to do. The verdict is also
written to `outbox/.stan/stan.json`, from which index.html shows a one-line banner.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.fsutil import ensure_private_dir, replace
from pipeline.documents.banner import status_path
from pipeline.ops import heartbeat, straz
from pipeline.stages.intake import REJECTED_DIR, is_ignored
from pipeline.stages.machine import FAULT_DIR

# the names of pipeline.stages.holding.HOLD_DIR and pipeline.scans.skany.UNREAD_DIR, whose
# modules take half a second to import (a test keeps them equal): stan runs every minute
HOLD_DIR, UNREAD_DIR = "blad-szablonu", "nierozpoznane"
OK, WARNING, CRITICAL = "ok", "ostrzezenie", "krytyczny"
EXIT_CODES = {OK: 0, WARNING: 1, CRITICAL: 2}
_RANK = {OK: 0, WARNING: 1, CRITICAL: 2}
_MARK = {OK: "✓", WARNING: "!", CRITICAL: "✗"}


@dataclass(frozen=True)
class Check:
    nazwa: str
    status: str
    opis: str


@dataclass(frozen=True)
class Report:
    status: str
    kontrole: list[Check]
    czas: str

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.status]

    def to_json(self) -> str:
        return json.dumps({"status": self.status, "czas": self.czas,
                           "kontrole": [asdict(c) for c in self.kontrole]}, ensure_ascii=False)

    def lines(self) -> list[str]:
        return [f"{_MARK[c.status]} {c.nazwa}: {c.opis}" for c in self.kontrole] + [
            f"Stan: {self.status}"]


def _ago(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s temu"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min temu"
    return f"{seconds / 3600:.1f} h temu"


def check_watcher(settings: Settings) -> Check:
    pulse = heartbeat.read(settings.outbox)
    start = "uruchom go: systemctl restart asysta-obserwator (albo asysta obserwuj)"
    if pulse.age_s is None:
        return Check("obserwator", CRITICAL, f"obserwator folderu inbox nie działa – {start}")
    if not pulse.running:
        return Check("obserwator", CRITICAL, f"obserwator został zatrzymany ({_ago(pulse.age_s)}) "
                                             f"– {start}")
    if not pulse.alive:
        return Check("obserwator", CRITICAL, f"proces obserwatora (PID {pulse.pid}) nie istnieje, "
                                             f"ostatni sygnał życia {_ago(pulse.age_s)} – {start}; "
                                             "przyczynę pokaże journalctl -u asysta-obserwator")
    if pulse.age_s > settings.stan.obserwator_cisza_s:
        return Check("obserwator", CRITICAL, f"obserwator (PID {pulse.pid}) nie daje znaku życia od "
                                             f"{pulse.age_s:.0f} s (zawieszony?) – {start}")
    return Check("obserwator", OK, f"działa (PID {pulse.pid}, sygnał życia {_ago(pulse.age_s)})")


def check_libreoffice(settings: Settings) -> Check:
    from pipeline.core.errors import ConversionError
    from pipeline.stages.convert import Converter, find_soffice

    configured = settings.przetwarzanie.soffice
    if configured and not shutil.which(configured):
        return Check("libreoffice", CRITICAL, f"nie ma programu LibreOffice wskazanego w "
                                              f"[przetwarzanie] soffice ({configured}) – popraw "
                                              "ścieżkę albo zainstaluj libreoffice-writer-nogui")
    try:
        find_soffice(configured)
    except ConversionError as exc:
        return Check("libreoffice", CRITICAL, f"{exc} – dokumenty nie powstaną")
    timeout = settings.stan.libreoffice_timeout_s
    with tempfile.TemporaryDirectory(prefix="asysta-stan-") as tmp:
        docx = Path(tmp) / "proba.docx"
        from docx import Document

        document = Document()
        document.add_paragraph("Próba konwersji: zażółć gęślą jaźń")
        document.save(str(docx))
        with Converter(settings.przetwarzanie.soffice, timeout, document_timeout=timeout,
                       workers=1) as converter:
            result = converter.convert([docx], Path(tmp))[docx]
            warm = converter.uses_pool
    if isinstance(result, Path) and not warm:
        return Check("libreoffice", WARNING, "LibreOffice konwertuje dokument próbny do PDF, "
                                             "ale bez ciepłej puli (brak pakietu python3-uno "
                                             "albo libreoffice-script-provider-python) – każda "
                                             "partia uruchamia LibreOffice od nowa; zainstaluj "
                                             "je (robi to ./run demo)")
    if isinstance(result, Path):
        return Check("libreoffice", OK, "LibreOffice konwertuje dokument próbny do PDF")
    return Check("libreoffice", CRITICAL, "LibreOffice nie przekonwertował dokumentu próbnego – "
                                          "sprawdź instalację (asysta sprawdz) i pamięć serwera")


def check_disk(settings: Settings) -> Check:
    folder = settings.outbox
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    free_mb = shutil.disk_usage(folder).free // (1 << 20)
    cfg = settings.stan
    text = f"wolne {free_mb} MB na dysku archiwum ({settings.outbox})"
    if free_mb < cfg.dysk_krytyczny_mb:
        return Check("dysk", CRITICAL, f"{text}, poniżej {cfg.dysk_krytyczny_mb} MB – zwolnij "
                                       "miejsce natychmiast, formularze przestaną być przyjmowane")
    if free_mb < cfg.dysk_ostrzezenie_mb:
        return Check("dysk", WARNING, f"{text}, poniżej {cfg.dysk_ostrzezenie_mb} MB – zwolnij "
                                      "miejsce albo powiększ dysk")
    return Check("dysk", OK, text)


def _files(folder: Path, skip_txt: bool = True) -> list[os.DirEntry[str]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    return [e for e in entries if e.is_file(follow_symlinks=False) and not is_ignored(e.name)
            and not (skip_txt and e.name.endswith((".txt", ".docx")))]


def check_inbox(settings: Settings) -> Check:
    waiting = [e for e in _files(settings.inbox, skip_txt=False)]
    if not waiting:
        return Check("inbox", OK, "nic nie czeka w folderze inbox")
    oldest = time.time() - min(e.stat(follow_symlinks=False).st_mtime for e in waiting)
    limit = settings.stan.inbox_czeka_min * 60
    if oldest > limit:
        return Check("inbox", WARNING, f"{len(waiting)} plików czeka w folderze inbox, najstarszy od "
                                       f"{oldest / 60:.0f} min – czy obserwator działa? "
                                       "Sprawdź też dysk i journalctl -u asysta-obserwator")
    return Check("inbox", OK, f"{len(waiting)} plików w trakcie przetwarzania")


def _count_check(name: str, folder: Path, threshold: int, what: str, todo: str,
                 skip_txt: bool = True) -> Check:
    files = _files(folder, skip_txt)
    if len(files) >= max(1, threshold):
        return Check(name, WARNING, f"{len(files)} {what} w {folder} – {todo}")
    return Check(name, OK, f"{len(files)} {what}")


def check_rejected(settings: Settings) -> Check:
    return _count_check("odrzucone", settings.inbox / REJECTED_DIR,
                        settings.stan.odrzucone_ostrzezenie, "odrzuconych plików",
                        "personel powinien je poprawić i wrzucić ponownie (opis obok każdego)")


def check_held(settings: Settings) -> Check:
    return _count_check("blad_szablonu", settings.inbox / HOLD_DIR, 1,
                        "formularzy wstrzymanych przez błąd szablonu",
                        "popraw szablon ośrodka (asysta sprawdz); formularze wrócą same")


def check_machine(settings: Settings) -> Check:
    return _count_check("awaria_konwersji", settings.inbox / FAULT_DIR, 1,
                        "formularzy, których LibreOffice nie przekonwertował",
                        "przeczytaj opis obok pliku; po naprawie przenieś plik z powrotem do inbox")


def check_scans(settings: Settings) -> Check:
    return _count_check("skany_nierozpoznane", settings.scans / UNREAD_DIR, 1,
                        "opisów nierozpoznanych stron skanów",
                        "obejrzyj podglądy i zeskanuj strony ponownie", skip_txt=False)


def check_journal(settings: Settings) -> Check:
    count, broken, why = journal.verify(settings.outbox)
    if broken is None:
        return Check("dziennik", OK, f"łańcuch dziennika zdarzeń poprawny ({count} wpisów)")
    if why == journal.TORN:
        return Check("dziennik", WARNING, "ostatni wpis dziennika niepełny (awaria zapisu) – "
                                          "następny zapis go naprawi")
    return Check("dziennik", CRITICAL, f"dziennik zdarzeń zmieniony we wpisie {broken}: {why} – "
                                       "porównaj z kopią (asysta kopia sprawdz)")


def check_guard(settings: Settings) -> Check:
    verdict = straz.check(settings.outbox, settings.kopia.prog_zmian_procent, record=False)
    reason = straz.blocked(settings.outbox)
    if reason is not None:
        return Check("straz", CRITICAL, reason[0].upper() + reason[1:])
    if verdict.alarm:  # seen now; the watcher (or the next backup) raises the blockade
        return Check("straz", CRITICAL, f"w archiwum zmieniło się albo zniknęło naraz "
                                        f"{verdict.changed} z {verdict.checked} dokumentów (możliwy "
                                        "atak szyfrującego wirusa) – zatrzymaj obserwatora, sprawdź "
                                        "archiwum, w razie potrzeby odtwórz je (asysta kopia odtworz)")
    return Check("straz", OK, "brak masowych zmian plików archiwum")


def check_backup(settings: Settings) -> Check:
    from pipeline.ops.stan_kopia import backup_status

    status, text = backup_status(settings)
    return Check("kopia", status, text)


CHECKS: tuple[tuple[str, Callable[[Settings], Check]], ...] = (
    ("obserwator", check_watcher), ("libreoffice", check_libreoffice), ("dysk", check_disk),
    ("inbox", check_inbox), ("odrzucone", check_rejected), ("blad_szablonu", check_held),
    ("awaria_konwersji", check_machine), ("skany_nierozpoznane", check_scans),
    ("dziennik", check_journal), ("kopia", check_backup), ("straz", check_guard))


def run(settings: Settings, libreoffice: bool = True) -> Report:
    """Every check (a check that fails unexpectedly is critical, not a traceback)."""
    checks = []
    for name, check in CHECKS:
        if name == "libreoffice" and not libreoffice:
            checks.append(Check(name, OK, "pominięto (--bez-libreoffice)"))
            continue
        try:
            checks.append(check(settings))
        except Exception as exc:
            checks.append(Check(name, CRITICAL, f"sprawdzenie nie powiodło się ({type(exc).__name__})"))
    status = max((c.status for c in checks), key=_RANK.__getitem__)
    report = Report(status, checks, datetime.now().astimezone().isoformat(timespec="seconds"))
    remember(settings, report)
    return report


def remember(settings: Settings, report: Report) -> None:
    """The verdict for index.html's banner (owner-only, like everything the service writes)."""
    path = status_path(settings.outbox)
    try:
        ensure_private_dir(path.parent)
        replace(path, report.to_json().encode("utf-8"))
    except OSError:
        pass  # a full disk: the exit code and the printed lines still say it
