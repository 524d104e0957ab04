"""Parse: bytes of a YAML, JSON or filled PDF form into a plain mapping, or a Polish explanation.

YAML is loaded with a restricted safe loader: no object-constructing tags, no
implicit timestamps or sexagesimal numbers (dates are validated later, so an
impossible date is a field error, not a syntax error), a cap on aliases (anchor
bombs) and on nesting depth, and duplicate keys are an error.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from .errors import FormError, Problem
from .intake import ACCEPTED_SUFFIXES
from .models import IncomingFile

MAX_ALIASES = 50
MAX_DEPTH = 40

# Bytes that Windows-1250 maps to Polish letters and UTF-8 would not accept alone.
_CP1250_POLISH = set(b"\xa5\xb9\xc6\xe6\xca\xea\xa3\xb3\xd1\xf1\xd3\xf3\x8c\x9c\x8f\x9f\xaf\xbf")

_HOW_TO_UTF8 = (
    "Zapisz plik w kodowaniu UTF-8: w Notatniku wybierz Plik → Zapisz jako → "
    "Kodowanie: UTF-8; w LibreOffice/Word wybierz „Tekst” i kodowanie Unicode (UTF-8)."
)


class _FormLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars and limits against hostile input."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise FormError([Problem(
                    "plik zawiera zbyt wiele odwołań YAML (aliasów *) – formularz ich nie potrzebuje"
                )])
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise FormError([Problem("zbyt głębokie zagnieżdżenie danych w pliku")])
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

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


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
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
        return Problem("plik zawiera więcej niż jeden dokument YAML (---); "
                       "każdy formularz zapisz w osobnym pliku", line=line)
    if "found character '\\t'" in problem:
        return Problem("znak tabulacji we wcięciu – do wcięć używaj spacji", line=line)
    if "unhashable" in problem:
        return Problem("niepoprawny klucz (lista lub sekcja w miejscu nazwy pola)", line=line)
    return Problem(
        "błąd składni YAML – sprawdź wcięcia, dwukropki po nazwach pól i cudzysłowy "
        f"({problem or 'niepoprawna struktura'})",
        line=line,
    )


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise FormError([Problem(f"klucz „{key}” występuje dwa razy w tej samej sekcji")])
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise FormError([Problem(f"niedozwolona wartość liczbowa {name}")])


def parse_text(text: str, suffix: str) -> Any:
    if suffix == ".json":
        try:
            return json.loads(text, object_pairs_hook=_reject_duplicates,
                              parse_constant=_reject_constant)
        except json.JSONDecodeError as exc:
            raise FormError([Problem(f"błąd składni JSON: {_JSON_MESSAGES.get(exc.msg, exc.msg)}",
                                     line=exc.lineno)]) from None
        except RecursionError:
            raise FormError([Problem("zbyt głębokie zagnieżdżenie danych w pliku")]) from None
    loader = None
    try:
        loader = _FormLoader(text)  # the reader already refuses control characters here
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        raise FormError([_yaml_problem(exc)]) from None
    except RecursionError:
        raise FormError([Problem("zbyt głębokie zagnieżdżenie danych w pliku")]) from None
    finally:
        if loader is not None:
            loader.dispose()


_JSON_MESSAGES = {
    "Expecting value": "oczekiwano wartości",
    "Expecting property name enclosed in double quotes": "nazwa pola musi być w cudzysłowie",
    "Expecting ',' delimiter": "brakuje przecinka",
    "Expecting ':' delimiter": "brakuje dwukropka",
    "Extra data": "nadmiarowe dane po końcu dokumentu",
    "Unterminated string starting at": "niezamknięty cudzysłów",
    "Invalid control character at": "niedozwolony znak sterujący w tekście",
}


def parse(incoming: IncomingFile, formularze: Path | None = None) -> dict[str, Any]:
    """The form's mapping of fields; FormError with a line number when it cannot be read.

    `formularze` is the centre's own schema folder: a PDF form is checked against the schema
    it was made from."""
    suffix = Path(incoming.name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise FormError([Problem(
            f"nieobsługiwany rodzaj pliku „{suffix or 'bez rozszerzenia'}” – "
            "przyjmowane są formularze .yaml, .yml, .json i formularze PDF (.pdf)"
        )])
    if suffix == ".pdf":  # a filled PDF form (pipeline/pdfforms.py): the same kind of mapping
        from .pdfforms import read_form

        return read_form(incoming.content, formularze)
    data = parse_text(decode(incoming.content), suffix)
    if data is None:
        raise FormError([Problem("plik nie zawiera żadnych pól formularza")])
    if not isinstance(data, dict):
        raise FormError([Problem(
            "plik musi zawierać pola formularza w postaci „nazwa: wartość”, a zawiera "
            "pojedynczą wartość lub listę"
        )])
    return data
