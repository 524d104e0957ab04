"""Scans of signed documents: the copier's folder (`inbox/skany/`) back into the archive.

A file dropped there (a PDF, or TIFF/JPEG/PNG pages) is one batch of any number of
documents in any order. Each page is rendered (pypdfium2) and its code read (zxing-cpp,
any rotation); the pages are split into documents by their codes, put in order, and each
document is filed beside its unsigned PDF as `…_podpisany.pdf` (a second, different scan:
`…_podpisany_v2.pdf`), upright, as PDF/A-2b. The register entry of the document records
the scan (`skany`: file, pages, whether complete, the batch). The batch itself is kept byte
for byte in `outbox/skany/`.

A page without a readable code goes with the page before it when that page's code says
its document has more pages; otherwise it is set aside in `inbox/skany/nierozpoznane/`
(a Polish explanation naming the pages, and a PNG of each), as are the pages of a document
the archive does not hold or whose check does not match. Blank pages are reported.

Crash safety is the inbox's: the batch's original is stored first, the signed PDFs next
(a slot left by a killed run is reused), the register entries are the commit, the journal
follows, and the input leaves the scan folder last; a run after a kill files nothing twice.
The same batch dropped again creates nothing new.

A PDF that carries an electronic signature is no scan: it goes to
`pipeline.scans.elektroniczne` (verified, filed untouched). The pages are read and split
in `pipeline.scans.strony`; what the register says about signatures is `pipeline.scans.stan`.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pipeline.core import faults, journal
from pipeline.core.config import Settings
from pipeline.core.errors import FormError, Problem, ResourceError, resource_failure
from pipeline.core.fsutil import ensure_private_dir, fsync_dir, write_new
from pipeline.core.fsutil import replace as replace_file
from pipeline.core.polish import pl_count
from pipeline.pdf.pdfa import PdfMeta
from pipeline.pdf.pdfa_joined import finish_joined, is_pdfa2, output_intent
from pipeline.pdf.pdfutil import quiet_pypdf
from pipeline.podpis.weryfikacja import is_signed
from pipeline.scans.stan import (  # noqa: F401 - the archive's view, re-exported for callers
    ORIGINALS_DIR,
    SCANS_KEY,
    SignedScan,
    add_unsigned,
    binder_pdf,
    complete_scan,
    document_name,
    entry_of,
    safe_stem,
    scanning,
    scans_of,
)
from pipeline.scans.strony import Document, Page, SetAside, read_pages, split
from pipeline.sprawa.register import Entry, Register, family_dir
from pipeline.stages import archive
from pipeline.stages.archive import archive_lock
from pipeline.stages.intake import is_ignored, open_regular

UNREAD_DIR = "nierozpoznane"  # inbox/skany/nierozpoznane/: pages set aside
SIGNED = "_podpisany"
SUFFIXES = (".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png")

Status = Literal["przyjety", "czesciowo", "nierozpoznany", "duplikat", "odrzucony", "pozostawiony"]


# -- filing ------------------------------------------------------------------------------


@dataclass
class Filed:
    rodzina: str
    entry: Entry
    scan: SignedScan
    new: bool  # False: this batch had filed it already (a run that stopped half-way)


@dataclass
class ScanOutcome:
    """What happened to one batch file."""

    name: str
    status: Status
    pages: int = 0
    filed: list[Filed] = field(default_factory=list)
    set_aside: list[SetAside] = field(default_factory=list)
    blank: list[int] = field(default_factory=list)
    explanation: Path | None = None  # in nierozpoznane/
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()  # what was filed from a signed PDF (no names)
    signed_in: str = ""  # the family a signed PDF was filed in

    @property
    def rodziny(self) -> list[str]:
        return sorted({f.rodzina for f in self.filed} | ({self.signed_in} - {""}))


def _signed_pdf(pages: list[Page], dpi: int, meta: PdfMeta, intent: Any) -> bytes:
    """The signed copy: one page per scanned page, at its scanned size, as PDF/A-2b when
    the unsigned document is PDF/A (its output intent is reused)."""
    from reportlab import rl_config
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1)
    canvas.setTitle(meta.title)
    ascii85, rl_config.useA85 = rl_config.useA85, 0  # the JPEG as it is, not a quarter larger
    try:
        for page in pages:
            width, height = (page.size[0] * 72 / dpi, page.size[1] * 72 / dpi)
            canvas.setPageSize((width, height))
            canvas.drawImage(ImageReader(io.BytesIO(page.jpeg)), 0, 0, width, height)
            canvas.showPage()
        canvas.save()
    finally:
        rl_config.useA85 = ascii85
    return finish_joined(buffer.getvalue(), meta, intent)


def _meta_of(folder: Path, entry: Entry) -> tuple[PdfMeta, Any]:
    from pypdf import PdfReader

    try:
        with quiet_pypdf():
            reader = PdfReader(folder / Path(entry.pdf).name)
            info: Any = reader.metadata or {}
            intent = output_intent(reader) if is_pdfa2(reader) else None
            title = str(info.get("/Title") or document_name(entry))
            subject, author = str(info.get("/Subject") or ""), str(info.get("/Author") or "")
    except Exception:  # the unsigned PDF is damaged or gone: the scan is still filed
        title, subject, author, intent = document_name(entry), "", "", None
    return (PdfMeta(f"{title} – skan podpisanego dokumentu", subject, author,
                    f"skan podpisanego dokumentu; {entry.pdf}"), intent)


def _slot(folder: Path, entry: Entry) -> str:
    """The first name for a new signed scan: `<document>_podpisany.pdf`, then `_v2`…; a file
    no record names (a killed run wrote it) is taken again."""
    stem = Path(entry.pdf).stem
    recorded = {s.plik for s in scans_of(entry)}
    version = 1
    while True:
        name = f"{archive.versioned(stem + SIGNED, version)}.pdf"
        if name not in recorded:
            return name
        version += 1


def _file_documents(settings: Settings, documents: list[Document], sha256: str,
                    dpi: int) -> tuple[list[Filed], list[SetAside]]:
    """Under the archive lock: each document's signed PDF, then its family's register."""
    filed: list[Filed] = []
    set_aside: list[SetAside] = []
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    updates: dict[str, dict[str, list[SignedScan]]] = {}  # rodzina → source file → new scans
    for doc in documents:
        entry, reason = entry_of(settings, doc.identity)
        if entry is None:
            set_aside.extend(SetAside(p, reason) for _, p in sorted(doc.pages.items()))
            continue
        rodzina = doc.identity.rodzina
        folder = family_dir(settings.outbox, rodzina)
        numbers = tuple(sorted(doc.pages))
        done = next((s for s in scans_of(entry) if s.partia == sha256 and s.strony == numbers),
                    None)
        if done is not None:  # filed by an earlier run of this very batch
            filed.append(Filed(rodzina, entry, done, new=False))
            continue
        pending = updates.setdefault(rodzina, {}).setdefault(entry.plik_zrodlowy, [])
        named = replace(entry, extra={**entry.extra, SCANS_KEY: [
            s.to_json() for s in (*scans_of(entry), *pending)]})
        name = _slot(folder, named)
        meta, intent = _meta_of(folder, entry)
        data = _signed_pdf([doc.pages[n] for n in numbers], dpi, meta, intent)
        archive.write_family_file(settings.outbox, rodzina, name, data)
        faults.point("skan_w_trakcie_zapisu")
        scan = SignedScan(name, numbers, doc.stron, sha256, now)
        pending.append(scan)
        filed.append(Filed(rodzina, entry, scan, new=True))
    for rodzina, by_source in updates.items():
        register = Register.load(family_dir(settings.outbox, rodzina))
        archive.record_extra(settings.outbox, rodzina, {
            e.plik_zrodlowy: {SCANS_KEY: [s.to_json() for s in (*scans_of(e), *by_source[
                e.plik_zrodlowy])]} for e in register.entries if e.plik_zrodlowy in by_source})
        faults.point("skan_po_rejestrze")
    return filed, set_aside


def _keep_original(settings: Settings, name: str, content: bytes, sha256: str) -> Path:
    """The batch, byte for byte, in outbox/skany/ (named by its hash: stored once)."""
    folder = settings.outbox / ORIGINALS_DIR
    ensure_private_dir(folder)
    suffix = Path(name).suffix.lower()
    stem = safe_stem(name)
    target = folder / f"{datetime.now():%Y-%m-%d}_{sha256[:12]}_{stem}{suffix}"
    earlier = sorted(folder.glob(f"*_{sha256[:12]}_*"))
    for path in earlier:
        if path.read_bytes() == content:
            return path
    write_new(target, content)
    fsync_dir(folder)
    return target


def _explain(settings: Settings, name: str, sha256: str, original: Path,
             set_aside: list[SetAside], blank: list[int], filed: list[Filed]) -> Path:
    """inbox/skany/nierozpoznane/<batch>_<hash>.txt and a PNG of each page set aside."""
    folder = settings.scans / UNREAD_DIR
    ensure_private_dir(folder)
    base = f"{safe_stem(name)}_{sha256[:8]}"
    lines = [f"Skan „{name}” ({datetime.now():%Y-%m-%d %H:%M}): "
             f"{pl_count(len(set_aside), 'strona nie została przypisana', 'strony nie zostały przypisane', 'stron nie zostało przypisanych')} "  # noqa: E501
             "do żadnego dokumentu.", ""]
    for item in sorted(set_aside, key=lambda s: s.page.number):
        png = f"{base}_strona_{item.page.number:03d}.png"
        replace_file(folder / png, item.page.thumbnail or item.page.jpeg)
        lines.append(f"Strona {item.page.number} (podgląd: {png}): {item.reason}.")
    if blank:
        lines += ["", f"Puste strony (pominięte): {', '.join(map(str, blank))}."]
    if filed:
        lines += ["", "Pozostałe strony przypisano do dokumentów:"]
        lines += [f"– sprawa {f.rodzina}, {f.scan.plik} (strony dokumentu: "
                  f"{', '.join(map(str, f.scan.strony))} z {f.scan.stron})" for f in filed]
    lines += ["", "Co zrobić: sprawdź strony na podglądach. Strona z innego dokumentu lub spoza",
              "archiwum nie wymaga niczego. Stronę dokumentu z archiwum, której kod się nie",
              "odczytał, zeskanuj ponownie (kod w lewym dolnym rogu nie może być zasłonięty).",
              f"Oryginał skanu, bez zmian: {original}"]
    path = folder / f"{base}.txt"
    replace_file(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _read_batch(path: Path, settings: Settings) -> bytes:
    limit = settings.skany.max_rozmiar_mb << 20
    fd, info = open_regular(path)
    try:
        if info.st_nlink > 1:
            raise FormError([Problem("to twarde dowiązanie do pliku spoza folderu – wrzuć kopię")])
        if info.st_size > limit:
            raise FormError([Problem(f"plik jest za duży ({info.st_size >> 20} MB; dopuszczalne "
                                     f"{settings.skany.max_rozmiar_mb} MB)")])
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(limit + 1)
    finally:
        os.close(fd)


def _reject(path: Path, settings: Settings, problems: list[Problem]) -> ScanOutcome:
    """A file that is not a readable scan: moved to nierozpoznane/ with its explanation."""
    from pipeline.stages.archive import reject

    target = reject(path, problems, settings.scans)  # into skany/odrzucone/, as the inbox does
    with contextlib.suppress(ResourceError):
        journal.log(settings.outbox, "skan_odrzucono", plik=path.name, wynik="odrzucony",
                    zapisano_jako=target.name)
    return ScanOutcome(path.name, "odrzucony", problems=tuple(problems))


def process_batch(path: Path, settings: Settings) -> ScanOutcome:
    """Read, split, file one batch; every page ends in a document, set aside or reported."""
    try:
        content = _read_batch(path, settings)
        sha256 = hashlib.sha256(content).hexdigest()
        suffix = path.suffix.lower()
        if suffix == ".pdf" and is_signed(content):
            return _signed_outcome(path, content, settings)
        try:
            pages = read_pages(content, suffix, settings.skany.dpi, settings.skany.max_stron)
        except FormError:
            raise
        except Exception:  # pdfium and Pillow raise many kinds on a damaged file
            raise FormError([Problem("pliku nie da się odczytać jako skanu (PDF, TIFF, JPEG "
                                     "albo PNG) – jest uszkodzony albo to inny rodzaj pliku")]) \
                from None
    except FormError as exc:
        if resource_failure(exc) is not None:
            raise
        return _reject(path, settings, list(exc.problems))
    if not pages:
        return _reject(path, settings, [Problem("plik nie ma żadnej strony")])
    return _file_batch(path, settings, content, sha256, pages)


def _signed_outcome(path: Path, content: bytes, settings: Settings) -> ScanOutcome:
    """A PDF with an electronic signature: verified and filed untouched, or set aside."""
    from pipeline.scans.elektroniczne import process_signed, summary

    result = process_signed(path.name, content, settings)
    with contextlib.suppress(OSError):  # the input leaves last, unless replaced meanwhile
        if path.read_bytes() == content:
            path.unlink()
    if result.filed is None:
        return ScanOutcome(path.name, "nierozpoznany", explanation=result.explanation,
                           problems=tuple(Problem(r) for r in result.reasons))
    status: Status = "przyjety" if result.filed.new else "duplikat"
    return ScanOutcome(path.name, status, notes=(summary(result.filed),),
                       signed_in=result.filed.rodzina)


def _file_batch(path: Path, settings: Settings, content: bytes, sha256: str,
                pages: list[Page]) -> ScanOutcome:
    parts = split(pages)
    with archive_lock(settings.outbox):
        original = _keep_original(settings, path.name, content, sha256)
        faults.point("skan_po_oryginale")
        filed, unknown = _file_documents(settings, parts.documents, sha256, settings.skany.dpi)
        set_aside = parts.set_aside + unknown
        explanation = (_explain(settings, path.name, sha256, original, set_aside, parts.blank,
                                filed) if set_aside else None)
        _log(settings, path.name, original.name, filed, set_aside, parts.blank, len(pages))
        faults.point("skan_po_dzienniku")
    with contextlib.suppress(OSError):  # the input leaves last, unless replaced meanwhile
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha256:
            path.unlink()
    new = [f for f in filed if f.new]
    if not new and filed and not set_aside:
        status: Status = "duplikat"
    elif set_aside:
        status = "czesciowo" if filed else "nierozpoznany"
    else:
        status = "przyjety"
    return ScanOutcome(path.name, status, len(pages), filed, set_aside, parts.blank, explanation)


def _log(settings: Settings, name: str, original: str, filed: list[Filed],
         set_aside: list[SetAside], blank: list[int], pages: int) -> None:
    told: set[tuple[str | None, str | None]] | None = None
    for item in filed:
        extra: dict[str, Any] = {}
        if not item.new:  # filed by a run that stopped before it could log: log it now, once
            if told is None:
                told = {(e.get("rodzina"), e.get("plik")) for e in journal.read(settings.outbox)
                        if e.get("akcja") == "skan_przyjeto"}
            if (item.rodzina, item.scan.plik) in told:
                continue
            extra["odtworzono"] = True
        journal.log(settings.outbox, "skan_przyjeto", plik=item.scan.plik,
                    rodzina=item.rodzina, wynik="przyjety", zalacznik=item.entry.zalacznik,
                    dokument=item.entry.pdf, strony=list(item.scan.strony),
                    komplet=item.scan.komplet, partia=original, **extra)
    if set_aside:
        journal.log(settings.outbox, "skan_odlozono", plik=name, wynik="odlozony",
                    strony=sorted(s.page.number for s in set_aside), partia=original)
    journal.log(settings.outbox, "skan_partia", plik=name, wynik="wykonano", strony=pages,
                dokumenty=len(filed), nowe=sum(1 for f in filed if f.new),
                odlozone=len(set_aside), puste=blank, partia=original)


def is_scan(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES and not is_ignored(path.name)


def _failed(path: Path, settings: Settings, exc: Exception) -> ScanOutcome:
    """A full disk (or an I/O error) leaves the batch waiting; a bug sets it aside, unchanged,
    with its explanation (only the exception's type: its message could carry data)."""
    name = type(exc).__name__
    if resource_failure(exc) is None:
        print(f"asysta: nieoczekiwany błąd przy skanie {path.name}: {name}", file=sys.stderr)
        with contextlib.suppress(Exception):
            return _reject(path, settings, [Problem(
                f"nieoczekiwany błąd programu ({name}); plik odłożono bez zmian – zgłoś to "
                "administratorowi")])
    with contextlib.suppress(ResourceError):
        journal.log(settings.outbox, "skan_blad", plik=path.name, wynik="pozostawiony", blad=name)
    print(f"asysta: nie udało się przetworzyć skanu {path.name} ({name}); plik pozostaje "
          "w folderze skanów i zostanie przetworzony ponownie", file=sys.stderr)
    return ScanOutcome(path.name, "pozostawiony", problems=(Problem(
        f"błąd zapisu przy przetwarzaniu skanu ({name}); plik pozostaje w folderze skanów"),))


ScanReport = Callable[[ScanOutcome], None]


def process_scans(paths: Iterable[Path], settings: Settings,
                  report: ScanReport | None = None) -> list[ScanOutcome]:
    """Every batch in turn; a failure of one never stops the rest, and a full disk leaves
    the batch waiting in the scan folder."""
    outcomes = []
    for path in paths:
        try:
            if not is_scan(path):
                outcome = _reject(path, settings, [Problem(
                    "to nie jest skan: folder skanów przyjmuje pliki PDF, TIFF, JPEG i PNG")])
            else:
                outcome = process_batch(path, settings)
        except Exception as exc:
            outcome = _failed(path, settings, exc)
        outcomes.append(outcome)
        if report:
            report(outcome)
    return outcomes

