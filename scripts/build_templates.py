"""Build the DOCX templates in zalaczniki_templates/ from the schemas in formularze/: the
sixteen attachments and the document kinds beyond them (`notatka.yaml` → `notatka.docx`).

    python scripts/build_templates.py [--schematy DIR] [--wynik DIR] [6 notatka …]

The schema is the layout: the header with the centre and the procedure
reference, the title, fixed paragraphs, short fields in a label/value table,
long fields as paragraphs, lists of rows as tables, and signature lines for
exactly the signers the schema names. The result is an ordinary DOCX that a
centre may restyle in Word or LibreOffice, keeping the {{ … }} tags.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.pdfbase.pdfmetrics import stringWidth

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.polish import NBSP, typeset  # noqa: E402
from pipeline.sprawa.schemas import Schema, form_kinds, load_schema  # noqa: E402

FONT = "Arial"  # LibreOffice substitutes the metric-compatible Liberation Sans
GREY = "E7E6E6"
PAGE_WIDTH_CM = 17.0
TABLE_SIZE = 9.5  # labels and values of every table, one size
HEADER_SIZE = 9.0  # column headers
FOOTER_SIZE = 8.0
CELL_PADDING_CM = 0.45  # the cell's left and right margins (0.19 cm each) and a little air
NARROW_CM = 4.0  # a table column narrower than this hyphenates its values
NAME_SAMPLE = "Aleksandra Szymańska"  # a column of names is at least this wide


def _width_cm(text: str, size: float, *, bold: bool = False) -> float:
    """The printed width of `text` in Arial (= Liberation Sans, = Helvetica's metrics)."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text.replace("ł", "l").replace("Ł", "L"))
                    if not unicodedata.combining(c))
    return stringWidth(plain, "Helvetica-Bold" if bold else "Helvetica", size) / 72 * 2.54


def _longest_word_cm(text: str, size: float, *, bold: bool = False) -> float:
    return max((_width_cm(w, size, bold=bold) for w in re.split(r"[\s/]+", text) if w), default=0.0)


def _shade(cell: Any, colour: str = GREY) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row: Any) -> None:
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _no_split(row: Any) -> None:
    if row._tr.get_or_add_trPr().find(qn("w:cantSplit")) is not None:
        return
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(cant)


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that every reader fills in. Each part of the field is a
    run of its own with the footer's size: LibreOffice gives the result the size of the
    run that holds it, and a result in the field-begin run came out at the default size."""
    def run_with(element: Any) -> None:
        run = paragraph.add_run()
        run.font.size = Pt(FOOTER_SIZE)
        run._r.append(element)

    for kind in ("begin", "instr", "separate", "result", "end"):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {code} "
        elif kind == "result":
            element = OxmlElement("w:t")
            element.text = "1"
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run_with(element)


def _widths(table: Any, widths_cm: list[float]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=False):
        column.width = Cm(width)  # the grid: what LibreOffice reads
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _para(container: Any, text: str = "", *, bold: bool = False, size: float | None = None,
          align: Any = None, italic: bool = False, space_after: float = 4,
          keep_next: bool = False, style: str | None = None) -> Any:
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold = bold or None  # None: as the style says (a heading is bold)
        run.italic = italic or None
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if style is None:
        paragraph.paragraph_format.space_after = Pt(space_after)
    paragraph.paragraph_format.keep_with_next = keep_next or None
    return paragraph


def _cell_text(cell: Any, text: str, *, bold: bool = False, size: float | None = None,
               italic: bool = False, align: Any = None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    if size:
        run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)


def _with_filter(text: str, dates: frozenset[str] = frozenset()) -> str:
    """`{{ name }}` in a schema's fixed paragraph prints through the filter of running text
    (`slownie`: a date in words, „9 stycznia 2026 r.”; anything else as `pl` prints it). A
    date that ends a sentence ends it with its „r.”: no second full stop."""
    for name in dates:
        text = re.sub(r"(\{\{\s*" + re.escape(name) + r"\s*\}\})\.(?=\s|$)", r"\1", text)
    return re.sub(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}", r"{{ \1|slownie }}", text)


def _is_table(rules: dict[str, Any]) -> bool:
    inner = rules.get("schema")
    return rules.get("type") == "list" and isinstance(inner, dict) and inner.get("type") == "dict"


def _is_long(rules: dict[str, Any]) -> bool:
    return bool(rules.get("meta", {}).get("wielowierszowe"))


def _label(rules: dict[str, Any], key: str) -> str:
    """The field's label; a short last word („od”, „do”) does not stand alone on a line."""
    label = _typeset_fixed(rules.get("meta", {}).get("etykieta", key))
    return re.sub(r" (\S{1,3})$", NBSP + r"\1", label)


def _value_table(doc: Any, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, expr in rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, bold=True, size=TABLE_SIZE)
        _shade(cells[0])
        _cell_text(cells[1], "{{ " + expr + "|pl }}", size=TABLE_SIZE)
        _no_split(table.rows[-1])
    # as wide as the longest label, up to 6 cm (a longer label takes two lines)
    label_cm = max(_width_cm(label, TABLE_SIZE, bold=True) for label, _ in rows) + CELL_PADDING_CM
    label_cm = round(min(6.0, max(3.5, label_cm)), 1)
    _widths(table, [label_cm, PAGE_WIDTH_CM - label_cm])
    _para(doc, space_after=2)


def _keep_table_together(table: Any) -> None:
    """Every row on the page of the next one: a short table (signatures) is never split."""
    for row in table.rows:
        _no_split(row)
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def _fitting(headers: list[str], widths: list[float]) -> list[float]:
    """Fixed column widths, checked: no header word may be cut (the build stops if one is)."""
    for header, width in zip(headers, widths, strict=True):
        need = _longest_word_cm(header, HEADER_SIZE, bold=True) + CELL_PADDING_CM
        if need > width:
            raise SystemExit(f"kolumna „{header}” ma {width} cm, a potrzebuje {need:.2f} cm")
    return widths


def _column_min_cm(col: dict[str, Any], header: str) -> float:
    """The narrowest a column may be without breaking a word of its header or of a value
    it is known to hold (dates, times, the closed list of allowed values)."""
    need = _longest_word_cm(header, HEADER_SIZE, bold=True)
    samples = {"date": "00.00.0000", "boolean": "nie", "integer": "000", "float": "0000,00"}
    values = [str(v) for v in col.get("allowed") or []]
    if col.get("type") in samples:
        values.append(samples[col["type"]])
    elif col.get("regex"):
        values.append("00:00")
    else:
        values.append("wychowawczyni")  # a long everyday word; longer ones are hyphenated
    need = max([need] + [_longest_word_cm(v, TABLE_SIZE) for v in values])
    return need + CELL_PADDING_CM


def _column_widths(columns: dict[str, Any], headers: list[str], free: float) -> list[float]:
    """Widths from content: a column of dates, times, numbers or a closed list of short
    values gets what its header and values need; free text shares the rest by its length."""
    def weight(col: dict[str, Any]) -> float:
        longest = col.get("maxlength") or max((len(str(v)) for v in col.get("allowed") or []),
                                               default=100)
        return float(min(longest, 2000)) ** 0.5

    names = list(columns)
    mins = [_column_min_cm(columns[n], h) for n, h in zip(names, headers, strict=False)]
    fixed = [columns[n].get("type") in ("date", "boolean", "integer", "float")
             or bool(columns[n].get("regex"))
             or (columns[n].get("type") == "string" and (columns[n].get("maxlength") or 99) <= 60)
             or bool(columns[n].get("allowed") and max(len(str(v)) for v in columns[n]["allowed"]) <= 30)
             for n in names]
    for i, name in enumerate(names):  # a name or a place: room for a usual one on one line
        if name in NAME_FIELDS:
            mins[i] = max(mins[i], _width_cm(NAME_SAMPLE, TABLE_SIZE) + CELL_PADDING_CM)
    for i, name in enumerate(names):  # a closed list: room for its longest value on one line
        allowed = columns[name].get("allowed")
        if allowed:
            whole = max(_width_cm(str(v), TABLE_SIZE) for v in allowed) + CELL_PADDING_CM
            mins[i] = max(mins[i], min(whole, 3.2))
    widths = [m if f else 0.0 for m, f in zip(mins, fixed, strict=True)]
    flexible = [i for i, f in enumerate(fixed) if not f]
    rest = free - sum(widths)
    while flexible:  # share the rest by weight; a column below its minimum gets the minimum
        total = sum(weight(columns[names[i]]) for i in flexible)
        short = [i for i in flexible if rest * weight(columns[names[i]]) / total < mins[i]]
        if not short:
            for i in flexible:
                widths[i] = rest * weight(columns[names[i]]) / total
            break
        for i in short:
            widths[i] = mins[i]
            rest -= mins[i]
            flexible.remove(i)
    return [round(w, 2) for w in widths]


def _rows_table(doc: Any, key: str, rules: dict[str, Any]) -> None:
    columns = rules["schema"]["schema"]
    signature = bool(rules.get("meta", {}).get("kolumna_podpisu"))
    names = list(columns)
    headers = [_label(columns[c], c) for c in names] + (["Podpis"] if signature else [])
    table = doc.add_table(rows=4, cols=len(headers) + 1)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head, loop_start, body, loop_end = table.rows
    _cell_text(head.cells[0], "Lp.", bold=True, size=HEADER_SIZE)
    _shade(head.cells[0])
    for cell, text in zip(head.cells[1:], headers, strict=True):
        _cell_text(cell, text, bold=True, size=HEADER_SIZE)
        _shade(cell)
    _repeat_header(head)
    _cell_text(loop_start.cells[0], "{%tr for w in " + key + " %}")
    _cell_text(body.cells[0], "{{ loop.index }}.", size=TABLE_SIZE)
    for cell, name in zip(body.cells[1:], names, strict=False):
        _cell_text(cell, "{{ w['" + name + "']|pl }}", size=TABLE_SIZE)
    _no_split(body)
    if signature:  # room for a handwritten signature
        body.height = Cm(1.0)
    _cell_text(loop_end.cells[0], "{%tr endfor %}")
    if signature:  # the family signs on one page
        _keep_table_together(table)
    lp = 1.0
    widths = _column_widths(columns, headers, PAGE_WIDTH_CM - lp - (2.2 if signature else 0.0))
    _widths(table, [lp] + widths + ([2.2] if signature else []))
    for cell, width, name in zip(body.cells[1:], widths, names, strict=False):
        col = columns[name]
        free_text = (col.get("type") == "string" and not col.get("allowed") and not col.get("regex")
                     and name not in NAME_FIELDS)
        if free_text and width < NARROW_CM:  # a long word may not fit: Polish hyphenation
            _hyphens(cell.paragraphs[0]._p.get_or_add_pPr(), True)
    _para(doc, "{%p if not " + key + " %}", space_after=0)
    _para(doc, "Brak pozycji.", italic=True)
    _para(doc, "{%p endif %}", space_after=0)
    _para(doc, space_after=2)


def _string_list(doc: Any, key: str) -> None:
    _para(doc, "{%p for x in " + key + " %}", space_after=0)
    _para(doc, "•  {{ x|pl }}", space_after=1)
    _para(doc, "{%p endfor %}", space_after=0)
    _para(doc, "{%p if not " + key + " %}", space_after=0)
    _para(doc, "—")
    _para(doc, "{%p endif %}", space_after=0)


def _fields(doc: Any, pola: dict[str, Any], prefix: str = "", level: int = 1) -> None:
    """Short fields in label/value tables; lists, tables, groups and long texts under a
    heading (Heading 1, or Heading 2 inside a group) so Word's navigation pane and the
    PDF's bookmarks list them."""
    pending: list[tuple[str, str]] = []
    heading = f"Heading {min(level, 2)}"

    def flush() -> None:
        if pending:
            _value_table(doc, list(pending))
            pending.clear()

    for key, rules in pola.items():
        expr = f"{prefix}{key}" if not prefix else f"{prefix}['{key}']"
        kind = rules.get("type")
        label = _label(rules, key)
        if _is_table(rules):
            flush()
            _para(doc, label, style=heading)
            _rows_table(doc, expr, rules)
        elif kind == "list":
            flush()
            _para(doc, label, style=heading)
            _string_list(doc, expr)
        elif kind == "dict" and isinstance(rules.get("schema"), dict):
            flush()
            _para(doc, label, style=heading)
            _fields(doc, rules["schema"], expr, level + 1)
            flush()
        elif _is_long(rules):
            flush()
            _para(doc, label, style=heading)
            _para(doc, "{{ " + expr + "|pl }}", space_after=8)
        else:
            pending.append((label, expr))
    flush()


def _keep_with_signatures(doc: Any) -> None:
    """The signatures never stand alone on a page: the last six paragraphs of content before
    them keep with the next paragraph (so the signatures' page holds more than a heading and
    one line), and so do the headings, empty and template-only paragraphs in between. A table
    that is a section of its own (under a heading, e.g. the kierownik's decision) or that
    the family signs brings the content above its heading along, so the page holds what
    the signers confirm."""
    above_heading = False  # go on past the next heading to the content above it
    content = 0  # paragraphs kept so far: six (empty lists print „—”), so never a lone line
    for block in reversed(list(doc.element.body.iterchildren())):
        if block.tag == qn("w:tbl"):
            for paragraph in block.iter(qn("w:p")):
                _keep_next(paragraph)
            rows = block.findall(qn("w:tr"))
            if len(rows) == 1:  # LibreOffice ignores keep-with-next of a one-row table whose
                for cant in rows[0].iter(qn("w:cantSplit")):  # row may not split
                    cant.getparent().remove(cant)
            previous = block.getprevious()
            if _signed_by_family(block) or (previous is not None and _is_heading(previous)):
                above_heading = True
                continue
            return
        if block.tag != qn("w:p"):
            continue
        _keep_next(block)
        text = "".join(t.text or "" for t in block.iter(qn("w:t")))
        if text.strip() and not text.startswith(("{%p", "Brak pozycji")) and text != "—":
            if above_heading and _is_heading(block):
                above_heading = False
                continue
            if not _is_heading(block):
                content += 1
            if content >= 6 and not above_heading:
                return


def _is_heading(block: Any) -> bool:
    style = block.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return style is not None and style.get(qn("w:val")).startswith("Heading")


def _hyphens(ppr: Any, allowed: bool) -> None:
    """Hyphenation on or off for a paragraph (or a style)."""
    element = ppr.find(qn("w:suppressAutoHyphens"))
    if element is None:  # in the schema's order of pPr
        element = OxmlElement("w:suppressAutoHyphens")
        ppr.insert_element_before(element, *_AFTER_HYPHENS)
    if allowed:
        element.set(qn("w:val"), "0")


_AFTER_HYPHENS = ("w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                  "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing",
                  "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                  "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                  "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _signed_by_family(table: Any) -> bool:
    first_row = table.find(qn("w:tr"))
    return "".join(t.text or "" for t in first_row.iter(qn("w:t"))).endswith("Podpis")


def _keep_next(paragraph: Any) -> None:
    paragraph.get_or_add_pPr().keepNext_val = True


def _signatures(doc: Any, schema: Schema) -> None:
    signers = list(schema.podpisy)
    if not signers:
        return
    _keep_with_signatures(doc)
    _para(doc, space_after=18, keep_next=True)
    per_row = 3 if len(signers) > 2 else len(signers)
    for start in range(0, len(signers), per_row):
        chunk = signers[start:start + per_row]
        table = doc.add_table(rows=3, cols=per_row)
        _no_borders(table)
        for i, signer in enumerate(chunk):
            if "(" in signer.caption:
                raise SystemExit(f"załącznik {schema.zalacznik}: podpis „{signer.caption}” "
                                 "ma nawias, a podpis drukuje się w nawiasie")
            top, line, caption = (table.rows[r].cells[i] for r in range(3))
            if signer.person:
                _cell_text(top, "{{ " + signer.person + " or '' }}", size=TABLE_SIZE,
                           align=WD_ALIGN_PARAGRAPH.CENTER)
            _cell_text(line, "\n\n……………………………………", align=WD_ALIGN_PARAGRAPH.CENTER)
            _cell_text(caption, f"({_typeset_fixed(signer.caption)})", size=8,
                       italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _keep_table_together(table)
        _widths(table, [PAGE_WIDTH_CM / per_row] * per_row)
        spacer = _para(doc, space_after=0, keep_next=start + per_row < len(signers))
        spacer.paragraph_format.line_spacing = Pt(8)


_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})")
# Fields that hold a person's name, a place, an institution, an address or a case number:
# Polish typesetting never hyphenates them. The run that prints one has the language „none”
# (zxx): LibreOffice and Word hyphenate by the run's language, so such a run is never
# hyphenated, while the paragraph around it is (justified text, narrow columns).
NAME_FIELDS = frozenset({
    "asystent", "pracownik_socjalny", "imie_nazwisko", "rodzice", "osoba", "osoba_kontaktowa",
    "osoba_odpowiedzialna", "instytucja", "miejsce", "miejsce_spotkania", "adres",
    "nazwa_rodziny", "sad", "sygnatura", "sygnatura_postanowienia", "uczestnicy", "rodzina",
    "nazwa", "kierownik", "miejscowosc", "gmina", "dzieci", "przydzielenie"})
PERSON_FIELDS = frozenset({"asystent", "pracownik_socjalny", "imie_nazwisko", "kierownik",
                           "osoba", "osoba_kontaktowa", "osoba_odpowiedzialna"})
_NAME_TAG = re.compile(r"\{\{\s*(?:[\w.]*\.)?(?:\w+\[')?(" + "|".join(sorted(NAME_FIELDS))
                       + r")(?:'\])?\s*(?:\|\s*\w+\s*)?(?:or '')?\s*\}\}")


def _protect_names(doc: Any) -> None:
    """Every tag that prints a name (NAME_FIELDS) in a run of its own, without hyphenation:
    the run's language is „none” (zxx), which LibreOffice and Word do not hyphenate."""
    body = [doc.element.body] + [s.footer._element for s in doc.sections]
    for root in body:
        for run in list(root.iter(qn("w:r"))):
            texts = run.findall(qn("w:t"))
            if len(texts) != 1 or not _NAME_TAG.search(texts[0].text or ""):
                continue
            _split_run(run, texts[0].text)


def _split_run(run: Any, text: str) -> None:
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in _NAME_TAG.finditer(text):
        if match.start() > at:
            parts.append((text[at:match.start()], False))
        parts.append((match[0], True))
        at = match.end()
    if at < len(text):
        parts.append((text[at:], False))
    anchor = run
    for piece, is_name in parts:
        person = _NAME_TAG.fullmatch(piece) if is_name else None
        if person and person[1] in PERSON_FIELDS:  # its words tied: {{ (expr)|osoba }}
            piece = "{{ (" + piece[2:-2].strip() + ")|osoba }}"
        new = copy.deepcopy(run)
        t = new.find(qn("w:t"))
        t.text = piece
        t.set(qn("xml:space"), "preserve")
        if is_name:
            rpr = new.get_or_add_rPr()
            lang = rpr.find(qn("w:lang"))
            if lang is None:
                lang = OxmlElement("w:lang")
                rpr.append(lang)
            lang.set(qn("w:val"), "zxx")
        anchor.addnext(new)
        anchor = new
    run.getparent().remove(run)


def _typeset_fixed(text: str) -> str:
    """A fixed text with tags: the text between the tags gets the non-breaking spaces of
    `typeset`, and a date or number a tag prints stays with the word before it („dnia”, „od”)
    and with the „r.” or unit after it."""
    parts = _TAG.split(text)
    for i in range(0, len(parts), 2):
        part = typeset(parts[i], words=True)
        if i + 1 < len(parts):  # a tag follows
            part = re.sub(r"(?<![\w])(dnia|dniu|dniem|od|do|z|w|nr|godz\.) $", "\\1" + NBSP, part)
        if i > 0:  # a tag precedes
            part = re.sub(r"^ (?=(?:r\.|zł|mies\.|godz\.)(?!\w))", NBSP, part)
        parts[i] = part
    return "".join(parts)


def _page_footer(doc: Any, text: str) -> None:
    """A centred footer: `text` followed by "N z M" page fields, all in the footer's size
    (the Footer style's and each run's)."""
    footer = doc.sections[0].footer.paragraphs[0]
    footer.style = doc.styles["Footer"]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run(text).font.size = Pt(FOOTER_SIZE)
    _field(footer, "PAGE")
    footer.add_run(" z ").font.size = Pt(FOOTER_SIZE)
    _field(footer, "NUMPAGES")


def _centre_header(doc: Any, right_text: str) -> None:
    """`right_text` (place and date) on a line of its own on the right, as wide as the page
    (a long place name and a date in words never wrap), then the centre's name and address."""
    _para(doc, right_text, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=2)
    _para(doc, "{{ osrodek.nazwa }}", bold=True, size=10, space_after=0)
    _para(doc, "{{ osrodek.adres }}", size=9, space_after=0)


def build(schema: Schema, out: Path) -> None:
    doc = _new_document(schema.tytul)
    if schema.rodzaj:  # a kind beyond the sixteen is no attachment of the procedure
        _page_footer(doc, f"Nr sprawy {{{{ rodzina|pl }}}} · {schema.tytul.lower()} · strona ")
        _para(doc, space_after=10)
    else:
        _page_footer(doc, f"Nr sprawy {{{{ rodzina|pl }}}} · załącznik nr {schema.zalacznik} · strona ")
        _para(doc, f"Załącznik nr{NBSP}{schema.zalacznik} do {{{{ osrodek.procedura }}}}", size=8,
              italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=10)
    _centre_header(doc, "{% if osrodek.miejscowosc %}{{ osrodek.miejscowosc }}, {% endif %}"
                        "dnia {{ data|slownie }}")

    _para(doc, space_after=6)
    _para(doc, _typeset_fixed(schema.tytul.upper()), style="Title")
    _para(doc, "Numer sprawy: {{ rodzina|pl }}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=12)
    dates = frozenset(k for k, r in schema.pola.items() if r.get("type") == "date") | {"data"}
    for text in schema.tresc:
        paragraph = _para(doc, _typeset_fixed(_with_filter(text, dates)), space_after=8)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _hyphens(paragraph._p.get_or_add_pPr(), True)  # justified: without it, wide gaps
    _fields(doc, schema.pola)
    _signatures(doc, schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    _slim(doc)
    doc.save(out)


def build_checklist(out: Path) -> None:
    """The printable checklist of a family (`checklista.pdf`), filled by pipeline.documents.overview."""
    doc = _new_document("Lista kontrolna dokumentów rodziny")
    _page_footer(doc, "Nr sprawy {{ rodzina }} · lista kontrolna na dzień {{ na_dzien|pl }} · strona ")
    _centre_header(doc, "stan na dzień {{ na_dzien|slownie }}")
    _para(doc, space_after=6)
    _para(doc, "LISTA KONTROLNA DOKUMENTÓW RODZINY", style="Title")
    _para(doc, "Numer sprawy: {{ rodzina }}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=12)
    _value_table(doc, [("Etap sprawy", "etap"), ("Asystent rodziny", "asystent"),
                       ("Cykl sprawy", "cykl"), ("Najbliższy termin", "najblizszy_termin"),
                       ("Podsumowanie", "podsumowanie")])
    # the earlier cycles of the case (after a re-enrolment, 13), one row each
    _para(doc, "{%p if historia %}")
    _para(doc, "Wcześniejsze cykle sprawy", style="Heading 1")
    history = doc.add_table(rows=4, cols=5)
    history.style = "Table Grid"
    head_row, loop_start, body, loop_end = history.rows
    columns = [("Cykl", "cykl", 1.2), ("Okres", "okres", 4.2), ("Asystent rodziny", "asystent", 3.6),
               ("Dokumenty", "dokumenty", 2.3), ("Zakończenie cyklu", "zakonczenie", 5.7)]
    for cell, (label, _, _) in zip(head_row.cells, columns, strict=True):
        _cell_text(cell, label, bold=True, size=9)
        _shade(cell)
    _repeat_header(head_row)
    _cell_text(loop_start.cells[0], "{%tr for h in historia %}")
    for cell, (_, key, _) in zip(body.cells, columns, strict=True):
        _cell_text(cell, "{{ h." + key + " }}", size=9)
    _no_split(body)
    _cell_text(loop_end.cells[0], "{%tr endfor %}")
    _widths(history, _fitting([label for label, _, _ in columns], [w for _, _, w in columns]))
    _para(doc, "{%p endif %}")
    _para(doc, "Dokumenty bieżącego cyklu", style="Heading 1")
    # the legend above the list: below it, it was left alone on the last page
    _para(doc, "{{ legenda }}", size=8, italic=True)
    table = doc.add_table(rows=4, cols=6)
    table.style = "Table Grid"
    head_row, loop_start, body, loop_end = table.rows
    for cell, text in zip(head_row.cells, ["Lp.", "Zał.", "Dokument", "Okres", "Termin", "Status"],
                          strict=True):
        _cell_text(cell, text, bold=True, size=9)
        _shade(cell)
    _repeat_header(head_row)
    _cell_text(loop_start.cells[0], "{%tr for p in pozycje %}")
    _cell_text(body.cells[0], "{{ loop.index }}.", size=9)
    _cell_text(body.cells[1], "{{ p.zalacznik }}", size=9)
    _cell_text(body.cells[2], "{{ p.opis|pl }}", size=9)
    body.cells[2].add_paragraph().add_run("{%p if p.plik %}")  # no empty line without a file
    body.cells[2].add_paragraph().add_run("{{ p.plik }}").font.size = Pt(7.5)
    body.cells[2].add_paragraph().add_run("{%p endif %}")
    for paragraph in body.cells[2].paragraphs:  # one block: the file name under its document
        paragraph.paragraph_format.space_after = Pt(1)
    _cell_text(body.cells[3], "{{ p.okres|pl if p.okres else '' }}", size=9)
    _cell_text(body.cells[4], "{{ p.termin }}", size=9)
    _cell_text(body.cells[5], "{% cellbg p.kolor %}{{ p.status }}", size=9, bold=True)
    _no_split(body)
    _cell_text(loop_end.cells[0], "{%tr endfor %}")
    # Status holds its longest label („niepodpisany”, bold) whole
    _widths(table, _fitting(["Lp.", "Zał.", "Dokument", "Okres", "Termin", "Status"],
                            [1.0, 1.0, 7.8, 2.3, 2.3, 2.6]))
    out.parent.mkdir(parents=True, exist_ok=True)
    _slim(doc)
    doc.save(out)


def build_summary(out: Path) -> None:
    """The kierownik's monthly summary (`outbox/raporty/RRRR-MM/zestawienie_RRRR-MM.pdf`)."""
    doc = _new_document("Zestawienie miesięcznych raportów asystentów rodziny")
    _page_footer(doc, "Zestawienie raportów za {{ miesiac|pl }} · strona ")
    _para(doc, "{{ osrodek.nazwa }}", bold=True, size=10, space_after=0)
    _para(doc, "{{ osrodek.adres }}", size=9, space_after=10)
    _para(doc, "ZESTAWIENIE MIESIĘCZNYCH RAPORTÓW ASYSTENTÓW RODZINY", style="Title")
    _para(doc, "za {{ miesiac|pl }} r. · stan na dzień {{ na_dzien|slownie }}", size=10,
          align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)

    def loop_table(title: str, var: str, columns: list[tuple[str, str, float]],
                   groups: str = "") -> None:
        _para(doc, title, style="Heading 1")
        if groups:  # one table per group: LibreOffice lays out one long table in quadratic time
            _para(doc, "{%p for g in " + groups + " %}")
        table = doc.add_table(rows=4, cols=len(columns))
        table.style = "Table Grid"
        head, start, body, end = table.rows
        for cell, (label, _, _) in zip(head.cells, columns, strict=True):
            _cell_text(cell, label, bold=True, size=9)
            _shade(cell)
        _repeat_header(head)
        _cell_text(start.cells[0], "{%tr for r in " + var + " %}")
        for cell, (_, key, _) in zip(body.cells, columns, strict=True):
            _cell_text(cell, "{{ r['" + key + "'] }}", size=9)
            if key == "uwagi":  # a narrow column of words („wygenerowany”): Polish hyphenation
                _hyphens(cell.paragraphs[0]._p.get_or_add_pPr(), True)
        _no_split(body)
        _cell_text(end.cells[0], "{%tr endfor %}")
        _widths(table, _fitting([label for label, _, _ in columns], [w for _, _, w in columns]))
        _para(doc, space_after=8)
        if groups:
            _para(doc, "{%p endfor %}")

    loop_table("Asystenci rodziny", "asystenci", [
        ("Asystent rodziny", "asystent", 6.0), ("Rodziny", "rodziny", 2.5),
        ("Wizyty", "wizyty", 2.5), ("Godziny", "godziny", 2.5),
        ("Zaległe dokumenty", "zaleglosci", 3.5)])
    loop_table("Rodziny", "g", [
        ("Asystent rodziny", "asystent", 3.7), ("Nr sprawy", "rodzina", 2.2),
        ("Etap", "etap", 2.2), ("Wizyty", "wizyty", 1.5), ("Godziny", "godziny", 1.75),
        ("Kontakty", "kontakty", 1.85), ("Zaległe dok.", "zaleglosci", 1.55),
        ("Uwagi", "uwagi", 2.25)], groups="grupy")  # „wygenerowany” breaks once at most
    _para(doc, _typeset_fixed("Zaległe dokumenty: pozycje listy kontrolnej rodziny w stanie BRAK "
                              "lub „po terminie” na dzień zestawienia."), size=8, italic=True,
          keep_next=True)
    _para(doc, space_after=24, keep_next=True)
    _para(doc, "……………………………………", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0,
          keep_next=True)
    _para(doc, "(podpis kierownika ośrodka)", size=8, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out.parent.mkdir(parents=True, exist_ok=True)
    _slim(doc)
    doc.save(out)


def _loop_table(doc: Any, var: str, columns: list[tuple[str, str, float]]) -> None:
    """A table with a header row and one row per item of `var` (docxtpl's row loop)."""
    table = doc.add_table(rows=4, cols=len(columns))
    table.style = "Table Grid"
    head, start, body, end = table.rows
    for cell, (label, _, _) in zip(head.cells, columns, strict=True):
        _cell_text(cell, label, bold=True, size=HEADER_SIZE)
        _shade(cell)
    _repeat_header(head)
    _cell_text(start.cells[0], "{%tr for r in " + var + " %}")
    for cell, (_, expr, _) in zip(body.cells, columns, strict=True):
        _cell_text(cell, "{{ " + expr + " }}", size=TABLE_SIZE)
    _no_split(body)
    _cell_text(end.cells[0], "{%tr endfor %}")
    _widths(table, _fitting([label for label, _, _ in columns], [w for _, _, w in columns]))


def build_figures(out: Path) -> None:
    """The kierownik's half-yearly figures (`outbox/sprawozdania/<okres>/sprawozdanie_<okres>.pdf`)."""
    doc = _new_document("Asystenci rodziny – dane do sprawozdania rzeczowo-finansowego")
    _page_footer(doc, "Dane do sprawozdania za {{ okres }} · strona ")
    _centre_header(doc, "stan archiwum na dzień {{ na_dzien|slownie }}")
    _para(doc, space_after=6)
    # the title on one line: no word of it is broken („RZECZOWO-/FINANSOWEGO”)
    _para(doc, "DANE DO SPRAWOZDANIA RZECZOWO-FINANSOWEGO", style="Title")
    _para(doc, _typeset_fixed("o pracy asystentów rodziny, z wykonywania zadań z zakresu wspierania "
                              "rodziny za {{ okres }}"),
          size=10, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _loop_table(doc, "wiersze", [("Lp.", "r.lp", 1.1), ("Wyszczególnienie", "r.etykieta|pl", 6.2),
                                 ("Wartość", "r.wartosc", 3.0),  # „do uzupełnienia” whole
                                 ("Definicja (dokumenty i daty)", "r.definicja|pl", 6.7)])
    _para(doc, space_after=6)
    _para(doc, "{%p if bledy %}", space_after=0)
    _para(doc, _typeset_fixed("Nie policzono rodzin o uszkodzonym rejestrze: {{ bledy }}."),
          bold=True, size=9)
    _para(doc, "{%p endif %}", space_after=0)
    _para(doc, _typeset_fixed(
        "Wartości policzono z dokumentów asystentów rodziny w archiwum ośrodka. Numery spraw "
        "policzonych w każdym wierszu zawiera arkusz „Sprawy” pliku XLSX, zapisanego obok tego "
        "zestawienia."), size=8, italic=True, keep_next=True)
    _para(doc, space_after=24, keep_next=True)
    _para(doc, "……………………………………", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0,
          keep_next=True)
    _para(doc, "(podpis kierownika ośrodka)", size=8, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out.parent.mkdir(parents=True, exist_ok=True)
    _slim(doc)
    doc.save(out)


def build_court_report(out: Path) -> None:
    """The report for the family court (`asysta sad`), filed in the family's folder."""
    doc = _new_document("Sprawozdanie asystenta rodziny dla sądu rodzinnego")
    _page_footer(doc, "Nr sprawy {{ rodzina|pl }} · sprawozdanie dla sądu · strona ")
    _centre_header(doc, "{% if osrodek.miejscowosc %}{{ osrodek.miejscowosc }}, {% endif %}"
                        "dnia {{ data|slownie }}")
    _para(doc, space_after=4)
    _para(doc, "{%p if sad %}", space_after=0)
    _para(doc, "{{ sad|pl }}", bold=True, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
    _para(doc, "{%p endif %}", space_after=0)
    _para(doc, "{%p if sygnatura %}", space_after=0)
    _para(doc, _typeset_fixed("Sygn. akt: {{ sygnatura|pl }}"), align=WD_ALIGN_PARAGRAPH.RIGHT,
          space_after=0)
    _para(doc, "{%p endif %}", space_after=0)
    _para(doc, space_after=6)
    _para(doc, "SPRAWOZDANIE Z PRACY ASYSTENTA RODZINY Z RODZINĄ", style="Title")
    _para(doc, _typeset_fixed("dla sądu rodzinnego za okres od {{ od|slownie }} do {{ do|slownie }}"),
          size=10, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    _para(doc, "Numer sprawy: {{ rodzina|pl }}", size=10, align=WD_ALIGN_PARAGRAPH.CENTER,
          space_after=12)
    _value_table(doc, [("Rodzice (opiekunowie)", "rodzice"), ("Dzieci", "dzieci"),
                       ("Adres", "adres"), ("Asystent rodziny", "asystent"),
                       ("Przydzielenie asystenta", "przydzielenie"),
                       ("Podstawa objęcia wsparciem", "podstawa")])

    def heading(text: str) -> None:
        spacer = _para(doc, space_after=0)  # air between the table above and the heading
        spacer.paragraph_format.line_spacing = Pt(6)
        _para(doc, _typeset_fixed(text), style="Heading 1")

    def text_or(var: str, otherwise: str) -> None:
        _para(doc, "{%p if " + var + " %}", space_after=0)
        # left-aligned: a text with line breaks of its own is not stretched before each one
        _para(doc, "{{ " + var + "|pl }}", space_after=6)
        _para(doc, "{%p else %}", space_after=0)
        _para(doc, _typeset_fixed(otherwise), italic=True, size=9.5)
        _para(doc, "{%p endif %}", space_after=0)

    def table_or(var: str, columns: list[tuple[str, str, float]], otherwise: str) -> None:
        _para(doc, "{%p if " + var + " %}", space_after=0)
        _loop_table(doc, var, columns)
        _para(doc, "{%p else %}", space_after=0)
        _para(doc, _typeset_fixed(otherwise), italic=True, size=9.5)
        _para(doc, "{%p endif %}", space_after=0)

    heading("1. Sytuacja rodziny")
    text_or("sytuacja_rodziny", "Asystent nie złożył opisu sytuacji rodziny za ten okres.")
    heading("2. Wizyty w rodzinie i kontakty z instytucjami")
    _para(doc, _typeset_fixed(
        "W okresie sprawozdawczym asystent rodziny odbył w rodzinie "
        "{{ liczba_wizyt|odmiana('wizytę', 'wizyty', 'wizyt') }} (łącznie "
        "{{ liczba_godzin|pl }} godz.) i odnotował "
        "{{ liczba_kontaktow|odmiana('kontakt', 'kontakty', 'kontaktów') }} z instytucjami "
        "w sprawach rodziny."), space_after=6)
    table_or("wizyty", [("Data", "r.data|pl", 2.3), ("Godziny", "r.godziny", 2.4),
                        ("Działania asystenta", "r.dzialania|pl", 12.3)],
             "W okresie sprawozdawczym nie odnotowano wizyt w rodzinie.")
    _para(doc, space_after=4)
    table_or("kontakty", [("Data", "r.data|pl", 2.3), ("Instytucja", "r.instytucja|pl", 5.7),
                          ("Forma", "r.forma|pl", 3.0), ("Cel kontaktu", "r.cel|pl", 6.0)],
             "W okresie sprawozdawczym nie odnotowano kontaktów z instytucjami.")
    heading("3. Plan pracy z rodziną")
    _para(doc, "{%p if plany %}", space_after=0)
    _loop_table(doc, "plany", [("Dokument", "r.dokument|pl", 3.6), ("Cel", "r.cel|pl", 5.4),
                               ("Termin", "r.termin|pl", 2.3),
                               ("Przewidywane efekty", "r.efekty|pl", 5.7)])
    _para(doc, "{%p elif plan_obowiazujacy %}", space_after=0)
    _para(doc, _typeset_fixed("W okresie sprawozdawczym nie sporządzano ani nie aktualizowano "
                              "planu pracy; obowiązywał plan z dnia {{ plan_obowiazujacy|slownie }}."),
          italic=True, size=9.5)
    _para(doc, "{%p else %}", space_after=0)
    _para(doc, "W okresie sprawozdawczym nie sporządzono planu pracy z rodziną.", italic=True,
          size=9.5)
    _para(doc, "{%p endif %}", space_after=0)
    heading("4. Zadania rodziny i ich realizacja")
    table_or("zadania", [("Zadanie", "r.zadanie|pl", 5.9), ("Termin", "r.termin|pl", 2.3),
                         ("Stan", "r.status|pl", 3.1), ("Efekt", "r.efekt|pl", 5.7)],
             "W okresie sprawozdawczym nie sporządzono karty pracy rodziny.")
    heading("5. Okresowe oceny sytuacji rodziny")
    table_or("oceny", [("Data", "r.data|pl", 2.3), ("Współpraca rodziny", "r.wspolpraca|pl", 2.8),
                       ("Realizacja celów", "r.cele|pl", 4.6),
                       ("Podsumowanie i wniosek",
                        "r.podsumowanie|pl ~ ' Wniosek: ' ~ r.wniosek|pl ~ '.'", 7.3)],
             "W okresie sprawozdawczym nie sporządzono okresowej oceny sytuacji rodziny.")
    heading("6. Spotkania interdyscyplinarne")
    table_or("spotkania", [("Data", "r.data|pl", 2.3), ("Cel spotkania", "r.cel|pl", 7.0),
                           ("Ustalenia", "r.ustalenia|pl", 7.7)],
             "W okresie sprawozdawczym nie odbyło się żadne spotkanie interdyscyplinarne.")
    heading("7. Miesięczne raporty z pracy z rodziną")
    table_or("raporty", [("Miesiąc", "r.miesiac|pl", 3.0),
                         ("Współpraca rodziny", "r.wspolpraca|pl", 2.8),
                         ("Osiągnięcia", "r.osiagniecia|pl", 5.6),
                         ("Trudności", "r.trudnosci|pl", 5.6)],
             "Za miesiące okresu sprawozdawczego nie złożono raportów miesięcznych.")
    heading("8. Przebieg współpracy z rodziną")
    text_or("przebieg_wspolpracy", "Asystent nie złożył opisu przebiegu współpracy za ten okres.")
    heading("9. Wnioski asystenta rodziny")
    text_or("wnioski", "Asystent nie sformułował wniosków za ten okres.")
    _para(doc, space_after=6)
    _para(doc, _typeset_fixed("Sprawozdanie sporządzono na podstawie dokumentów z okresu "
                              "sprawozdawczego w archiwum ośrodka."), size=8, italic=True)
    _para(doc, space_after=18, keep_next=True)
    table = doc.add_table(rows=3, cols=2)
    _no_borders(table)
    for i, (person, caption) in enumerate((("asystent", "podpis asystenta rodziny"),
                                           ("osrodek.kierownik", "podpis kierownika ośrodka"))):
        top, line, under = (table.rows[r].cells[i] for r in range(3))
        _cell_text(top, "{{ " + person + " or '' }}", size=TABLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(line, "\n\n……………………………………", align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(under, f"({caption})", size=8, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _keep_table_together(table)
    _widths(table, [PAGE_WIDTH_CM / 2] * 2)
    out.parent.mkdir(parents=True, exist_ok=True)
    _slim(doc)
    doc.save(out)


def _new_document(title: str) -> Any:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(1.6), Cm(1.8)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(4)
    style.paragraph_format.widow_control = True
    _hyphens(style.element.get_or_add_pPr(), False)  # hyphenation only where a column is narrow
    doc.core_properties.title = title
    doc.core_properties.language = "pl-PL"
    doc.core_properties.author = "asysta"
    _set_language(doc)
    _hyphenation(doc)
    _heading_style(doc, "Title", 14, outline=0, before=0, after=2, centred=True)
    _heading_style(doc, "Heading 1", 10.5, outline=0, before=4, after=3)
    _heading_style(doc, "Heading 2", 10, outline=1, before=3, after=2)
    footer = doc.styles["Footer"]
    footer.font.size = Pt(FOOTER_SIZE)
    return doc


def _heading_style(doc: Any, name: str, size: float, *, outline: int, before: float,
                   after: float, centred: bool = False) -> None:
    """Word's own heading style, in the document's font: bold, black, kept with the next
    paragraph, with its outline level (Word's navigation pane, the PDF's bookmarks)."""
    style = doc.styles[name]
    element = style.element
    for tag in ("w:pPr", "w:rPr"):
        old = element.find(qn(tag))
        if old is not None:
            element.remove(old)
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = True
    fmt = style.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = True
    fmt.keep_together = True
    if centred:
        fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), str(outline))
    element.get_or_add_pPr()._insert_outlineLvl(level)


def _hyphenation(doc: Any) -> None:
    """Polish hyphenation (LibreOffice's hyphen-pl, Word's own), switched on for the document
    and used by the paragraphs that allow it: the values in narrow table columns, where a
    long word would otherwise be cut anywhere. Headers, labels and running text are set so
    that their words fit whole (hyphenation breaks every line end it can, not only the
    words that do not fit)."""
    anchor = doc.settings.element.find(qn("w:defaultTabStop"))  # the schema's order: after it
    for tag, value in reversed((("w:autoHyphenation", None), ("w:consecutiveHyphenLimit", "2"),
                                ("w:hyphenationZone", "284"), ("w:doNotHyphenateCaps", None))):
        element = OxmlElement(tag)
        if value is not None:
            element.set(qn("w:val"), value)
        anchor.addnext(element)
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), "pl-PL")


def _slim(doc: Any) -> None:
    """Leave out what python-docx's default document carries and no template uses: the
    Word 2010 copy of the styles, the thumbnail, latent styles and unused styles.
    LibreOffice reads every style of every document it converts, so this makes each
    conversion about a third faster; Word adds a built-in style again when it is used."""
    for rels in (doc.part.rels, doc.part.package.rels):
        for r_id, rel in list(rels.items()):
            if rel.reltype.endswith(("/stylesWithEffects", "/thumbnail")):
                rels.pop(r_id)
    xml = "".join(part.blob.decode("utf-8") for part in doc.part.package.iter_parts()
                  if part.partname.startswith(("/word/document", "/word/footer", "/word/header",
                                               "/word/numbering")))
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    keep = set(re.findall(r'w:(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink) w:val="([^"]*)"', xml))
    keep |= {i for i, s in by_id.items() if s.get(qn("w:default")) == "1"}
    todo = [by_id[i] for i in keep if i in by_id]
    while todo:  # and the styles those are based on, linked to or followed by
        style = todo.pop()
        for ref in (style.find(qn(tag)) for tag in ("w:basedOn", "w:link", "w:next")):
            target = None if ref is None else ref.get(qn("w:val"))
            if target is not None and target not in keep:
                keep.add(target)
                todo += [by_id[target]] if target in by_id else []
    for style_id, style in by_id.items():
        if style_id not in keep:
            styles.remove(style)
    _protect_names(doc)
    latent = styles.find(qn("w:latentStyles"))
    if latent is not None:
        styles.remove(latent)


def _set_language(doc: Any) -> None:
    """Polish as the document language (the default run properties and Normal), so
    spell-checking and hyphenation are Polish and the PDF says /Lang pl-PL."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    default_rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for rpr in (default_rpr, doc.styles["Normal"].element.get_or_add_rPr()):
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "pl-PL")
        lang.set(qn("w:eastAsia"), "pl-PL")


def _document(text: str) -> int | str:
    return int(text) if text.isdigit() else text


def main() -> None:
    parser = argparse.ArgumentParser(description="Buduje szablony DOCX załączników ze schematów.")
    parser.add_argument("--schematy", type=Path, default=None, help="folder ze schematami zalNN.yaml")
    parser.add_argument("--wynik", type=Path, default=ROOT / "zalaczniki_templates",
                        help="folder na szablony (domyślnie zalaczniki_templates/)")
    parser.add_argument("numery", nargs="*", type=_document, metavar="NUMER_LUB_RODZAJ",
                        help="numery załączników albo rodzaje dokumentów, np. 6 notatka "
                             "(domyślnie 1–16 i wszystkie rodzaje)")
    args = parser.parse_args()
    for n in args.numery or [*range(1, 17), *form_kinds(args.schematy)]:
        schema = load_schema(n, args.schematy)
        out = args.wynik / f"{schema.key}.docx"
        build(schema, out)
        print(f"zbudowano {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")
    if not args.numery:
        build_checklist(args.wynik / "checklista.docx")
        build_summary(args.wynik / "zestawienie.docx")
        print("zbudowano szablony checklista.docx i zestawienie.docx")
        build_figures(args.wynik / "sprawozdanie.docx")
        build_court_report(args.wynik / "sprawozdanie_sad.docx")
        print("zbudowano szablony sprawozdanie.docx i sprawozdanie_sad.docx")


if __name__ == "__main__":
    main()
