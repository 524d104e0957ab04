"""Polish words: how values, dates, months and counts read in a Polish text.

Pure functions, no I/O, shared by every module that writes Polish for a person:
the documents (render's `pl` filter is `display`), the messages (validate,
limits, the command line), the checklist, the monthly reports, the case binder
and the PDF forms. One rule lives here too: which members of a family are its
parents or guardians (`is_parent`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

EMPTY = "—"
NBSP = "\u00a0"
MONTHS = ("styczeń", "luty", "marzec", "kwiecień", "maj", "czerwiec", "lipiec", "sierpień",
          "wrzesień", "październik", "listopad", "grudzień")
_MONTH_KEY = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
GENITIVE_MONTHS = ("stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca",
                   "sierpnia", "września", "października", "listopada", "grudnia")
_GENITIVE_MONTHS = "|".join(GENITIVE_MONTHS)
# spaces a line must not break at (Polish typesetting): inside a number, between a number
# and its unit or „r.”, after an abbreviation that precedes a number, between a day and
# its month („9 czerwca”), inside „kwiecień 2025”
_NUMBER_TIES = [re.compile(pattern) for pattern in (
    r"(?<=\d) (?=\d{3}(?!\d))",
    r"(?<=\d) (?=(?:zł|gr|r\.|%|godz\.|mies\.|min\.|m²|m2|km|tys\.|mln|os\.)(?!\w))",
    r"(?<![\w.])(?:art\.|ust\.|pkt|lit\.|nr|poz\.|str\.|§|tel\.|godz\.|kl\.|Nr) (?=\d)",
    rf"(?<=\d) (?=(?:{_GENITIVE_MONTHS})(?!\w))",
    rf"(?<![\w])(?:{'|'.join(MONTHS)}) (?=\d{{4}}(?!\d))",
)]
# and in the fixed texts of a template also after a one-letter word and before a dash
_WORD_TIES = [re.compile(pattern) for pattern in (
    r"(?<![\w.])(?:art\.|ust\.|pkt|lit\.|nr|poz\.) (?=\S)",
    r"(?<![\w\-–.,])[aiouwzAIOUWZ] (?=\S)",
    r" (?=[–—](?: |$))",
)]


def month_name(key: str) -> str:
    """`2025-04` → `kwiecień 2025` (nominative, which is also the accusative: „za kwiecień”)."""
    match = _MONTH_KEY.fullmatch(key)
    if not match:
        raise ValueError(key)
    return f"{MONTHS[int(match[2]) - 1]} {match[1]}"


_IN_MONTHS = ("w styczniu", "w lutym", "w marcu", "w kwietniu", "w maju", "w czerwcu", "w lipcu",
              "w sierpniu", "we wrześniu", "w październiku", "w listopadzie", "w grudniu")


def in_month(key: str) -> str:
    """`2025-09` → `we wrześniu 2025 r.`: the month after „w”, as a sentence needs it."""
    match = _MONTH_KEY.fullmatch(key)
    if not match:
        raise ValueError(key)
    return f"{_IN_MONTHS[int(match[2]) - 1]} {match[1]} r."


def typeset(text: str, *, words: bool = False) -> str:
    """Non-breaking spaces where Polish typesetting forbids a line break: in numbers, amounts
    and dates; with `words` (a template's fixed text) also after one-letter words and
    before a dash. A person's value keeps its spaces between words as typed."""
    for pattern in _NUMBER_TIES + (_WORD_TIES if words else []):
        text = pattern.sub(lambda m: m[0][:-1] + NBSP if m[0].endswith(" ") else NBSP, text)
    return text


def _number(value: float) -> str:
    """`1780`, `14,5`, `12 345,67`: a decimal comma, thousands apart from 10 000 on."""
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    whole, _, fraction = text.partition(".")
    if len(whole.replace(",", "").lstrip("-")) < 5:
        whole = whole.replace(",", "")
    return whole.replace(",", NBSP) + ("," + fraction if fraction else "")


def display(value: Any) -> str:
    """How a value reads in a Polish document."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "tak" if value else "nie"
    if isinstance(value, date):
        return pl_date(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, list):
        return ", ".join(display(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display(v)}" for k, v in value.items())
    text = str(value)
    if _MONTH_KEY.fullmatch(text):
        return month_name(text)
    return typeset(text)


_NAME_WORDS = re.compile(r"\b([A-ZĄĆĘŁŃÓŚŹŻ][\w.-]*) (?=[A-ZĄĆĘŁŃÓŚŹŻ])")


def person(value: Any) -> str:
    """A value that names a person, as printed (`display`), with non-breaking spaces between
    the capitalised words of each name: „Danuta Jóźwiak” never ends one line and starts the
    next, while the words around it („Beata Szczęsna, wychowawczyni klasy 3b”) still wrap
    and a double surname may break at its hyphen. The templates' `osoba` filter."""
    return _NAME_WORDS.sub(lambda m: m[1] + NBSP, display(value))  # `pl` output reads the same


def pl_count(n: int, one: str, few: str, many: str) -> str:
    """`1 dokument`, `3 dokumenty`, `12 dokumentów`: Polish plural forms."""
    if n == 1:
        return f"{n} {one}"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return f"{n} {few}"
    return f"{n} {many}"


def pl_date(day: date, *, words: bool = False) -> str:
    """The one date style of every document (FORMAT.md, „Daty”): `03.03.2025` in tables,
    lists, footers and the page code; with `words`, in running text (a sentence, a header
    „dnia …”, a title, PDF metadata): `3 marca 2025 r.`, its spaces non-breaking: a line
    never breaks inside a date."""
    if not words:
        return day.strftime("%d.%m.%Y")
    return f"{day.day}{NBSP}{GENITIVE_MONTHS[day.month - 1]}{NBSP}{day.year}{NBSP}r."


def meta_date(day: date) -> str:
    """A date in a PDF's title or subject: in words, as in running text („9 stycznia 2026 r.”)."""
    return pl_date(day, words=True).replace(NBSP, " ")


def keyword_phrases(keywords: str) -> str:
    """A PDF's keywords („asystent rodziny; załącznik nr 8; K-2025-001”) as LibreOffice keeps
    them: it splits a DOCX's keywords at every ordinary space, so the spaces inside a phrase
    are non-breaking; the PDF lists „asystent rodziny, załącznik nr 8, K-2025-001”."""
    return "; ".join(phrase.strip().replace(" ", NBSP) for phrase in keywords.split(";"))


def in_words(value: Any) -> str:
    """How a value reads in a sentence: a date in words („3 marca 2025 r.”), anything else
    as `display` writes it. The templates' `slownie` filter."""
    if isinstance(value, date):
        return pl_date(value, words=True)
    return display(value)


# Who signs for the family and is named as its „rodzice”: a parent or a legal guardian
# (DOMAIN.md: "members: parents/guardians and children"; the schemas' `pokrewienstwo` help
# lists „matka, ojciec, opiekun prawny”, their `rodzice` fields ask for „rodziców lub opiekunów
# prawnych”). A step-parent, a godparent or a grandparent is a member, not a parent.
PARENT_RELATIONS = frozenset({
    "matka", "ojciec", "rodzic", "opiekun", "opiekunka", "opiekun prawny", "opiekunka prawna",
})


def is_parent(relation: Any) -> bool:
    """Whether a member's `pokrewienstwo` makes them a parent or legal guardian (any case and
    spacing: „Matka”, „opiekun  prawny”)."""
    return " ".join(str(relation or "").lower().split()) in PARENT_RELATIONS


def parent_names(members: Iterable[Any]) -> list[str]:
    """The names of a family's parents and legal guardians, in the members' order."""
    return [str(m["imie_nazwisko"]) for m in members
            if isinstance(m, Mapping) and m.get("imie_nazwisko") and is_parent(m.get("pokrewienstwo"))]
