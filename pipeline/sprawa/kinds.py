"""Document kinds beyond the sixteen attachments: a form whose header says `rodzaj: <kind>`
in place of `zalacznik: N`.

A kind is a pair of files: the schema `formularze/<kind>.yaml` (its first key
`rodzaj: <kind>`) and the template `zalaczniki_templates/<kind>.docx`, with an
example in `formularze/przyklady/<kind>.yaml`. A centre adds its own kind by
putting such a pair into its own folders (`[foldery] formularze` and `szablony`
in asysta.toml): it is validated, rendered, archived and bound into the teczka
like the sixteen, and counts nowhere in the checklist. The archive names a kind's
documents `<prefix>_<date>` (`zakonczenie_2026-05-31.pdf`), and, when the kind has
a subject field `temat`, `<prefix>_<date>_<subject>` (`notatka_2026-03-15_wizyta-w-szkole.pdf`):
two notes of one date with different subjects are two documents.

`KINDS` names the kinds the program knows itself, with their Polish titles and
archive prefixes: the three shipped forms and the court report that
`asysta sad` files (`sprawozdanie_sad`, made by the program, not from a form).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError
from pipeline.sprawa.register import SUBJECT_FIELD
from pipeline.sprawa.schemas import form_kinds, load_schema

ZAKONCZENIE, NOTATKA, SAD, SPRAWOZDANIE_SAD = "zakonczenie", "notatka", "sad", "sprawozdanie_sad"


@dataclass(frozen=True)
class Kind:
    tytul: str  # the Polish title: teczka, checklist, documents
    prefiks: str  # the start of its archive names, e.g. "notatka" → notatka_2026-03-15_…


KINDS: dict[str, Kind] = {
    ZAKONCZENIE: Kind("Zakończenie współpracy z rodziną", "zakonczenie"),
    NOTATKA: Kind("Notatka służbowa", "notatka"),
    SAD: Kind("Informacja asystenta rodziny dla sądu rodzinnego", "sad"),
    SPRAWOZDANIE_SAD: Kind("Sprawozdanie dla sądu rodzinnego", "sprawozdanie-sad"),
}

# The five reasons a case's cooperation ends (seed 004 §14), in the order of the figures'
# keys (`asysta sprawozdanie`: zakonczone_powody).
POWODY: dict[str, str] = {
    "osiągnięcie celów planu": "cele_osiagniete",
    "brak współpracy rodziny": "brak_wspolpracy",
    "rezygnacja rodziny złożona pisemnie": "rezygnacja",
    "zmiana miejsca zamieszkania poza gminę": "zmiana_miejsca_zamieszkania",
    "inny powód": "inne",
}
# Reasons after which the family court is informed (seed 004 §14).
POWODY_SAD = ("brak współpracy rodziny", "rezygnacja rodziny złożona pisemnie")
# The consent form's (3) refusal: it ends the cycle like a closing for lack of cooperation.
ODMOWA = "nie wyrażamy zgody na współpracę z asystentem rodziny"


def title(rodzaj: str, override: Path | None = None) -> str:
    """The Polish title of a kind: the program's own, else its schema's, else its name."""
    if rodzaj in KINDS:
        return KINDS[rodzaj].tytul
    try:
        return load_schema(rodzaj, override).tytul
    except ConfigError:
        return rodzaj


def known(override: Path | None = None) -> list[str]:
    """The kinds a form may name (each has a schema), alphabetically."""
    return form_kinds(override)


_SLUG_LENGTH = 40


def slug(text: str) -> str:
    """A subject as part of a file name: ASCII, lower case, words joined by hyphens,
    at most 40 characters cut at a word („Wizyta w szkole – Zofia” → wizyta-w-szkole-zofia)."""
    plain = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L"))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    words = re.findall(r"[a-z0-9]+", plain)
    out = ""
    for word in words:
        candidate = f"{out}-{word}" if out else word
        if len(candidate) > _SLUG_LENGTH:
            break
        out = candidate
    return out or (words[0][:_SLUG_LENGTH] if words else "")


def archive_stem(prefix: str, day: str, values: Mapping[str, object]) -> str:
    """`<prefix>_<date>`, with the subject's slug when the kind has a subject."""
    subject = values.get(SUBJECT_FIELD)
    tail = slug(subject) if isinstance(subject, str) else ""
    return f"{prefix}_{day}_{tail}" if tail else f"{prefix}_{day}"
