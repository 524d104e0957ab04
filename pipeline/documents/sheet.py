"""A one-sheet XLSX written directly (Office Open XML, SpreadsheetML): a header row in bold
on grey, frozen under the top; text and numbers below; column widths; who made it and when.

The kierownik's monthly summary (`zestawienie`) is such a sheet. openpyxl, which makes the
half-yearly figures' richer workbook, takes longer to import than this takes to write a
thousand rows, and holds every cell as an object: a large centre's sheet is written here
row by row, never held whole. Excel, LibreOffice Calc and openpyxl read it
(tests/test_raporty.py reads it back with openpyxl).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

Cell = str | int | float | None

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # not allowed in XML 1.0
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

_CONTENT_TYPES = _XML + (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-'
    'package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.extended-properties+xml"/>'
    '</Types>')
_ROOT_RELS = _XML + (
    f'<Relationships xmlns="{_PKG_REL}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
    'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/extended-properties" Target="docProps/app.xml"/>'
    '</Relationships>')
_WORKBOOK_RELS = _XML + (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    '</Relationships>')
_STYLES = _XML + (  # 0: plain; 1: the header (bold, on light grey)
    f'<styleSheet xmlns="{_MAIN}">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00E7E6E6"/><bgColor indexed="64"/>'
    '</patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_APP = _XML + (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    '<Application>asysta</Application></Properties>')


def _text(value: str) -> str:
    value = _CONTROL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column(index: int) -> str:
    """A, B, … Z, AA, AB…"""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Cell, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):  # not a number in a sheet
        value = "tak" if value else "nie"
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    return (f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_text(value)}</t>'
            "</is></c>")


def _sheet(header: Sequence[str], rows: Iterable[Sequence[Cell]],
           widths: Sequence[float]) -> Iterator[bytes]:
    cols = "".join(f'<col min="{n}" max="{n}" width="{w}" customWidth="1"/>'
                   for n, w in enumerate(widths, start=1))
    yield (_XML + f'<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
           '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
           'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
           f"<cols>{cols}</cols><sheetData>").encode()
    letters = [_column(i) for i in range(len(header))]
    yield ('<row r="1">' + "".join(_cell(f"{letters[i]}1", v, 1) for i, v in enumerate(header))
           + "</row>").encode()
    for number, row in enumerate(rows, start=2):
        yield (f'<row r="{number}">'
               + "".join(_cell(f"{_column(i) if i >= len(letters) else letters[i]}{number}", v, 0)
                         for i, v in enumerate(row))
               + "</row>").encode()
    yield b"</sheetData></worksheet>"


def xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]],
         widths: Sequence[float], made: datetime) -> bytes:
    """The workbook of one sheet named `title` (at most 31 characters, as Excel allows)."""
    stamp = made.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = _XML + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://'
        'purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:creator>asysta</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>")
    name = _text(title[:31]).replace('"', "&quot;")
    workbook = _XML + (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        f'<sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
    buffer = io.BytesIO()
    date_time = (made.year, made.month, made.day, 0, 0, 0)  # the same data, the same bytes
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("docProps/app.xml", _APP), ("docProps/core.xml", core),
                           ("xl/workbook.xml", workbook),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
                           ("xl/styles.xml", _STYLES)):
            entry = zipfile.ZipInfo(name, date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(entry, data)
        entry = zipfile.ZipInfo("xl/worksheets/sheet1.xml", date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        with package.open(entry, "w") as part:
            for piece in _sheet(header, rows, widths):
                part.write(piece)
    return buffer.getvalue()
