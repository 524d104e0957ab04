"""The teczka's front matter: what the cover says about the case (`case_info`, from the
case model), the cover and the table of contents as one reportlab PDF, and the binder's
page-number line (teczka.py stamps it on every document page)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from pipeline.core.config import Osrodek
from pipeline.core.polish import pl_count, pl_date
from pipeline.pdf.fonts import FONT, FONT_BOLD
from pipeline.sprawa.case import Case
from pipeline.sprawa.register import Entry, Register

SIGNED_NOTE = "(skan podpisanego dokumentu)"

# Layout in points (A4 is 595 × 842). The documents print a header from 45 pt below the
# top edge and a centred footer at the bottom: the binder's number goes above the header.
MARGIN = 62.0
TOP = 72.0
BOTTOM = 64.0
STAMP_SIZE = 8.0
STAMP_RIGHT = 28.0  # from the right edge to the end of the number
STAMP_TOP = 24.0  # from the top edge to the number's baseline
STAMP_NAME = "/AsystaTeczka"
GREY = 0.35

TOC_SIZE, TOC_LEADING, TOC_PAD = 10.0, 12.5, 5.0
TOC_COL_NR = 40.0  # attachment number
TOC_COL_DATE = 64.0
TOC_COL_PAGE = 46.0



@dataclass(frozen=True)
class BinderDocument:
    """One document of the binder as it is laid out: the register's entry (the newest
    version of the document), its PDF, its title and whether the signed scan stands in."""

    entry: Entry
    pdf: Path
    tytul: str
    podpisany: bool = False  # the signed scan stands in for the unsigned PDF (`skany`)

    @property
    def label(self) -> str:
        if self.entry.rodzaj:
            return f"{self.tytul} – {pl_date(self.entry.data)}"
        return f"Zał. {self.entry.zalacznik} – {self.tytul} – {pl_date(self.entry.data)}"


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


def case_info(rodzina: str, register: Register, osrodek: Osrodek) -> CaseInfo:
    """Family, address and assistant from the newest assignment (1); the case runs from the
    first assignment (or document) to the day the case model says it closed (`Case.closed`)."""
    case = Case.of(register)
    assigned = [c for c in case.cycles() if c.assignment is not None]
    assignments = [c.assignment for c in assigned if c.assignment is not None]
    newest = assignments[-1].dane if assignments else {}
    asystent = assigned[-1].asystent if assigned else None
    members = tuple(m.imie_nazwisko + (f" ({m.pokrewienstwo})" if m.pokrewienstwo else "")
                    for m in case.members() if m.imie_nazwisko)
    start = assignments[0].data if assignments else min(
        (e.data for e in case.current), default=None)
    return CaseInfo(rodzina, osrodek, asystent, _text(newest.get("adres")),
                    members, start, case.closed())


def _text(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


# -- fonts ---------------------------------------------------------------------------


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(simpleSplit(paragraph, font, size, width) or [""])
    return lines


def stamp_text(rodzina: str, page: int, total: int) -> str:
    return f"Teczka {rodzina} · strona {page} z {total}"


def draw_stamp(canvas: Canvas, width: float, height: float, text: str) -> None:
    canvas.setFont(FONT, STAMP_SIZE)
    canvas.setFillGray(GREY)
    canvas.drawRightString(width - STAMP_RIGHT, height - STAMP_TOP, text)
    canvas.setFillGray(0)


# -- table of contents ---------------------------------------------------------------


@dataclass(frozen=True)
class TocRow:
    doc: int  # index into the binder's documents
    lines: tuple[str, ...]  # the title, wrapped

    @property
    def height(self) -> float:
        return 2 * TOC_PAD + len(self.lines) * TOC_LEADING


def _toc_title_width() -> float:
    return A4[0] - 2 * MARGIN - TOC_COL_NR - TOC_COL_DATE - TOC_COL_PAGE - 8


def _toc_heading_height() -> float:
    return 46.0 + 22.0  # title and subtitle, then the column names


def toc_pages(docs: Sequence[BinderDocument]) -> list[list[TocRow]]:
    """The contents laid out in pages; its length must be known before any page number."""
    width = _toc_title_width()
    available = A4[1] - TOP - BOTTOM - _toc_heading_height()
    pages: list[list[TocRow]] = [[]]
    used = 0.0
    for i, doc in enumerate(docs):
        title = doc.tytul + (f" (wersja {doc.entry.wersja})" if doc.entry.wersja > 1 else "") + (
            f" {SIGNED_NOTE}" if doc.podpisany else "")
        row = TocRow(i, tuple(wrap(title, FONT, TOC_SIZE, width)))
        if pages[-1] and used + row.height > available:
            pages.append([])
            used = 0.0
        pages[-1].append(row)
        used += row.height
    return pages


# -- the cover and the contents as one PDF ---------------------------------------------

LinkSpec = tuple[int, tuple[float, float, float, float], int]  # (page, rect, target page)


def front_matter(info: CaseInfo, docs: Sequence[BinderDocument], toc: list[list[TocRow]],
                  starts: Sequence[int], total: int, today: date) -> tuple[bytes, list[LinkSpec]]:
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)
    canvas.setTitle(f"Teczka sprawy {info.rodzina}")
    _draw_cover(canvas, info, len(docs), total, today)
    width, height = A4
    draw_stamp(canvas, width, height, stamp_text(info.rodzina, 1, total))
    canvas.showPage()
    links: list[LinkSpec] = []
    for index, rows in enumerate(toc):
        page = 1 + index
        links.extend(_draw_toc_page(canvas, info, docs, rows, starts, page, index > 0))
        draw_stamp(canvas, width, height, stamp_text(info.rodzina, page + 1, total))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue(), links


def _draw_cover(canvas: Canvas, info: CaseInfo, documents: int, total: int, today: date) -> None:
    width, height = A4
    right = width - MARGIN
    centre = info.osrodek
    y = height - TOP - 6
    canvas.setFont(FONT_BOLD, 13)
    for line in wrap(centre.nazwa, FONT_BOLD, 13, right - MARGIN):
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
            for line in wrap(value, FONT, 11, value_width):
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
    y = BOTTOM + 12 * sum(len(wrap(t, FONT, 9, right - MARGIN)) for t in foot)
    for text in foot:
        for line in wrap(text, FONT, 9, right - MARGIN):
            canvas.drawString(MARGIN, y, line)
            y -= 12
    canvas.setFillGray(0)


def _draw_toc_page(canvas: Canvas, info: CaseInfo, docs: Sequence[BinderDocument],
                   rows: list[TocRow], starts: Sequence[int], page: int,
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
    canvas.drawString(MARGIN, y, wrap(subtitle, FONT, 10, right - MARGIN)[0])
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
        canvas.drawString(MARGIN + 4, baseline, "—" if doc.entry.rodzaj else str(doc.entry.zalacznik))
        canvas.setFont(FONT, TOC_SIZE)
        for i, line in enumerate(row.lines):
            canvas.drawString(x_title, baseline - i * TOC_LEADING, line)
        canvas.drawRightString(x_date, baseline, pl_date(doc.entry.data))
        canvas.drawRightString(right, baseline, str(starts[row.doc] + 1))
        y = top - row.height
        canvas.line(MARGIN, y, right, y)
        links.append((page, (MARGIN, y, right, top), starts[row.doc]))
    canvas.setStrokeGray(0)
    return links
