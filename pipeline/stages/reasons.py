"""Why a form's field is wrong, in Polish: a cerberus error told in the words of the schema
(its type, format, choices and lengths), with the likeliest field a misspelled one meant."""

from __future__ import annotations

import difflib
from typing import Any

from cerberus import errors as cerrors

from pipeline.core.polish import pl_count

SHOWN_CHARS = 100  # of a field name quoted in a problem (a hostile key may be 1 MB long)

_TYPE_NAMES = {
    "string": "tekst",
    "integer": "liczba całkowita",
    "float": "liczba",
    "number": "liczba",
    "boolean": "tak lub nie",
    "date": "data RRRR-MM-DD",
    "list": "lista pozycji (każda w nowym wierszu od „- ”)",
    "dict": "sekcja pól",
}



def _walk(schema: dict[str, Any], path: tuple[Any, ...]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the field rules at the level of the path's last step, the rules of that step)."""
    container: dict[str, Any] = schema
    rules: dict[str, Any] = {}
    for i, step in enumerate(path):
        if isinstance(step, int):  # a list position: its rules are the list's item schema
            item = rules.get("schema")
            rules, container = (item if isinstance(item, dict) else {}), {}
        else:
            found = container.get(step)
            rules = found if isinstance(found, dict) else {}
        if i == len(path) - 1:
            break
        inner = rules.get("schema")
        container = inner if rules.get("type") == "dict" and isinstance(inner, dict) else {}
    return container, rules


def _rules_at(schema: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    return _walk(schema, path)[1]


def _siblings(schema: dict[str, Any], path: tuple[Any, ...]) -> list[str]:
    return [str(k) for k in _walk(schema, path)[0]]


def reason(error: Any, schema: dict[str, Any]) -> str:
    """What is wrong with a field, in Polish, from a cerberus error and the form's schema."""
    rules = _rules_at(schema, error.document_path)
    meta = rules.get("meta", {}) if isinstance(rules, dict) else {}
    kind = rules.get("type") if isinstance(rules, dict) else None
    code = error.code
    if code == cerrors.REQUIRED_FIELD.code:
        return "brak wymaganego pola"
    if code == cerrors.UNKNOWN_FIELD.code:
        return _unknown_field(error, schema)
    if code == cerrors.COERCION_FAILED.code:
        if kind == "boolean":
            return "wpisz „tak” albo „nie”"
        return ("to nie jest poprawna data – wpisz datę istniejącą w kalendarzu "
                "w formacie RRRR-MM-DD, np. 2026-03-15 (w formularzu PDF: DD.MM.RRRR, "
                "np. 15.03.2026)")
    if code == cerrors.CUSTOM.code:
        return str(error.info[0]) if error.info else "niepoprawna wartość"
    return _rule_reason(error.rule, error.constraint, rules, meta, kind)


def _unknown_field(error: Any, schema: dict[str, Any]) -> str:
    """A field the schema does not know, with the likeliest one it meant."""
    name = str(error.document_path[-1])
    near = difflib.get_close_matches(name, _siblings(schema, error.document_path), n=1) \
        if len(name) <= SHOWN_CHARS else []
    hint = f" – czy chodziło o „{near[0]}”?" if near else ""
    whose = "tego rodzaju dokumentu" if "rodzaj" in schema else "tego załącznika"
    return f"nieznane pole – formularz {whose} go nie przewiduje{hint}"


def _rule_reason(rule: Any, constraint: Any, rules: dict[str, Any], meta: dict[str, Any],
                 kind: Any) -> str:
    """A value that breaks one of its field's rules (type, format, choice, length, range)."""
    if rule == "type":
        kinds = constraint if isinstance(constraint, list) else [constraint]
        expected = " lub ".join(_TYPE_NAMES.get(k, str(k)) for k in kinds)
        hint = " (wpisz PESEL w cudzysłowie)" if rules.get("pesel") else ""
        return f"zły rodzaj wartości – oczekiwano: {expected}{hint}"
    if rule in ("empty", "nullable"):
        return "pole nie może być puste"
    if rule == "regex":
        fmt = meta.get("format")
        return f"niepoprawny zapis – oczekiwano: {fmt}" if fmt else "niepoprawny zapis"
    if rule == "allowed":
        allowed = "; ".join(f"„{a}”" for a in constraint)
        return f"niedozwolona wartość – wybierz jedną z: {allowed}"
    if rule in ("minlength", "maxlength"):
        return _length_reason(rule, constraint, kind)
    if rule == "min":
        return f"wartość jest za mała (najmniej {constraint})"
    if rule == "max":
        return f"wartość jest za duża (najwyżej {constraint})"
    return f"niepoprawna wartość (reguła {rule})"


def _length_reason(rule: str, constraint: Any, kind: Any) -> str:
    """Too few or too many items of a list, or characters of a text."""
    if rule == "minlength":
        if kind == "list":
            return f"podaj co najmniej {pl_count(constraint, 'pozycję', 'pozycje', 'pozycji')}"
        return f"tekst jest za krótki (co najmniej {pl_count(constraint, 'znak', 'znaki', 'znaków')})"
    if kind == "list":
        return f"za dużo pozycji (najwyżej {constraint})"
    return f"tekst jest za długi (najwyżej {pl_count(constraint, 'znak', 'znaki', 'znaków')})"
