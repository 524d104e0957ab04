"""The fonts a form embeds: the fields' font and the page text's fonts.

Polish letters: a reader can only draw typed text with a font whose encoding holds the
letters. The fields' font is therefore a TrueType font embedded with every glyph of
Windows-1250 (the Central European code page, all Polish letters included) under a
standard encoding, so readers can encode what is typed; its /DR name is chosen for PDFium
(see FIELD_FONT). The page text uses composite (Identity-H) subsets of the same family.

Hand-written with fontTools: no maintained library writes a simple TrueType font with a
full code page, standard glyph names and a ToUnicode map for AcroForm fields (reportlab
subsets fonts for its own page text only, and its form fields take only the standard 14
fonts). The files themselves come from `pipeline.pdf.fonts`, shared with the case binder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import AsystaError

from .pdfobj import Name, Ref, Stream, Writer

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
CODES: dict[int, str] = dict(zip([c for c in range(1, 32) if c not in (9, 10, 13)], _EXTRA,
                                  strict=False))
for _code in [*range(32, 127), *range(128, 256)]:
    with contextlib.suppress(UnicodeDecodeError):
        CODES[_code] = bytes([_code]).decode("cp1250")
_BYTES: dict[str, int] = {ch: code for code, ch in CODES.items()}


def codepage(text: str) -> str:
    """The text as the fields' font can draw it: any other character becomes '?'."""
    return "".join(c if c in _BYTES or c == "\n" else "?" for c in text.replace("\t", " "))


def field_bytes(text: str) -> bytes:
    return bytes(_BYTES.get(c, 63) for c in codepage(text))


@dataclass(frozen=True)
class Font:
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



@functools.lru_cache(maxsize=4)
def load_font(path: Path) -> Font:
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    cmap = font.getBestCmap()
    if any(ord(ch) not in cmap for ch in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ„”–"):
        raise AsystaError(f"czcionka {path} nie ma polskich liter – zainstaluj fonts-liberation2")
    scale = 1000 / font["head"].unitsPerEm
    hmtx = font["hmtx"]
    head, os2, hhea = font["head"], font["OS/2"], font["hhea"]
    return Font(
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


def _descriptor(writer: Writer, font: Font, name: str, program: bytes, flags: int) -> Ref:
    return writer.add({
        "Type": Name("FontDescriptor"), "FontName": Name(name), "Flags": flags,
        "FontBBox": list(font.bbox), "ItalicAngle": 0,
        "Ascent": round(font.ascent * 1000), "Descent": round(font.descent * 1000),
        "CapHeight": round(font.cap_height * 1000), "StemV": 80,
        "FontFile2": writer.add(Stream(program, {"Length1": len(program)})),
    })


def _to_unicode(writer: Writer, pairs: list[tuple[str, str]], width: int) -> Ref:
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


def _glyph_name(font: Font, ch: str) -> str:
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


def field_font_object(writer: Writer, font: Font) -> Ref:
    """The fields' font: a simple TrueType font with every glyph of Windows-1250 (and the few
    extra characters above), each code named by its standard glyph name, so a reader can
    encode and draw whatever Polish text is typed. It holds every glyph its encoding can
    reach, so it is named without a subset tag."""
    codes = {c: ch for c, ch in CODES.items() if ord(ch) in font.glyphs}
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


def text_font_object(writer: Writer, font: Font, chars: frozenset[str]
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
