"""The binder's page after an electronically signed document: a printed note of its
verification (who signed, in what role, which kind, when, the result, what was not checked).
Joining pages into one binder necessarily drops a PDF signature, so the note says so and
names the signed file kept, unchanged, in the family's folder."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from pipeline.core.polish import pl_date
from pipeline.pdf.fonts import FONT, FONT_BOLD, register_fonts
from pipeline.sprawa.register import Entry, complete_e_signed

NOTE_TITLE = "Notatka z weryfikacji podpisu elektronicznego"
KINDS = {"zaufany": "podpis zaufany", "osobisty": "podpis osobisty",
         "kwalifikowany": "kwalifikowany podpis elektroniczny", "inny": "podpis elektroniczny"}
MARGIN, SIZE, LEADING = 62.0, 10.5, 14.5


def note_lines(entry: Entry) -> list[str]:
    """The note's text, or nothing for a document without a fully signed file."""
    record = complete_e_signed(entry)
    if record is None:
        return []
    what = f"dokument „{entry.rodzaj}”" if entry.rodzaj else f"załącznik nr {entry.zalacznik}"
    lines = [f"Dokument: {what} z {pl_date(entry.data)}, wersja {entry.wersja}.",
             f"Plik podpisany (w archiwum sprawy, bez zmian): {record.plik}",
             f"Zweryfikowano: {record.przyjeto[:16].replace('T', ' ')}.", ""]
    for number, signer in enumerate(record.podpisy, 1):
        when = signer.czas[:16].replace("T", " ") or "nieznany"
        lines.append(f"Podpis {number}: {signer.podpisujacy} ({signer.rola}) – "
                     f"{KINDS.get(signer.rodzaj, signer.rodzaj)}, złożony {when}; "
                     f"wynik: {signer.wynik}.")
        lines += [f"  Nie sprawdzono: {n}." for n in signer.niesprawdzone]
    lines += ["", "Strony dokumentu w tej teczce są kopią: złączenie stron w jedną teczkę usuwa "
              "podpis elektroniczny. Moc dowodową ma podpisany plik wskazany wyżej; ta notatka "
              "mówi, co program asysta sprawdził w chwili jego przyjęcia."]
    return lines


def note_pdf(entry: Entry) -> bytes | None:
    """One A4 page (or more) of the note, as a PDF; None when there is nothing to note."""
    lines = note_lines(entry)
    if not lines:
        return None
    register_fonts()
    buffer = BytesIO()
    canvas: Any = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)
    width, height = A4
    y = height - 80
    canvas.setFont(FONT_BOLD, 14)
    canvas.drawString(MARGIN, y, NOTE_TITLE)
    y -= 28
    canvas.setFont(FONT, SIZE)
    for line in lines:
        for part in simpleSplit(line, FONT, SIZE, width - 2 * MARGIN) or [""]:
            if y < 70:
                canvas.showPage()
                canvas.setFont(FONT, SIZE)
                y = height - 80
            canvas.drawString(MARGIN, y, part)
            y -= LEADING
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
