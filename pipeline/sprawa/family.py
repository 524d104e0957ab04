"""The family's people and contacts, as the documents record them (the case model's parts,
`pipeline/sprawa/case.py`): members with their role and birth date, who is a child on a
day and who a parent, the assistant's identity, and the contacts with the family in a
period from every document that records one (visit logs 8, monitoring cards 11,
meetings 16)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from pipeline.core.polish import is_parent
from pipeline.sprawa.register import Entry

ADULT_AGE = 18
# Relations that make a member without a birth date a child (the first word, any case).
CHILD_RELATIONS = ("syn", "córka", "dziecko", "pasierb", "pasierbica", "wnuk", "wnuczka",
                   "wychowanek", "wychowanka")


def as_date(value: Any) -> date | None:
    """A date from the register (ISO text), or None when it is not one."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def person_key(name: Any) -> str:
    """An assistant's name as a key: spacing and letter case do not make another person."""
    return re.sub(r"\s+", " ", str(name or "").strip()).casefold()


def person_name(name: Any) -> str:
    """An assistant's name as printed: spacing tidied, letter case as typed."""
    return " ".join(str(name or "").split())


# -- members ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    imie_nazwisko: str | None
    pokrewienstwo: str
    urodzony: date | None
    pesel: str = ""

    @property
    def dated(self) -> bool:
        return self.urodzony is not None

    @property
    def parent(self) -> bool:
        return is_parent(self.pokrewienstwo)  # the one rule (core/polish.py: pdf forms use it)

    def child_on(self, day: date) -> bool:
        """Under 18 on that day; without a birth date, by relation (syn, córka…)."""
        if self.urodzony is None:
            words = self.pokrewienstwo.lower().split()
            return bool(words) and words[0] in CHILD_RELATIONS
        born = self.urodzony
        try:
            eighteenth = born.replace(year=born.year + ADULT_AGE)
        except ValueError:  # born on 29 February: of age on 1 March
            eighteenth = date(born.year + ADULT_AGE, 3, 1)
        return born <= day < eighteenth

    @property
    def key(self) -> tuple[str, ...] | None:
        """Who the member is across documents (never printed): name and birth date, else
        PESEL, else the name."""
        name = " ".join((self.imie_nazwisko or "").casefold().split())
        if name and self.urodzony:
            return ("n", name, self.urodzony.isoformat())
        if self.pesel:
            return ("p", self.pesel)
        return ("n", name) if name else None


def members(values: Mapping[str, Any]) -> list[Member]:
    """The members a form lists (`czlonkowie` of 1 or 4), in its order."""
    out = []
    for raw in values.get("czlonkowie") or []:
        if not isinstance(raw, Mapping):
            continue
        name = str(raw.get("imie_nazwisko") or "").strip() or None
        out.append(Member(name, str(raw.get("pokrewienstwo") or ""),
                          as_date(raw.get("data_urodzenia")), str(raw.get("pesel") or "").strip()))
    return out


def children(people: Iterable[Member], on: date) -> list[Member]:
    """The members who are children on that day (under 18; undated ones by relation)."""
    return [m for m in people if m.child_on(on)]


def parents(people: Iterable[Member]) -> list[str]:
    """The names of the named parents and legal guardians, in the members' order."""
    return [m.imie_nazwisko for m in people if m.parent and m.imie_nazwisko]


# -- contacts --------------------------------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """One contact with the family: a visit (8), a monitoring contact (11), a meeting (16)."""

    data: date
    zalacznik: int
    forma: str
    godzina_od: str | None = None
    godzina_do: str | None = None
    opis: str | None = None
    miejsce: str | None = None

    @property
    def godzin(self) -> float:
        return hours(self.godzina_od, self.godzina_do)


def hours(start: Any, end: Any) -> float:
    """The hours between two `GG:MM` times (0 when either is not one)."""
    try:
        h1, m1 = map(int, str(start).split(":"))
        h2, m2 = map(int, str(end).split(":"))
    except ValueError:
        return 0.0
    return max(0, (h2 * 60 + m2) - (h1 * 60 + m1)) / 60


def contacts(entries: Iterable[Entry], od: date, do: date) -> list[Contact]:
    """Every contact with the family dated in the period, each once, in date order."""
    found: dict[tuple[Any, ...], Contact] = {}
    for entry in entries:
        if entry.rodzaj:
            continue
        for contact in _contacts_of(entry):
            if od <= contact.data <= do:
                found.setdefault((contact.data, contact.zalacznik, contact.godzina_od,
                                  contact.forma), contact)
    return [found[k] for k in sorted(found, key=lambda k: (k[0], k[1], str(k[2]), k[3]))]


def _contacts_of(entry: Entry) -> Iterable[Contact]:
    dane = entry.dane
    if entry.zalacznik == 8:
        for row in _rows(dane.get("wizyty")):
            if (day := as_date(row.get("data"))) is not None:
                yield Contact(day, 8, "wizyta", _text(row.get("godzina_od")),
                              _text(row.get("godzina_do")), _text(row.get("dzialania")),
                              _text(row.get("miejsce")))
    elif entry.zalacznik == 11:
        for row in _rows(dane.get("wizyty")):
            if (day := as_date(row.get("data"))) is not None:
                yield Contact(day, 11, _text(row.get("forma")) or "kontakt", None, None,
                              _text(row.get("obserwacje")))
    elif entry.zalacznik == 16:
        yield Contact(entry.data, 16, "spotkanie zespołu", _text(dane.get("godzina_od")),
                      _text(dane.get("godzina_do")), _text(dane.get("cel_spotkania")),
                      _text(dane.get("miejsce")))


def institution_contacts(entries: Iterable[Entry], od: date, do: date) -> list[dict[str, Any]]:
    """The assistant's contacts with institutions in the period (8 and 11), each once."""
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in entries:
        if entry.rodzaj or entry.zalacznik not in (8, 11):
            continue
        for row in _rows(entry.dane.get("kontakty")):
            day = as_date(row.get("data"))
            if day is not None and od <= day <= do:
                found.setdefault((day, str(row.get("instytucja")), str(row.get("cel"))),
                                 {"data": day, "instytucja": row.get("instytucja"),
                                  "forma": row.get("forma"), "cel": row.get("cel")})
    return [found[k] for k in sorted(found)]


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [r for r in value if isinstance(r, Mapping)] if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


