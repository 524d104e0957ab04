"""„PROJEKT” on every page of a document that is not final yet (a court report without the
assistant's narrative): a large light-grey word drawn beneath each page's content, so it
hides nothing, and a line at the top of the page."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen.canvas import Canvas

from pipeline.pdf.fonts import FONT_BOLD, register_fonts
from pipeline.pdf.pdfa import PdfMeta
from pipeline.pdf.pdfa_joined import finish_joined, is_pdfa2, output_intent
from pipeline.pdf.pdfutil import quiet_pypdf

DRAFT_WORD = "PROJEKT"
DRAFT_LINE = "PROJEKT – brak informacji asystenta rodziny dla sądu; dokument nie jest ostateczny"


def _marks(sizes: list[tuple[float, float]]) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT_BOLD)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        canvas.saveState()
        canvas.setFillGray(0.88)
        canvas.setFont(FONT_BOLD, 110)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -40, DRAFT_WORD)
        canvas.restoreState()
        canvas.setFillGray(0.35)
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawCentredString(width / 2, height - 20, DRAFT_LINE)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def mark_draft(pdf: bytes, meta: PdfMeta) -> bytes:
    """The PDF with „PROJEKT” on every page; still PDF/A-2b when it was."""
    with quiet_pypdf():
        reader = PdfReader(io.BytesIO(pdf))
        intent = output_intent(reader) if is_pdfa2(reader) else None
        sizes = [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
        marks = PdfReader(io.BytesIO(_marks(sizes)))
        writer = PdfWriter()
        for page, mark in zip(reader.pages, marks.pages, strict=True):
            writer.add_page(page).merge_page(mark, over=False)
        buffer = io.BytesIO()
        writer.write(buffer)
    return finish_joined(buffer.getvalue(), meta, intent)
