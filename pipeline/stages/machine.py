"""Faults of the machine are not the staff's fault: a form whose conversion failed because
LibreOffice crashed or hung is never rejected. It is tried once more at once, alone, on a
freshly started LibreOffice; if that fails too it waits in the inbox and is retried later
with back-off (the watcher's, as for a full disk). Only a form that failed alone on a fresh
LibreOffice `[stan] proby_konwersji` times is set aside, in `inbox/awaria-konwersji/`, with a
note for the administrator (`asysta stan` counts it); the staff member has nothing to fix.

The failures of each form (by its hash) are counted in `inbox/.awarie-konwersji.json`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from datetime import datetime
from pathlib import Path

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import ConversionError, Problem, ResourceError
from pipeline.core.fsutil import ensure_private_dir, replace, write_new
from pipeline.core.models import Outcome, RenderedDocument
from pipeline.stages.convert import Converter

FAULT_DIR = "awaria-konwersji"
COUNTS_NAME = ".awarie-konwersji.json"
MACHINE_REASONS = frozenset({"hang", "crash", "start", "closed"})


def is_machine_fault(failure: ConversionError) -> bool:
    """LibreOffice crashed, hung, would not start or was stopped: not the document's fault."""
    return failure.reason in MACHINE_REASONS


def convert_alone(docx: Path, outdir: Path, settings: Settings) -> Path | ConversionError:
    """One document on a LibreOffice started just for it."""
    cfg = dataclasses.replace(settings.przetwarzanie, konwertery=1)
    with Converter.from_settings(cfg) as fresh:
        return fresh.convert([docx], outdir)[docx]


def _counts_path(settings: Settings) -> Path:
    return settings.inbox / COUNTS_NAME


def _counts(settings: Settings) -> dict[str, int]:
    try:
        data = json.loads(_counts_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _save(settings: Settings, counts: dict[str, int]) -> None:
    path = _counts_path(settings)
    if counts:
        replace(path, json.dumps(counts).encode("utf-8"))
    else:
        path.unlink(missing_ok=True)


def forget(settings: Settings, sha256: str) -> None:
    """The form converted at last: its count goes."""
    if not _counts_path(settings).exists():  # the usual case: no machine fault pending
        return
    counts = _counts(settings)
    if counts.pop(sha256, None) is not None:
        with contextlib.suppress(OSError):
            _save(settings, counts)


def note(name: str, failures: int, reason: str) -> str:
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"Plik „{name}” odłożono dla administratora ({when}): awaria LibreOffice, nie błąd pliku.",
        "",
        f"Formularz jest poprawny, ale LibreOffice {failures} razy nie zamienił jego dokumentu",
        f"na PDF, także uruchomiony specjalnie dla niego, bez innych dokumentów ({reason}).",
        "",
        "Dla administratora: sprawdź LibreOffice (asysta stan, asysta sprawdz), pamięć serwera",
        "i dziennik usługi (journalctl -u asysta-obserwator). Dokument DOCX leży obok (ta sama",
        "nazwa z dopiskiem „.docx”). Po usunięciu przyczyny przenieś plik z powrotem do folderu",
        "inbox; ten opis i plik .docx można usunąć. Personel nie musi niczego poprawiać.",
    ]
    return "\n".join(lines) + "\n"


def _set_aside(path: Path, item: RenderedDocument, settings: Settings, failures: int,
               reason: str) -> Path:
    folder = settings.inbox / FAULT_DIR
    ensure_private_dir(folder)
    stem, suffix = os.path.splitext(path.name)
    target, n = folder / path.name, 1
    while target.exists() or target.with_name(target.name + ".txt").exists():
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    write_new(target.with_name(target.name + ".txt"), note(path.name, failures, reason).encode())
    write_new(target.with_name(target.name + ".docx"), item.docx.read_bytes())
    write_new(target, path.read_bytes())  # a private copy (0600), whatever the dropped mode
    path.unlink()
    return target


def handle(path: Path, item: RenderedDocument, failure: ConversionError, outdir: Path,
           settings: Settings) -> Path | Outcome:
    """After a machine fault in the batch: the PDF made alone on a fresh LibreOffice, or the
    form's outcome (waiting in the inbox, or set aside for the administrator)."""
    rodzina = item.form.rodzina
    if failure.reason == "closed":  # the program is ending: the form simply waits, uncounted
        return Outcome(path.name, "pozostawiony", rodzina, problems=(Problem(
            "konwersję przerwano, bo program kończy pracę; plik pozostaje w folderze inbox"),))
    again = convert_alone(item.docx, outdir, settings)
    if isinstance(again, Path):
        forget(settings, item.form.source.sha256)
        with contextlib.suppress(ResourceError):  # the administrator sees the faults in the log
            journal.log(settings.outbox, "awaria_konwersji", plik=path.name, rodzina=rodzina,
                        wynik="przekonwertowano_osobno")
        return again
    failure = again
    sha = item.form.source.sha256
    counts = _counts(settings)
    counts[sha] = counts.get(sha, 0) + 1
    reason = str(failure).split(" – ")[0]
    tries = counts[sha]
    if tries >= max(1, settings.stan.proby_konwersji) and path.parent == settings.inbox:
        target = _set_aside(path, item, settings, tries, reason)
        counts.pop(sha)
        _save(settings, counts)
        with contextlib.suppress(ResourceError):
            journal.log(settings.outbox, "awaria_konwersji", plik=path.name, rodzina=rodzina,
                        wynik="odlozony_dla_administratora", proby=tries)
        return Outcome(path.name, "pozostawiony", rodzina, rejected_to=target, problems=(Problem(
            f"awaria LibreOffice (nie błąd pliku): {reason}; plik odłożono dla administratora "
            f"do {settings.inbox / FAULT_DIR}"),))
    with contextlib.suppress(OSError):
        _save(settings, counts)
    with contextlib.suppress(ResourceError):
        journal.log(settings.outbox, "awaria_konwersji", plik=path.name, rodzina=rodzina,
                    wynik="pozostawiony", proby=tries)
    return Outcome(path.name, "pozostawiony", rodzina, problems=(Problem(
        f"awaria LibreOffice (nie błąd pliku): {reason}; plik pozostaje w folderze inbox i "
        "zostanie przetworzony ponownie"),))
