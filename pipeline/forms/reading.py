"""Reading a filled form back: the same plain mapping a YAML form gives.

Filled forms are read with pypdf; each field's value is converted as its schema rules
want it (DD.MM.RRRR dates, decimal commas, one item a line), and what cannot be converted
is passed on as typed, so validation then names the field and says what is wrong.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.core.errors import FormError, Problem
from pipeline.pdf.pdfutil import quiet_pypdf
from pipeline.sprawa.schemas import HEADER_FIELDS, ZALACZNIKI, load_schema

from .spec import (
    MARKER_FIELD,
    MARKER_KEY,
    MARKER_RE,
    cell_name,
    fingerprint,
    is_item_list,
    is_table,
    meta_of,
    section_name,
)

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
    if kind in ("integer", "float", "number"):
        return _number(text, kind)
    return _formatted(text, meta_of(rules).get("format"))


def _number(text: str, kind: str) -> Any:
    """An integer or a float as typed in Polish (spaces between thousands, a decimal comma);
    the text itself when it is not one."""
    bare = _SPACES_RE.sub("", text)
    if kind == "integer":
        return int(bare) if _INT_RE.fullmatch(bare) else text
    if "," in bare:
        bare = bare.replace(".", "").replace(",", ".")
    return float(bare) if _FLOAT_RE.fullmatch(bare) else text


def _formatted(text: str, fmt: Any) -> str:
    """A time (GG:MM) or a month (RRRR-MM, also typed MM.RRRR) in the form the schema wants."""
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
        if is_table(rules):
            columns = rules["schema"]["schema"]
            pattern = re.compile(re.escape(key) + r"\[(\d+)\]/")
            numbers = sorted({int(m.group(1)) for name in fields if (m := pattern.match(name))})
            rows = []
            for number in numbers:
                cells = {c: _convert(fields.get(cell_name(key, number, c)), r)
                         for c, r in columns.items()}
                if not all(_is_blank(v) for v in cells.values()):  # empty rows are dropped
                    rows.append({c: v for c, v in cells.items() if v is not _EMPTY})
            if rows:
                yield key, rows
        elif is_item_list(rules):
            text = _text(fields.get(key)) or ""
            items = [_convert(_BULLET_RE.sub("", line), rules["schema"])
                     for line in text.split("\n")]
            items = [i for i in items if i is not _EMPTY]
            if items:
                yield key, items
        elif rules.get("type") == "dict" and isinstance(rules.get("schema"), dict):
            section = {k: _convert(fields.get(section_name(key, k)), r)
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
        mark = reader.trailer["/Root"].get("/" + MARKER_KEY)
    return values, (str(mark) if mark else None)


def read_form(content: bytes, override: Path | None = None) -> dict[str, Any]:
    """A filled form's values as the plain mapping a YAML form gives (header first)."""
    fields, mark = _field_values(content)
    match = MARKER_RE.search(mark or "")
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
