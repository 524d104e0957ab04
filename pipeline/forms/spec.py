"""A form's spec: its marker, its field names, and what each schema rule asks of a field.

The marker (a hidden field, and the same text in the document catalog) records the
attachment, the schema version and a fingerprint of the schema's structure, so a filled
form is checked against the schema it was made from. Field names follow one scheme for
writing and reading; the helpers below read a field's control, label, help and tooltip
from its schema rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any, Literal

from pipeline.sprawa.schemas import Schema

MARKER_FIELD = "asysta_znacznik"
MARKER_KEY = "AsystaFormularz"  # the same marker in the document catalog, as a fallback
MARKER_RE = re.compile(r"asysta-formularz; zalacznik=(\d+); wersja=(\d+); schemat=([0-9a-f]+)")


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


def cell_name(table: str, row: int, column: str) -> str:
    return f"{table}[{row}]/{column}"


def section_name(section: str, key: str) -> str:
    return f"{section}/{key}"



DATE_FORMAT = "DD.MM.RRRR"

Control = Literal["text", "date", "number", "check", "choice"]


def control_of(rules: Mapping[str, Any]) -> Control:
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


def meta_of(rules: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = rules.get("meta")
    return meta if isinstance(meta, Mapping) else {}


def help_of(rules: Mapping[str, Any]) -> str:
    """The schema's help, with dates written as a person types them in the form."""
    return str(meta_of(rules).get("pomoc", "")).replace("RRRR-MM-DD", DATE_FORMAT)


def is_required(rules: Mapping[str, Any]) -> bool:
    return bool(rules.get("required")) and rules.get("type") != "boolean"


def label_of(key: str, rules: Mapping[str, Any]) -> str:
    label = str(meta_of(rules).get("etykieta", key))
    return label + (" *" if is_required(rules) else "")


def column_label(key: str, rules: Mapping[str, Any]) -> str:
    """A table column's header; a cell is never flagged required (see `Layout.widget`), the
    header says which cells a used row needs."""
    return str(meta_of(rules).get("etykieta", key)) + (" *" if is_required(rules) else "")


def tooltip_of(key: str, rules: Mapping[str, Any]) -> str:
    label = str(meta_of(rules).get("etykieta", key))
    extra = f" ({DATE_FORMAT})" if control_of(rules) == "date" else ""
    return f"{label}{extra}: {help_of(rules)}"


def is_table(rules: Mapping[str, Any]) -> bool:
    inner = rules.get("schema")
    return rules.get("type") == "list" and isinstance(inner, dict) and inner.get("type") == "dict"


def is_item_list(rules: Mapping[str, Any]) -> bool:
    inner = rules.get("schema")
    return rules.get("type") == "list" and not is_table(rules) and isinstance(inner, dict)


def form_filename(schema: Schema) -> str:
    return f"zal{schema.zalacznik:02d}_{schema.nazwa_pliku}.pdf"
