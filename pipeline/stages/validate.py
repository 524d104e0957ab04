"""Validate: a parsed mapping against its attachment's schema, with every problem in Polish."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import cerberus
import cerberus.schema
from cerberus import errors as cerrors

from pipeline.core.errors import FormError, Problem
from pipeline.core.limits import MAX_PROBLEMS, UNLIMITED, Budget, capped
from pipeline.core.models import FormData, IncomingFile
from pipeline.sprawa.schemas import (
    HEADER_FIELDS,
    KIND_FIELD,
    Schema,
    form_kinds,
    key_of,
    label_of,
    load_schema,
    windows_problem,
)
from pipeline.stages.reasons import SHOWN_CHARS, reason

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Characters an XML 1.0 document (and so a DOCX) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
_TRUE = {"tak", "t", "yes", "true", "1", "x"}
_FALSE = {"nie", "n", "no", "false", "0", ""}

def pesel_birth_date(pesel: str) -> date | None:
    """The birth date a PESEL encodes, or None when it encodes no real date."""
    yy, mm, dd = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    century = {0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800}
    base = mm - mm % 20
    if base not in century:
        return None
    try:
        return date(century[base] + yy, mm - base, dd)
    except ValueError:
        return None


def pesel_problem(value: str, birth: Any = None) -> str | None:
    if not re.fullmatch(r"\d{11}", value):
        return "PESEL ma 11 cyfr (wpisz go w cudzysłowie, np. \"91031412362\")"
    checksum = (10 - sum(int(d) * w for d, w in zip(value, _PESEL_WEIGHTS, strict=False)) % 10) % 10
    if checksum != int(value[10]):
        return "niepoprawna cyfra kontrolna numeru PESEL – sprawdź, czy nie ma literówki"
    encoded = pesel_birth_date(value)
    if encoded is None:
        return "numer PESEL nie zawiera poprawnej daty urodzenia"
    if isinstance(birth, date) and birth != encoded:
        return "PESEL nie zgadza się z datą urodzenia w tym samym wierszu"
    return None


class FormValidator(cerberus.Validator):  # type: ignore[misc]
    """Cerberus with the product's coercions, the `pesel` and `numer_sprawy` rules, regexes
    that must match the whole value, and a look at the file's time budget."""

    budget: Budget = UNLIMITED

    def _validate_type(self, data_type: Any, field: str, value: Any) -> None:
        self.budget.step()  # nearly every field has a type: the clock is looked at throughout
        super()._validate_type(data_type, field, value)

    _validate_type.__doc__ = cerberus.Validator._validate_type.__doc__  # the rule's own schema

    def _validate_regex(self, pattern: str, field: str, value: Any) -> None:
        """{'type': 'string'}"""
        # cerberus uses re.match with `$`, which also matches before a final newline
        if isinstance(value, str) and re.fullmatch(pattern, value) is None:
            self._error(field, cerrors.REGEX_MISMATCH)

    def _validate_numer_sprawy(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str):
            message = windows_problem(value)
            if message:
                self._error(field, message)

    def _normalize_coerce_data(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date) or value is None:
            return value
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            return date.fromisoformat(value.strip())
        raise ValueError("not an ISO date")

    def _normalize_coerce_tak_nie(self, value: Any) -> Any:
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            raise ValueError("not a yes/no word")
        return value

    def _validate_pesel(self, constraint: bool, field: str, value: Any) -> None:
        """{'type': 'boolean'}"""
        if constraint and isinstance(value, str):
            birth = self.document.get("data_urodzenia") if isinstance(self.document, dict) else None
            message = pesel_problem(value, birth)
            if message:
                self._error(field, message)


    def _validate_nie_wczesniej_niz(self, other: str, field: str, value: Any) -> None:
        """{'type': 'string'}"""
        earlier = self.document.get(other) if isinstance(self.document, dict) else None
        if isinstance(value, date) and isinstance(earlier, date) and value < earlier:
            label = self.schema.get(other, {}).get("meta", {}).get("etykieta", other)
            self._error(field, f"data jest wcześniejsza niż „{label}” ({other})")


def _with_coercions(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the coercer each type needs, so schema files stay plain."""
    out: dict[str, Any] = {}
    for key, rules in schema.items():
        rules = dict(rules)
        kind = rules.get("type")
        if kind == "date" and "coerce" not in rules:
            rules["coerce"] = "data"
        elif kind == "boolean" and "coerce" not in rules:
            rules["coerce"] = "tak_nie"
        inner = rules.get("schema")
        if kind == "dict" and isinstance(inner, dict):
            rules["schema"] = _with_coercions(inner)
        elif kind == "list" and isinstance(inner, dict):
            item = dict(inner)
            if item.get("type") == "dict" and isinstance(item.get("schema"), dict):
                item["schema"] = _with_coercions(item["schema"])
            elif item.get("type") == "date":
                item["coerce"] = "data"
            rules["schema"] = item
        out[key] = rules
    return out


def _leaves(errors: Any) -> Iterator[Any]:
    for error in errors:
        if error.is_group_error:
            yield from _leaves(error.child_errors)
        else:
            yield error


def _xml_problems(value: Any, path: tuple[Any, ...], schema: dict[str, Any]) -> Iterator[Problem]:
    if isinstance(value, str):
        bad = _NOT_XML.search(value)
        if bad:
            code = f"U+{ord(bad.group()):04X}"
            yield Problem(
                f"tekst zawiera niedozwolony znak sterujący ({code}), którego nie da się "
                "zapisać w dokumencie – usuń go (często pochodzi z kopiowania tekstu)",
                key_of(path), label_of(schema, path),
            )
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and _NOT_XML.search(k):
                yield Problem("nazwa pola zawiera niedozwolony znak sterujący", key_of(path))
                continue
            yield from _xml_problems(v, (*path, k), schema)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _xml_problems(v, (*path, i), schema)


# A list whose schema names no maxlength (every shipped schema names one).
MAX_LIST_ITEMS = 1000


def _hollow(value: Any) -> Any:
    """A container where the schema wants another shape: cerberus only needs its type."""
    if isinstance(value, dict):
        return {}
    if isinstance(value, list):
        return []
    return value


class _Bounds:
    """A copy of the document that cerberus validates in time bounded by the schema, not by
    the file: each list is cut to its maximum length (said here, once), at most
    MAX_PROBLEMS unknown fields are kept in the whole document (the rest are only counted:
    cerberus re-sorts its errors on every one it adds, so 3000 unknown fields took 11 s),
    and a value of the wrong shape keeps only its type. A valid form's copy equals it."""

    def __init__(self, schema: dict[str, Any], budget: Budget) -> None:
        self.schema = schema
        self.budget = budget
        self.problems: list[Problem] = []
        self.unknown = 0  # unknown fields kept
        self.unlisted = 0  # unknown fields beyond MAX_PROBLEMS

    def mapping(self, doc: dict[Any, Any], fields: dict[str, Any],
                path: tuple[Any, ...]) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, value in doc.items():
            self.budget.step()
            rules = fields.get(key) if isinstance(key, str) else None
            if isinstance(rules, dict):
                out[key] = self.value(value, rules, (*path, key))
            elif self.unknown < MAX_PROBLEMS:
                self.unknown += 1
                out[key] = None  # "unknown field" whatever its value: nothing to look into
            else:
                self.unlisted += 1
        return out

    def value(self, value: Any, rules: dict[str, Any], path: tuple[Any, ...]) -> Any:
        kind = rules.get("type")
        kinds = kind if isinstance(kind, list) else [kind]
        inner = rules.get("schema")
        if "dict" in kinds and isinstance(value, dict):
            return self.mapping(value, inner if isinstance(inner, dict) else {}, path)
        if "list" in kinds and isinstance(value, list):
            limit = rules.get("maxlength")
            limit = limit if isinstance(limit, int) else MAX_LIST_ITEMS
            if len(value) > limit:
                count = f"{len(value):,}".replace(",", " ")
                self.problems.append(Problem(
                    f"za dużo pozycji: jest {count}, a można podać najwyżej {limit}; "
                    f"sprawdzono tylko pierwsze {limit}", key_of(path), label_of(self.schema, path)))
                value = value[:limit]
            if isinstance(inner, dict):
                return [self.value(item, inner, (*path, i)) for i, item in enumerate(value)]
            return list(value)
        if kind is None:
            return value
        return _hollow(value)


def _shown(text: str) -> str:
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


_VALIDATORS = threading.local()


def _validator(schema: dict[str, Any], allow_unknown: bool) -> FormValidator:
    """One validator per schema and thread, reused: cerberus checks a schema when it is
    given one, and that costs more than validating a form."""
    cache = _VALIDATORS.__dict__.setdefault("cache", {})
    key = (id(schema), allow_unknown)
    hit = cache.get(key)
    if hit is None or hit[0] is not schema:  # the schema object is kept, so its id stays its own
        validator = FormValidator(allow_unknown=allow_unknown)
        validator.schema = _CheckedSchema(validator, _with_coercions(schema))
        hit = cache[key] = (schema, validator)
    return hit[1]


class _CheckedSchema(cerberus.schema.DefinitionSchema):  # type: ignore[misc]
    """A schema cerberus has checked once. Cerberus copies the schema at every validation
    (to resolve its rule sets) and checks the copy again, field by field — most of the
    time a form's validation took; this copy is a plain mapping of the checked rules."""

    def copy(self) -> dict[str, Any]:
        return dict(self.schema)


def _run(document: dict[str, Any], schema: dict[str, Any], allow_unknown: bool,
         budget: Budget = UNLIMITED) -> Any:
    validator = _validator(schema, allow_unknown)
    validator.budget = budget
    try:
        ok = validator.validate(document)
    finally:
        validator.budget = UNLIMITED
    problems = []
    if not ok:
        leaves = list(_leaves(validator._errors))
        uncoerced = {e.document_path for e in leaves if e.code == cerrors.COERCION_FAILED.code}
        for error in leaves:
            path = error.document_path
            if path in uncoerced and error.code != cerrors.COERCION_FAILED.code:
                continue  # "not a date" already said it; "wrong type" would repeat it
            label = "" if error.code == cerrors.UNKNOWN_FIELD.code else label_of(schema, path)
            problems.append(Problem(reason(error, schema), _shown(key_of(path)), label))
    return validator.document, problems


_KIND_LABEL = KIND_FIELD["meta"]["etykieta"]


def _schema_of(document: dict[str, Any], override: Any, budget: Budget) -> Schema:
    """The schema the header names: `zalacznik: N` (1–16) or `rodzaj: <kind>`; a FormError
    with every header problem when it names none."""
    header = {k: _hollow(document[k]) for k in HEADER_FIELDS if k in document}
    _, header_problems = _run(header, HEADER_FIELDS, allow_unknown=True, budget=budget)
    if "rodzaj" in document:
        return _kind_schema(document, override, [p for p in header_problems
                                                 if p.key != "zalacznik"])
    n = document.get("zalacznik")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 16:
        if "zalacznik" not in document:
            header_problems = [p for p in header_problems if p.key != "zalacznik"]
            header_problems.insert(0, Problem(
                "brak numeru załącznika – dopisz na początku pliku np. „zalacznik: 6” "
                "(albo „rodzaj: notatka” dla dokumentu spoza szesnastu załączników)",
                "zalacznik", HEADER_FIELDS["zalacznik"]["meta"]["etykieta"]))
        raise FormError(header_problems or [Problem("nieznany numer załącznika (1–16)")])
    return load_schema(n, override)


def _kind_schema(document: dict[str, Any], override: Any, header_problems: list[Problem]) -> Schema:
    rodzaj = document["rodzaj"]
    known = form_kinds(override)
    listed = ", ".join(f"„{k}”" for k in known)
    if "zalacznik" in document:
        raise FormError([Problem(
            "formularz ma w nagłówku jednocześnie „zalacznik” i „rodzaj” – zostaw jedno z nich: "
            "„zalacznik: N” dla załącznika procedury nr N (1–16) albo „rodzaj: …” dla dokumentu "
            f"spoza szesnastu załączników (znane rodzaje: {listed})", "rodzaj", _KIND_LABEL),
            *header_problems])
    if not isinstance(rodzaj, str) or rodzaj not in known:
        what = f"„{_shown(rodzaj)}”" if isinstance(rodzaj, str) else "(to nie jest nazwa)"
        raise FormError([Problem(
            f"nieznany rodzaj dokumentu {what} – znane rodzaje: {listed}; załączniki procedury "
            "mają w nagłówku numer, np. „zalacznik: 6”", "rodzaj", _KIND_LABEL),
            *header_problems])
    return load_schema(rodzaj, override)


def validate_mapping(document: dict[str, Any], override: Any = None,
                     budget: Budget = UNLIMITED) -> tuple[Schema, dict[str, Any]]:
    """Validate a parsed form; returns its schema and the normalised values. The work is
    bounded by the schema (see _Bounds) and at most MAX_PROBLEMS problems are listed."""
    schema = _schema_of(document, override, budget)
    full = schema.cerberus
    bounds = _Bounds(full, budget)
    bounded = bounds.mapping(document, full, ())
    problems = list(_xml_problems(bounded, (), full))
    if problems:  # values that cannot be stored are reported before anything else
        raise FormError(capped([*bounds.problems, *problems]))
    budget.check()
    values, problems = _run(bounded, full, allow_unknown=False, budget=budget)
    problems = [*bounds.problems, *problems]
    if problems or bounds.unlisted:
        raise FormError(capped(problems, bounds.unlisted))
    return schema, values


def validate(document: dict[str, Any], incoming: IncomingFile, override: Any = None,
             budget: Budget = UNLIMITED) -> FormData:
    schema, values = validate_mapping(document, override, budget)
    return FormData(incoming, schema, values.get("zalacznik", schema.zalacznik), values["rodzina"],
                    values["data"], values)
