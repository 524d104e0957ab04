"""The checklist's clocks: date arithmetic, the item builder and the recurring items
(monthly reports, periodic assessments, visits) of a cycle of cooperation."""

from __future__ import annotations

import calendar
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from pipeline.core.config import Terminy
from pipeline.core.polish import month_name, pl_date
from pipeline.sprawa.case import Cycle
from pipeline.sprawa.family import as_date
from pipeline.sprawa.register import Entry

# niepodpisany: filed, but no complete signed scan came in time (`skany.add_unsigned`);
# decyzja: the kierownik decides whether to tell the court (a refusal at the first meeting);
# podpisany_elektronicznie: filed, every required electronic signature verified (`scans.stan`)
Status = Literal["jest", "po_terminie", "brak", "oczekuje", "niepodpisany", "decyzja",
                 "podpisany_elektronicznie"]
# the statuses counted (`Checklist.counts`); `decyzja` is shown on its item, never counted
STATUSES: tuple[Status, ...] = ("jest", "po_terminie", "brak", "oczekuje", "niepodpisany",
                                "podpisany_elektronicznie")
OPTIONAL_STATUSES = ("niepodpisany", "podpisany_elektronicznie")  # in the JSON only when present


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31.01 + 1 = 28/29.02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, slots=True)  # a large centre holds tens of thousands of them
class Item:
    zalacznik: int
    okres: str | None
    status: Status
    termin: date | None
    plik: str | None
    opis: str
    rodzaj: str = ""  # an item of a kind beyond the sixteen (the closing), zalacznik 0

    def to_json(self) -> dict[str, Any]:
        return {
            "zalacznik": self.zalacznik,
            **({"rodzaj": self.rodzaj} if self.rodzaj else {}),
            "okres": self.okres,
            "status": self.status,
            "termin": self.termin.isoformat() if self.termin else None,
            "plik": self.plik,
            "opis": self.opis,
        }


class Builder:
    """The items of one checklist as they are found. `came` gives the day a document
    counts as delivered (a monthly report: its first version's day)."""

    def __init__(self, as_of: date, came: Callable[[Entry], date] | None = None) -> None:
        self.as_of = as_of
        self.items: list[Item] = []
        self.came = came or (lambda e: e.data)

    def add(self, zalacznik: int, opis: str, termin: date | None, doc: Entry | None,
            okres: str | None = None) -> None:
        """A document due by `termin`: its status follows from whether and when it came."""
        if doc is not None:
            status: Status = ("jest" if termin is None or self.came(doc) <= termin
                              else "po_terminie")
        else:
            status = "brak" if termin is not None and self.as_of > termin else "oczekuje"
        self.put(zalacznik, opis, termin, status, doc, okres)

    def sorted(self) -> tuple[Item, ...]:
        """By attachment and deadline; the closing's items after the sixteen."""
        return tuple(sorted(self.items, key=lambda i: (i.zalacznik or 99, i.termin or date.min)))

    def put(self, zalacznik: int, opis: str, termin: date | None, status: Status,
            doc: Entry | None, okres: str | None = None, rodzaj: str = "") -> None:
        # the same description and period in every family: one string each, not thousands
        self.items.append(Item(zalacznik, okres and sys.intern(okres), status, termin,
                               doc.pdf if doc else None, sys.intern(opis),
                               rodzaj))

    def stop(self, closed: date) -> None:
        """The cycle closed on this date: nothing falls due after it (what came stays)."""
        self.items = [i for i in self.items
                      if i.termin is None or i.termin <= closed or i.plik is not None]


def monthly_reports(b: Builder, cycle: Cycle, start: date, end: date, terminy: Terminy) -> None:
    """A report (14) for every month of cooperation, due on the 5th of the next month."""
    reports = {d.dane.get("miesiac"): d for d in cycle.all(14)}
    month = date(start.year, start.month, 1)
    while month <= end:
        key = month_key(month)
        due = add_months(month, 1).replace(day=terminy.raport_miesieczny_dzien)
        b.add(14, f"Miesięczny raport z pracy z rodziną za {month_name(key)} r. – do "
                  f"{terminy.raport_miesieczny_dzien}. dnia następnego miesiąca",
              due, reports.get(key), okres=key)
        month = add_months(month, 1)


def periodic_assessments(b: Builder, cycle: Cycle, start: date, end: date, ended: bool,
                         terminy: Terminy) -> None:
    """(15) at least every N months from the start, each followed by a plan update (7)."""
    every = terminy.ocena_okresowa_miesiace
    assessments = [d for d in cycle.all(15) if d.data > start]
    updates = cycle.all(7)
    last = start
    while True:
        due = add_months(last, every)
        if ended and due > end:
            break
        found = next((d for d in assessments if d.data > last), None)
        b.add(15, f"Okresowa ocena sytuacji rodziny – co najmniej co {every} miesięcy",
              due, found, okres=month_key(due))
        if found is None:
            if due >= b.as_of or due > end:
                break
            last = due  # missed: the next one is still due six months on
            continue
        update_due = found.data + timedelta(days=terminy.aktualizacja_planu_dni)
        update = next((d for d in updates if d.data >= found.data), None)
        b.add(7, f"Aktualizacja planu pracy po okresowej ocenie z {pl_date(found.data)}",
              update_due, update, okres=month_key(found.data))
        last = found.data


def visits(b: Builder, cycle: Cycle, start: date, end: date, terminy: Terminy) -> None:
    """Flag every stretch of cooperation longer than N days without a logged visit (8)."""
    gap = terminy.dni_bez_wizyty
    logs = cycle.all(8)
    days = sorted({v for doc in logs for v in visit_days(doc) if start <= v <= end})
    previous = start
    for day in [*days, None]:
        limit = previous + timedelta(days=gap)
        if day is None:  # the open stretch since the last visit
            if limit < end:
                b.put(8, f"Brak wizyty od {pl_date(previous)} – wizyta co najmniej raz na {gap} dni",
                      limit, "brak", None, okres=month_key(limit))
            elif end == b.as_of:
                b.put(8, f"Następna wizyta (ostatnia {pl_date(previous)}) – co najmniej raz na "
                         f"{gap} dni", limit, "oczekuje", None, okres=month_key(limit))
            break
        if day > limit:  # the visit came, but late: the log that records it is the file
            log = next((d for d in logs if day in visit_days(d)), None)
            b.put(8, f"Przerwa w wizytach od {pl_date(previous)} do {pl_date(day)} "
                     f"({(day - previous).days} dni) – wizyta co najmniej raz na {gap} dni",
                  limit, "po_terminie", log, okres=month_key(limit))
        previous = day


def visit_days(doc: Entry) -> set[date]:
    rows = doc.dane.get("wizyty", [])
    return {d for d in (as_date(r.get("data")) for r in rows if isinstance(r, dict)) if d}
