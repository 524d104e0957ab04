"""A scan batch read page by page: each page rendered (pypdfium2), its code read (zxing-cpp,
any rotation), blank pages found, and the pages grouped into documents by their codes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PIL import Image, ImageOps, ImageSequence

from pipeline.core.errors import FormError, Problem
from pipeline.pdf import kod

JPEG_QUALITY = 75  # the signed copy's pages
THUMBNAIL_WIDTH = 400
BLANK_INK = 0.002  # a page with less dark area than this is blank


@dataclass
class Page:
    """One page of a batch: its place in the batch, its code, and its image (upright when
    the code says how)."""

    number: int  # 1-based, in the batch
    code: kod.PageCode | None
    blank: bool
    jpeg: bytes
    size: tuple[int, int]  # pixels
    thumbnail: bytes = b""  # PNG, only for pages set aside
    rotation: int = 0  # degrees turned to make it upright
    foreign: bool = False  # a QR code that is not one of ours


def _images(content: bytes, suffix: str, dpi: int, limit: int) -> Iterator[Image.Image]:
    """The batch's pages as greyscale images at `dpi`."""
    if suffix == ".pdf":
        import pypdfium2

        document = pypdfium2.PdfDocument(content)
        try:
            if len(document) > limit:
                raise FormError([Problem(f"partia ma {len(document)} stron; dopuszczalne {limit} "
                                         "– podziel skan na mniejsze pliki")])
            for index in range(len(document)):
                page = document[index]
                bitmap = page.render(scale=dpi / 72, grayscale=True)
                yield bitmap.to_pil().convert("L")
                page.close()
        finally:
            document.close()
        return
    with Image.open(io.BytesIO(content)) as image:
        for count, frame in enumerate(ImageSequence.Iterator(image), 1):
            if count > limit:
                raise FormError([Problem(f"partia ma więcej niż {limit} stron – podziel skan na "
                                         "mniejsze pliki")])
            grey = ImageOps.exif_transpose(frame).convert("L")
            source_dpi = frame.info.get("dpi", (dpi, dpi))[0] or dpi
            if source_dpi > dpi * 1.2:
                scale = dpi / float(source_dpi)
                grey = grey.resize((round(grey.width * scale), round(grey.height * scale)),
                                   Image.Resampling.LANCZOS)
            yield grey


QR_ONLY: Any = None  # zxingcpp.BarcodeFormats, made on first use (the import is slow)


def decode(image: Image.Image) -> tuple[kod.PageCode | None, int, bool]:
    """(our code, the degrees the page is turned, whether a foreign QR code is there)."""
    global QR_ONLY
    import zxingcpp

    foreign = False
    if QR_ONLY is None:
        QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    for attempt in (image, ImageOps.autocontrast(image, cutoff=1)):
        for result in zxingcpp.read_barcodes(attempt, formats=QR_ONLY):
            code = kod.parse(result.text)
            if code is not None:
                return code, int(result.orientation), False
            foreign = True
    return None, 0, foreign


def _is_blank(image: Image.Image) -> bool:
    small = image.reduce(4)
    width, height = small.size
    inner = small.crop((width // 20, height // 20, width - width // 20, height - height // 20))
    histogram = inner.histogram()
    dark = sum(histogram[:128])
    return dark < BLANK_INK * inner.width * inner.height


def _upright(image: Image.Image, orientation: int) -> tuple[Image.Image, int]:
    """The image turned so that the code (and so the page) reads upright."""
    turn = round(orientation / 90) * 90 % 360
    return (image.rotate(turn, expand=True) if turn else image), turn


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail((THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 2))
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue()


def read_pages(content: bytes, suffix: str, dpi: int, limit: int) -> list[Page]:
    """Every page of a batch, read (codes decoded, blanks found), in batch order."""
    pages: list[Page] = []
    for number, image in enumerate(_images(content, suffix, dpi, limit), 1):
        code, orientation, foreign = decode(image)
        blank = code is None and not foreign and _is_blank(image)
        turn = 0
        if code is not None:
            image, turn = _upright(image, orientation)
        elif pages and pages[-1].rotation and not blank:  # a page of the same document, likely
            image, turn = _upright(image, pages[-1].rotation)
        pages.append(Page(number, code, blank, _jpeg(image), image.size,
                          b"" if code is not None else _png(image), turn, foreign))
    return pages


# -- splitting it into documents ---------------------------------------------------------


@dataclass
class Document:
    """The pages of a batch that belong to one document, in the document's order."""

    identity: kod.Identity
    stron: int
    pages: dict[int, Page] = field(default_factory=dict)  # document page number → page
    guessed: list[int] = field(default_factory=list)  # numbers given to pages without a code


@dataclass
class SetAside:
    page: Page
    reason: str


@dataclass
class Split:
    documents: list[Document]
    set_aside: list[SetAside]
    blank: list[int]


def split(pages: list[Page]) -> Split:
    """The pages grouped by document. A page without a code follows the page before it when
    that page's document has more pages and this one's number is not held by a coded page."""
    documents: dict[tuple[str, str, date, int], Document] = {}
    set_aside: list[SetAside] = []
    blank: list[int] = []
    for page in pages:
        if page.code is None:
            continue
        identity = page.code.identity
        doc = documents.setdefault(identity.key, Document(identity, page.code.stron))
        if page.code.strona in doc.pages or page.code.stron != doc.stron:
            set_aside.append(SetAside(page, f"strona {page.code.strona} tego dokumentu jest już "
                                            "w tej partii (zeskanowana drugi raz)"))
            continue
        doc.pages[page.code.strona] = page
    previous: tuple[Document, int] | None = None
    for page in pages:
        if page.code is not None:
            doc = documents[page.code.identity.key]
            previous = (doc, page.code.strona) if doc.pages.get(page.code.strona) is page else None
            continue
        if page.blank:
            blank.append(page.number)
            continue
        if previous is not None:
            doc, number = previous
            if number < doc.stron and number + 1 not in doc.pages:
                doc.pages[number + 1] = page
                doc.guessed.append(number + 1)
                previous = (doc, number + 1)
                continue
        why = ("na stronie jest kod QR, ale nie pochodzi z programu asysta (strona spoza "
               "archiwum?)" if page.foreign else "nie udało się odczytać kodu QR (strona spoza "
               "archiwum albo kod zasłonięty, zabrudzony lub ucięty)")
        set_aside.append(SetAside(page, why))
        previous = None
    return Split(list(documents.values()), set_aside, blank)
