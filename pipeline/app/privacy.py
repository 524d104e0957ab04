"""Data subjects' rights and the end of retention: `asysta eksport` and `asysta usun`.

An export is one ZIP of the family's whole folder (documents, originals,
register, checklist) for an access request; a deletion removes the folder
after the end of retention, and every other copy the product made of the family:
its export ZIPs in `outbox/eksport/`, and its pages (and bookmark) in the monthly
combined reports `outbox/raporty/RRRR-MM/raporty_*.pdf`, which are copies of the
family's own reports. What it cannot or should not change is listed for the
administrator: exports saved elsewhere (`--do`), the kierownik's summaries
(`zestawienie_*`: case number and counts only, a record of the assistants' work
in that month) and rejected forms in `inbox/odrzucone/`. Both operations are
logged with the case number and file names only.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.fsutil import ensure_private_dir, replace, write_new
from pipeline.documents.overview import Expired, all_checklists, expired_cases, write_index
from pipeline.notify.kalendarz import write_calendars
from pipeline.stages.archive import archive_lock, family_dir
from pipeline.stages.intake import REJECTED_DIR

EXPORT_DIR = "eksport"
REPORTS_DIR = "raporty"  # as raporty.REPORTS_DIR (not imported: it pulls in the pipeline)


class PrivacyError(AsystaError):
    pass


def _existing(settings: Settings, rodzina: str) -> Path:
    folder = family_dir(settings.outbox, rodzina)
    if not rodzina or "/" in rodzina or rodzina.startswith(".") or not folder.is_dir():
        raise PrivacyError(f"w archiwum nie ma rodziny {rodzina}")
    return folder


def export_family(settings: Settings, rodzina: str, target: Path | None = None) -> Path:
    """A ZIP of everything the archive holds about a family (owner-only permissions)."""
    folder = _existing(settings, rodzina)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, f"{rodzina}/{path.relative_to(folder)}")
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    if target is None:
        ensure_private_dir(settings.outbox / EXPORT_DIR)
        target = settings.outbox / EXPORT_DIR / f"{rodzina}_{stamp}.zip"
    write_new(target, buffer.getvalue())
    inside = target.parent == settings.outbox / EXPORT_DIR
    try:
        journal.log(settings.outbox, "eksport", rodzina=rodzina, plik=target.name,
                    wynik="wykonano", plikow=len(zipfile.ZipFile(target).namelist()),
                    poza_archiwum=not inside)
    except AsystaError:  # a copy the journal does not know of must not exist
        target.unlink(missing_ok=True)
        raise
    return target


@dataclass
class Deletion:
    """What `delete_family` did: file names only (they hold case numbers, not data)."""

    files: int  # in the family's folder
    removed: list[str] = field(default_factory=list)  # other copies removed whole
    edited: list[str] = field(default_factory=list)  # combined PDFs with the family's pages cut
    listed: list[tuple[str, str]] = field(default_factory=list)  # (file, what to do) for a person


def delete_family(settings: Settings, rodzina: str) -> Deletion:
    """Remove a family's folder from the archive and every copy the product made of it."""
    folder = _existing(settings, rodzina)
    with archive_lock(settings.outbox):
        result = Deletion(sum(1 for p in folder.rglob("*") if p.is_file()))
        # first in the journal: if it cannot be written (full disk), nothing is removed
        journal.log(settings.outbox, "usuwanie", rodzina=rodzina, wynik="rozpoczeto",
                    plikow=result.files)
        shutil.rmtree(folder)
        _remove_exports(settings, rodzina, result)
        _cut_reports(settings, rodzina, result)
    _list_leftovers(settings, rodzina, result)
    journal.log(settings.outbox, "usunieto", rodzina=rodzina, wynik="wykonano",
                plikow=result.files, usunieto_kopie=result.removed, zmieniono=result.edited,
                do_sprawdzenia=[name for name, _ in result.listed])
    write_index(settings, date.today())
    write_calendars(settings, date.today())  # its deadlines leave the calendars too
    return result


def _is_export_of(path: Path, rodzina: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False
    return bool(names) and all(n.startswith(f"{rodzina}/") for n in names)


def _remove_exports(settings: Settings, rodzina: str, result: Deletion) -> None:
    """`outbox/eksport/<rodzina>_<data>_<czas>.zip`: exactly this case number (`K-1` never
    takes `K-1_2…` of case `K-1_2`) and a ZIP holding only this family's folder."""
    folder = settings.outbox / EXPORT_DIR
    pattern = re.compile(re.escape(rodzina) + r"_\d{4}-\d{2}-\d{2}_\d{6}\.zip")
    for path in sorted(folder.glob("*.zip")) if folder.is_dir() else []:
        if pattern.fullmatch(path.name) and _is_export_of(path, rodzina):
            path.unlink()
            result.removed.append(f"{EXPORT_DIR}/{path.name}")


def _family_pages(reader: PdfReader, rodzina: str) -> tuple[set[int], list[tuple[str, int, int]]]:
    """The pages of this family's report in a combined PDF (from its bookmarks, one per
    family under one per assistant), and every bookmark as (title, level, first page)."""
    marks: list[tuple[str, int, int]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                page = reader.get_destination_page_number(item)
                if page is not None:
                    marks.append((str(item.title), level, page))

    walk(reader.outline, 1)
    starts = sorted({page for _, level, page in marks if level == 2} | {len(reader.pages)})
    pages: set[int] = set()
    for title, level, first in marks:
        if level == 2 and title.startswith(f"{rodzina} – "):
            end = next(s for s in starts if s > first)
            pages.update(range(first, end))
    return pages, marks


def _without(reader: PdfReader, drop: set[int], marks: list[tuple[str, int, int]],
             rodzina: str) -> bytes:
    writer = PdfWriter()
    for number, page in enumerate(reader.pages):
        if number not in drop:
            writer.add_page(page)

    def moved(page: int) -> int:
        return page - sum(1 for d in drop if d < page)

    kept: list[tuple[str, int, int]] = []
    for title, level, first in marks:
        if level == 2 and title.startswith(f"{rodzina} – "):
            continue
        kept.append((title, level, first))
    parent: Any = None
    for i, (title, level, first) in enumerate(kept):
        if level == 1:
            following = next((j for j, k in enumerate(kept[i + 1:]) if k[1] == 1), None)
            children = kept[i + 1:i + 1 + following] if following is not None else kept[i + 1:]
            if not children:
                parent = None
                continue
            parent = writer.add_outline_item(title=title, page_number=moved(children[0][2]))
        else:
            writer.add_outline_item(title=title, page_number=moved(first), parent=parent)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _cut_reports(settings: Settings, rodzina: str, result: Deletion) -> None:
    """The family's pages leave every combined monthly PDF (the rest, bookmarks included,
    stays as it was); a PDF that held only this family is removed."""
    root = settings.outbox / REPORTS_DIR
    for path in sorted(root.glob("*/raporty_*.pdf")) if root.is_dir() else []:
        name = f"{REPORTS_DIR}/{path.parent.name}/{path.name}"
        try:
            reader = PdfReader(str(path))
            drop, marks = _family_pages(reader, rodzina)
        except (OSError, ValueError, PdfReadError):
            result.listed.append((name, "nie można odczytać pliku – sprawdź go ręcznie"))
            continue
        if not drop:
            continue
        if len(drop) == len(reader.pages):
            path.unlink()
            result.removed.append(name)
        else:
            replace(path, _without(reader, drop, marks, rodzina))
            result.edited.append(name)


def _mentions(path: Path, rodzina: str) -> bool:
    """Whether a summary (XLSX or PDF) names the case number in a cell or line of its own."""
    try:
        if path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            return any(cell == rodzina for sheet in book.worksheets
                       for row in sheet.iter_rows(values_only=True) for cell in row)
        text = "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
    except (OSError, ValueError, KeyError, PdfReadError, zipfile.BadZipFile):
        return False
    return re.search(rf"(?<![\w.-]){re.escape(rodzina)}(?![\w.-])", text) is not None


def _list_leftovers(settings: Settings, rodzina: str, result: Deletion) -> None:
    """What a person has to look at: copies outside the archive, summaries, rejected forms."""
    root = settings.outbox / REPORTS_DIR
    for path in sorted(root.glob("*/zestawienie_*")) if root.is_dir() else []:
        if path.suffix in (".pdf", ".xlsx") and _mentions(path, rodzina):
            result.listed.append((f"{REPORTS_DIR}/{path.parent.name}/{path.name}", (
                "zestawienie dla kierownika wymienia numer sprawy z liczbą wizyt i godzin "
                "(bez danych osobowych rodziny) – zostawiono je jako dokumentację pracy "
                "asystentów; usuń je ręcznie, jeśli tego wymaga instrukcja kancelaryjna")))
    rejected = settings.inbox / REJECTED_DIR
    seen: set[str] = set()
    for entry in journal.read(settings.outbox):
        if entry.get("rodzina") != rodzina:
            continue
        name = str(entry.get("plik") or "")
        if entry.get("akcja") == "eksport" and entry.get("poza_archiwum") and name not in seen:
            seen.add(name)
            result.listed.append((name, "eksport zapisany poza archiwum (--do) – usuń ten plik "
                                        "ręcznie, jeśli jeszcze istnieje"))
        batch = str(entry.get("partia") or "")
        if entry.get("akcja") == "skan_przyjeto" and batch not in seen \
                and (settings.outbox / "skany" / batch).is_file():
            seen.add(batch)
            result.listed.append((f"skany/{batch}", (
                "oryginał partii skanów, w której były podpisane dokumenty tej rodziny (może "
                "zawierać też strony innych rodzin) – usuń go ręcznie, gdy nie jest już potrzebny")))
        if entry.get("akcja") == "odrzucono" and name and (rejected / name).is_file() \
                and name not in seen:
            seen.add(name)
            result.listed.append((f"inbox/{REJECTED_DIR}/{name}", (
                "odrzucony formularz z tym numerem sprawy – sprawdź i usuń go ręcznie "
                "(razem z opisem .txt)")))
        result.listed += _signed_set_aside(settings, entry, seen)


def _signed_set_aside(settings: Settings, entry: dict[str, Any], seen: set[str]) -> list[tuple[str, str]]:
    """A signed PDF of this family set aside in the scan folder (`pipeline.scans.elektroniczne`)."""
    kept = str(entry.get("zapisano_jako") or "")
    path = settings.scans / "nierozpoznane" / kept
    if entry.get("akcja") != "podpis_odrzucono" or not kept or kept in seen or not path.is_file():
        return []
    seen.add(kept)
    return [(str(path), "odłożony plik podpisany elektronicznie z tym numerem sprawy – sprawdź "
                        "i usuń go ręcznie (razem z opisem .txt)")]


def expired(settings: Settings, as_of: date) -> list[Expired]:
    """Closed cases whose retention period has ended."""
    return expired_cases(all_checklists(settings, as_of), as_of, settings.terminy.przechowywanie_lat)
