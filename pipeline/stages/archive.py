"""File: the per-family archive `outbox/rodziny/<rodzina>/` and the rejected-files folder.

For every accepted form the family folder receives, under one name that sorts
by attachment and date (`zal06_2026-03-15_plan-pracy`; a kind beyond the sixteen by
kind and date, `zakonczenie_2026-05-31`, see pipeline/sprawa/kinds.py), the DOCX, the PDF and
the original input byte for byte; a second form for the same attachment and
date becomes `…_v2`. Nothing is ever overwritten. `rejestr.json` lists what was
filed, with the validated values, and is the commit record: a form counts as
filed once its entry is there (read and written through `register.Register`).
"""

from __future__ import annotations

import dataclasses
import fcntl
import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pipeline.core import faults
from pipeline.core.errors import FilingError, Problem, os_reason
from pipeline.core.fsutil import ensure_private_dir, fsync_dir, make_private_file, replace, write_new
from pipeline.core.limits import MoreProblems, total
from pipeline.core.models import FiledDocument, FormData
from pipeline.pdf import kod
from pipeline.sprawa.case import GENERATED_KEY
from pipeline.sprawa.kinds import archive_stem
from pipeline.sprawa.register import FAMILIES_DIR, REGISTER_NAME, Entry, Register, family_dir
from pipeline.stages.intake import REJECTED_DIR

LOCK_NAME = ".archiwum.lock"


@contextmanager
def archive_lock(outbox: Path) -> Iterator[None]:
    """Serialise writers of the archive (a watcher and a manual run may overlap)."""
    ensure_private_dir(outbox)
    fd = os.open(outbox / LOCK_NAME, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def case_conflict(outbox: Path, rodzina: str) -> str | None:
    """An existing case number that differs from this one only in letter case."""
    names, folded = _family_names(outbox / FAMILIES_DIR)
    if rodzina in names:
        return None
    return folded.get(rodzina.casefold())


_Names = tuple[frozenset[str], dict[str, str]]
_NAMES: dict[Path, tuple[tuple[int, int, int], _Names]] = {}


def _family_names(root: Path) -> _Names:
    """The family folders' names, and each under its casefold: listed again only when the
    folder changed (its inode, modification time or link count), not for every form of a
    batch."""
    try:
        info = os.stat(root)
    except (FileNotFoundError, NotADirectoryError):
        return frozenset(), {}
    key = (info.st_ino, info.st_mtime_ns, info.st_nlink)
    known = _NAMES.get(root)
    if known is None or known[0] != key:
        names = os.listdir(root)
        known = (key, (frozenset(names), {name.casefold(): name for name in names}))
        _NAMES.clear()  # one archive at a time
        _NAMES[root] = known
    return known[1]


def find_duplicate(outbox: Path, rodzina: str, sha256: str) -> Entry | None:
    return Register.load(family_dir(outbox, rodzina)).find(sha256)


def jsonable(value: Any) -> Any:
    """Form values as JSON holds them: dates as ISO text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def original_name(stem: str, suffix: str) -> str:
    """The archived input's name: `<stem><suffix>`, but a filled PDF form would collide with
    the rendered `<stem>.pdf`, so it is kept as `<stem>.formularz.pdf`."""
    return f"{stem}.formularz.pdf" if suffix == ".pdf" else f"{stem}{suffix}"


def versioned(base: str, version: int) -> str:
    """THE `_vN` rule: version 1 is the base name, a later one `<base>_v<N>`."""
    return base if version == 1 else f"{base}_v{version}"


def next_version(register: Register, document: tuple[int, date, str]) -> int:
    """One above the newest version of a document the register holds (1 for a new one)."""
    return 1 + max((e.wersja for e in register.entries if e.document == document), default=0)


def slot(folder: Path, base: str, suffix: str, content: bytes, start: int = 1) -> tuple[int, str]:
    """The first free version of a document name from `start`; a slot holding these very
    bytes is reused (an earlier run stopped before it could record them)."""
    version = start
    while True:
        stem = versioned(base, version)
        original = folder / original_name(stem, suffix)
        taken = [p for p in (folder / f"{stem}.docx", folder / f"{stem}.pdf", original) if p.exists()]
        if not taken:
            return version, stem
        if original.exists() and original.read_bytes() == content:
            return version, stem
        version += 1


def write_versioned(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """A kierownik's file outside the family folders (reports, figures): a new file, or
    `_v2`, `_v3`… (`versioned`): a second run never silently replaces the first; the same
    bytes again are the file already there."""
    ensure_private_dir(folder)
    version = 1
    while True:
        path = folder / f"{versioned(stem, version)}{suffix}"
        if path.exists():
            if path.read_bytes() == data:
                return path
            version += 1
            continue
        try:
            write_new(path, data)
            return path
        except FileExistsError:
            version += 1


def file_document(form: FormData, docx: Path, pdf: Path, outbox: Path,
                  generated: bool = False) -> FiledDocument:
    """Put a converted form into its family's folder and record it; `generated`: the program
    made the form (a monthly report of `asysta raporty`), and its entry says so."""
    folder = family_dir(outbox, form.rodzina)
    suffix = Path(form.source.name).suffix.lower()
    if form.rodzaj:  # a kind beyond the sixteen: notatka_2026-03-15_<subject>
        base = archive_stem(form.schema.nazwa_pliku, form.data.isoformat(), form.values)
    else:
        base = f"zal{form.zalacznik:02d}_{form.data.isoformat()}_{form.schema.nazwa_pliku}"
    try:
        ensure_private_dir(outbox / FAMILIES_DIR)
        ensure_private_dir(folder)
        register = Register.load(folder)
        document = Entry(form.zalacznik, form.data, 0, "", dane=form.values,
                         rodzaj=form.rodzaj).document
        version, stem = slot(folder, base, suffix, form.source.content,
                             next_version(register, document))
        # the original first: its bytes mark the slot as this form's, so a run that is
        # killed half-way reuses the slot instead of leaving a half-filled one behind
        targets = {
            "zrodlo": (folder / original_name(stem, suffix), form.source.content),
            ".docx": (folder / f"{stem}.docx", docx.read_bytes()),
            ".pdf": (folder / f"{stem}.pdf", _coded(pdf, form, version)),
        }
        for path, data in targets.values():
            if path.exists():  # a reused slot: the same original, documents made anew
                replace(path, data)
            else:
                write_new(path, data)
            faults.point("w_trakcie_zapisu")
        register = register.with_entry(Entry(
            form.zalacznik, form.data, version, pdf=f"{stem}.pdf", docx=f"{stem}.docx",
            plik_zrodlowy=original_name(stem, suffix), sha256=form.source.sha256,
            wersja_schematu=form.schema.wersja,
            przyjeto=datetime.now().astimezone().isoformat(timespec="seconds"),
            dane=jsonable(dict(form.values)), rodzaj=form.rodzaj,
            extra={GENERATED_KEY: True} if generated else {}))
        replace(folder / REGISTER_NAME, register.to_bytes())
        fsync_dir(folder)
    except OSError as exc:
        raise FilingError(
            f"nie można zapisać dokumentów w archiwum rodziny {form.rodzina} "
            f"({os_reason(exc.errno)}) – formularz pozostaje w folderze inbox i zostanie "
            "przetworzony ponownie", exc.errno
        ) from None
    return FiledDocument(form, folder, targets[".docx"][0], targets[".pdf"][0],
                         targets["zrodlo"][0], version)


def file_made(outbox: Path, rodzina: str, base: str, source: bytes, docx: bytes, pdf: bytes,
              entry: Entry) -> Entry:
    """File a document the program made (a court report) like a form: its values (`.json`),
    DOCX and PDF with its page code on every page under the next free version of `base`,
    and its register entry (`entry` gives attachment, kind, date, hash and values)."""
    folder = family_dir(outbox, rodzina)
    with archive_lock(outbox):
        ensure_private_dir(outbox / FAMILIES_DIR)
        ensure_private_dir(folder)
        register = Register.load(folder)
        version, stem = slot(folder, base, ".json", source, next_version(register, entry.document))
        identity = kod.Identity(rodzina, entry.zalacznik, entry.data, version,
                                kod.check(rodzina, entry.zalacznik, entry.rodzaj, entry.data,
                                          version, entry.sha256), entry.rodzaj)
        targets = ((folder / f"{stem}.json", source), (folder / f"{stem}.docx", docx),
                   (folder / f"{stem}.pdf", kod.stamp(pdf, identity)))
        for path, data in targets:
            (replace if path.exists() else write_new)(path, data)
        filed = dataclasses.replace(
            entry, wersja=version, pdf=f"{stem}.pdf", docx=f"{stem}.docx",
            plik_zrodlowy=f"{stem}.json",
            przyjeto=datetime.now().astimezone().isoformat(timespec="seconds"))
        replace(folder / REGISTER_NAME, register.with_entry(filed).to_bytes())
        fsync_dir(folder)
    return filed


def write_family_file(outbox: Path, rodzina: str, name: str, data: bytes) -> Path:
    """A file the program adds to a family's folder beside a filed document (a signed scan),
    replaced whole; the caller holds the archive's lock and records it (`record_extra`)."""
    path = family_dir(outbox, rodzina) / Path(name).name  # never outside the family's folder
    replace(path, data)
    return path


def record_extra(outbox: Path, rodzina: str, changes: Mapping[str, Mapping[str, Any]]) -> None:
    """Add keys to entries of a family's register, found by their original file
    (`plik_zrodlowy` → keys); the caller holds the archive's lock."""
    folder = family_dir(outbox, rodzina)
    register = Register.load(folder)
    for entry in register.entries:
        if entry.plik_zrodlowy in changes:
            register = register.with_entry(dataclasses.replace(
                entry, extra={**entry.extra, **changes[entry.plik_zrodlowy]}))
    replace(folder / REGISTER_NAME, register.to_bytes())
    fsync_dir(folder)


def _coded(pdf: Path, form: FormData, version: int) -> bytes:
    """The converted PDF with the code of its document on every page (`pipeline.pdf.kod`)."""
    rodzaj = form.rodzaj
    identity = kod.Identity(form.rodzina, form.zalacznik, form.data, version,
                            kod.check(form.rodzina, form.zalacznik, rodzaj, form.data, version,
                                      form.source.sha256), rodzaj)
    return kod.stamp(pdf.read_bytes(), identity)


# What is added to a stored name: " (12)" before its suffix, and ".txt" or ".docx" after it.
_NAME_RESERVE = len(" (9999)") + len(".docx")


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _fitting_name(folder: Path, name: str) -> str:
    """The name to keep a rejected file under: its own, or, when `<name>.txt` would be too
    long for the filesystem, its start and a hash of the whole name."""
    room = _name_max(folder) - _NAME_RESERVE
    if len(os.fsencode(name)) <= room:
        return name
    stem, suffix = os.path.splitext(name)
    if len(os.fsencode(suffix)) > 16:  # not an extension, just a dot in a long name
        stem, suffix = name, ""
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    room -= len(os.fsencode(suffix)) + len(digest) + 1
    start = ""
    for char in stem:  # whole characters only: a cut UTF-8 sequence is not a name
        if len(os.fsencode(start + char)) > room:
            break
        start += char
    return f"{start}~{digest}{suffix}"


def _free_name(folder: Path, name: str) -> str:
    stem, suffix = os.path.splitext(name)
    candidate, n = name, 1
    while (folder / candidate).exists() or (folder / f"{candidate}.txt").exists():
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    return candidate


def explanation(name: str, problems: list[Problem] | tuple[Problem, ...],
                stored: str | None = None) -> str:
    """The text beside a rejected file; `stored` is the shortened name it is kept under."""
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    if name.lower().endswith(".pdf"):
        how = [
            "Co zrobić: otwórz formularz w programie do PDF (np. Adobe Acrobat Reader,",
            "przeglądarka), popraw wskazane pola, zapisz go i wrzuć ponownie do folderu inbox.",
            "Oryginał leży obok tego opisu, bez żadnych zmian. Etykiety i podpowiedzi pól są",
            "w samym formularzu; nowe, puste formularze: folder formularze/.",
        ]
    else:
        how = [
            "Co zrobić: popraw plik (np. w Notatniku, zapisując w kodowaniu UTF-8) i wrzuć go",
            "ponownie do folderu inbox. Oryginał leży obok tego opisu, bez żadnych zmian.",
            "Opis pól formularza: folder formularze/ (etykiety i podpowiedzi) oraz przykłady",
            "w formularze/przyklady/.",
        ]
    renamed = [] if stored is None else [
        "",
        "Nazwa pliku jest za długa, by zapisać obok niego ten opis, dlatego plik zapisano",
        f"pod skróconą nazwą „{stored}” (początek nazwy i jej skrót); zawartość",
        "pliku jest bez zmian. Przed ponownym wrzuceniem nadaj plikowi krótszą nazwę.",
    ]
    listed = [p for p in problems if not isinstance(p, MoreProblems)]
    more = [str(p) for p in problems if isinstance(p, MoreProblems)]
    lines = [
        f"Plik „{name}” nie został przyjęty ({when}).",
        *renamed,
        "",
        f"Znalezione problemy ({total(problems)}):",
        *(f"{i}. {p}" for i, p in enumerate(listed, 1)),
        *(f"… {m}" for m in more),
        "",
        *how,
    ]
    return "\n".join(lines) + "\n"


def reject(path: Path, problems: list[Problem] | tuple[Problem, ...], inbox: Path) -> Path:
    """Move the file unchanged to inbox/odrzucone/ with a Polish explanation beside it; a
    name too long to have `.txt` added is kept shortened (the text says so)."""
    folder = inbox / REJECTED_DIR
    ensure_private_dir(folder)
    fitting = _fitting_name(folder, path.name)
    name = _free_name(folder, fitting)
    target = folder / name
    shortened = name if fitting != path.name else None
    described = folder / f"{name}.txt"
    # written whole or not at all (a full disk leaves no half-written explanation behind)
    write_new(described, explanation(path.name, problems, shortened).encode("utf-8"))
    try:
        os.rename(path, target)
    except OSError:
        described.unlink(missing_ok=True)  # no explanation of a file that is not there
        raise
    make_private_file(target)
    return target


def keep_beside(rejected: Path, suffix: str, data: bytes) -> Path:
    """A file kept next to a rejected one (e.g. the DOCX LibreOffice could not convert)."""
    path = rejected.with_name(rejected.name + suffix)
    write_new(path, data)
    return path


def unreject(target: Path, path: Path) -> None:
    """Undo `reject` (its log entry could not be written): the file goes back to the inbox
    unchanged and its explanation is removed."""
    if path.exists():  # a new file of that name was dropped meanwhile: keep both as they are
        return
    os.rename(target, path)
    target.with_name(target.name + ".txt").unlink(missing_ok=True)
