"""The sixteen attachments' schemas (`formularze/zalNN.yaml`), the schemas of document kinds
beyond them (`formularze/<kind>.yaml`, see pipeline/sprawa/kinds.py) and where files ship from.

A schema file holds a cerberus schema under `pola`, each field carrying its
Polish label and help in cerberus' `meta` rule, plus the document's metadata
(title, archive file name, signatures, fixed paragraphs). The header fields
every form shares (`zalacznik`, `rodzina`, `data`; a kind has `rodzaj` in place
of `zalacznik`) are defined once, here.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.core.errors import ConfigError

ZALACZNIKI = range(1, 17)
# A document kind beyond the sixteen: lower-case letters, digits and "_", never "zalNN".
KIND_RE = r"\A(?!zal\d)[a-z][a-z0-9_]{0,39}\Z"
# \A…\Z and not ^…$: `$` also matches before a final newline, and "K-1\n" would be a second
# folder beside "K-1" that looks the same.
CASE_NUMBER_RE = r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z"
# Names Windows keeps for devices, whatever the case and whatever follows a dot ("nul.2025").
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                              *(f"LPT{i}" for i in range(10))})


def windows_problem(rodzina: str) -> str | None:
    """Why a folder of this name could not be opened on a Windows share (None if it can)."""
    if rodzina.endswith((".", " ")):
        return ("numer sprawy nie może kończyć się kropką ani spacją – Windows obcina je "
                "z nazwy folderu i nie otworzy teczki rodziny na dysku sieciowym")
    if rodzina.split(".", 1)[0].upper() in _WINDOWS_DEVICES:
        return (f"„{rodzina}” to w systemie Windows nazwa zastrzeżona dla urządzenia "
                "(CON, PRN, AUX, NUL, COM1–COM9, LPT1–LPT9) – folderu o takiej nazwie nie da się "
                "otworzyć na dysku sieciowym; użyj numeru sprawy nadanego przez ośrodek, "
                "np. K-2026-014")
    return None


def is_case_number(value: object) -> bool:
    """A well-formed case number: the one test for everything that names a family's folder."""
    return (isinstance(value, str) and re.fullmatch(CASE_NUMBER_RE, value) is not None
            and windows_problem(value) is None)


HEADER_FIELDS: dict[str, dict[str, Any]] = {
    "zalacznik": {
        "type": "integer",
        "required": True,
        "min": 1,
        "max": 16,
        "meta": {
            "etykieta": "Numer załącznika",
            "pomoc": "Numer załącznika procedury (1–16), którego dotyczy formularz.",
        },
    },
    "rodzina": {
        "type": "string",
        "required": True,
        "regex": CASE_NUMBER_RE,
        "numer_sprawy": True,  # names Windows cannot hold (FormValidator)
        "meta": {
            "etykieta": "Numer sprawy rodziny",
            "pomoc": "Numer sprawy nadany przez ośrodek, np. K-2026-014: litery bez polskich "
            "znaków, cyfry, kropka, myślnik lub podkreślenie (do 64 znaków).",
            "format": "litery bez polskich znaków, cyfry, kropka, myślnik lub podkreślenie, np. K-2026-014",
        },
    },
    "data": {
        "type": "date",
        "required": True,
        "meta": {
            "etykieta": "Data dokumentu",
            "pomoc": "Data, którą opatrzony jest dokument (RRRR-MM-DD).",
        },
    },
}


KIND_FIELD: dict[str, Any] = {
    "type": "string",
    "required": True,
    "meta": {
        "etykieta": "Rodzaj dokumentu",
        "pomoc": "Rodzaj dokumentu spoza szesnastu załączników procedury, np. notatka "
        "albo zakonczenie (w miejscu numeru załącznika).",
    },
}


def package_data(name: str) -> Path:
    """A shipped data folder: inside the installed package, or at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent  # pipeline/, where _dane is installed
    installed = here / "_dane" / name
    return installed if installed.is_dir() else here.parent / name


@dataclass(frozen=True)
class Signature:
    caption: str  # printed under the line, e.g. "podpis asystenta rodziny"
    person: str | None  # a template expression printed above the line, e.g. "asystent"


@dataclass(frozen=True)
class Schema:
    zalacznik: int  # 1–16, or 0 (register.NOT_NUMBERED) for a kind beyond the sixteen
    tytul: str
    nazwa_pliku: str  # slug used in archive names, e.g. "plan-pracy"
    wersja: int
    sporzadza: str  # who writes the document, printed at its foot
    tresc: tuple[str, ...]  # fixed paragraphs printed after the title
    podpisy: tuple[Signature, ...]
    pola: dict[str, Any]  # cerberus schema of the attachment's own fields
    source: Path
    rodzaj: str = ""  # the kind of a document beyond the sixteen (then zalacznik is 0)

    @property
    def ident(self) -> int | str:
        """The attachment's number, or the kind's name."""
        return self.rodzaj or self.zalacznik

    @property
    def key(self) -> str:
        """The stem of its schema, example and template files: `zal06`, `notatka`."""
        return file_stem(self.ident)

    @functools.cached_property
    def cerberus(self) -> dict[str, Any]:
        """The full cerberus schema: the common header, then the attachment's fields.
        Made once per schema (validators are cached by it); nobody may change it."""
        header = copy.deepcopy(HEADER_FIELDS)
        if self.rodzaj:  # `rodzaj: <kind>` in place of `zalacznik: N`
            del header["zalacznik"]
            header = {"rodzaj": {**copy.deepcopy(KIND_FIELD), "allowed": [self.rodzaj]}, **header}
        return {**header, **self.pola}


def file_stem(ident: int | str) -> str:
    return ident if isinstance(ident, str) else f"zal{ident:02d}"


def is_kind_name(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(KIND_RE, value) is not None


def schema_path(n: int | str, override: Path | None = None) -> Path:
    """The schema of an attachment (a number) or of a kind (a name): the centre's first."""
    name = f"{file_stem(n)}.yaml"
    if override is not None and (override / name).is_file():
        return override / name
    return package_data("formularze") / name


def _require(doc: dict[str, Any], key: str, kind: type, where: str, problems: list[str]) -> Any:
    value = doc.get(key)
    if not isinstance(value, kind):
        problems.append(f"{where}: brak lub zły typ klucza „{key}”")
    return value


def iter_fields(pola: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every field, nested ones included, as (dotted key, cerberus rules)."""
    for key, rules in pola.items():
        path = f"{prefix}{key}"
        yield path, rules
        inner = rules.get("schema")
        if rules.get("type") == "list" and isinstance(inner, dict):
            if inner.get("type") == "dict":
                yield from iter_fields(inner.get("schema", {}), f"{path}[].")
        elif rules.get("type") == "dict" and isinstance(inner, dict):
            yield from iter_fields(inner, f"{path}.")


def describe(n: int | str) -> str:
    """„załącznika 6” / „rodzaju „notatka””: whose schema a message is about."""
    return f"rodzaju „{n}”" if isinstance(n, str) else f"załącznika {n}"


# libyaml's safe loader when present (ten times faster); the forms' parser builds on it too
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=64)
def _load(path: Path, n: int | str) -> Schema:
    where = str(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError([f"nie można wczytać schematu {describe(n)}: {exc}"], where) from None
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ConfigError([f"schemat {describe(n)} nie jest słownikiem YAML"], where)
    _check_identity(doc, n, where, problems)
    tytul = _require(doc, "tytul", str, where, problems)
    if isinstance(n, str) and "nazwa_pliku" not in doc:
        doc["nazwa_pliku"] = n.replace("_", "-")  # a kind's archive names start with its name
    slug = _require(doc, "nazwa_pliku", str, where, problems)
    wersja = _require(doc, "wersja", int, where, problems)
    pola = _require(doc, "pola", dict, where, problems)
    tresc = doc.get("tresc") or []
    podpisy = _signatures(doc.get("podpisy") or [], where, problems)
    if isinstance(pola, dict):
        _check_fields(pola, where, problems)
    if problems:
        raise ConfigError(problems, where)
    sporzadza = str(doc.get("sporzadza") or "asystent rodziny")
    if isinstance(n, str):
        return Schema(0, tytul, slug, wersja, sporzadza, tuple(tresc), tuple(podpisy), pola,
                      path, rodzaj=n)
    return Schema(n, tytul, slug, wersja, sporzadza, tuple(tresc), tuple(podpisy), pola, path)


def _check_identity(doc: dict[str, Any], n: int | str, where: str, problems: list[str]) -> None:
    """The schema says which attachment (`zalacznik`) or kind (`rodzaj`) it is, as its file does."""
    if isinstance(n, str):
        if doc.get("rodzaj") != n or "zalacznik" in doc:
            problems.append(f"{where}: schemat rodzaju dokumentu musi mieć klucz „rodzaj: {n}” "
                            "(zgodny z nazwą pliku) i nie może mieć klucza „zalacznik”")
    elif doc.get("zalacznik") != n:
        problems.append(f"{where}: klucz „zalacznik” powinien mieć wartość {n}")


def _signatures(raw: list[Any], where: str, problems: list[str]) -> list[Signature]:
    """The signature lines (`podpisy`): each names what is signed, optionally by whom."""
    podpisy = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("podpis"), str):
            problems.append(f"{where}: każdy podpis potrzebuje klucza „podpis”")
            continue
        podpisy.append(Signature(item["podpis"], item.get("osoba")))
    return podpisy


def _check_fields(pola: dict[str, Any], where: str, problems: list[str]) -> None:
    """Every field has a label and help (meta), and none takes a name of the common header."""
    for key, rules in iter_fields(pola):
        meta = rules.get("meta") if isinstance(rules, dict) else None
        if not isinstance(meta, dict) or not meta.get("etykieta") or not meta.get("pomoc"):
            problems.append(f"{where}: pole „{key}” potrzebuje meta.etykieta i meta.pomoc")
    for key in (*HEADER_FIELDS, "rodzaj"):
        if key in pola:
            problems.append(f"{where}: pole „{key}” jest wspólne dla wszystkich załączników")


def load_schema(n: int | str, override: Path | None = None) -> Schema:
    """The schema of attachment `n` (1–16) or of the document kind named `n`."""
    return _load(schema_path(n, override), n)


def form_kinds(override: Path | None = None) -> list[str]:
    """The kinds a form may name in `rodzaj:`: every `<kind>.yaml` shipped or in the centre's
    own schema folder, in alphabetical order."""
    names: set[str] = set()
    for folder in (package_data("formularze"), override):
        if folder is not None and folder.is_dir():
            names |= {p.stem for p in folder.glob("*.yaml") if is_kind_name(p.stem)}
    return sorted(names)


def label_of(schema: dict[str, Any], path: tuple[Any, ...]) -> str:
    """The Polish label path for a document path, e.g. 'Członkowie rodziny › poz. 2 › PESEL'."""
    parts: list[str] = []
    rules: dict[str, Any] | None = None
    current: dict[str, Any] | None = schema
    for step in path:
        if isinstance(step, int):
            parts.append(f"poz. {step + 1}")
            inner = (rules or {}).get("schema")
            if isinstance(inner, dict) and inner.get("type") == "dict":
                current = inner.get("schema")
            else:
                current = None
                rules = inner if isinstance(inner, dict) else None
            continue
        rules = (current or {}).get(step) if isinstance(current, dict) else None
        if not isinstance(rules, dict):
            parts.append(str(step))
            current = None
            continue
        parts.append(rules.get("meta", {}).get("etykieta", str(step)))
        current = rules.get("schema") if rules.get("type") == "dict" else None
    return " › ".join(parts)


def key_of(path: tuple[Any, ...]) -> str:
    """A document path as people count: czlonkowie[2].pesel (positions from 1)."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step + 1}]"
        else:
            out += ("." if out else "") + str(step)
    return out
