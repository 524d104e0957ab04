"""What is due, per person: the one place this package reads the case rules' results.

The digests and calendars take the same items the dashboard's „Do zrobienia” list and the
checklists give; every call into `pipeline.documents` and `pipeline.sprawa` that they need is
in this module, so when the case model changes, this is the one file to follow it.
Nothing here carries a family's data: a case number, an attachment number and its
title, a period (RRRR-MM), dates and statuses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.documents.dashboard import todo_lines
from pipeline.documents.looks import status_look
from pipeline.documents.overview import all_checklists
from pipeline.sprawa import kinds
from pipeline.sprawa.checklist import Checklist, Item
from pipeline.sprawa.family import person_key
from pipeline.sprawa.schemas import load_schema

# statuses of an item whose deadline is not met yet (a calendar event)
OPEN_STATUSES = ("brak", "oczekuje")
COURT_ITEM = "Poinformowanie sądu rodzinnego o zakończeniu współpracy"


@dataclass(frozen=True, slots=True)  # a large centre has tens of thousands
class DueItem:
    """One thing to do: a deadline of a case, with nothing of the family in it."""

    rodzina: str
    zalacznik: int  # 0 for a kind beyond the sixteen (`rodzaj`)
    rodzaj: str
    tytul: str  # the attachment's title (its schema) or the kind's
    okres: str | None  # RRRR-MM of a monthly report, an assessment…
    termin: date | None
    status: str  # brak | po_terminie | niepodpisany | oczekuje
    soon: bool  # awaited and due within `[terminy] do_zrobienia_dni` (not late yet)
    uid: str  # stable across runs: the same deadline keeps it (calendar UID)

    @property
    def label(self) -> str:
        """„zał. 14 Miesięczny raport… (2026-10)” – what a person reads."""
        number = f"zał. {self.zalacznik} " if self.zalacznik else ""
        period = f" ({self.okres})" if self.okres else ""
        return f"{number}{self.tytul}{period}"


@dataclass(frozen=True)
class CaseState:
    """One family's case as the notices see it."""

    rodzina: str
    asystent: str  # as written in attachment 1 ("" when none yet)
    key: str  # the person key the 15-family limit matches by
    active: bool  # takes one of the assistant's places
    open_items: tuple[DueItem, ...]  # every dated deadline not met yet (the calendar)


@dataclass(frozen=True)
class Snapshot:
    """The centre on one day: its cases and its „Do zrobienia” list."""

    na_dzien: date
    horizon_days: int
    limit: int
    cases: tuple[CaseState, ...]
    todo: tuple[DueItem, ...]

    def assistants(self) -> dict[str, str]:
        """Person key → the name as first written, of everyone with a case."""
        out: dict[str, str] = {}
        for case in self.cases:
            if case.key:
                out.setdefault(case.key, case.asystent)
        return out

    def cases_of(self, key: str) -> list[CaseState]:
        return [c for c in self.cases if c.key == key]

    def todo_of(self, key: str) -> list[DueItem]:
        mine = {c.rodzina for c in self.cases_of(key)}
        return [i for i in self.todo if i.rodzina in mine]


def person(name: str | None) -> str:
    """An assistant's name as a key, matched as the 15-family limit matches it."""
    return person_key(name)


def status_label(status: str) -> str:
    """BRAK, po terminie, niepodpisany…: as the checklists and index.html write a status."""
    return status_look(status).label


OTHER_DOCUMENT = "Dokument spoza szesnastu załączników"


def title(zalacznik: int, rodzaj: str, settings: Settings) -> str:
    """The attachment's or kind's title; an unsigned document of a kind comes from the
    scans' checklist items without its kind (`skany.add_unsigned`): a general name then."""
    if rodzaj:
        return kinds.title(rodzaj, settings.foldery.formularze)
    if not zalacznik:
        return OTHER_DOCUMENT
    return load_schema(zalacznik, settings.foldery.formularze).tytul


def _uid(checklist: Checklist, item: Item) -> str:
    """The same deadline, the same UID: the case, its cycle, the attachment (or kind), the
    period, and for the hand-over's second item (the interview) what it is. The date is
    left out so a moved deadline moves the event instead of making another."""
    part = "wywiad" if item.zalacznik == 2 and item.opis.startswith("Wywiad") else ""
    cycle = checklist.cykl_od.isoformat() if checklist.cykl_od else ""
    key = "|".join((checklist.rodzina, cycle, str(item.zalacznik), item.rodzaj,
                    item.okres or "", part, item.status if item.status == "niepodpisany" else ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _due(checklist: Checklist, item: Item, soon: bool, titles: Mapping[tuple[int, str], str]
         ) -> DueItem:
    court = item.rodzaj == kinds.ZAKONCZENIE and item.termin is not None
    return DueItem(checklist.rodzina, item.zalacznik, item.rodzaj,
                   COURT_ITEM if court else titles[(item.zalacznik, item.rodzaj)],
                   item.okres, item.termin, item.status, soon, _uid(checklist, item))


def snapshot(settings: Settings, as_of: date, checklists: list[Checklist] | None = None) -> Snapshot:
    """Every case's deadlines and the centre's „Do zrobienia” list on `as_of` (from every
    family's checklist on that day, when the caller has them already)."""
    checklists = all_checklists(settings, as_of) if checklists is None else checklists
    kinds_seen = {(i.zalacznik, i.rodzaj) for c in checklists for i in c.pozycje}
    titles = {(n, rodzaj): title(n, rodzaj, settings) for n, rodzaj in kinds_seen}
    days = settings.terminy.do_zrobienia_dni
    todo = tuple(_due(line.checklist, line.item, line.soon, titles)
                 for line in todo_lines(checklists, as_of, days))
    cases = tuple(CaseState(
        c.rodzina, (c.asystent or "").strip(), person(c.asystent), c.active,
        tuple(_due(c, i, False, titles) for i in c.pozycje
              if i.status in OPEN_STATUSES and i.termin is not None))
        for c in checklists)
    return Snapshot(as_of, days, settings.terminy.limit_rodzin, cases, todo)


def calendar_dir(outbox: Path) -> Path:
    return outbox / "kalendarze"
