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
cover's fonts are embedded, and `pdfa.finish_joined` adds the XMP, the output
intent and /Lang. With an older document that is not PDF/A it claims nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from pipeline.core import journal
from pipeline.core.config import Osrodek, Settings
from pipeline.core.errors import AsystaError
from pipeline.core.fsutil import replace
from pipeline.core.polish import pl_count, pl_date
from pipeline.pdf.fonts import FONT, FONT_BOLD, register_fonts
from pipeline.pdf.join import bind
from pipeline.pdf.pdfa import PdfMeta
from pipeline.pdf.pdfutil import quiet_pypdf
from pipeline.scans.skany import binder_pdf
from pipeline.sprawa.kinds import ZAKONCZENIE, title
from pipeline.sprawa.register import REGISTER_NAME, SUBJECT_FIELD, Register, family_dir
from pipeline.sprawa.schemas import load_schema

TECZKA_NAME = "teczka.pdf"
SIGNED_NOTE = "(skan podpisanego dokumentu)"
CLOSING = (12, 13)  # end of monitoring, or re-enrolment: either closes the case's cycle

# Layout in points (A4 is 595 × 842). The documents print a header from 45 pt below the
# top edge and a centred footer at the bottom: the binder's number goes above the header.
MARGIN = 62.0
TOP = 72.0
BOTTOM = 64.0
STAMP_SIZE = 8.0
STAMP_RIGHT = 28.0  # from the right edge to the end of the number
STAMP_TOP = 24.0  # from the top edge to the number's baseline
GREY = 0.35

TOC_SIZE, TOC_LEADING, TOC_PAD = 10.0, 12.5, 5.0
TOC_COL_NR = 40.0  # attachment number
TOC_COL_DATE = 64.0
TOC_COL_PAGE = 46.0


class TeczkaError(AsystaError):
    """A family's binder could not be made (no documents, an unreadable PDF…)."""


@dataclass(frozen=True)
class BinderDocument:
    """One document of the binder: the newest version of an attachment of one date."""

    zalacznik: int
    data: date
    wersja: int
    pdf: Path
    tytul: str
    dane: dict[str, Any]
    rodzaj: str = ""  # a kind beyond the sixteen (zalacznik 0)
    podpisany: bool = False  # the signed scan stands in for the unsigned PDF (`skany`)

    @property
    def label(self) -> str:
        if self.rodzaj:
            return f"{self.tytul} – {pl_date(self.data)}"
        return f"Zał. {self.zalacznik} – {self.tytul} – {pl_date(self.data)}"


@dataclass(frozen=True)
class CaseInfo:
    """What the cover says about the case."""

    rodzina: str
    osrodek: Osrodek
    asystent: str | None
    adres: str | None
    czlonkowie: tuple[str, ...]
    od: date | None
    do: date | None  # None: the case is still open

    @property
    def okres(self) -> str:
        if self.od is None:
            return "—"
        return f"{pl_date(self.od)} – {pl_date(self.do) if self.do else 'w toku'}"


@dataclass(frozen=True)
class Teczka:
    rodzina: str
    path: Path
    documents: int
    pages: int


def case_info(rodzina: str, docs: Sequence[BinderDocument], osrodek: Osrodek) -> CaseInfo:
    """Family, address and assistant from the newest assignment (1); the case runs from the
    first assignment to the closing request (12 or 13) that follows the newest one."""
    assignments = sorted((d for d in docs if d.zalacznik == 1), key=lambda d: (d.data, d.wersja))
    newest = assignments[-1].dane if assignments else {}
    members = tuple(
        str(m["imie_nazwisko"]) + (f" ({m['pokrewienstwo']})" if m.get("pokrewienstwo") else "")
        for m in newest.get("czlonkowie") or [] if isinstance(m, dict) and m.get("imie_nazwisko"))
    start = assignments[0].data if assignments else min((d.data for d in docs), default=None)
    closings = [d.data for d in docs if d.zalacznik in CLOSING or d.rodzaj == ZAKONCZENIE]
    end = max(closings) if closings else None
    if end is not None and assignments and end < assignments[-1].data:
        end = None  # a new cycle started after the last closing request
    return CaseInfo(rodzina, osrodek, _text(newest.get("asystent")), _text(newest.get("adres")),
                    members, start, end)


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


# -- fonts ---------------------------------------------------------------------------


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(simpleSplit(paragraph, font, size, width) or [""])
    return lines


def _stamp_text(rodzina: str, page: int, total: int) -> str:
    return f"Teczka {rodzina} · strona {page} z {total}"


def _draw_stamp(canvas: Canvas, width: float, height: float, text: str) -> None:
    canvas.setFont(FONT, STAMP_SIZE)
    canvas.setFillGray(GREY)
    canvas.drawRightString(width - STAMP_RIGHT, height - STAMP_TOP, text)
    canvas.setFillGray(0)


# -- table of contents ---------------------------------------------------------------


@dataclass(frozen=True)
class _TocRow:
    doc: int  # index into the binder's documents
    lines: tuple[str, ...]  # the title, wrapped

    @property
    def height(self) -> float:
        return 2 * TOC_PAD + len(self.lines) * TOC_LEADING


def _toc_title_width() -> float:
    return A4[0] - 2 * MARGIN - TOC_COL_NR - TOC_COL_DATE - TOC_COL_PAGE - 8


def _toc_heading_height() -> float:
    return 46.0 + 22.0  # title and subtitle, then the column names


def _toc_pages(docs: Sequence[BinderDocument]) -> list[list[_TocRow]]:
    """The contents laid out in pages; its length must be known before any page number."""
    width = _toc_title_width()
    available = A4[1] - TOP - BOTTOM - _toc_heading_height()
    pages: list[list[_TocRow]] = [[]]
    used = 0.0
    for i, doc in enumerate(docs):
        title = doc.tytul + (f" (wersja {doc.wersja})" if doc.wersja > 1 else "") + (
            f" {SIGNED_NOTE}" if doc.podpisany else "")
        row = _TocRow(i, tuple(_wrap(title, FONT, TOC_SIZE, width)))
        if pages[-1] and used + row.height > available:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row.height
    return pages


# -- the cover and the contents as one PDF ---------------------------------------------

LinkSpec = tuple[int, tuple[float, float, float, float], int]  # (page, rect, target page)


def _front_matter(info: CaseInfo, docs: Sequence[BinderDocument], toc: list[list[_TocRow]],
                  starts: Sequence[int], total: int, today: date) -> tuple[bytes, list[LinkSpec]]:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)
    canvas.setTitle(f"Teczka sprawy {info.rodzina}")
    _draw_cover(canvas, info, len(docs), total, today)
    width, height = A4
    _draw_stamp(canvas, width, height, _stamp_text(info.rodzina, 1, total))
    canvas.showPage()
    links: list[LinkSpec] = []
    for index, rows in enumerate(toc):
        page = 1 + index
        links.extend(_draw_toc_page(canvas, info, docs, rows, starts, page, index > 0))
        _draw_stamp(canvas, width, height, _stamp_text(info.rodzina, page + 1, total))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), links


def _draw_cover(canvas: Canvas, info: CaseInfo, documents: int, total: int, today: date) -> None:
    width, height = A4
    right = width - MARGIN
    centre = info.osrodek
    y = height - TOP - 6
    canvas.setFont(FONT_BOLD, 13)
    for line in _wrap(centre.nazwa, FONT_BOLD, 13, right - MARGIN):
        canvas.drawString(MARGIN, y, line)
        y -= 16
    if centre.adres:
        canvas.setFont(FONT, 10)
        canvas.setFillGray(GREY)
        canvas.drawString(MARGIN, y, centre.adres)
        canvas.setFillGray(0)
        y -= 14
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y, right, y)

    y = height - 250
    canvas.setFont(FONT_BOLD, 28)
    canvas.drawCentredString(width / 2, y, "TECZKA SPRAWY")
    y -= 26
    canvas.setFont(FONT, 13)
    canvas.drawCentredString(width / 2, y, "Dokumentacja pracy asystenta rodziny")
    y -= 44
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawCentredString(width / 2, y, f"Numer sprawy: {info.rodzina}")

    label_width = 132.0
    value_width = right - MARGIN - label_width
    members = list(info.czlonkowie) if len(info.czlonkowie) <= 8 else [", ".join(info.czlonkowie)]
    rows = [
        ("Rodzina", members or ["—"]),
        ("Adres", [info.adres or "—"]),
        ("Asystent rodziny", [info.asystent or "—"]),
        ("Okres sprawy", [info.okres]),
        ("Zawartość", [f"{pl_count(documents, 'dokument', 'dokumenty', 'dokumentów')}, "
                       f"{pl_count(total, 'strona', 'strony', 'stron')}"]),
    ]
    y -= 62
    canvas.line(MARGIN, y + 22, right, y + 22)
    for label, values in rows:
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, y, label)
        canvas.setFont(FONT, 11)
        for value in values:
            for line in _wrap(value, FONT, 11, value_width):
                canvas.drawString(MARGIN + label_width, y, line)
                y -= 15
        y -= 9
    canvas.line(MARGIN, y + 13, right, y + 13)

    canvas.setFont(FONT, 9)
    canvas.setFillGray(GREY)
    foot = [f"Dokumenty w kolejności procedury (numer załącznika, potem data): {centre.procedura}; "
            "po nich, według daty, dokumenty spoza szesnastu załączników (np. notatki służbowe, "
            "zakończenie współpracy).",
            f"Teczkę sporządzono {pl_date(today)} (program asysta)."]
    y = BOTTOM + 12 * sum(len(_wrap(t, FONT, 9, right - MARGIN)) for t in foot)
    for text in foot:
        for line in _wrap(text, FONT, 9, right - MARGIN):
            canvas.drawString(MARGIN, y, line)
            y -= 12
    canvas.setFillGray(0)


def _draw_toc_page(canvas: Canvas, info: CaseInfo, docs: Sequence[BinderDocument],
                   rows: list[_TocRow], starts: Sequence[int], page: int,
                   continued: bool) -> list[LinkSpec]:
    width, height = A4
    right = width - MARGIN
    x_title = MARGIN + TOC_COL_NR
    x_date = right - TOC_COL_PAGE  # dates end here (right-aligned)
    y = height - TOP - 10
    canvas.setFont(FONT_BOLD, 18)
    canvas.drawString(MARGIN, y, "Spis treści (cd.)" if continued else "Spis treści")
    y -= 18
    canvas.setFont(FONT, 10)
    canvas.setFillGray(GREY)
    subtitle = f"Teczka sprawy {info.rodzina} · {info.osrodek.nazwa}"
    canvas.drawString(MARGIN, y, _wrap(subtitle, FONT, 10, right - MARGIN)[0])
    canvas.setFillGray(0)
    y = height - TOP - _toc_heading_height() + 8
    canvas.setFont(FONT_BOLD, 9)
    canvas.drawString(MARGIN, y, "Zał.")
    canvas.drawString(x_title, y, "Dokument")
    canvas.drawRightString(x_date, y, "Data")
    canvas.drawRightString(right, y, "Strona")
    y -= 5
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, y, right, y)
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.7)
    links: list[LinkSpec] = []
    for row in rows:
        doc = docs[row.doc]
        top = y
        baseline = top - TOC_PAD - TOC_SIZE * 0.85
        canvas.setFont(FONT_BOLD, TOC_SIZE)
        canvas.drawString(MARGIN + 4, baseline, "—" if doc.rodzaj else str(doc.zalacznik))
        canvas.setFont(FONT, TOC_SIZE)
        for i, line in enumerate(row.lines):
            canvas.drawString(x_title, baseline - i * TOC_LEADING, line)
        canvas.drawRightString(x_date, baseline, pl_date(doc.data))
        canvas.drawRightString(right, baseline, str(starts[row.doc] + 1))
        y = top - row.height
        canvas.line(MARGIN, y, right, y)
        links.append((page, (MARGIN, y, right, top), starts[row.doc]))
    canvas.setStrokeGray(0)
    return links


# -- page numbers for the documents' pages ---------------------------------------------


def _stamps(rodzina: str, sizes: Sequence[tuple[float, float]], first: int, total: int) -> bytes:
    """One PDF holding only the page numbers, one page per document page, in one go."""
    buffer = BytesIO()
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT)
    for offset, (width, height) in enumerate(sizes):
        canvas.setPageSize((width, height))
        _draw_stamp(canvas, width, height, _stamp_text(rodzina, first + offset, total))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# -- the binder ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Source:
    doc: BinderDocument
    pages: list[PageObject]
    reader: PdfReader


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
        own = settings.foldery.formularze
        tytul = (title(entry.rodzaj, own) if entry.rodzaj
                 else load_schema(entry.zalacznik, own).tytul)
        subject = entry.dane.get(SUBJECT_FIELD) if entry.rodzaj else None
        if isinstance(subject, str) and subject.strip():  # a note: which one
            tytul = f"{tytul}: {subject.strip()}"
        doc = BinderDocument(entry.zalacznik, entry.data, entry.wersja, path, tytul,
                             dict(entry.dane), entry.rodzaj, signed)
        sources.append(_Source(doc, pages, reader))
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
    info = case_info(rodzina, docs, settings.osrodek)

    toc = _toc_pages(docs)
    front_pages = 1 + len(toc)
    starts: list[int] = []  # 0-based index of each document's first page in the binder
    position = front_pages
    for source in sources:
        starts.append(position)
        position += len(source.pages)
    total = position

    front, links = _front_matter(info, docs, toc, starts, total, today)
    sizes = [(float(p.cropbox.width), float(p.cropbox.height)) for s in sources for p in s.pages]
    outline = [(1, "Okładka", 0), (1, "Spis treści", 1),
               *((1, s.doc.label, start) for s, start in zip(sources, starts, strict=True))]
    try:  # joined by qpdf: the documents' pages are copied as they are, each numbered
        data = bind(front, [s.doc.pdf for s in sources], _stamps(rodzina, sizes, front_pages + 1, total),
                    outline, links, teczka_meta(info))
    except Exception:  # damage deep inside a file shows up only now
        raise _unreadable(rodzina, _damaged(sources)) from None
    target_path = folder / TECZKA_NAME
    replace(target_path, data)
    return Teczka(rodzina, target_path, len(docs), total)
