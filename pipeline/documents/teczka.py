"""The case binder `outbox/rodziny/<rodzina>/teczka.pdf`: every document of a family in one PDF.

A cover page (centre, case number, family, assistant, dates of the case), a
table of contents with page numbers, then the newest version of every filed
document in the order of the procedure (attachment number, then date; the kinds
beyond the sixteen – closing, service notes, court documents – after them, in
date order, titled from pipeline/sprawa/kinds.py), with a
bookmark per document and "Teczka K-2025-014 · strona 17 z 120" on every page.

Speed comes from doing each thing once: every document PDF is parsed once (its
page count lays out the table of contents, its pages go into the binder); the
cover and contents are one reportlab PDF and all page numbers another; each
number is attached to its page as a form XObject drawn after the page's own
content streams, which are copied as they are, never decoded or rewritten.

The binder is PDF/A-2b (untagged, level B) when every document in it is: the
cover's fonts are embedded, and `pdfa_joined.finish_joined` adds the XMP, the output
intent and /Lang. With an older document that is not PDF/A it claims nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from pypdf import PageObject, PdfReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.fsutil import replace
from pipeline.core.polish import pl_count
from pipeline.documents.podpis_nota import note_pdf
from pipeline.documents.teczka_okladka import (
    SIGNED_NOTE,
    BinderDocument,
    CaseInfo,
    case_info,
    draw_stamp,
    front_matter,
    stamp_text,
    toc_pages,
)
from pipeline.pdf.fonts import FONT, register_fonts
from pipeline.pdf.join import bind
from pipeline.pdf.pdfa import PdfMeta
from pipeline.pdf.pdfutil import quiet_pypdf
from pipeline.scans.skany import binder_pdf
from pipeline.sprawa.kinds import title
from pipeline.sprawa.register import REGISTER_NAME, SUBJECT_FIELD, TECZKA_NAME, Register, family_dir
from pipeline.sprawa.schemas import load_schema

E_SIGNED_NOTE = "(podpisany elektronicznie, notatka z weryfikacji na końcu)"
__all__ = ["SIGNED_NOTE", "BinderDocument", "CaseInfo", "Teczka", "TeczkaError", "build_teczka",
           "case_info", "pl_count"]

class TeczkaError(AsystaError):
    """A family's binder could not be made (no documents, an unreadable PDF…)."""


@dataclass(frozen=True)
class Teczka:
    rodzina: str
    path: Path
    documents: int
    pages: int


# -- page numbers for the documents' pages ---------------------------------------------


def _stamps(rodzina: str, sizes: Sequence[tuple[float, float]], first: int, total: int) -> bytes:
    """One PDF holding only the page numbers, one page per document page, in one go."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT)
    for offset, (width, height) in enumerate(sizes):
        canvas.setPageSize((width, height))
        draw_stamp(canvas, width, height, stamp_text(rodzina, first + offset, total))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# -- the binder ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    doc: BinderDocument
    pages: list[PageObject]  # the document's, then its verification note's
    reader: PdfReader
    note: bytes | None = None  # the printed note of an electronically signed document


def _read_documents(rodzina: str, folder: Path, settings: Settings) -> list[_Source]:
    try:
        entries = Register.load(folder).current()  # a damaged one: RegisterError, in Polish
        # the sixteen in the procedure's order, then the other kinds by date
        entries.sort(key=lambda e: (e.zalacznik == 0, e.data if e.rodzaj else date.min))
    except OSError:
        raise TeczkaError(f"nie można odczytać spisu dokumentów ({REGISTER_NAME}) rodziny "
                          f"{rodzina}") from None
    if not entries:
        raise TeczkaError(f"w archiwum rodziny {rodzina} nie ma jeszcze dokumentów")
    sources = []
    for entry in entries:
        pdf, signed = binder_pdf(entry)  # the signed scan, where a complete one is filed
        name = Path(pdf).name  # never outside the family's folder
        path = folder / name
        try:
            reader = PdfReader(path)
            pages = list(reader.pages)
        except Exception:  # pypdf raises many kinds on a damaged file
            raise _unreadable(rodzina, name or "(brak nazwy PDF)") from None
        if not pages:
            raise TeczkaError(f"dokument {name} rodziny {rodzina} nie ma żadnej strony")
        note = note_pdf(entry)  # an electronically signed one: the printed note
        if note:
            pages += PdfReader(BytesIO(note)).pages
        own = settings.foldery.formularze
        tytul = (title(entry.rodzaj, own) if entry.rodzaj
                 else load_schema(entry.zalacznik, own).tytul)
        subject = entry.dane.get(SUBJECT_FIELD) if entry.rodzaj else None
        if isinstance(subject, str) and subject.strip():  # a note: which one
            tytul = f"{tytul}: {subject.strip()}"
        if note:
            tytul = f"{tytul} {E_SIGNED_NOTE}"
        doc = BinderDocument(entry, path, tytul, signed)
        sources.append(_Source(doc, pages, reader, note))
    return sources


def _unreadable(rodzina: str, name: str) -> TeczkaError:
    return TeczkaError(f"nie można odczytać dokumentu {name} rodziny {rodzina} – plik PDF jest "
                       "uszkodzony lub go brakuje; zgłoś to administratorowi (oryginał "
                       "formularza leży obok w archiwum rodziny)")




def _damaged(sources: list[_Source]) -> str:
    """The name of the first document qpdf cannot read whole (else of the first document)."""
    from pipeline.pdf.join import page_count

    for source in sources:
        try:
            page_count(source.doc.pdf)
        except ValueError:
            return source.doc.pdf.name
    return sources[0].doc.pdf.name


def teczka_meta(info: CaseInfo) -> PdfMeta:
    return PdfMeta(f"Teczka sprawy {info.rodzina}",
                   f"Dokumentacja pracy asystenta rodziny – nr sprawy {info.rodzina}",
                   info.osrodek.nazwa, f"asystent rodziny; teczka sprawy; {info.rodzina}")


def build_teczka(settings: Settings, rodzina: str, today: date | None = None) -> Teczka:
    """Write `teczka.pdf` for one family (atomically, readable by the owner only)."""
    try:
        with quiet_pypdf():
            teczka = _build(settings, rodzina, today or date.today())
    except Exception as exc:
        journal.log(settings.outbox, "teczka", plik=TECZKA_NAME, rodzina=rodzina,
                    wynik="blad", blad=type(exc).__name__)
        raise
    journal.log(settings.outbox, "teczka", plik=TECZKA_NAME, rodzina=rodzina, wynik="utworzono",
                dokumenty=teczka.documents, strony=teczka.pages)
    return teczka


def _build(settings: Settings, rodzina: str, today: date) -> Teczka:
    register_fonts()
    folder = family_dir(settings.outbox, rodzina)
    sources = _read_documents(rodzina, folder, settings)
    docs = [s.doc for s in sources]
    info = case_info(rodzina, Register.load(folder), settings.osrodek)

    toc = toc_pages(docs)
    front_pages = 1 + len(toc)
    starts: list[int] = []  # 0-based index of each document's first page in the binder
    position = front_pages
    for source in sources:
        starts.append(position)
        position += len(source.pages)
    total = position

    front, links = front_matter(info, docs, toc, starts, total, today)
    sizes = [(float(p.cropbox.width), float(p.cropbox.height)) for s in sources for p in s.pages]
    outline = [(1, "Okładka", 0), (1, "Spis treści", 1),
               *((1, s.doc.label, start) for s, start in zip(sources, starts, strict=True))]
    try:  # joined by qpdf: the documents' pages are copied as they are, each numbered
        parts = [part for s in sources for part in (s.doc.pdf, s.note) if part is not None]
        data = bind(front, parts, _stamps(rodzina, sizes, front_pages + 1, total),
                    outline, links, teczka_meta(info))
    except Exception:  # damage deep inside a file shows up only now
        raise _unreadable(rodzina, _damaged(sources)) from None
    target_path = folder / TECZKA_NAME
    replace(target_path, data)
    return Teczka(rodzina, target_path, len(docs), total)
