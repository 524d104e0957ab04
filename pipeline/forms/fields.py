"""A form's fields as PDF objects: widgets, their appearance streams and date scripts.

Every field has an appearance stream drawn here (its frame and any pre-filled value, in
the embedded fields' font), and the form does not set NeedAppearances: with it set,
pdf.js (Firefox) saves a filled form without appearance streams, and other readers redraw
every field on opening. Checked in pdf.js, PDFium and poppler by
tests/test_form_engines.py. Hand-written: no maintained Python library draws appearance
streams for AcroForm fields in an embedded font with Polish letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .embed import FIELD_FONT, Font, codepage, field_bytes
from .pdfobj import Name, Ref, Stream, Writer, fnum, rgb
from .spec import Control

FIELD_SIZE = 9.0
FIELD_BG = (0.93, 0.95, 1.0)
FIELD_BORDER = (0.5, 0.56, 0.68)

@dataclass
class Widget:
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


def form_text(value: Any, rules: Mapping[str, Any]) -> Any:
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
        return "\n".join(str(form_text(v, item_rules) or "") for v in value)
    return str(value)


def _field_frame(w: float, h: float) -> str:
    return (f"q {rgb(FIELD_BG)} rg 0 0 {fnum(w)} {fnum(h)} re f "
            f"{rgb(FIELD_BORDER)} RG 0.75 w 0.375 0.375 {fnum(w - 0.75)} "
            f"{fnum(h - 0.75)} re S Q ")


def _text_appearance(widget: Widget, font: Font) -> bytes:
    """What a reader draws for the field: the frame and, if set, the value in the embedded font."""
    _, _, w, h = widget.rect
    ops = _field_frame(w, h) + "/Tx BMC "
    value = widget.value
    if isinstance(value, str) and value:
        size = widget.size
        ops += f"q 1 1 {fnum(w - 2)} {fnum(h - 2)} re W n BT /{FIELD_FONT} " \
               f"{fnum(size)} Tf 0 g "
        value = codepage(value)  # what the fields' font can draw
        if widget.multiline:
            leading = size * 1.15
            lines = font.wrap(value, size, w - 4)
            first = h - 2 - font.ascent * size
            for i, line in enumerate(lines):
                baseline = first - i * leading
                if baseline < font.descent * -size:
                    break
                ops += f"1 0 0 1 2 {fnum(baseline)} Tm <{field_bytes(line).hex()}> Tj "
        else:
            baseline = (h - (font.ascent - font.descent) * size) / 2 - font.descent * size
            line = value.replace("\n", " ")
            ops += f"1 0 0 1 2 {fnum(baseline)} Tm <{field_bytes(line).hex()}> Tj "
        ops += "ET Q "
    return (ops + "EMC").encode("ascii")


def _check_appearance(w: float, h: float, on: bool) -> bytes:
    ops = _field_frame(w, h)
    if on:
        ops += (f"q 0 G 1.4 w 1 J 1 j {fnum(w * 0.2)} {fnum(h * 0.5)} m "
                f"{fnum(w * 0.42)} {fnum(h * 0.24)} l "
                f"{fnum(w * 0.8)} {fnum(h * 0.8)} l S Q")
    return ops.encode("ascii")


_DATE_SCRIPTS = {
    # Acrobat's and pdf.js's own date helpers: check and format what is typed as DD.MM.RRRR
    "K": {"S": Name("JavaScript"), "JS": 'AFDate_KeystrokeEx("dd.mm.yyyy");'},
    "F": {"S": Name("JavaScript"), "JS": 'AFDate_FormatEx("dd.mm.yyyy");'},
}
ON_STATE = "tak"


def widget_object(writer: Writer, widget: Widget, page: Ref, font: Font,
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
    entry: dict[str, Any] = {**base, "DA": f"/{FIELD_FONT} {fnum(widget.size)} Tf 0 g",
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
