"""Parse: bytes of a YAML, JSON or filled PDF form into a plain mapping, or a Polish explanation.

YAML is loaded with a restricted safe loader: no object-constructing tags, no
implicit timestamps or sexagesimal numbers (dates are validated later, so an
impossible date is a field error, not a syntax error), a cap on aliases (anchor
bombs) and on nesting depth, and duplicate keys are an error. libyaml (PyYAML's C
parser) reads when it is installed: the pure-Python parser needs ~10 s for a
1 MB list, libyaml ~1 s. JSON gets the same nesting cap.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from pipeline.core.errors import FormError, Problem
from pipeline.core.limits import UNLIMITED, Budget
from pipeline.core.models import IncomingFile
from pipeline.sprawa.schemas import YAML_LOADER
from pipeline.stages.intake import ACCEPTED_SUFFIXES

MAX_ALIASES = 50
MAX_DEPTH = 40
MAX_KEYS = 1000  # fields in one section (a schema has a few dozen at most)
MAX_ITEMS = 10000  # items in one list; below this the schema's own maximum is said by field

# Bytes that Windows-1250 maps to Polish letters and UTF-8 would not accept alone.
_CP1250_POLISH = set(b"\xa5\xb9\xc6\xe6\xca\xea\xa3\xb3\xd1\xf1\xd3\xf3\x8c\x9c\x8f\x9f\xaf\xbf")

_HOW_TO_UTF8 = (
    "Zapisz plik w kodowaniu UTF-8: w Notatniku wybierz Plik → Zapisz jako → "
    "Kodowanie: UTF-8; w LibreOffice/Word wybierz „Tekst” i kodowanie Unicode (UTF-8)."
)


_TOO_MANY_ALIASES = "plik zawiera zbyt wiele odwołań YAML (aliasów *) – formularz ich nie potrzebuje"
_TOO_DEEP = "zbyt głębokie zagnieżdżenie danych w pliku"
_TOO_MANY_KEYS = (f"sekcja zaczynająca się w tym wierszu ma ponad {MAX_KEYS} pól – formularz "
                  "ma ich najwyżej kilkadziesiąt; sprawdź, czy to właściwy plik")
_TOO_MANY_KEYS_JSON = (f"sekcja w pliku ma ponad {MAX_KEYS} pól – formularz ma ich najwyżej "
                       "kilkadziesiąt; sprawdź, czy to właściwy plik")
_MANY_DOCUMENTS = ("plik zawiera więcej niż jeden dokument YAML (---); "
                   "każdy formularz zapisz w osobnym pliku")


class _FormLoader(YAML_LOADER):  # type: ignore[misc, valid-type]
    """SafeLoader with YAML 1.2-like scalars, duplicate keys refused and a time budget.
    Aliases and nesting are limited before anything is built (see `_check_events`)."""

    budget: Budget = UNLIMITED

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        self.budget.step()
        return super().construct_object(node, deep)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen:
                raise FormError([Problem(
                    f"klucz „{key}” występuje dwa razy w tej samej sekcji",
                    line=key_node.start_mark.line + 1,
                )])
            seen.add(key)
        return super().construct_mapping(node, deep)


def _check_events(text: str, budget: Budget) -> None:
    """Count aliases (anchor bombs), nesting, the fields of each section and the documents
    on the event stream, before any node is built: an alias costs nothing to parse and a
    whole list to walk, and building a section of 100 000 fields takes seconds."""
    yaml.reader.Reader(text)  # refuses control characters, as the pure-Python parser does
    loader = _FormLoader(text)
    aliases = documents = 0
    # per open collection: [is a mapping, its line, nodes in it so far, the last key seen]
    open_: list[list[Any]] = []
    try:
        while loader.check_event():
            event = loader.get_event()
            budget.step()
            if isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise FormError([Problem(_MANY_DOCUMENTS, line=event.start_mark.line + 1)])
            if isinstance(event, NodeEvent) and open_:
                _count_child(open_[-1], event)
            if isinstance(event, AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise FormError([Problem(_TOO_MANY_ALIASES)])
            elif isinstance(event, MappingStartEvent | SequenceStartEvent):
                key = open_[-1][3] if open_ and open_[-1][0] else None
                open_.append([isinstance(event, MappingStartEvent), event.start_mark.line + 1, 0,
                              key])
                if len(open_) >= MAX_DEPTH:
                    raise FormError([Problem(_TOO_DEEP, line=event.start_mark.line + 1)])
            elif isinstance(event, MappingEndEvent | SequenceEndEvent):
                open_.pop()
    finally:
        loader.dispose()


def _count_child(parent: list[Any], event: Any) -> None:
    """One more node in an open section or list; too many of them is an error here, before
    seconds go into building them (a schema's longest list has 60 items)."""
    is_mapping, line, count, key = parent
    parent[2] = count = count + 1
    if is_mapping:
        if count % 2:  # keys and values alternate; remember the key for a list below it
            parent[3] = event.value if isinstance(event, ScalarEvent) else None
        if count > 2 * MAX_KEYS:
            raise FormError([Problem(_TOO_MANY_KEYS, line=line)])
    elif count > MAX_ITEMS:
        raise FormError([Problem(_too_many_items(key), line=line)])


def _json_shape_problem(data: Any, budget: Budget) -> Problem | None:
    """The limits `_check_events` puts on YAML, for JSON (walked without recursion)."""
    stack: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while stack:
        value, depth, key = stack.pop()
        budget.step()
        if isinstance(value, dict):
            if len(value) > MAX_KEYS:
                return Problem(_TOO_MANY_KEYS_JSON)
            children = [(v, k) for k, v in value.items()]
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                return Problem(_too_many_items(key))
            children = [(v, None) for v in value]
        else:
            continue
        for child, name in children:
            if isinstance(child, dict | list):
                if depth + 1 >= MAX_DEPTH:
                    return Problem(_TOO_DEEP)
                stack.append((child, depth + 1, name))
    return None


def _too_many_items(key: Any) -> str:
    name = f"„{key[:100]}” " if isinstance(key, str) else ""
    count = f"{MAX_ITEMS:,}".replace(",", " ")
    return (f"lista {name}ma ponad {count} pozycji – formularz przewiduje najwyżej "
            "kilkadziesiąt; sprawdź, czy to właściwy plik")


# Implicit scalar types: keep null, bool (true/false only), decimal int and float.
_FormLoader.yaml_implicit_resolvers = {}
for _tag, _regexp, _first in (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^[-+]?(?:0|[1-9][0-9]*)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$",
        list("-+0123456789."),
    ),
):
    _FormLoader.add_implicit_resolver(_tag, re.compile(_regexp), _first)


def decode(content: bytes) -> str:
    """UTF-8 text (BOM and CRLF accepted), or an explanation that names Windows-1250."""
    if not content.strip():
        raise FormError([Problem("plik jest pusty")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        if any(b in _CP1250_POLISH for b in content):
            reason = ("plik nie jest zapisany w UTF-8 – wygląda na kodowanie Windows-1250 "
                      "(polskie litery zapisane po staremu). " + _HOW_TO_UTF8)
        else:
            reason = "plik nie jest tekstem w kodowaniu UTF-8. " + _HOW_TO_UTF8
        raise FormError([Problem(reason, line=line)]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _yaml_problem(exc: yaml.YAMLError, text: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        return Problem(f"plik zawiera niedozwolony znak sterujący (U+{code:04X}) – usuń go "
                       "(często pochodzi z kopiowania tekstu)")
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", "") or ""
    if "could not determine a constructor for the tag" in problem or (
        isinstance(exc, yaml.constructor.ConstructorError) and "tag" in problem
    ):
        tag = problem.rsplit("tag", 1)[-1].strip(" '")
        return Problem(
            f"niedozwolony znacznik YAML „{tag}” – formularz może zawierać tylko zwykłe "
            "wartości: tekst, liczby, daty, tak/nie, listy i sekcje",
            line=line,
        )
    if "expected a single document" in (getattr(exc, "context", "") or ""):
        return Problem(_MANY_DOCUMENTS, line=line)
    if _at_tab(problem, mark, text):
        return Problem("znak tabulacji we wcięciu – do wcięć używaj spacji", line=line)
    if "unhashable" in problem:
        return Problem("niepoprawny klucz (lista lub sekcja w miejscu nazwy pola)", line=line)
    return Problem(
        "błąd składni YAML – sprawdź wcięcia, dwukropki po nazwach pól i cudzysłowy "
        f"({problem or 'niepoprawna struktura'})",
        line=line,
    )


def _at_tab(problem: str, mark: Any, text: str) -> bool:
    """A tab where indentation is read (the pure-Python parser names it, libyaml does not)."""
    if "found character '\\t'" in problem:
        return True
    return ("cannot start any token" in problem and mark is not None
            and text[mark.index:mark.index + 1] == "\t")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormError([Problem(f"klucz „{key}” występuje dwa razy w tej samej sekcji")])
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise FormError([Problem(f"niedozwolona wartość liczbowa {name}")])


def parse_text(text: str, suffix: str, budget: Budget = UNLIMITED) -> Any:
    if suffix == ".json":
        try:
            data = json.loads(text, object_pairs_hook=_reject_duplicates,
                              parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise FormError([Problem(f"błąd składni JSON: {_JSON_MESSAGES.get(exc.msg, exc.msg)}",
                                     line=exc.lineno)]) from None
        except RecursionError:
            raise FormError([Problem(_TOO_DEEP)]) from None
        except ValueError as exc:  # e.g. an integer of more than 4300 digits
            raise _too_many_digits(exc) from None
        problem = _json_shape_problem(data, budget)
        if problem:
            raise FormError([problem])
        return data
    loader = None
    try:
        _check_events(text, budget)
        loader = _FormLoader(text)
        loader.budget = budget
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise FormError([_yaml_problem(exc, text)]) from None
    except RecursionError:
        raise FormError([Problem(_TOO_DEEP)]) from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise _too_many_digits(exc) from None
    finally:
        if loader is not None:
            loader.dispose()


def _too_many_digits(exc: ValueError) -> Exception:
    """Python refuses to read an integer of more than 4300 digits (a CPU bound of its own)."""
    if "digits" not in str(exc):
        return exc
    return FormError([Problem("liczba w pliku ma zbyt wiele cyfr – wpisz ją w cudzysłowie "
                              "albo popraw")])
_JSON_MESSAGES = {
    "Expecting value": "oczekiwano wartości",
    "Expecting property name enclosed in double quotes": "nazwa pola musi być w cudzysłowie",
    "Expecting ',' delimiter": "brakuje przecinka",
    "Expecting ':' delimiter": "brakuje dwukropka",
    "Extra data": "nadmiarowe dane po końcu dokumentu",
    "Unterminated string starting at": "niezamknięty cudzysłów",
    "Invalid control character at": "niedozwolony znak sterujący w tekście",
}


def parse(incoming: IncomingFile, formularze: Path | None = None,
          budget: Budget = UNLIMITED) -> dict[str, Any]:
    """The form's mapping of fields; FormError with a line number when it cannot be read.

    `formularze` is the centre's own schema folder: a PDF form is checked against the schema
    it was made from."""
    suffix = Path(incoming.name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise FormError([Problem(
            f"nieobsługiwany rodzaj pliku „{suffix or 'bez rozszerzenia'}” – "
            "przyjmowane są formularze .yaml, .yml, .json i formularze PDF (.pdf)"
        )])
    if suffix == ".pdf":  # a filled PDF form (pipeline/forms/): the same kind of mapping
        from pipeline.forms import read_form

        form = read_form(incoming.content, formularze)
        budget.check()
        return form
    data = parse_text(decode(incoming.content), suffix, budget)
    budget.check()
    if data is None:
        raise FormError([Problem("plik nie zawiera żadnych pól formularza")])
    if not isinstance(data, dict):
        raise FormError([Problem(
            "plik musi zawierać pola formularza w postaci „nazwa: wartość”, a zawiera "
            "pojedynczą wartość lub listę"
        )])
    return data
