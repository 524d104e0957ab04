"""Checklist: which documents a family's case requires as of a date, and their status.

Pure computation over the family's register (`register.Register`): no I/O here
except `load_docs`. The clocks are those of the procedure's stages of a case,
every number a setting in `[terminy]`.

Statuses: `jest` (present, on time), `po_terminie` (present, after its
deadline), `brak` (absent and its deadline has passed), `oczekuje` (absent,
deadline still ahead or not yet known). A document dated after the checklist's
date does not exist yet for it.

A case's cycle closes early on the date of a closing document (`rodzaj:
zakonczenie`, for any of the procedure's reasons) or of a consent form (3) that
records the family's refusal: no item falls due after that date, the stage is
„zakończona” and the assistant's place is free. After a closing for lack of
cooperation or a written resignation, and after a refusal, the court is to be
informed within `poinformowanie_sadu_dni`. Other kinds (service notes, the court
narrative) count nowhere here.
"""

from __future__ import annotations

import calendar
import dataclasses
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pipeline.core.config import Terminy
from pipeline.core.polish import month_name, pl_date
from pipeline.sprawa.kinds import ODMOWA, POWODY_SAD, ZAKONCZENIE
from pipeline.sprawa.register import MONTHLY_REPORT, NOT_NUMBERED, Register

# niepodpisany: filed, but no complete signed scan came in time (`skany.add_unsigned`)
# podpisany_elektronicznie: filed, with every required electronic signature verified
Status = Literal["jest", "po_terminie", "brak", "oczekuje", "niepodpisany",
                 "podpisany_elektronicznie"]
STATUSES: tuple[Status, ...] = ("jest", "po_terminie", "brak", "oczekuje", "niepodpisany",
                                "podpisany_elektronicznie")
OPTIONAL_STATUSES = ("niepodpisany", "podpisany_elektronicznie")  # counted only when present
PROBLEM_STATUSES = ("brak", "po_terminie")

KWALIFIKACJA, START, DIAGNOZA, WSPOLPRACA, MONITORING, ZAKONCZONA = (
    "kwalifikacja", "start", "diagnoza i plan", "współpraca", "monitoring", "zakończona")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31.01 + 1 = 28/29.02)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Doc:
    """One filed document as the checklist sees it (the newest version of it)."""

    zalacznik: int
    data: date
    pdf: str
    dane: dict[str, Any]
    rodzaj: str = ""  # a kind beyond the sixteen (zalacznik is 0)


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Checklist:
    rodzina: str
    na_dzien: date
    etap: str
    asystent: str | None
    cykl_od: date | None  # the assignment (1) that opened the current cycle
    pozycje: tuple[Item, ...] = field(default_factory=tuple)
    zakonczono: date | None = None  # the closing document's date, for a closed case

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.pozycje if i.status == s) for s in STATUSES}

    @property
    def has_problems(self) -> bool:
        return any(i.status in PROBLEM_STATUSES for i in self.pozycje)

    @property
    def next_deadline(self) -> Item | None:
        ahead = [i for i in self.pozycje if i.status == "oczekuje" and i.termin]
        return min(ahead, key=lambda i: i.termin or date.max) if ahead else None

    @property
    def active(self) -> bool:
        """Does the case take one of its assistant's 15 places?"""
        return self.etap not in (ZAKONCZONA, KWALIFIKACJA)

    def to_json(self) -> dict[str, Any]:
        nxt = self.next_deadline
        return {
            "rodzina": self.rodzina,
            "na_dzien": self.na_dzien.isoformat(),
            "etap": self.etap,
            "asystent": self.asystent,
            "cykl_od": self.cykl_od.isoformat() if self.cykl_od else None,
            "zakonczono": self.zakonczono.isoformat() if self.zakonczono else None,
            # `niepodpisany` only when there is one: the shape of a case without scans is kept
            "liczniki": {s: n for s, n in self.counts().items()
                         if n or s not in OPTIONAL_STATUSES},
            "najblizszy_termin": nxt.termin.isoformat() if nxt and nxt.termin else None,
            "pozycje": [i.to_json() for i in self.pozycje],
        }


def docs_from_register(register: Register) -> list[Doc]:
    """The current version of each document (`Register.current`). A monthly report (14)
    counts once per month, from the day it was first delivered: a later merged or corrected
    report for the same month does not make it late."""
    first_report: dict[str, Doc] = {}
    docs = []
    for entry in register.current():
        doc = Doc(entry.zalacznik, entry.data, entry.pdf, dict(entry.dane), entry.rodzaj)
        month = entry.document[2]
        if entry.zalacznik != MONTHLY_REPORT or not month:
            docs.append(doc)
        elif month not in first_report or doc.data < first_report[month].data:
            first_report[month] = doc
    return sorted([*docs, *first_report.values()], key=lambda d: (d.data, d.zalacznik))


def load_docs(folder: Path) -> list[Doc]:
    """The documents of a family folder; RegisterError when its register is damaged."""
    return docs_from_register(Register.load(folder))


class _Builder:
    def __init__(self, as_of: date) -> None:
        self.as_of = as_of
        self.items: list[Item] = []

    def add(self, zalacznik: int, opis: str, termin: date | None, doc: Doc | None,
            okres: str | None = None) -> None:
        """A document due by `termin`: its status follows from whether and when it came."""
        if doc is not None:
            status: Status = "jest" if termin is None or doc.data <= termin else "po_terminie"
        else:
            status = "brak" if termin is not None and self.as_of > termin else "oczekuje"
        self.put(zalacznik, opis, termin, status, doc, okres)

    def sorted(self) -> tuple[Item, ...]:
        """By attachment and deadline; the closing's items after the sixteen."""
        return tuple(sorted(self.items, key=lambda i: (i.zalacznik or 99, i.termin or date.min)))

    def put(self, zalacznik: int, opis: str, termin: date | None, status: Status,
            doc: Doc | None, okres: str | None = None, rodzaj: str = "") -> None:
        self.items.append(Item(zalacznik, okres, status, termin, doc.pdf if doc else None, opis,
                               rodzaj))

    def stop(self, closed: date) -> None:
        """The cycle closed on this date: nothing falls due after it (what came stays)."""
        self.items = [i for i in self.items
                      if i.termin is None or i.termin <= closed or i.plik is not None]


def _first(docs: list[Doc], n: int, after: date | None = None) -> Doc | None:
    for doc in docs:
        if doc.zalacznik == n and (after is None or doc.data >= after):
            return doc
    return None


def _cycles(docs: list[Doc]) -> list[list[Doc]]:
    """Split a case into cycles: each assignment (1) opens one; a re-enrolment request (13)
    closes its cycle and opens an empty one that waits for a new assignment. A closing
    (`zakonczenie`) or a refusing consent (3) closes its cycle too (see `_ending`), which
    stays the case's last one until a new assignment. Kinds other than the closing
    (notes, the court narrative) are no part of any cycle."""
    cycles: list[list[Doc]] = [[]]
    for doc in docs:
        if doc.rodzaj and doc.rodzaj != ZAKONCZENIE:
            continue
        if doc.zalacznik == 1 and any(d.zalacznik in (1, 13) for d in cycles[-1]):
            cycles.append([])
        cycles[-1].append(doc)
        if doc.zalacznik == 13:
            cycles.append([])
    return cycles


def compute(rodzina: str, docs: list[Doc], as_of: date, terminy: Terminy) -> Checklist:
    """The checklist of a family's current cycle as of a date."""
    known = [d for d in docs if d.data <= as_of]
    cycles = _cycles(known)
    cycle = cycles[-1]
    previous = cycles[-2] if len(cycles) > 1 else []
    b = _Builder(as_of)

    assignment = _first(cycle, 1)
    if assignment is None:
        # what the new cycle waits for; its clocks start with the assignment
        reopened = _first(previous, 13)
        earlier = _first(previous, 1)
        # the last cycle's assistant: who wrote (13) and knows the family
        asystent = earlier.dane.get("asystent") if earlier else None
        closing = next((d for d in cycle if d.rodzaj == ZAKONCZENIE), None)
        if reopened and closing:  # closed while waiting for a new assignment
            _closing_item(b, closing)
            return Checklist(rodzina, as_of, ZAKONCZONA, asystent, None, b.sorted(),
                             closing.data)
        b.add(1, (f"Przydzielenie asystenta rodziny – nowy cykl po wniosku o ponowne objęcie "
                  f"wsparciem (13) z {pl_date(reopened.data)}; czeka na decyzję kierownika"
                  if reopened else "Przydzielenie asystenta rodziny – czeka na decyzję kierownika"),
              None, None)
        b.add(2, f"Przekazanie dokumentów asystentowi – do {terminy.przekazanie_dokumentow_dni} "
                 "dni od przydzielenia; czeka na przydzielenie asystenta (1)", None, _first(cycle, 2))
        b.add(3, f"Zgoda rodziny na współpracę – pierwsze spotkanie, do "
                 f"{terminy.rozpoczecie_pracy_dni} dni od przekazania dokumentów; czeka na "
                 "przekazanie dokumentów (2)", None, _first(cycle, 3))
        return Checklist(rodzina, as_of, KWALIFIKACJA, asystent, None, b.sorted())

    a1 = assignment.data
    ending = _ending(cycle, a1)
    as_of_clocks = min(as_of, ending.data) if ending else as_of  # the clocks stop on its date
    court = bool(assignment.dane.get("postanowienie_sadu"))
    za_zyciem = bool(assignment.dane.get("za_zyciem"))
    asystent = assignment.dane.get("asystent")
    b.add(1, "Przydzielenie asystenta rodziny", None, assignment)

    # Start: hand-over (2), then the first meeting with consent (3), then the card (4).
    handover = _first(cycle, 2)
    b.add(2, f"Przekazanie dokumentów asystentowi – do {terminy.przekazanie_dokumentow_dni} dni "
             "od przydzielenia", a1 + timedelta(days=terminy.przekazanie_dokumentow_dni), handover)
    if not za_zyciem:  # "Za życiem" families need no home interview
        opis = "Wywiad środowiskowy wśród przekazanych dokumentów"
        handover_due = a1 + timedelta(days=terminy.przekazanie_dokumentow_dni)
        if handover is None:
            b.add(2, opis, handover_due, None)
        else:
            interview = any("wywiad" in str(row.get("nazwa", "")).lower()
                            for row in handover.dane.get("dokumenty", []) if isinstance(row, dict))
            b.put(2, opis if interview else opis + " – nie przekazano", handover_due,
                  "jest" if interview else "brak", handover)
    start_days = terminy.rozpoczecie_pracy_sad_dni if court else terminy.rozpoczecie_pracy_dni
    start_from = handover.data if handover else a1 + timedelta(days=terminy.przekazanie_dokumentow_dni)
    consent = _first(cycle, 3)
    why = "postanowienie sądu" if court else "od przekazania dokumentów"
    b.add(3, f"Zgoda rodziny na współpracę – pierwsze spotkanie, do {start_days} dni ({why})",
          start_from + timedelta(days=start_days), consent)
    if consent is None or consent.dane.get("oswiadczenie") == ODMOWA:
        return _finish(b, Checklist(rodzina, as_of, START, asystent, a1), cycle, ending, terminy)

    start = consent.data
    b.add(4, "Karta informacyjna rodziny – po wyrażeniu zgody",
          start + timedelta(days=terminy.karta_informacyjna_dni), _first(cycle, 4, start))
    assessment = _first(cycle, 5, start)
    plan = _first(cycle, 6, start)
    b.add(5, "Ocena sytuacji rodziny – do miesiąca od rozpoczęcia pracy",
          add_months(start, terminy.ocena_sytuacji_miesiace), assessment)
    b.add(6, "Plan pracy z rodziną – do miesiąca od rozpoczęcia pracy",
          add_months(start, terminy.plan_pracy_miesiace), plan)

    end_support = _first(cycle, 10, start)
    cooperation_end = end_support.data if end_support else as_of_clocks
    _monthly_reports(b, cycle, start, cooperation_end, terminy)
    _periodic_assessments(b, cycle, start, cooperation_end,
                          end_support is not None or ending is not None, terminy)
    _visits(b, cycle, start, cooperation_end, terminy)

    # The cooperation stage: up to 2 years, at most 3; (10) ends it.
    limit = add_years(start, terminy.wspolpraca_lata)
    hard_limit = add_years(start, terminy.wspolpraca_max_lata)
    over = (end_support.data if end_support else as_of_clocks) > limit
    b.add(10, (f"Wniosek o zakończenie wsparcia i rozpoczęcie monitoringu – współpraca trwa "
               f"ponad {terminy.wspolpraca_lata} lata (przedłużenie najdłużej do "
               f"{terminy.wspolpraca_max_lata} lat)" if over else
               f"Wniosek o zakończenie wsparcia i rozpoczęcie monitoringu – współpraca do "
               f"{terminy.wspolpraca_lata} lat"),
          hard_limit if over else limit, end_support)

    if end_support is None:
        etap = DIAGNOZA if assessment is None or plan is None else WSPOLPRACA
        return _finish(b, Checklist(rodzina, as_of, etap, asystent, a1), cycle, ending, terminy)

    # Monitoring: cards (11), then (12) end or (13) re-enrolment, 2 to 6 months after (10).
    m0 = end_support.data
    closing = next((d for d in cycle if d.zalacznik in (12, 13) and d.data >= m0), None)
    b.add(11, f"Karta pracy – monitoring (monitoring trwa od {terminy.monitoring_min_miesiace} "
              f"do {terminy.monitoring_max_miesiace} miesięcy)",
          add_months(m0, terminy.monitoring_min_miesiace), _first(cycle, 11, m0))
    b.add(closing.zalacznik if closing else 12,
          "Wniosek o zakończenie monitoringu (12) albo o ponowne objęcie wsparciem (13) – "
          f"najpóźniej {terminy.monitoring_max_miesiace} miesięcy od rozpoczęcia monitoringu",
          add_months(m0, terminy.monitoring_max_miesiace), closing)
    if ending is not None and (closing is None or ending.data < closing.data):
        return _finish(b, Checklist(rodzina, as_of, MONITORING, asystent, a1), cycle, ending,
                       terminy)
    etap = ZAKONCZONA if closing else MONITORING
    return Checklist(rodzina, as_of, etap, asystent, a1, b.sorted(),
                     closing.data if closing else None)


def _refusal(doc: Doc) -> bool:
    return doc.zalacznik == 3 and doc.dane.get("oswiadczenie") == ODMOWA


def _ending(cycle: list[Doc], assigned: date) -> Doc | None:
    """The document that closes the cycle before its monitoring ends: a closing
    (`zakonczenie`) or a consent (3) recording refusal, the earliest on or after the
    assignment."""
    return next((d for d in cycle if d.data >= assigned
                 and (d.rodzaj == ZAKONCZENIE or _refusal(d))), None)


def _closing_item(b: _Builder, closing: Doc) -> None:
    powod = closing.dane.get("powod") or "—"
    b.put(NOT_NUMBERED, f"Zakończenie współpracy z rodziną z dniem {pl_date(closing.data)} – "
                        f"powód: {powod}", None, "jest", closing, rodzaj=ZAKONCZENIE)


def _finish(b: _Builder, open_: Checklist, cycle: list[Doc], ending: Doc | None,
            terminy: Terminy) -> Checklist:
    """The checklist as built so far; closed on the ending's date when there is one: the
    items due after it go, the closing's items come, and the place is free."""
    if ending is None:
        return dataclasses.replace(open_, pozycje=b.sorted())
    b.stop(ending.data)
    closing = next((d for d in cycle if d.rodzaj == ZAKONCZENIE and d.data >= (open_.cykl_od
                    or date.min)), None)
    if closing is not None:
        _closing_item(b, closing)
    if _refusal(ending) or str(ending.dane.get("powod")) in POWODY_SAD:
        _court_item(b, ending, closing, terminy)
    return dataclasses.replace(open_, etap=ZAKONCZONA, pozycje=b.sorted(), zakonczono=ending.data)


def _court_item(b: _Builder, ending: Doc, closing: Doc | None, terminy: Terminy) -> None:
    """The family court informed of a refusal, lack of cooperation or a resignation, within
    `poinformowanie_sadu_dni` of the ending; the closing document says whether and when."""
    days = terminy.poinformowanie_sadu_dni
    due = ending.data + timedelta(days=days)
    why = ("odmowa współpracy na pierwszym spotkaniu" if _refusal(ending)
           else str(ending.dane.get("powod")))
    opis = f"Poinformowanie sądu rodzinnego o zakończeniu współpracy ({why}) – do {days} dni"
    told = closing is not None and closing.dane.get("sad_poinformowany") is True
    if told and closing is not None:
        when = as_date(closing.dane.get("data_poinformowania_sadu")) or closing.data
        status: Status = "jest" if when <= due else "po_terminie"
        b.put(NOT_NUMBERED, f"{opis} – poinformowano {pl_date(when)}", due, status, closing,
              rodzaj=ZAKONCZENIE)
    else:
        b.put(NOT_NUMBERED, opis, due, "brak" if b.as_of > due else "oczekuje", None,
              rodzaj=ZAKONCZENIE)


def _monthly_reports(b: _Builder, cycle: list[Doc], start: date, end: date,
                     terminy: Terminy) -> None:
    """A report (14) for every month of cooperation, due on the 5th of the next month."""
    reports = {d.dane.get("miesiac"): d for d in cycle if d.zalacznik == 14}
    month = date(start.year, start.month, 1)
    while month <= end:
        key = month_key(month)
        due = add_months(month, 1).replace(day=terminy.raport_miesieczny_dzien)
        b.add(14, f"Miesięczny raport z pracy z rodziną za {month_name(key)} r. – do "
                  f"{terminy.raport_miesieczny_dzien}. dnia następnego miesiąca",
              due, reports.get(key), okres=key)
        month = add_months(month, 1)


def _periodic_assessments(b: _Builder, cycle: list[Doc], start: date, end: date,
                          ended: bool, terminy: Terminy) -> None:
    """(15) at least every N months from the start, each followed by a plan update (7)."""
    every = terminy.ocena_okresowa_miesiace
    assessments = [d for d in cycle if d.zalacznik == 15 and d.data > start]
    updates = [d for d in cycle if d.zalacznik == 7]
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


def _visits(b: _Builder, cycle: list[Doc], start: date, end: date, terminy: Terminy) -> None:
    """Flag every stretch of cooperation longer than N days without a logged visit (8)."""
    gap = terminy.dni_bez_wizyty
    logs = [d for d in cycle if d.zalacznik == 8]
    days = sorted({v for doc in logs for v in _visit_days(doc) if start <= v <= end})
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
            log = next((d for d in logs if day in _visit_days(d)), None)
            b.put(8, f"Przerwa w wizytach od {pl_date(previous)} do {pl_date(day)} "
                     f"({(day - previous).days} dni) – wizyta co najmniej raz na {gap} dni",
                  limit, "po_terminie", log, okres=month_key(limit))
        previous = day


def _visit_days(doc: Doc) -> set[date]:
    rows = doc.dane.get("wizyty", [])
    return {d for d in (as_date(r.get("data")) for r in rows if isinstance(r, dict)) if d}


def as_date(value: Any) -> date | None:
    """A date from the register (ISO text), or None when it is not one."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


@dataclass(frozen=True)
class Cycle:
    """An earlier cycle of a case, in brief (the history on checklista.pdf)."""

    numer: int
    od: date
    do: date
    asystent: str | None
    dokumentow: int
    zakonczenie: str  # how it ended, in Polish


def earlier_cycles(docs: list[Doc], as_of: date) -> list[Cycle]:
    """The cycles before the current one (`_cycles`), oldest first: from the assignment (1)
    or first document, to the document that ended it."""
    cycles = _cycles([d for d in docs if d.data <= as_of])
    out = []
    for numer, (cycle, following) in enumerate(zip(cycles, cycles[1:], strict=False), start=1):
        if not cycle:
            continue
        assignment = _first(cycle, 1)
        closing = next((d for d in reversed(cycle) if d.zalacznik in (12, 13)), None)
        if closing is not None and closing.zalacznik == 13:
            how = f"wniosek o ponowne objęcie rodziny wsparciem (13) z {pl_date(closing.data)}"
        elif closing is not None:
            how = f"wniosek o zakończenie monitoringu (12) z {pl_date(closing.data)}"
        else:
            nxt = following[0].data if following else cycle[-1].data
            how = f"kolejne przydzielenie asystenta (1) z {pl_date(nxt)}"
        out.append(Cycle(numer, assignment.data if assignment else cycle[0].data,
                         closing.data if closing else cycle[-1].data,
                         assignment.dane.get("asystent") if assignment else None,
                         len(cycle), how))
    return out
