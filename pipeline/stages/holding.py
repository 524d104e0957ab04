"""Forms held back by a template error: `inbox/blad-szablonu/`.

The form is valid; the centre's template is not. It is not the caseworker's
fault, so the file is neither rejected nor kept in the inbox (where every rescan
would fail it again): it waits in its own folder, unchanged, with a Polish note
„błąd szablonu — nie Twojego pliku” for the administrator. When the template or
schema it failed with changes (a fixed file, or the centre's file removed), it
goes back to the inbox by itself and is processed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import TemplateFault
from pipeline.core.fsutil import ensure_private_dir, make_private_file, replace
from pipeline.sprawa.schemas import is_kind_name, schema_path
from pipeline.stages import render
from pipeline.stages.intake import is_ignored

HOLD_DIR = "blad-szablonu"


def _state_path(folder: Path, name: str) -> Path:
    return folder / f".{name}.szablon.json"  # hidden: not a form, and not for staff


def _fingerprint(zalacznik: int | str, settings: Settings) -> dict[str, str]:
    """What the form's document is made from: its template and schema, path and content."""
    out: dict[str, str] = {}
    for key, path in (("szablon", render.template_path(zalacznik, settings)),
                      ("schemat", schema_path(zalacznik, settings.foldery.formularze))):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        out[key] = f"{path}:{digest}"
    return out


def note(name: str, fault: TemplateFault) -> str:
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [
        f"Plik „{name}” odłożono ({when}): błąd szablonu — nie Twojego pliku.",
        "",
        "Formularz jest poprawny i nic nie trzeba w nim zmieniać. Dokument nie powstał, bo",
        f"szablon dokumentu ośrodka ({fault.template}) ma błąd:",
        *(f"  - {p}" for p in fault.problems),
        "",
        "Co zrobić: przekaż to administratorowi. Po poprawieniu szablonu (sprawdzenie:",
        "asysta sprawdz) formularz sam wróci do folderu inbox i zostanie przetworzony;",
        "nie trzeba go wrzucać ponownie. Oryginał leży obok tego opisu, bez zmian.",
    ]
    return "\n".join(lines) + "\n"


def hold(path: Path, fault: TemplateFault, zalacznik: int | str, settings: Settings) -> Path:
    """Move the file unchanged to inbox/blad-szablonu/ with the note and what it waits for."""
    folder = settings.inbox / HOLD_DIR
    ensure_private_dir(folder)
    target = folder / path.name
    stem, suffix = os.path.splitext(path.name)
    n = 1
    while target.exists() or _state_path(folder, target.name).exists():
        n += 1
        target = folder / f"{stem} ({n}){suffix}"
    state = {"plik": path.name, "zalacznik": zalacznik, **_fingerprint(zalacznik, settings)}
    replace(_state_path(folder, target.name), json.dumps(state, ensure_ascii=False).encode())
    replace(folder / f"{target.name}.txt", note(path.name, fault).encode("utf-8"))
    os.rename(path, target)
    make_private_file(target)  # 0600 whatever mode it was dropped with
    return target


def release(settings: Settings) -> list[Path]:
    """Back to the inbox: every held form whose template or schema has changed since."""
    folder = settings.inbox / HOLD_DIR
    if not folder.is_dir():
        return []
    released: list[Path] = []
    current: dict[int | str, dict[str, str]] = {}
    for held in sorted(folder.iterdir()):
        if is_ignored(held.name) or held.suffix == ".txt" or not held.is_file():
            continue
        state_file = _state_path(folder, held.name)
        try:
            state = json.loads(state_file.read_text(encoding="utf-8"))
            n = state["zalacznik"]  # an attachment's number or a kind's name
            n = n if isinstance(n, str) and is_kind_name(n) else int(n)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not ours, or a note we cannot read: the administrator decides
        if n not in current:
            current[n] = _fingerprint(n, settings)
        if all(state.get(k) == v for k, v in current[n].items()):
            continue
        target = settings.inbox / str(state.get("plik") or held.name)
        if target.exists() or is_ignored(target.name) or target.parent != settings.inbox:
            target = settings.inbox / held.name
            if target.exists():
                continue  # a file of that name is waiting in the inbox: next time
        os.rename(held, target)
        for leftover in (state_file, folder / f"{held.name}.txt"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        journal.log(settings.outbox, "ponowienie_po_szablonie", plik=target.name,
                    wynik="przywrocony")
        released.append(target)
    return released
