"""Lays an attachment's fields out on A4 pages, top to bottom.

The centre's header, every field with its Polish label and help, checkboxes for yes/no,
drop-down lists for closed lists, date fields taking DD.MM.RRRR and rows for the tables.
The page text is measured and wrapped with the same font metrics (`embed.Font`) that the
fields' appearance streams use; it is kept here rather than drawn with reportlab because
the page and its fields are one PDF from one writer (reportlab cannot add fields in an
embedded font to its pages, and a second PDF merged under the fields would make the
output depend on two writers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.config import Osrodek
from pipeline.sprawa.schemas import HEADER_FIELDS, Schema

from .columns import CELL_SIZE, HEADER_PAD, HEADER_SIZE, NUMBER_W, SIGNATURE_W, column_widths, row_lines
from .embed import Font
from .fields import FIELD_SIZE, Widget, form_text
from .pdfobj import fnum
from .spec import (
    DATE_FORMAT,
    MARKER_FIELD,
    cell_name,
    column_label,
    control_of,
    help_of,
    is_item_list,
    is_required,
    is_table,
    label_of,
    marker,
    meta_of,
    section_name,
    tooltip_of,
)

PAGE_W, PAGE_H = 595.28, 841.89  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 42.0, 40.0, 50.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
LABEL_W = 190.0
GAP = 10.0
DEFAULT_ROWS = 12  # a month's work: visits 1–2 a week, plan actions, tasks
LIST_LINES = 7  # lines of a "one item per line" field
HELP_GRAY = 0.36


@dataclass(frozen=True)
class Run:
    """A line of page text; encoded once the page's font subset is known."""

    bold: bool
    text: str
    x: float
    baseline: float
    size: float
    gray: float


@dataclass
class Page:
    ops: list[str | Run] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)


class Layout:
    """Lays an attachment's fields out on A4 pages, top to bottom."""

    def __init__(self, schema: Schema, osrodek: Osrodek, regular: Font, bold: Font,
                 values: Mapping[str, Any], rows: int | None) -> None:
        self.schema = schema
        self.osrodek = osrodek
        self.regular = regular
        self.bold = bold
        self.values = values
        self.rows = rows
        self.pages: list[Page] = []
        self.y = 0.0
        self.new_page()

    # drawing primitives

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = PAGE_H - MARGIN_TOP

    def ensure(self, height: float) -> bool:
        """Start a new page unless `height` fits; True when it did."""
        if self.y - height < MARGIN_BOTTOM and self.y < PAGE_H - MARGIN_TOP:
            self.new_page()
            return True
        return False

    def text(self, x: float, baseline: float, text: str, *, bold: bool = False,
             size: float = 8.0, gray: float = 0.0, page: Page | None = None) -> None:
        font = self.bold if bold else self.regular
        (page or self.page).ops.append(Run(bold, font.clean(text), x, baseline, size, gray))

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
            ops += f"{fnum(fill)} g "
        if stroke is not None:
            ops += f"{fnum(stroke)} G {fnum(width)} w "
        paint = ("B" if stroke is not None else "f") if fill is not None else "S"
        ops += f"{fnum(x)} {fnum(y)} {fnum(w)} {fnum(h)} re {paint} Q"
        self.page.ops.append(ops)

    def hline(self, x: float, y: float, w: float, gray: float = 0.6, width: float = 0.5) -> None:
        self.page.ops.append(
            f"q {fnum(gray)} G {fnum(width)} w {fnum(x)} {fnum(y)} m {fnum(x + w)} {fnum(y)} l S Q")

    # fields

    def widget(self, name: str, rules: Mapping[str, Any], x: float, top: float, w: float,
               h: float, value: Any, *, size: float = FIELD_SIZE, multiline: bool = False,
               key: str = "", where: str = "", in_row: bool = False) -> None:
        """A field at (x, top); `where` prefixes its tooltip. A table cell is never flagged
        required: a row left empty is dropped, only a used row must be complete."""
        control = control_of(rules)
        options: tuple[str, ...] = ()
        maxlen = None
        if control == "choice":
            options = ("", *[str(o) for o in rules.get("allowed", [])])
        elif control == "date":
            maxlen = 10
        elif rules.get("type") == "string" and isinstance(rules.get("maxlength"), int):
            maxlen = rules["maxlength"]
        self.page.widgets.append(Widget(
            name=name, control=control, rect=(x, top - h, w, h),
            tooltip=where + tooltip_of(key or name, rules), size=size, multiline=multiline,
            maxlen=maxlen, required=is_required(rules) and not in_row, options=options,
            value=form_text(value, rules)))

    def scalar_width(self, rules: Mapping[str, Any], available: float) -> float:
        control = control_of(rules)
        fmt = meta_of(rules).get("format")
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
        label = label_of(key, rules)
        help_text = help_of(rules)
        left_h = self.para(0, 0, label_w, label, bold=True, size=8.5, draw=False) + 1 + \
            self.para(0, 0, label_w, help_text, size=7, draw=False)
        width = self.scalar_width(rules, field_w)
        maxlength = rules.get("maxlength")
        long_text = control_of(rules) == "text" and isinstance(maxlength, int) and maxlength > 300
        height = 12.0 if control_of(rules) == "check" else (42.0 if long_text else 17.0)
        row_h = max(left_h, height) + 7
        self.ensure(row_h)
        top = self.y
        label_h = self.para(MARGIN_X + indent, top, label_w, label, bold=True, size=8.5)
        self.para(MARGIN_X + indent, top - label_h - 1, label_w, help_text, size=7, gray=HELP_GRAY)
        self.widget(name, rules, field_x, top, width, height, value, multiline=long_text, key=key)
        if control_of(rules) == "check":
            self.text(field_x + 18, top - 9, "zaznaczone = tak, puste = nie", size=7,
                      gray=HELP_GRAY)
        self.y -= row_h

    def block_heading(self, key: str, rules: Mapping[str, Any], extra_help: str = "",
                      *, draw: bool = True, size: float = 8.5) -> float:
        label_h = self.para(MARGIN_X, self.y, CONTENT_W, label_of(key, rules), bold=True,
                            size=size, draw=draw)
        help_text = " ".join(t for t in (help_of(rules), extra_help) if t)
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
            self.scalar_row(section_name(key, sub_key), sub_key, sub_rules,
                            values.get(sub_key), indent=10)

    def column_widths(self, columns: Mapping[str, Any], signature: bool
                      ) -> tuple[dict[str, float], dict[str, float]]:
        return column_widths(columns, signature, self.regular, self.bold, CONTENT_W)

    def table(self, key: str, rules: Mapping[str, Any], value: Any) -> None:
        columns: dict[str, Any] = rules["schema"]["schema"]
        rows_values = [r for r in value or [] if isinstance(r, Mapping)]
        limit = rules.get("maxlength")
        maxlength: int = limit if isinstance(limit, int) else 40
        count = min(self.rows or DEFAULT_ROWS, maxlength)
        count = max(count, min(len(rows_values), maxlength), int(rules.get("minlength") or 0))
        signature = bool(meta_of(rules).get("kolumna_podpisu"))

        number_w, signature_w = NUMBER_W, (SIGNATURE_W if signature else 0.0)
        widths, weights = self.column_widths(columns, signature)

        lines = row_lines(columns, widths, weights)
        row_h = max(lines * CELL_SIZE * 1.25 + 5, 16.0)  # readers space lines ~1.2 em
        headers = [("Lp.", number_w)] + [(column_label(k, c), widths[k])
                                         for k, c in columns.items()] + \
            ([("Podpis", signature_w)] if signature else [])
        header_h = max(self.para(0, 0, w - 2 * HEADER_PAD, t, bold=True, size=HEADER_SIZE,
                                 draw=False) for t, w in headers) + 5
        legend = "Kolumny: " + "; ".join(
            f"{meta_of(c).get('etykieta', k)} – {help_of(c).rstrip('.')}" for k, c in columns.items()
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
        label = str(meta_of(rules).get("etykieta", key))
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
                name = cell_name(key, row, col)
                if control_of(col_rules) == "check":
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
        self.page.widgets.append(Widget(MARKER_FIELD, "marker", (0, 0, 1, 1),
                                         value=marker(self.schema)))

    def body(self) -> None:
        for key, rules in self.schema.pola.items():
            value = self.values.get(key)
            meta = meta_of(rules)
            if is_table(rules):
                self.table(key, rules, value)
            elif is_item_list(rules):
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
