"""The code on every page: a QR code and a short line beside it that name the document and
the page, so a scan of the signed paper finds its way back to the archive (`pipeline.scans.skany`).

The payload is `AS1|<rodzina>|<załącznik or kind>|<RRRRMMDD>|<wersja>|<n>/<m>|<kontrola>`:
the case number, the attachment number (or the kind of a document beyond the sixteen), the
document's date and version, the page, and a check the archive can recompute — the first
characters of a SHA-256 over the document's identity and its original form's hash. No
personal data: a case number, numbers and a hash.

The code is stamped on the PDF after conversion (a centre's templates need nothing), as an
incremental update: the document's own objects — its PDF/A identification, tags and fonts —
stay byte for byte; each page gets a form XObject drawn after its content, the QR as vector
rectangles, the line in an embedded font, both marked as artifacts (not part of the text).
The DOCX carries no code: it is the editable copy, the PDF is the one printed and signed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any, cast

import segno
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from pipeline.core.polish import pl_date
from pipeline.pdf.pdfa import incremental_update, startxref
from pipeline.pdf.pdfutil import overlay_form

PREFIX = "AS1"
CHECK_LENGTH = 6
# Placement in points: the bottom-left corner, in the left margin (the body starts 2 cm
# from the edge, the centred footer 7 cm), clear of a printer's unprintable 4 mm.
QR_SIZE = 42.6  # 15 mm
QR_LEFT = 13.0
QR_BOTTOM = 13.0
LINE_SIZE = 6.0
LINE_X = QR_LEFT + 6.0  # the line runs upwards along the left edge, above the code
LINE_GAP = 6.0
STAMP_NAME = "/AsystaKod"

_PAYLOAD = re.compile(r"\AAS1\|([A-Za-z0-9][A-Za-z0-9._-]{0,63})\|([a-z0-9_-]{1,40})\|(\d{8})\|"
                      r"(\d{1,4})\|(\d{1,4})/(\d{1,4})\|([0-9a-f]{6})\Z")


@dataclass(frozen=True)
class Identity:
    """What a code names: one version of one document of one family."""

    rodzina: str
    zalacznik: int
    data: date
    wersja: int
    kontrola: str  # `check(...)` of the document
    rodzaj: str = ""  # a document kind beyond the sixteen (zalacznik 0)

    @property
    def document(self) -> str:
        return self.rodzaj or str(self.zalacznik)

    @property
    def key(self) -> tuple[str, str, date, int]:
        return self.rodzina, self.document, self.data, self.wersja


@dataclass(frozen=True)
class PageCode:
    """A decoded code: the document and which of its pages."""

    identity: Identity
    strona: int
    stron: int


def check(rodzina: str, zalacznik: int, rodzaj: str, data: date, wersja: int, sha256: str) -> str:
    """The check of a document: recomputed from its register entry, never stored."""
    text = f"{rodzina}|{rodzaj or zalacznik}|{data.isoformat()}|{wersja}|{sha256}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECK_LENGTH]


def payload(identity: Identity, page: int, pages: int) -> str:
    return (f"{PREFIX}|{identity.rodzina}|{identity.document}|{identity.data:%Y%m%d}|"
            f"{identity.wersja}|{page}/{pages}|{identity.kontrola}")


def parse(text: str) -> PageCode | None:
    """A payload written by `payload`, or None for any other code (a foreign QR code)."""
    match = _PAYLOAD.match(text.strip())
    if match is None:
        return None
    rodzina, document, day, wersja, page, pages, kontrola = match.groups()
    try:
        when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    number = int(document) if document.isdigit() else 0
    if not 1 <= int(page) <= int(pages) or (document.isdigit() and not 1 <= number <= 99):
        return None
    identity = Identity(rodzina, number, when, int(wersja), kontrola,
                        "" if document.isdigit() else document)
    return PageCode(identity, int(page), int(pages))


def human_line(identity: Identity, page: int, pages: int) -> str:
    """The line beside the code, for a person sorting paper by hand."""
    what = f"dok. {identity.rodzaj}" if identity.rodzaj else f"zał. {identity.zalacznik}"
    version = f" · wersja {identity.wersja}" if identity.wersja > 1 else ""
    return (f"asysta · {identity.rodzina} · {what} · {pl_date(identity.data)}{version} · "
            f"strona {page} z {pages} · {identity.kontrola}")


def _draw(canvas: object, identity: Identity, page: int, pages: int) -> None:
    from reportlab.pdfgen.canvas import Canvas

    from pipeline.pdf.fonts import FONT

    assert isinstance(canvas, Canvas)
    qr = segno.make(payload(identity, page, pages), error="m", micro=False)
    matrix = [list(row) for row in qr.matrix]
    module = QR_SIZE / len(matrix)
    canvas.saveState()
    canvas.setFillGray(0)
    path = canvas.beginPath()
    top = QR_BOTTOM + QR_SIZE
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):  # a run of dark modules is one rectangle
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            path.rect(QR_LEFT + start * module, top - (y + 1) * module, (x - start) * module,
                      module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.setFillGray(0.3)
    canvas.setFont(FONT, LINE_SIZE)
    canvas.translate(LINE_X, top + LINE_GAP)
    canvas.rotate(90)
    canvas.drawString(0, 0, human_line(identity, page, pages))
    canvas.restoreState()


def _stamps(identity: Identity, sizes: list[tuple[float, float]]) -> bytes:
    """One PDF holding only the codes, one page per document page."""
    from reportlab.pdfgen.canvas import Canvas

    from pipeline.pdf.fonts import FONT, register_fonts

    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT)
    for number, size in enumerate(sizes, 1):
        canvas.setPageSize(size)
        _draw(canvas, identity, number, len(sizes))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def stamp(data: bytes, identity: Identity) -> bytes:
    """The PDF with the code on every page, appended as an incremental update (a classic
    section, as `pdfa.finish_joined` appends): only the pages' dictionaries are new, each
    with `q … Q /AsystaKod Do` around its own content streams, which are never rewritten."""
    from pipeline.pdf.pdfutil import content_bytes, quiet_pypdf

    with quiet_pypdf():
        reader = PdfReader(BytesIO(data))
        pages = list(reader.pages)
        sizes = [(float(p.cropbox.width), float(p.cropbox.height)) for p in pages]
        codes = PdfReader(BytesIO(_stamps(identity, sizes)))
        trailer: Any = reader.trailer
        first_new = max([int(trailer["/Size"]), *(n + 1 for section in reader.xref.values()
                                                   for n in section),
                         *(n + 1 for n in reader.xref_objStm)])
        objects: list[PdfObject] = []

        def add(obj: PdfObject) -> IndirectObject:
            objects.append(obj)
            return IndirectObject(first_new + len(objects) - 1, 0, reader)

        copied: dict[int, IndirectObject] = {}

        def imported(value: Any) -> Any:
            """An object of the codes' PDF, with its references renumbered into this one."""
            if isinstance(value, IndirectObject):
                if value.idnum not in copied:
                    copied[value.idnum] = add(NullObject())  # its number first: cycles end here
                    objects[copied[value.idnum].idnum - first_new] = imported(value.get_object())
                return copied[value.idnum]
            if isinstance(value, StreamObject):
                stream = DecodedStreamObject()
                stream.set_data(value.get_data())
                for key, item in value.items():
                    if key not in ("/Filter", "/DecodeParms", "/Length"):
                        stream[NameObject(key)] = imported(item)
                return stream.flate_encode()
            if isinstance(value, DictionaryObject):
                return DictionaryObject({NameObject(k): imported(v) for k, v in value.items()})
            if isinstance(value, ArrayObject):
                return ArrayObject([imported(v) for v in value])
            return value

        head = add(_plain_stream(b"q\n"))
        tail = add(_plain_stream(f"\nQ\n/Artifact BMC q {STAMP_NAME} Do Q EMC\n".encode("ascii")))
        changed: list[tuple[int, PdfObject]] = []
        for page, code in zip(pages, codes.pages, strict=True):
            form = overlay_form(page.cropbox, content_bytes(code),
                                imported(code.raw_get("/Resources")))
            form_ref = add(form.flate_encode())
            new_page = DictionaryObject(page)
            resources = DictionaryObject(cast(DictionaryObject, page["/Resources"].get_object())
                                         if "/Resources" in page else {})
            xobjects = DictionaryObject(cast(DictionaryObject, resources["/XObject"].get_object())
                                        if "/XObject" in resources else {})
            xobjects[NameObject(STAMP_NAME)] = form_ref
            resources[NameObject("/XObject")] = xobjects
            new_page[NameObject("/Resources")] = resources
            contents: list[Any] = []
            if "/Contents" in page:
                raw = page.raw_get("/Contents")
                target = raw.get_object()
                contents = list(target) if isinstance(target, ArrayObject) else [raw]
            new_page[NameObject("/Contents")] = ArrayObject([head, *contents, tail])
            assert page.indirect_reference is not None
            changed.append((page.indirect_reference.idnum, new_page))
    numbered = [(first_new + i, obj) for i, obj in enumerate(objects)] + changed
    update = DictionaryObject({
        NameObject("/Size"): NumberObject(max(n for n, _ in numbered) + 1),
        NameObject("/Root"): trailer.raw_get("/Root"),
        NameObject("/Prev"): NumberObject(startxref(data)),
    })
    for key in ("/Info", "/ID"):
        if key in trailer:
            update[NameObject(key)] = trailer.raw_get(key)
    return data + incremental_update(data, numbered, update)


def _plain_stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream
