"""Fillable PDF forms: drawn from the schemas, and read back when filled.

Office staff fill forms in a PDF reader or a browser, not YAML. `build_form`
turns an attachment's schema into an AcroForm: the centre's header, every field
with its Polish label and help, checkboxes for yes/no, drop-down lists for
closed lists, date fields taking DD.MM.RRRR and rows for the tables. A hidden
field records the attachment, the schema version and a fingerprint of the
schema's structure, so a filled form is checked against the schema it was made
from. `read_form` turns a filled form back into the same plain mapping a YAML
form gives; validation then runs unchanged.

Polish letters: a reader can only draw typed text with a font whose encoding
holds the letters. The fields' font is therefore a TrueType font embedded with
every glyph of Windows-1250 (the Central European code page, all Polish
letters included) under a standard encoding, so readers can encode what is
typed. Every field has an appearance stream drawn here (its frame and any
pre-filled value), and the form does not set NeedAppearances: with it set, pdf.js
(Firefox) saves a filled form without appearance streams, and other readers
redraw every field on opening. The field font's /DR name is chosen for PDFium
(see FIELD_FONT). Checked in pdf.js, PDFium and poppler by tests/test_form_engines.py.

The PDF is written by a small writer below (objects, xref, trailer): the forms
need full control over fonts, widgets and appearance streams, and the output is
deterministic (the same schema and values give the same bytes). Filled forms are
read with pypdf.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import re
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from . import __version__
from .config import Osrodek, Settings
from .errors import AsystaError, FormError, Problem
from .schemas import CASE_NUMBER_RE, HEADER_FIELDS, ZALACZNIKI, Schema, load_schema

# -- the marker --------------------------------------------------------------------------------

MARKER_FIELD = "asysta_znacznik"
_MARKER_KEY = "AsystaFormularz"  # the same marker in the document catalog, as a fallback
_MARKER_RE = re.compile(r"asysta-formularz; zalacznik=(\d+); wersja=(\d+); schemat=([0-9a-f]+)")


def _shape(rules: Mapping[str, Any]) -> dict[str, Any]:
    """What a form's fields depend on: types, closed lists, nesting (not labels or help)."""
    kind = rules.get("type")
    out: dict[str, Any] = {"type": kind}
    if rules.get("allowed"):
        out["allowed"] = list(rules["allowed"])
    inner = rules.get("schema")
    if kind == "list" and isinstance(inner, dict):
        out["items"] = _shape(inner)
    elif kind == "dict" and isinstance(inner, dict):
        out["fields"] = {k: _shape(v) for k, v in inner.items()}
    return out


def fingerprint(schema: Schema) -> str:
    """A short hash of the schema's structure: a schema changed without a new `wersja`
    is still told apart from the one a form was made from."""
    shape = {k: _shape(v) for k, v in schema.pola.items()}
    text = json.dumps(shape, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def marker(schema: Schema) -> str:
    return (f"asysta-formularz; zalacznik={schema.zalacznik}; wersja={schema.wersja}; "
            f"schemat={fingerprint(schema)}")


# -- field names: one scheme for writing and reading -------------------------------------------
# Periods separate the parts of a hierarchical field name in PDF, so names use "/" and [n].


def _cell_name(table: str, row: int, column: str) -> str:
    return f"{table}[{row}]/{column}"


def _section_name(section: str, key: str) -> str:
    return f"{section}/{key}"


# -- a minimal PDF writer ----------------------------------------------------------------------


class Name(str):
    """A PDF name (/Name); a plain str is written as a text string."""


@dataclass(frozen=True)
class Ref:
    num: int


@dataclass(frozen=True)
class Stream:
    data: bytes
    entries: Mapping[str, Any] = field(default_factory=dict)


_NAME_SAFE = set(range(0x21, 0x7F)) - set(b"#()<>[]{}/%")


def _name_bytes(name: str) -> bytes:
    return b"".join(bytes([c]) if c in _NAME_SAFE else b"#%02X" % c for c in name.encode())


def _f(value: float) -> str:
    """A number as content streams and dictionaries write it: short, no exponent."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _num(value: float) -> bytes:
    return _f(value).encode()


def _text_string(text: str) -> bytes:
    if all(32 <= ord(c) < 127 for c in text):
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("ascii") + b")"
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _serialize(obj: Any) -> bytes:
    if obj is None:
        return b"null"
    if obj is True:
        return b"true"
    if obj is False:
        return b"false"
    if isinstance(obj, Name):
        return b"/" + _name_bytes(obj)
    if isinstance(obj, Ref):
        return b"%d 0 R" % obj.num
    if isinstance(obj, int):
        return b"%d" % obj
    if isinstance(obj, float):
        return _num(obj)
    if isinstance(obj, str):
        return _text_string(obj)
    if isinstance(obj, bytes):
        return b"<" + obj.hex().upper().encode() + b">"
    if isinstance(obj, list | tuple):
        return b"[" + b" ".join(_serialize(o) for o in obj) + b"]"
    if isinstance(obj, dict):
        return b"<<" + b"".join(b"/" + _name_bytes(k) + b" " + _serialize(v)
                                for k, v in obj.items()) + b">>"
    if isinstance(obj, Stream):
        data = zlib.compress(obj.data, 9)
        head = _serialize({**obj.entries, "Length": len(data), "Filter": Name("FlateDecode")})
        return head + b"\nstream\n" + data + b"\nendstream"
    raise TypeError(f"cannot write {type(obj).__name__} to PDF")


class _Writer:
    def __init__(self) -> None:
        self._objects: list[Any] = []

    def reserve(self) -> Ref:
        self._objects.append(None)
        return Ref(len(self._objects))

    def put(self, ref: Ref, obj: Any) -> Ref:
        self._objects[ref.num - 1] = obj
        return ref

    def add(self, obj: Any) -> Ref:
        return self.put(self.reserve(), obj)

    def tobytes(self, root: Ref, info: Ref) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for num, obj in enumerate(self._objects, 1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % num + _serialize(obj) + b"\nendobj\n"
        file_id = hashlib.sha256(bytes(out)).digest()[:16]  # deterministic: same form, same id
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        trailer = {"Size": len(offsets) + 1, "Root": root, "Info": info, "ID": [file_id, file_id]}
        out += b"trailer\n" + _serialize(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


# -- fonts -------------------------------------------------------------------------------------

# Debian's fonts-liberation2 (Arial metrics, compact) first, then fonts-dejavu.
FONT_FILES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
# The fields' font's name in /DR, named in every field's /DA. PDFium (Chrome, Edge) draws
# what is typed with the /DA font only for characters of that font's "charset": an embedded
# font counts as ANSI (Western), so ą ę ł ś ź ż (Central European) and „ ” – (which PDFium
# files as Chinese) went to a system fallback font. Only under one of the symbol-font names
# (Wingdings, Webdings) does PDFium try the /DA font for every character first
# (core/fpdfdoc/cpdf_bafontmap.cpp); the name is only a key, the font is the embedded sans
# below, and pdf.js, poppler and Acrobat read the font itself, not its key.
FIELD_FONT = "Wingdings"

# The fields' font encoding. Windows-1250: every Polish letter, the punctuation Polish
# text uses („ ” – …) and the rest of Central Europe's letters. The unused control codes
# (but tab, line feed and carriage return) carry a few more that forms need: ½ etatu, m², №.
_EXTRA = "½¼¾¹²³№≤≥→←≈≠∞√"
_CODES: dict[int, str] = dict(zip([c for c in range(1, 32) if c not in (9, 10, 13)], _EXTRA,
                                  strict=False))
for _code in [*range(32, 127), *range(128, 256)]:
    with contextlib.suppress(UnicodeDecodeError):
        _CODES[_code] = bytes([_code]).decode("cp1250")
_BYTES: dict[str, int] = {ch: code for code, ch in _CODES.items()}


def codepage(text: str) -> str:
    """The text as the fields' font can draw it: any other character becomes '?'."""
    return "".join(c if c in _BYTES or c == "\n" else "?" for c in text.replace("\t", " "))


def _field_bytes(text: str) -> bytes:
    return bytes(_BYTES.get(c, 63) for c in codepage(text))


@dataclass(frozen=True)
class _Font:
    """A TrueType font's metrics, for layout; embedded by the functions below."""

    path: Path
    name: str  # PostScript name
    glyphs: Mapping[int, str]  # code point → glyph name
    advances: Mapping[str, int]  # glyph name → advance width in 1/1000 em
    ascent: float  # in em
    descent: float  # in em (negative)
    cap_height: float
    bbox: tuple[int, int, int, int]

    def clean(self, text: str) -> str:
        """Characters the font has no glyph for become '?'."""
        return "".join(c if ord(c) in self.glyphs else "?" for c in text.replace("\t", " "))

    def width(self, text: str, size: float) -> float:
        return sum(self.advances[self.glyphs[ord(c)]] for c in self.clean(text)) * size / 1000

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Lines no wider than `width`; a word longer than a line is cut."""
        lines: list[str] = []
        for paragraph in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.width(candidate, size) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                line = word
                while self.width(line, size) > width and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and self.width(line[:cut], size) > width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        return lines


def font_paths() -> tuple[Path, Path]:
    for regular, bold in FONT_FILES:
        if Path(regular).is_file() and Path(bold).is_file():
            return Path(regular), Path(bold)
    raise AsystaError(
        "nie znaleziono czcionki z polskimi znakami do formularzy PDF – zainstaluj pakiet "
        "fonts-liberation2 albo fonts-dejavu (apt install fonts-liberation2)"
    )


@functools.lru_cache(maxsize=4)
def _load_font(path: Path) -> _Font:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap()
    if any(ord(ch) not in cmap for ch in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ„”–"):
        raise AsystaError(f"czcionka {path} nie ma polskich liter – zainstaluj fonts-liberation2")
    scale = 1000 / font["head"].unitsPerEm
    hmtx = font["hmtx"]
    head, os2, hhea = font["head"], font["OS/2"], font["hhea"]
    return _Font(
        path=path,
        name=re.sub(r"[^A-Za-z0-9-]", "", font["name"].getDebugName(6) or path.stem),
        glyphs=dict(cmap),
        advances={name: round(hmtx[name][0] * scale) for name in set(cmap.values())},
        ascent=hhea.ascent * scale / 1000,
        descent=hhea.descent * scale / 1000,
        cap_height=(getattr(os2, "sCapHeight", 0) * scale / 1000) or 0.7,
        bbox=(round(head.xMin * scale), round(head.yMin * scale),
              round(head.xMax * scale), round(head.yMax * scale)),
    )


@functools.lru_cache(maxsize=16)
def _subset(path: Path, chars: frozenset[str]) -> tuple[bytes, dict[str, int]]:
    """The font reduced to `chars` (no hinting, no layout tables), and each char's glyph id."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), recalcTimestamp=False)
    options = subset.Options()
    options.hinting = False
    options.glyph_names = True
    options.notdef_outline = True
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG", "FFTM", "gasp"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    cmap = font.getBestCmap()
    return buffer.getvalue(), {c: font.getGlyphID(cmap[ord(c)]) for c in chars if ord(c) in cmap}


def _descriptor(writer: _Writer, font: _Font, name: str, program: bytes, flags: int) -> Ref:
    return writer.add({
        "Type": Name("FontDescriptor"), "FontName": Name(name), "Flags": flags,
        "FontBBox": list(font.bbox), "ItalicAngle": 0,
        "Ascent": round(font.ascent * 1000), "Descent": round(font.descent * 1000),
        "CapHeight": round(font.cap_height * 1000), "StemV": 80,
        "FontFile2": writer.add(Stream(program, {"Length1": len(program)})),
    })


def _to_unicode(writer: _Writer, pairs: list[tuple[str, str]], width: int) -> Ref:
    """A ToUnicode CMap (code → text), so text can be copied and searched."""
    def utf16(text: str) -> str:
        return text.encode("utf-16-be").hex().upper()

    blocks = []
    for start in range(0, len(pairs), 100):  # at most 100 entries a block
        chunk = pairs[start:start + 100]
        rows = "\n".join(f"<{code}> <{utf16(text)}>" for code, text in chunk)
        blocks.append(f"{len(chunk)} beginbfchar\n{rows}\nendbfchar")
    low, high = "0" * width, "F" * width
    return writer.add(Stream((
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        f"1 begincodespacerange\n<{low}> <{high}>\nendcodespacerange\n"
        + "\n".join(blocks) +
        "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("ascii")))


_OLD_NAMES = {0x2116: "afii61352", 0x00A0: "nbspace", 0x00AD: "sfthyphen"}  # full Adobe list


def _glyph_name(font: _Font, ch: str) -> str:
    """A standard name readers know (ogonek letters, twosuperior…): the Adobe list's, else the
    font's own (its post table uses the traditional names), else uniXXXX."""
    from fontTools.agl import UV2AGL

    own = font.glyphs.get(ord(ch), "")
    if ord(ch) in UV2AGL:
        return str(UV2AGL[ord(ch)])
    if ord(ch) in _OLD_NAMES:
        return _OLD_NAMES[ord(ch)]
    if own and not re.fullmatch(r"glyph\d+|\.notdef|uni[0-9A-F]{4}", own):
        return own
    return f"uni{ord(ch):04X}"


def _field_font_object(writer: _Writer, font: _Font) -> Ref:
    """The fields' font: a simple TrueType font with every glyph of Windows-1250 (and the few
    extra characters above), each code named by its standard glyph name, so a reader can
    encode and draw whatever Polish text is typed. It holds every glyph its encoding can
    reach, so it is named without a subset tag."""
    codes = {c: ch for c, ch in _CODES.items() if ord(ch) in font.glyphs}
    program, _ = _subset(font.path, frozenset(codes.values()))
    differences: list[Any] = [1]  # every code named: nothing is left to the base encoding
    for code in range(1, 256):
        ch = codes.get(code)
        differences.append(Name(_glyph_name(font, ch)) if ch else Name(".notdef"))
    widths = [font.advances[font.glyphs[ord(codes[c])]] if c in codes else 0
              for c in range(1, 256)]
    return writer.add({
        "Type": Name("Font"), "Subtype": Name("TrueType"), "BaseFont": Name(font.name),
        "FirstChar": 1, "LastChar": 255, "Widths": widths,
        "Encoding": {"Type": Name("Encoding"),
                     "Differences": differences},
        "FontDescriptor": _descriptor(writer, font, font.name, program, 32),
        "ToUnicode": _to_unicode(writer, [(f"{c:02X}", ch) for c, ch in codes.items()], 2),
    })


def _text_font_object(writer: _Writer, font: _Font, chars: frozenset[str]
                      ) -> tuple[Ref, dict[str, int]]:
    """The page text's font: a composite (Identity-H) font with exactly the glyphs the page
    uses, whatever the characters (a centre's name, ², №…)."""
    program, gids = _subset(font.path, chars)
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    name = f"{tag}+{font.name}"
    widths: list[Any] = []
    for ch, gid in sorted(gids.items(), key=lambda item: item[1]):
        widths += [gid, [font.advances[font.glyphs[ord(ch)]]]]
    descendant = writer.add({
        "Type": Name("Font"), "Subtype": Name("CIDFontType2"), "BaseFont": Name(name),
        "CIDSystemInfo": {"Registry": "Adobe", "Ordering": "Identity", "Supplement": 0},
        "FontDescriptor": _descriptor(writer, font, name, program, 4),
        "W": widths, "CIDToGIDMap": Name("Identity"),
    })
    pairs = [(f"{gid:04X}", ch) for ch, gid in sorted(gids.items(), key=lambda item: item[1])]
    ref = writer.add({
        "Type": Name("Font"), "Subtype": Name("Type0"), "BaseFont": Name(name),
        "Encoding": Name("Identity-H"), "DescendantFonts": [descendant],
        "ToUnicode": _to_unicode(writer, pairs, 4),
    })
    return ref, gids


# -- layout ------------------------------------------------------------------------------------

PAGE_W, PAGE_H = 595.28, 841.89  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 42.0, 40.0, 50.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
LABEL_W = 190.0
GAP = 10.0
FIELD_SIZE = 9.0
CELL_SIZE = 8.0
DEFAULT_ROWS = 12  # a month's work: visits 1–2 a week, plan actions, tasks
LIST_LINES = 7  # lines of a "one item per line" field
FIELD_BG = (0.93, 0.95, 1.0)
FIELD_BORDER = (0.5, 0.56, 0.68)
HELP_GRAY = 0.36
DATE_FORMAT = "DD.MM.RRRR"
NUMBER_W, SIGNATURE_W = 18.0, 70.0  # a table's "Lp." and "Podpis" columns
HEADER_SIZE, HEADER_PAD = 7.0, 2.0  # a table's column headers
MIN_TEXT_COLUMN = 60.0  # room for a word such as „niezrealizowane” in a free-text column

Control = Literal["text", "date", "number", "check", "choice"]


def _control(rules: Mapping[str, Any]) -> Control:
    kind = rules.get("type")
    if kind == "boolean":
        return "check"
    if rules.get("allowed"):
        return "choice"
    if kind == "date":
        return "date"
    if kind in ("integer", "float", "number"):
        return "number"
    return "text"


def _meta(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = rules.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def _help(rules: Mapping[str, Any]) -> str:
    """The schema's help, with dates written as a person types them in the form."""
    return str(_meta(rules).get("pomoc", "")).replace("RRRR-MM-DD", DATE_FORMAT)


def _required(rules: Mapping[str, Any]) -> bool:
    return bool(rules.get("required")) and rules.get("type") != "boolean"


def _label(key: str, rules: Mapping[str, Any]) -> str:
    label = str(_meta(rules).get("etykieta", key))
    return label + (" *" if _required(rules) else "")


def _column_label(key: str, rules: Mapping[str, Any]) -> str:
    """A table column's header; a cell is never flagged required (see `_Layout.widget`), the
    header says which cells a used row needs."""
    return str(_meta(rules).get("etykieta", key)) + (" *" if _required(rules) else "")


def _tooltip(key: str, rules: Mapping[str, Any]) -> str:
    label = str(_meta(rules).get("etykieta", key))
    extra = f" ({DATE_FORMAT})" if _control(rules) == "date" else ""
    return f"{label}{extra}: {_help(rules)}"


def _is_table(rules: Mapping[str, Any]) -> bool:
    inner = rules.get("schema")
    return rules.get("type") == "list" and isinstance(inner, dict) and inner.get("type") == "dict"


def _is_item_list(rules: Mapping[str, Any]) -> bool:
    inner = rules.get("schema")
    return rules.get("type") == "list" and not _is_table(rules) and isinstance(inner, dict)


@dataclass
class _Widget:
    name: str
    control: Control | Literal["marker"]
    rect: tuple[float, float, float, float]  # x, y, width, height
    tooltip: str = ""
    size: float = FIELD_SIZE
    multiline: bool = False
    maxlen: int | None = None
    required: bool = False
    options: tuple[str, ...] = ()
    value: Any = None  # text for text/date/number/choice, bool for check


@dataclass(frozen=True)
class _Run:
    """A line of page text; encoded once the page's font subset is known."""

    bold: bool
    text: str
    x: float
    baseline: float
    size: float
    gray: float


@dataclass
class _Page:
    ops: list[str | _Run] = field(default_factory=list)
    widgets: list[_Widget] = field(default_factory=list)


def _rgb(color: tuple[float, float, float]) -> str:
    return " ".join(_f(c) for c in color)


def _form_text(value: Any, rules: Mapping[str, Any]) -> Any:
    """A stored value as the form shows it: dates DD.MM.RRRR, decimal comma, one item a line."""
    if value is None or value == "" or value == []:
        return None
    kind = rules.get("type")
    if kind == "boolean":
        return bool(value)
    if kind == "date":
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return value
        return value.strftime("%d.%m.%Y") if isinstance(value, date) else str(value)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    if isinstance(value, list):
        inner = rules.get("schema")
        item_rules: Mapping[str, Any] = inner if isinstance(inner, dict) else {}
        return "\n".join(str(_form_text(v, item_rules) or "") for v in value)
    return str(value)


class _Layout:
    """Lays an attachment's fields out on A4 pages, top to bottom."""

    def __init__(self, schema: Schema, osrodek: Osrodek, regular: _Font, bold: _Font,
                 values: Mapping[str, Any], rows: int | None) -> None:
        self.schema = schema
        self.osrodek = osrodek
        self.regular = regular
        self.bold = bold
        self.values = values
        self.rows = rows
        self.pages: list[_Page] = []
        self.y = 0.0
        self.new_page()

    # drawing primitives

    @property
    def page(self) -> _Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_H - MARGIN_TOP

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when it did."""
        if self.y - height < MARGIN_BOTTOM and self.y < PAGE_H - MARGIN_TOP:
            self.new_page()
            return True
        return False

    def text(self, x: float, baseline: float, text: str, *, bold: bool = False,
             size: float = 8.0, gray: float = 0.0, page: _Page | None = None) -> None:
        font = self.bold if bold else self.regular
        (page or self.page).ops.append(_Run(bold, font.clean(text), x, baseline, size, gray))

    def para(self, x: float, top: float, width: float, text: str, *, bold: bool = False,
             size: float = 8.0, gray: float = 0.0, align: str = "left", draw: bool = True) -> float:
        """A wrapped paragraph from `top` down; returns its height."""
        if not text:
            return 0.0
        font = self.bold if bold else self.regular
        leading = size * 1.22
        lines = font.wrap(text, size, width)
        if draw:
            for i, line in enumerate(lines):
                baseline = top - font.ascent * size - i * leading
                dx = 0.0
                if align == "right":
                    dx = width - font.width(line, size)
                elif align == "center":
                    dx = (width - font.width(line, size)) / 2
                self.text(x + dx, baseline, line, bold=bold, size=size, gray=gray)
        return len(lines) * leading

    def rect(self, x: float, y: float, w: float, h: float, *, fill: float | None = None,
             stroke: float | None = None, width: float = 0.5) -> None:
        ops = "q "
        if fill is not None:
            ops += f"{_f(fill)} g "
        if stroke is not None:
            ops += f"{_f(stroke)} G {_f(width)} w "
        paint = ("B" if stroke is not None else "f") if fill is not None else "S"
        ops += f"{_f(x)} {_f(y)} {_f(w)} {_f(h)} re {paint} Q"
        self.page.ops.append(ops)

    def hline(self, x: float, y: float, w: float, gray: float = 0.6, width: float = 0.5) -> None:
        self.page.ops.append(
            f"q {_f(gray)} G {_f(width)} w {_f(x)} {_f(y)} m {_f(x + w)} {_f(y)} l S Q")

    # fields

    def widget(self, name: str, rules: Mapping[str, Any], x: float, top: float, w: float,
               h: float, value: Any, *, size: float = FIELD_SIZE, multiline: bool = False,
               key: str = "", where: str = "", in_row: bool = False) -> None:
        """A field at (x, top); `where` prefixes its tooltip. A table cell is never flagged
        required: a row left empty is dropped, only a used row must be complete."""
        control = _control(rules)
        options: tuple[str, ...] = ()
        maxlen = None
        if control == "choice":
            options = ("", *[str(o) for o in rules.get("allowed", [])])
        elif control == "date":
            maxlen = 10
        elif rules.get("type") == "string" and isinstance(rules.get("maxlength"), int):
            maxlen = rules["maxlength"]
        self.page.widgets.append(_Widget(
            name=name, control=control, rect=(x, top - h, w, h),
            tooltip=where + _tooltip(key or name, rules), size=size, multiline=multiline,
            maxlen=maxlen, required=_required(rules) and not in_row, options=options,
            value=_form_text(value, rules)))

    def scalar_width(self, rules: Mapping[str, Any], available: float) -> float:
        control = _control(rules)
        fmt = _meta(rules).get("format")
        if control == "check":
            return 12.0
        if control == "date":
            return 74.0
        if control == "choice":
            longest = max((self.regular.width(str(o), FIELD_SIZE) for o in rules["allowed"]),
                          default=80.0)
            return min(max(longest + 24, 110.0), available)
        if control == "number":
            return 84.0 if rules.get("type") == "float" else 64.0
        if fmt == "GG:MM":
            return 46.0
        if fmt == "RRRR-MM":
            return 60.0
        maxlength = rules.get("maxlength")
        if isinstance(maxlength, int) and maxlength <= 12:
            return 80.0
        if isinstance(maxlength, int) and maxlength <= 40 or rules.get("regex"):
            return min(180.0, available)
        return available

    def scalar_row(self, name: str, key: str, rules: Mapping[str, Any], value: Any,
                   indent: float = 0.0) -> None:
        """Label and help on the left, the field on the right, sized to its content."""
        label_w = LABEL_W - indent
        field_x = MARGIN_X + LABEL_W + GAP
        field_w = CONTENT_W - LABEL_W - GAP
        label = _label(key, rules)
        help_text = _help(rules)
        left_h = self.para(0, 0, label_w, label, bold=True, size=8.5, draw=False) + 1 + \
            self.para(0, 0, label_w, help_text, size=7, draw=False)
        width = self.scalar_width(rules, field_w)
        maxlength = rules.get("maxlength")
        long_text = _control(rules) == "text" and isinstance(maxlength, int) and maxlength > 300
        height = 12.0 if _control(rules) == "check" else (42.0 if long_text else 17.0)
        row_h = max(left_h, height) + 7
        self.ensure(row_h)
        top = self.y
        label_h = self.para(MARGIN_X + indent, top, label_w, label, bold=True, size=8.5)
        self.para(MARGIN_X + indent, top - label_h - 1, label_w, help_text, size=7, gray=HELP_GRAY)
        self.widget(name, rules, field_x, top, width, height, value, multiline=long_text, key=key)
        if _control(rules) == "check":
            self.text(field_x + 18, top - 9, "zaznaczone = tak, puste = nie", size=7,
                      gray=HELP_GRAY)
        self.y -= row_h

    def block_heading(self, key: str, rules: Mapping[str, Any], extra_help: str = "",
                      *, draw: bool = True, size: float = 8.5) -> float:
        label_h = self.para(MARGIN_X, self.y, CONTENT_W, _label(key, rules), bold=True,
                            size=size, draw=draw)
        help_text = " ".join(t for t in (_help(rules), extra_help) if t)
        help_h = self.para(MARGIN_X, self.y - label_h - 1, CONTENT_W, help_text, size=7,
                           gray=HELP_GRAY, draw=draw)
        return label_h + 1 + help_h + 3

    def long_text(self, name: str, key: str, rules: Mapping[str, Any], value: Any, lines: int,
                  extra_help: str = "") -> None:
        """A full-width field of several lines (a description, or one item per line)."""
        box_h = lines * FIELD_SIZE * 1.17 + 6
        self.ensure(self.block_heading(key, rules, extra_help, draw=False) + box_h + 8)
        self.y -= self.block_heading(key, rules, extra_help)
        self.widget(name, rules, MARGIN_X, self.y, CONTENT_W, box_h, value, multiline=True,
                    key=key)
        self.y -= box_h + 9

    def section(self, key: str, rules: Mapping[str, Any], value: Any) -> None:
        inner = rules.get("schema", {})
        values = value if isinstance(value, Mapping) else {}
        self.ensure(self.block_heading(key, rules, draw=False, size=9.5) + 30)
        self.hline(MARGIN_X, self.y + 3, CONTENT_W)
        self.y -= self.block_heading(key, rules, size=9.5) + 2
        for sub_key, sub_rules in inner.items():
            self.scalar_row(_section_name(key, sub_key), sub_key, sub_rules,
                            values.get(sub_key), indent=10)

    def column_widths(self, columns: Mapping[str, Any], signature: bool
                      ) -> tuple[dict[str, float], dict[str, float]]:
        """Each column's width, and the weights of the free-text ones. A column is at least as
        wide as the longest word of its header, so a header wraps between words only."""
        fixed: dict[str, float] = {}
        weights: dict[str, float] = {}
        least: dict[str, float] = {}
        for col, col_rules in columns.items():
            control = _control(col_rules)
            fmt = _meta(col_rules).get("format")
            least[col] = max(self.bold.width(word, HEADER_SIZE)
                             for word in _column_label(col, col_rules).split()) + 2 * HEADER_PAD
            if control == "date":
                fixed[col] = 58.0
            elif control == "check":
                fixed[col] = 26.0
            elif control == "choice":
                longest = max(self.regular.width(str(o), CELL_SIZE) for o in col_rules["allowed"])
                fixed[col] = min(longest + 18, 150.0)
            elif control == "number":
                fixed[col] = 52.0
            elif fmt == "GG:MM":
                fixed[col] = 42.0
            else:
                weights[col] = float(min(max(col_rules.get("maxlength") or 200, 60), 600))
                least[col] = max(least[col], MIN_TEXT_COLUMN)
            if col in fixed:
                fixed[col] = max(fixed[col], least[col])
        flexible = CONTENT_W - NUMBER_W - (SIGNATURE_W if signature else 0.0) - \
            sum(fixed.values())
        widths = dict(fixed)
        free = dict(weights)
        while free:  # a narrow column gets its header's width, the rest share what is left
            total = sum(free.values())
            share = {col: flexible * weight / total for col, weight in free.items()}
            narrow = [col for col in free if share[col] < least[col]]
            if not narrow:
                widths.update(share)
                break
            for col in narrow:
                widths[col] = least[col]
                flexible -= least[col]
                del free[col]
        return {col: widths[col] for col in columns}, weights

    def table(self, key: str, rules: Mapping[str, Any], value: Any) -> None:
        columns: dict[str, Any] = rules["schema"]["schema"]
        rows_values = [r for r in value or [] if isinstance(r, Mapping)]
        limit = rules.get("maxlength")
        maxlength: int = limit if isinstance(limit, int) else 40
        count = min(self.rows or DEFAULT_ROWS, maxlength)
        count = max(count, min(len(rows_values), maxlength), int(rules.get("minlength") or 0))
        signature = bool(_meta(rules).get("kolumna_podpisu"))

        number_w, signature_w = NUMBER_W, (SIGNATURE_W if signature else 0.0)
        widths, weights = self.column_widths(columns, signature)

        lines = 1  # a row is as tall as its longest text needs, by the schema's maxlength
        for col in weights:
            maxlen = columns[col].get("maxlength") or 200
            need = 1 if maxlen <= 300 else 2 if maxlen <= 600 else 3 if maxlen <= 1000 else \
                4 if maxlen <= 1500 else 5
            if widths[col] < 100 and maxlen > 100:
                need += 1
            lines = max(lines, min(need, 5))
        row_h = max(lines * CELL_SIZE * 1.25 + 5, 16.0)  # readers space lines ~1.2 em
        headers = [("Lp.", number_w)] + [(_column_label(k, c), widths[k])
                                         for k, c in columns.items()] + \
            ([("Podpis", signature_w)] if signature else [])
        header_h = max(self.para(0, 0, w - 2 * HEADER_PAD, t, bold=True, size=HEADER_SIZE,
                                 draw=False) for t, w in headers) + 5
        legend = "Kolumny: " + "; ".join(
            f"{_meta(c).get('etykieta', k)} – {_help(c).rstrip('.')}" for k, c in columns.items()
        ) + "."

        def header_row() -> None:
            x = MARGIN_X
            self.rect(MARGIN_X, self.y - header_h, CONTENT_W, header_h, fill=0.9)
            for text, w in headers:
                self.para(x + HEADER_PAD, self.y - 2.5, w - 2 * HEADER_PAD, text, bold=True,
                          size=HEADER_SIZE)
                x += w
            self.y -= header_h

        heading_h = self.block_heading(key, rules, draw=False) + \
            self.para(0, 0, CONTENT_W, legend, size=6.5, draw=False) + 3
        self.ensure(heading_h + header_h + row_h)
        self.y -= self.block_heading(key, rules)
        self.y -= self.para(MARGIN_X, self.y, CONTENT_W, legend, size=6.5, gray=HELP_GRAY) + 3
        header_row()
        label = str(_meta(rules).get("etykieta", key))
        for row in range(1, count + 1):
            if self.ensure(row_h):
                self.y -= self.para(MARGIN_X, self.y, CONTENT_W, f"{label} (ciąg dalszy)",
                                    bold=True, size=8) + 2
                header_row()
            top = self.y
            self.rect(MARGIN_X, top - row_h, CONTENT_W, row_h, stroke=0.75, width=0.4)
            self.text(MARGIN_X + 3, top - row_h / 2 - 3, f"{row}.", size=7.5)
            row_values = rows_values[row - 1] if row <= len(rows_values) else {}
            where = f"{label}, wiersz {row}. "
            x = MARGIN_X + number_w
            for col, col_rules in columns.items():
                w = widths[col]
                name = _cell_name(key, row, col)
                if _control(col_rules) == "check":
                    self.widget(name, col_rules, x + (w - 12) / 2, top - (row_h - 12) / 2, 12, 12,
                                row_values.get(col), key=col, where=where, in_row=True)
                else:
                    self.widget(name, col_rules, x + 1, top - 1, w - 2, row_h - 2,
                                row_values.get(col), size=CELL_SIZE,
                                multiline=col in weights and lines > 1, key=col,
                                where=where, in_row=True)
                x += w
            self.y -= row_h
        note = (f"W formularzu jest {count} wierszy (schemat dopuszcza {maxlength}); puste wiersze "
                "są pomijane. Zabrakło wierszy? Dalsze pozycje wpisz w kolejnym egzemplarzu tego "
                "formularza – trafi on do teczki rodziny jako osobny dokument – albo poproś "
                "administratora o formularz z większą liczbą wierszy.")
        self.y -= 2
        self.y -= self.para(MARGIN_X, self.y, CONTENT_W, note, size=6.5, gray=HELP_GRAY) + 9

    # the document

    def header(self) -> None:
        o = self.osrodek
        top = self.y
        left_h = self.para(MARGIN_X, top, 280, o.nazwa or "Ośrodek Pomocy Społecznej", bold=True,
                           size=9)
        left_h += self.para(MARGIN_X, top - left_h, 280, o.adres, size=8)
        right = f"Załącznik nr {self.schema.zalacznik} do {o.procedura}".strip()
        right_h = self.para(PAGE_W - MARGIN_X - 210, top, 210, right, size=7.5, align="right")
        self.y -= max(left_h, right_h) + 6
        self.hline(MARGIN_X, self.y, CONTENT_W, gray=0.4, width=0.8)
        self.y -= 14
        self.y -= self.para(MARGIN_X, self.y, CONTENT_W, self.schema.tytul.upper(), bold=True,
                            size=13, align="center") + 3
        self.y -= self.para(
            MARGIN_X, self.y, CONTENT_W,
            f"Formularz załącznika nr {self.schema.zalacznik} do wypełnienia w programie do PDF "
            "(np. Adobe Acrobat Reader, przeglądarka internetowa). Pola oznaczone * są wymagane; "
            f"daty wpisuj jako {DATE_FORMAT}, kwoty z przecinkiem (np. 1250,50). Wypełniony "
            "formularz zapisz (Zapisz, nie Drukuj) i wrzuć plik do folderu inbox. Dokument do "
            "podpisu (DOCX i PDF) powstaje w teczce rodziny po przyjęciu formularza; błędny "
            "formularz wraca do folderu inbox/odrzucone/ z opisem, które pola poprawić.",
            size=7.5, gray=HELP_GRAY, align="center") + 10
        for key in ("rodzina", "data"):
            self.scalar_row(key, key, HEADER_FIELDS[key], self.values.get(key))
        self.hline(MARGIN_X, self.y + 3, CONTENT_W, gray=0.4, width=0.8)
        self.y -= 8
        # hidden, but 1 × 1 pt: pdf.js stops drawing a page's fields at a 0 × 0 widget
        self.page.widgets.append(_Widget(MARKER_FIELD, "marker", (0, 0, 1, 1),
                                         value=marker(self.schema)))

    def body(self) -> None:
        for key, rules in self.schema.pola.items():
            value = self.values.get(key)
            meta = _meta(rules)
            if _is_table(rules):
                self.table(key, rules, value)
            elif _is_item_list(rules):
                self.long_text(key, key, rules, value, LIST_LINES,
                               "Każdą pozycję wpisz w osobnym wierszu (Enter).")
            elif rules.get("type") == "dict" and isinstance(rules.get("schema"), dict):
                self.section(key, rules, value)
            elif meta.get("wielowierszowe"):
                maxlength = rules.get("maxlength")
                size = maxlength if isinstance(maxlength, int) else 1000
                self.long_text(key, key, rules, value, min(max(size // 250, 4), 12))
            else:
                self.scalar_row(key, key, rules, value)

    def footers(self) -> None:
        total = len(self.pages)
        left = (f"asysta · formularz załącznika nr {self.schema.zalacznik} · "
                f"wersja {self.schema.wersja}")
        for i, page in enumerate(self.pages, 1):
            self.text(MARGIN_X, 28, left, size=7, gray=0.45, page=page)
            right = f"strona {i} z {total}"
            self.text(PAGE_W - MARGIN_X - self.regular.width(right, 7), 28, right, size=7,
                      gray=0.45, page=page)


# -- widgets as PDF objects --------------------------------------------------------------------


def _field_frame(w: float, h: float) -> str:
    return (f"q {_rgb(FIELD_BG)} rg 0 0 {_f(w)} {_f(h)} re f "
            f"{_rgb(FIELD_BORDER)} RG 0.75 w 0.375 0.375 {_f(w - 0.75)} "
            f"{_f(h - 0.75)} re S Q ")


def _text_appearance(widget: _Widget, font: _Font) -> bytes:
    """What a reader draws for the field: the frame and, if set, the value in the embedded font."""
    _, _, w, h = widget.rect
    ops = _field_frame(w, h) + "/Tx BMC "
    value = widget.value
    if isinstance(value, str) and value:
        size = widget.size
        ops += f"q 1 1 {_f(w - 2)} {_f(h - 2)} re W n BT /{FIELD_FONT} " \
               f"{_f(size)} Tf 0 g "
        value = codepage(value)  # what the fields' font can draw
        if widget.multiline:
            leading = size * 1.15
            lines = font.wrap(value, size, w - 4)
            first = h - 2 - font.ascent * size
            for i, line in enumerate(lines):
                baseline = first - i * leading
                if baseline < font.descent * -size:
                    break
                ops += f"1 0 0 1 2 {_f(baseline)} Tm <{_field_bytes(line).hex()}> Tj "
        else:
            baseline = (h - (font.ascent - font.descent) * size) / 2 - font.descent * size
            line = value.replace("\n", " ")
            ops += f"1 0 0 1 2 {_f(baseline)} Tm <{_field_bytes(line).hex()}> Tj "
        ops += "ET Q "
    return (ops + "EMC").encode("ascii")


def _check_appearance(w: float, h: float, on: bool) -> bytes:
    ops = _field_frame(w, h)
    if on:
        ops += (f"q 0 G 1.4 w 1 J 1 j {_f(w * 0.2)} {_f(h * 0.5)} m "
                f"{_f(w * 0.42)} {_f(h * 0.24)} l "
                f"{_f(w * 0.8)} {_f(h * 0.8)} l S Q")
    return ops.encode("ascii")


_DATE_SCRIPTS = {
    # Acrobat's and pdf.js's own date helpers: check and format what is typed as DD.MM.RRRR
    "K": {"S": Name("JavaScript"), "JS": 'AFDate_KeystrokeEx("dd.mm.yyyy");'},
    "F": {"S": Name("JavaScript"), "JS": 'AFDate_FormatEx("dd.mm.yyyy");'},
}
ON_STATE = "tak"


def _widget_object(writer: _Writer, widget: _Widget, page: Ref, font: _Font,
                   font_ref: Ref) -> Ref:
    x, y, w, h = widget.rect
    base: dict[str, Any] = {
        "Type": Name("Annot"), "Subtype": Name("Widget"), "T": widget.name, "P": page,
        "Rect": [x, y, x + w, y + h],
    }
    if widget.control == "marker":
        return writer.add({**base, "FT": Name("Tx"), "F": 2, "Ff": 1, "V": widget.value,
                           "DA": f"/{FIELD_FONT} 0 Tf 0 g"})
    base.update({"F": 4, "TU": widget.tooltip,
                 "MK": {"BG": list(FIELD_BG), "BC": list(FIELD_BORDER)},
                 "BS": {"W": 0.75, "S": Name("S")}})
    bbox = [0, 0, w, h]
    if widget.control == "check":
        on = bool(widget.value)
        states = {
            ON_STATE: writer.add(Stream(_check_appearance(w, h, True),
                                        {"Type": Name("XObject"), "Subtype": Name("Form"),
                                         "BBox": bbox})),
            "Off": writer.add(Stream(_check_appearance(w, h, False),
                                     {"Type": Name("XObject"), "Subtype": Name("Form"),
                                      "BBox": bbox})),
        }
        base["MK"] = {**base["MK"], "CA": "4"}
        state = Name(ON_STATE if on else "Off")
        return writer.add({**base, "FT": Name("Btn"), "DA": "/ZaDb 0 Tf 0 g", "V": state,
                           "AS": state, "AP": {"N": states}})
    appearance = writer.add(Stream(_text_appearance(widget, font), {
        "Type": Name("XObject"), "Subtype": Name("Form"), "BBox": bbox,
        "Resources": {"Font": {FIELD_FONT: font_ref}}}))
    flags = 2 if widget.required else 0
    entry: dict[str, Any] = {**base, "DA": f"/{FIELD_FONT} {_f(widget.size)} Tf 0 g",
                             "Q": 0, "AP": {"N": appearance}}
    if widget.control == "choice":
        entry.update({"FT": Name("Ch"), "Ff": flags | (1 << 17), "Opt": list(widget.options)})
    else:
        entry.update({"FT": Name("Tx"), "Ff": flags | (4096 if widget.multiline else 0)})
        if widget.maxlen:
            entry["MaxLen"] = widget.maxlen
        if widget.control == "date":
            entry["AA"] = _DATE_SCRIPTS
    if widget.value not in (None, ""):
        entry["V"] = str(widget.value)
    return writer.add(entry)


def _show(run: _Run, gids: Mapping[str, int]) -> str:
    glyphs = "".join(f"{gids.get(c, gids.get('?', 0)):04X}" for c in run.text)
    return (f"BT /{'B' if run.bold else 'R'} {_f(run.size)} Tf "
            f"{_f(run.gray)} g 1 0 0 1 {_f(run.x)} "
            f"{_f(run.baseline)} Tm <{glyphs}> Tj ET")


def build_form(n: int, settings: Settings, *, values: Mapping[str, Any] | None = None,
               rows: int | None = None) -> bytes:
    """The fillable PDF form of attachment `n`, optionally with values already filled in."""
    schema = load_schema(n, settings.foldery.formularze)
    regular_path, bold_path = font_paths()
    regular, bold = _load_font(regular_path), _load_font(bold_path)
    layout = _Layout(schema, settings.osrodek, regular, bold, values or {}, rows)
    layout.header()
    layout.body()  # the closing words are in the header: no last page without fields
    layout.footers()

    writer = _Writer()
    field_font = _field_font_object(writer, regular)
    runs = [op for page in layout.pages for op in page.ops if isinstance(op, _Run)]
    text_fonts = {
        is_bold: _text_font_object(
            writer, bold if is_bold else regular,
            frozenset("?" + "".join(r.text for r in runs if r.bold == is_bold)))
        for is_bold in (False, True)
    }
    zadb = writer.add({"Type": Name("Font"), "Subtype": Name("Type1"),
                       "BaseFont": Name("ZapfDingbats")})
    pages_ref = writer.reserve()
    page_refs: list[Ref] = []
    fields: list[Ref] = []
    for page in layout.pages:
        page_ref = writer.reserve()
        annots = [_widget_object(writer, w, page_ref, regular, field_font) for w in page.widgets]
        fields += annots
        ops = [_show(op, text_fonts[op.bold][1]) if isinstance(op, _Run) else op
               for op in page.ops]
        contents = writer.add(Stream("\n".join(ops).encode("ascii")))
        writer.put(page_ref, {
            "Type": Name("Page"), "Parent": pages_ref, "MediaBox": [0, 0, PAGE_W, PAGE_H],
            "Resources": {"Font": {"R": text_fonts[False][0], "B": text_fonts[True][0]}},
            "Contents": contents, "Annots": annots,
        })
        page_refs.append(page_ref)
    writer.put(pages_ref, {"Type": Name("Pages"), "Kids": page_refs, "Count": len(page_refs)})
    root = writer.add({
        "Type": Name("Catalog"), "Pages": pages_ref, "Lang": "pl-PL",
        "ViewerPreferences": {"DisplayDocTitle": True},
        "AcroForm": {
            "Fields": fields,
            "DR": {"Font": {FIELD_FONT: field_font, "ZaDb": zadb}},
            "DA": f"/{FIELD_FONT} {_f(FIELD_SIZE)} Tf 0 g",
        },
        _MARKER_KEY: marker(schema),
    })
    info = writer.add({
        "Title": f"Załącznik nr {n}: {schema.tytul} – formularz",
        "Subject": marker(schema), "Creator": "asysta", "Producer": f"asysta {__version__}",
    })
    return writer.tobytes(root, info)


def form_filename(schema: Schema) -> str:
    return f"zal{schema.zalacznik:02d}_{schema.nazwa_pliku}.pdf"


# -- pre-filling from the archive --------------------------------------------------------------

PREFILL_KEYS = ("asystent", "pracownik_socjalny", "adres", "telefon", "rodzice", "nazwa_rodziny",
                "czlonkowie")
_PARENTS = ("matka", "ojciec", "opiekun", "opiekunka", "macocha", "ojczym", "rodzic")


def known_values(outbox: Path, rodzina: str) -> dict[str, Any]:
    """What the family's folder already knows, newest document last (it wins)."""
    from .register import Register, family_dir

    if not re.match(CASE_NUMBER_RE, rodzina):
        raise AsystaError(f"niepoprawny numer sprawy „{rodzina}” – dozwolone są litery bez "
                          "polskich znaków, cyfry, kropka, myślnik i podkreślenie")
    folder = family_dir(outbox, rodzina)
    try:
        entries = Register.load(folder).entries  # a damaged one: RegisterError, in Polish
    except OSError:
        raise AsystaError(f"nie można odczytać rejestru teczki rodziny {rodzina}") from None
    if not entries:
        raise AsystaError(f"w archiwum ({folder}) nie ma jeszcze dokumentów rodziny {rodzina} – "
                          "sprawdź numer sprawy albo wygeneruj puste formularze (bez --rodzina)")
    known: dict[str, Any] = {}
    for entry in sorted(entries, key=lambda e: (e.data, str(e.przyjeto))):
        data = entry.dane
        known.update({k: data[k] for k in PREFILL_KEYS if data.get(k) not in (None, "", [])})
    if "czlonkowie" in known and isinstance(known["czlonkowie"], list):
        parents = [str(m.get("imie_nazwisko")) for m in known["czlonkowie"]
                   if isinstance(m, dict) and m.get("imie_nazwisko")
                   and str(m.get("pokrewienstwo", "")).lower().startswith(_PARENTS)]
        if parents:
            known.setdefault("rodzice", ", ".join(parents))
            known.setdefault("nazwa_rodziny", ", ".join(parents))
    return known


def prefill(schema: Schema, known: Mapping[str, Any], rodzina: str) -> dict[str, Any]:
    """The known values this attachment has fields for (same key, same kind of field)."""
    values: dict[str, Any] = {"rodzina": rodzina}
    for key, rules in schema.pola.items():
        value = known.get(key)
        if value is None:
            continue
        if _is_table(rules) and isinstance(value, list):
            columns = rules["schema"]["schema"]
            values[key] = [{c: row[c] for c in columns if c in row} for row in value
                           if isinstance(row, dict)][: rules.get("maxlength") or None]
        elif rules.get("type") == "string" and isinstance(value, str) and not rules.get("allowed"):
            values[key] = value
    return values


def write_forms(settings: Settings, folder: Path, numbers: Iterable[int] = ZALACZNIKI, *,
                rodzina: str | None = None, rows: int | None = None) -> list[Path]:
    """Write the forms into `folder`; with `rodzina`, pre-filled, into a private subfolder."""
    from .fsutil import ensure_private_dir, replace

    known = known_values(settings.outbox, rodzina) if rodzina else {}
    target = folder / rodzina if rodzina else folder
    if rodzina:
        ensure_private_dir(target)  # pre-filled forms hold personal data
    else:
        target.mkdir(parents=True, exist_ok=True)
    written = []
    for n in numbers:
        schema = load_schema(n, settings.foldery.formularze)
        values = prefill(schema, known, rodzina) if rodzina else None
        path = target / form_filename(schema)
        data = build_form(n, settings, values=values, rows=rows)
        if rodzina:
            replace(path, data)
        else:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        written.append(path)
    return written


# -- reading a filled form ---------------------------------------------------------------------

NOT_PDF = ("plik nie jest dokumentem PDF, choć ma rozszerzenie .pdf – wrzuć formularz zapisany "
           "w programie do PDF")
BROKEN = ("plik PDF jest uszkodzony albo niekompletny i nie da się go odczytać – otwórz "
          "formularz w programie do PDF, zapisz go ponownie i wrzuć jeszcze raz")
ENCRYPTED = ("plik PDF jest zaszyfrowany lub zabezpieczony hasłem – zapisz formularz bez "
             "zabezpieczeń (bez hasła) i wrzuć go ponownie")
NOT_A_FORM = ("ten PDF nie jest formularzem asysta (nie ma pól ani znacznika formularza) – "
              "wypełnij formularz z folderu formularze/ (polecenie „asysta formularze”); "
              "formularz „wydrukowany” do PDF traci pola, więc zapisz go poleceniem Zapisz, "
              "nie Drukuj")
MAX_FIELDS = 20000

_EMPTY = object()  # a field left empty: the key is left out, as in a YAML form
_DATE_RE = re.compile(r"(\d{1,2})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{4})(?:\s*r\.?)?")
_INT_RE = re.compile(r"[+-]?\d+")
_FLOAT_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_TIME_RE = re.compile(r"(\d{1,2})\s*[:.]\s*(\d{2})")
_MONTH_RE = re.compile(r"(\d{1,2})\s*[.\-/]\s*(\d{4})")
_ISO_MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")
_BULLET_RE = re.compile(r"^\s*(?:[-–•*·]|\d{1,2}[.)])\s+")
_SPACES_RE = re.compile(r"[\s\u00a0\u202f\u2009]+")


@dataclass(frozen=True)
class _State:
    """A button's state name (/tak, /Off), as opposed to text typed into a field."""

    name: str


def _text(raw: Any) -> str | None:
    if isinstance(raw, list):  # a multi-select list: our forms have none, take the first
        raw = raw[0] if raw else None
    if raw is None:
        return None
    text = raw.name if isinstance(raw, _State) else str(raw)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _convert(raw: Any, rules: Mapping[str, Any]) -> Any:
    """A field's value as the schema wants it; what cannot be converted is passed on as typed
    (validation then names the field and says what is wrong)."""
    kind = rules.get("type")
    text = _text(raw)
    if kind == "boolean":
        if not text or text == "Off":
            return False
        return True if isinstance(raw, _State) else text  # typed text: "tak"/"nie" is checked
    if not text:
        return _EMPTY
    if kind == "date":
        match = _DATE_RE.fullmatch(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return f"{year:04d}-{month:02d}-{day:02d}"  # an impossible date fails validation
        return text
    if kind == "integer":
        bare = _SPACES_RE.sub("", text)
        return int(bare) if _INT_RE.fullmatch(bare) else text
    if kind in ("float", "number"):
        bare = _SPACES_RE.sub("", text)
        if "," in bare:
            bare = bare.replace(".", "").replace(",", ".")
        return float(bare) if _FLOAT_RE.fullmatch(bare) else text
    fmt = _meta(rules).get("format")
    if fmt == "GG:MM" and (match := _TIME_RE.fullmatch(text)):
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if fmt == "RRRR-MM":
        if match := _MONTH_RE.fullmatch(text):
            return f"{match.group(2)}-{int(match.group(1)):02d}"
        if match := _ISO_MONTH_RE.fullmatch(text):
            return f"{match.group(1)}-{int(match.group(2)):02d}"
    return text


def _is_blank(value: Any) -> bool:
    return value is _EMPTY or value is False


def _values(fields: Mapping[str, Any], pola: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(key, value) for every field that was filled in, in schema order."""
    for key, rules in pola.items():
        if _is_table(rules):
            columns = rules["schema"]["schema"]
            pattern = re.compile(re.escape(key) + r"\[(\d+)\]/")
            numbers = sorted({int(m.group(1)) for name in fields if (m := pattern.match(name))})
            rows = []
            for number in numbers:
                cells = {c: _convert(fields.get(_cell_name(key, number, c)), r)
                         for c, r in columns.items()}
                if not all(_is_blank(v) for v in cells.values()):  # empty rows are dropped
                    rows.append({c: v for c, v in cells.items() if v is not _EMPTY})
            if rows:
                yield key, rows
        elif _is_item_list(rules):
            text = _text(fields.get(key)) or ""
            items = [_convert(_BULLET_RE.sub("", line), rules["schema"])
                     for line in text.split("\n")]
            items = [i for i in items if i is not _EMPTY]
            if items:
                yield key, items
        elif rules.get("type") == "dict" and isinstance(rules.get("schema"), dict):
            section = {k: _convert(fields.get(_section_name(key, k)), r)
                       for k, r in rules["schema"].items()}
            if not all(_is_blank(v) for v in section.values()):
                yield key, {k: v for k, v in section.items() if v is not _EMPTY}
        else:
            value = _convert(fields.get(key), rules)
            if value is not _EMPTY:
                yield key, value


def _field_values(content: bytes) -> tuple[dict[str, Any], str | None]:
    """Every field's value by its full name, and the form's marker; FormError when the PDF
    cannot be read at all."""
    from pypdf import PdfReader

    if b"%PDF-" not in content[:1024]:
        raise FormError([Problem(NOT_PDF)])
    try:
        with quiet_pypdf():
            return _read_fields(PdfReader(io.BytesIO(content), strict=False))
    except FormError:
        raise
    except Exception:  # pypdf raises many kinds on damaged files; the reason is the same
        raise FormError([Problem(BROKEN)]) from None


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs its repairs of damaged files ("EOF marker not found"); staff get one Polish
    sentence instead, so those lines are kept off the console."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _read_fields(reader: Any) -> tuple[dict[str, Any], str | None]:
    from pypdf.generic import NameObject

    if reader.is_encrypted:
        raise FormError([Problem(ENCRYPTED)])
    # Objects counted first, from the cross-reference table already read: pypdf needs ~7 s
    # of CPU to walk 60 000 fields before the field count below could refuse them.
    if sum(len(v) for v in reader.xref.values()) + len(reader.xref_objStm) > MAX_FIELDS:
        raise FormError([Problem(NOT_A_FORM)])
    # get_fields() walks the field dictionaries: text, checkbox and choice fields alike
    # (get_form_text_fields() would miss the drop-down lists).
    fields = reader.get_fields() or {}
    if len(fields) > MAX_FIELDS:
        raise FormError([Problem(NOT_A_FORM)])
    values: dict[str, Any] = {}
    for name, fdict in fields.items():
        value = fdict.get("/V")
        if isinstance(value, NameObject):
            value = _State(str(value)[1:])
        elif value is not None and not isinstance(value, list):
            value = str(value)
        values[str(name)] = value
    mark = values.get(MARKER_FIELD)
    if not mark:
        mark = reader.trailer["/Root"].get("/" + _MARKER_KEY)
    return values, (str(mark) if mark else None)


def read_form(content: bytes, override: Path | None = None) -> dict[str, Any]:
    """A filled form's values as the plain mapping a YAML form gives (header first)."""
    fields, mark = _field_values(content)
    match = _MARKER_RE.search(mark or "")
    if not match:
        raise FormError([Problem(NOT_A_FORM)])
    n, version, shape = int(match.group(1)), int(match.group(2)), match.group(3)
    if n not in ZALACZNIKI:
        raise FormError([Problem(NOT_A_FORM)])
    schema = load_schema(n, override)
    if version != schema.wersja:
        raise FormError([Problem(
            f"to formularz załącznika nr {n} w nieaktualnej wersji (wersja formularza {version}, "
            f"obowiązuje wersja {schema.wersja}) – pobierz nowy formularz z folderu "
            "formularze/, przepisz do niego dane i wrzuć go ponownie")])
    if shape != fingerprint(schema):
        raise FormError([Problem(
            f"formularz załącznika nr {n} powstał z innego schematu niż obecny (pola zmieniono) "
            "– pobierz nowy formularz z folderu formularze/, przepisz do niego dane i wrzuć "
            "go ponownie")])
    document: dict[str, Any] = {"zalacznik": n}
    for key in ("rodzina", "data"):
        value = _convert(fields.get(key), HEADER_FIELDS[key])
        if value is not _EMPTY:
            document[key] = value
    document.update(_values(fields, schema.pola))
    return document
