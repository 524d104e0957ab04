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

import base64
import contextlib
import functools
import hashlib
import json
import re
import string
import zlib
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any, cast

from pipeline.core.fsutil import cache_dir, make_private_dirs, replace
from pipeline.core.polish import pl_date
from pipeline.pdf.fonts import FONT, font_paths, register_fonts
from pipeline.pdf.pdfutil import inherited, startxref, update_section

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


# The document kinds beyond the sixteen as a person reads them on paper (the kinds' titles
# in words, with diacritics; a kind not listed prints its key with spaces).
KIND_NAMES = {"zakonczenie": "zakończenie współpracy", "sad": "informacja dla sądu",
              "sprawozdanie_sad": "sprawozdanie dla sądu", "notatka": "notatka służbowa"}


def human_line(identity: Identity, page: int, pages: int) -> str:
    """The line beside the code, for a person sorting paper by hand."""
    kind = KIND_NAMES.get(identity.rodzaj, identity.rodzaj.replace("_", " "))
    what = kind if identity.rodzaj else f"zał. {identity.zalacznik}"
    version = f" · wersja {identity.wersja}" if identity.wersja > 1 else ""
    return (f"asysta · {identity.rodzina} · {what} · {pl_date(identity.data)}{version} · "
            f"strona {page} z {pages} · {identity.kontrola}")


def stamp(data: bytes, identity: Identity) -> bytes:
    """The PDF with the code on every page, appended as an incremental update (a classic
    section, as `pdfa_joined.finish_joined` appends): only the pages' dictionaries are new, each
    with `q … Q /AsystaKod Do` around its own content streams, which are never rewritten.
    The document is parsed once (qpdf); the code's objects are written as bytes."""
    import pikepdf

    previous = startxref(data)  # a classic cross-reference table, or ValueError
    with pikepdf.open(BytesIO(data), inherit_page_attributes=False) as pdf:
        total = len(pdf.pages)
        lines = [human_line(identity, n, total) for n in range(1, total + 1)]
        font = _font("".join(dict.fromkeys(c for c in "".join(lines) if not " " <= c <= "~")))
        first = max(int(pdf.trailer.get("/Size", 0)), _table_end(data, previous))
        head, tail, font_ref, descriptor, file, tounicode = range(first, first + 6)
        objects = [
            (head, _stream(b"q\n")),
            (tail, _stream(f"\nQ\n/Artifact BMC q {STAMP_NAME} Do Q EMC\n".encode("ascii"))),
            (font_ref, font.font.format(descriptor=descriptor, tounicode=tounicode).encode("latin-1")),
            (descriptor, font.descriptor.format(file=file).encode("latin-1")),
            (file, font.file), (tounicode, font.tounicode)]
        for number, (page, line) in enumerate(zip(pdf.pages, lines, strict=True), 1):
            form = first + 5 + number
            drawing = _drawing(payload(identity, number, total), font.encode(line), font.resource)
            objects.append((form, _form(page, drawing, f"<< /Font << {font.resource} {font_ref} 0 R >> >>")))
            objects.append((page.obj.objgen[0], _page(page, head, tail, form)))
        trailer = pikepdf.Dictionary({k: pdf.trailer[k] for k in ("/Root", "/Info", "/ID")
                                      if k in pdf.trailer})
        size = first + 6 + total
        trailer_bytes = (trailer.unparse()[:-2] + f" /Size {size} /Prev {previous} >>".encode())
    return data + update_section(data, objects, trailer_bytes)


_SUBSECTION = re.compile(rb"\s*(\d+) (\d+)[ \t]*\r?\n")


def _table_end(data: bytes, offset: int) -> int:
    """One past the highest object number the last cross-reference table lists (a /Size
    that is too small must not make new objects overwrite old ones)."""
    end, at = 0, offset + len(b"xref")
    while (match := _SUBSECTION.match(data, at)) is not None:
        start, count = int(match.group(1)), int(match.group(2))
        end = max(end, start + count)
        at = match.end() + 20 * count  # each entry is 20 bytes
    return end


def _stream(content: bytes, entries: bytes = b"") -> bytes:
    packed = zlib.compress(content)
    return (b"<< " + entries + b" /Filter /FlateDecode /Length " + str(len(packed)).encode()
            + b" >>\nstream\n" + packed + b"\nendstream")


def _form(page: Any, drawing: bytes, resources: str) -> bytes:
    """A Form XObject of the page's size holding the code, drawn over the page."""
    left, bottom, right, top = (float(v) for v in page.cropbox)
    entries = (f"/Type /XObject /Subtype /Form /BBox [0 0 {_num(right - left)} {_num(top - bottom)}] "
               f"/Matrix [1 0 0 1 {_num(left)} {_num(bottom)}] /Resources {resources}")
    return _stream(drawing, entries.encode("ascii"))


def _page(page: Any, head: int, tail: int, form: int) -> bytes:
    """The page's dictionary again, with the stamp among its XObjects (a copy: pages of one
    document often share one resource dictionary) and its content wrapped in q … Q."""
    import pikepdf

    new = pikepdf.Dictionary({k: v for k, v in page.obj.items()})
    resources = inherited(page.obj, "/Resources")
    resources = pikepdf.Dictionary({k: v for k, v in resources.items()} if resources else {})
    xobjects = resources.get("/XObject")
    xobjects = pikepdf.Dictionary({k: v for k, v in xobjects.items()} if xobjects else {})
    xobjects[STAMP_NAME] = pikepdf.Name("/AsystaRefForm")
    resources.XObject = xobjects
    new.Resources = resources
    contents = page.obj.get("/Contents")
    parts = (list(contents) if isinstance(contents, pikepdf.Array)
             else [] if contents is None else [contents])
    new.Contents = pikepdf.Array([pikepdf.Name("/AsystaRefHead"), *parts,
                                  pikepdf.Name("/AsystaRefTail")])
    body = new.unparse()
    for name, number in ((b"Form", form), (b"Head", head), (b"Tail", tail)):
        body = body.replace(b"/AsystaRef" + name, f"{number} 0 R".encode())
    return body



# -- drawing the code ----------------------------------------------------------------------

# What `human_line` can print: ASCII (the case number, the kind, digits, the check) and the
# two letters beyond it, in the order a line first uses them (reportlab numbers them so).
_LINE_EXTRA = "·ł"


@dataclass(frozen=True)
class _Font:
    """The line's font, as reportlab embeds it (a TrueType subset), made once per process:
    its objects' bodies with the numbers of the objects they point to left as `{}` fields."""

    resource: str  # its name in the form's /Font dictionary
    codes: dict[str, int]  # a character's code in the subset
    font: str  # refers to {descriptor} and {tounicode}
    descriptor: str  # refers to {file}
    file: bytes
    tounicode: bytes

    def encode(self, text: str) -> bytes:
        return bytes(self.codes[c] for c in text).hex().encode("ascii")


_FONT_CACHE_FORMAT = 1  # of the cached font's file: a new number makes every cache stale


@functools.lru_cache(maxsize=8)
def _font(extra: str) -> _Font:
    """reportlab's subset of the line font: ASCII, then `extra` in this order; made once per
    font file and kept in the cache folder (making it costs a process a tenth of a second:
    reportlab, the TrueType file read, the subset)."""
    regular, _ = font_paths()
    stat = regular.stat()
    key = hashlib.sha256(json.dumps([_FONT_CACHE_FORMAT, str(regular), stat.st_size,
                                     stat.st_mtime_ns, extra, LINE_SIZE]).encode()).hexdigest()
    cached = cache_dir("kod") / f"czcionka-{key[:32]}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(cached.read_bytes())
        return _Font(data["resource"], {k: int(v) for k, v in data["codes"].items()},
                     data["font"], data["descriptor"], base64.b64decode(data["file"]),
                     base64.b64decode(data["tounicode"]))
    made = _made_font(extra)
    with contextlib.suppress(OSError):  # without a cache the next process makes it again
        make_private_dirs(cached.parent)
        replace(cached, json.dumps({
            "resource": made.resource, "codes": made.codes, "font": made.font,
            "descriptor": made.descriptor, "file": base64.b64encode(made.file).decode("ascii"),
            "tounicode": base64.b64encode(made.tounicode).decode("ascii")}).encode("utf-8"))
    return made



def _made_font(extra: str) -> _Font:
    import pikepdf
    from reportlab.pdfgen.canvas import Canvas

    register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT)
    canvas.setFont(FONT, LINE_SIZE)
    canvas.drawString(0, 0, extra + string.printable[:95])
    canvas.showPage()
    canvas.save()
    with pikepdf.open(BytesIO(buffer.getvalue())) as pdf:
        [(name, font)] = pdf.pages[0].obj.Resources.Font.items()
        descriptor = font.FontDescriptor
        mapping = font.ToUnicode.read_bytes().decode("ascii")
        codes = {chr(int(uni, 16)): int(code, 16) for code, uni in
                 re.findall(r"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>", mapping) if int(uni, 16)}
        body = _refs_as_fields(font, {"/FontDescriptor": "descriptor", "/ToUnicode": "tounicode"})
        return _Font(str(name), codes, body,
                     _refs_as_fields(descriptor, {"/FontFile2": "file"}),
                     _raw_stream(descriptor.FontFile2), _raw_stream(font.ToUnicode))


def _refs_as_fields(obj: Any, fields: dict[str, str]) -> str:
    """A dictionary's body with the named entries as `{field} 0 R` (braces doubled)."""
    import pikepdf

    copy = pikepdf.Dictionary({k: v for k, v in obj.items() if k not in fields})
    for key, field_name in fields.items():
        copy[key] = pikepdf.Name(f"/AsystaPole{field_name}")
    text = copy.unparse().replace(b"{", b"{{").replace(b"}", b"}}")
    for field_name in fields.values():
        text = text.replace(f"/AsystaPole{field_name}".encode(), f"{{{field_name}}} 0 R".encode())
    return text.decode("latin-1")


def _raw_stream(stream: Any) -> bytes:
    """A stream object's body as stored (its filter and data kept)."""
    import pikepdf

    data = stream.read_raw_bytes()
    head = pikepdf.Dictionary({k: v for k, v in stream.stream_dict.items() if k != "/Length"})
    head.Length = len(data)
    return head.unparse() + b"\nstream\n" + data + b"\nendstream"


def _modules(text: str) -> list[bytes]:
    """The QR code's rows (1 = dark), error correction M, by zxing-cpp's encoder."""
    import zxingcpp

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, options="ecLevel=M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    height, width = image.shape[:2]
    pixels = bytes(memoryview(cast(Any, image))).translate(_DARK)
    return [pixels[y * width:(y + 1) * width] for y in range(height)]


_DARK = bytes([1] + [0] * 255)  # zxing's black pixel (0) is a dark module


@functools.lru_cache(maxsize=16)
def _grid(size: int) -> tuple[list[str], list[str], list[str]]:
    """Module coordinates as PDF numbers: (left edge of column i, bottom of row i,
    "width height" of a run of i modules)."""
    module = QR_SIZE / size
    top = QR_BOTTOM + QR_SIZE
    return ([_num(QR_LEFT + i * module) for i in range(size + 1)],
            [_num(top - (i + 1) * module) for i in range(size)],
            [f"{_num(i * module)} {_num(module)}" for i in range(size + 1)])


def _num(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _drawing(text: str, line: bytes, resource: str) -> bytes:
    """The content of one page's stamp: the code as rectangles, the line turned upwards."""
    rows = _modules(text)
    xs, ys, widths = _grid(len(rows))
    ops = ["q 0 g"]
    for y, row in enumerate(rows):
        x = row.find(1)
        while x >= 0:  # a run of dark modules is one rectangle
            end = row.find(0, x)
            end = len(row) if end < 0 else end
            ops.append(f"{xs[x]} {ys[y]} {widths[end - x]} re")
            x = row.find(1, end)
    ops.append("f .3 g")
    ops.append(f"0 1 -1 0 {_num(LINE_X)} {_num(QR_BOTTOM + QR_SIZE + LINE_GAP)} cm")
    ops.append(f"BT {resource} {_num(LINE_SIZE)} Tf 0 0 Td <{line.decode('ascii')}> Tj ET Q")
    return "\n".join(ops).encode("ascii")
