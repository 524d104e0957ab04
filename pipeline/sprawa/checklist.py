"""Checklist: which documents a family's case requires as of a date, and their status.

Pure computation over the family's register (`register.Register`) as the case model reads
it (`pipeline/sprawa/case.py`: cycles, endings, the court): no I/O here. The clocks are
those of the procedure's stages of a case, every number a setting in `[terminy]`; the
recurring items are in `clocks.py`.

Statuses: `jest` (present, on time), `po_terminie` (present, after its deadline), `brak`
(absent and its deadline has passed), `oczekuje` (absent, deadline still ahead or not yet
known), `decyzja` (the kierownik's decision, not a problem). A document dated after the
checklist's date does not exist yet for it. A monthly report (14) is one document per
month: it counts from the day its first version came.

A cycle's `Ending` (case model) closes it early on its date when it is a closing (`rodzaj:
zakonczenie`) or a consent (3) recording refusal: no item falls due after that date, the
stage is „zakończona” and the assistant's place is free. After a closing for lack of
cooperation or a written resignation the court is to be informed within
`poinformowanie_sadu_dni` (an item with its deadline); after a refusal at the first
meeting informing it is the kierownik's decision (seed 004 §6: an item `decyzja`). Other
kinds (service notes, the court narrative) count nowhere here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pipeline.core.config import Terminy
from pipeline.core.polish import pl_date
from pipeline.sprawa.case import (
    CELE,
    ODMOWA_KIND,
    OPTIONAL,
    REQUIRED,
    ZAKONCZENIE_KIND,
    Case,
    Cycle,
    Ending,
    closing_ending,
    first_delivered,
)
from pipeline.sprawa.clocks import (
    OPTIONAL_STATUSES,
    STATUSES,
    Builder,
    Item,
    Status,
    add_months,
    add_years,
    month_key,
    monthly_reports,
    periodic_assessments,
    visits,
)
from pipeline.sprawa.family import as_date
from pipeline.sprawa.kinds import ZAKONCZENIE
from pipeline.sprawa.register import NOT_NUMBERED, Entry, Register

__all__ = ["STATUSES", "Checklist", "HistoryCycle", "Item", "Status", "add_months", "add_years",
           "as_date", "compute", "earlier_cycles", "month_key"]

PROBLEM_STATUSES = ("brak", "po_terminie")

KWALIFIKACJA, START, DIAGNOZA, WSPOLPRACA, MONITORING, ZAKONCZONA = (
    "kwalifikacja", "start", "diagnoza i plan", "współpraca", "monitoring", "zakończona")


@dataclass(frozen=True)
class Checklist:
    rodzina: str
    na_dzien: date
    etap: str
    asystent: str | None
    cykl_od: date | None  # the assignment (1) that opened the current cycle
    pozycje: tuple[Item, ...] = field(default_factory=tuple)
    zakonczono: date | None = None  # the closing document's date, for a closed case
    ponowne: bool = False  # waiting for a new assignment after a re-enrolment request (13)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for i in self.pozycje if i.status == s) for s in STATUSES}

    @property
    def has_problems(self) -> bool:
        return any(i.status in PROBLEM_STATUSES for i in self.pozycje)

    @property
    def overdue(self) -> int:
        """How many items are missing or late (the kierownik's summary counts them)."""
        return sum(1 for i in self.pozycje if i.status in PROBLEM_STATUSES)

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
            # `niepodpisany`, `decyzja` only when there is one: the usual shape is kept
            "liczniki": {s: n for s, n in self.counts().items()
                         if n or s not in OPTIONAL_STATUSES},
            "najblizszy_termin": nxt.termin.isoformat() if nxt and nxt.termin else None,
            "pozycje": [i.to_json() for i in self.pozycje],
        }


def _register(rodzina: str, docs: Register | Iterable[Entry]) -> Register:
    return docs if isinstance(docs, Register) else Register(rodzina, tuple(docs))


def compute(rodzina: str, docs: Register | Iterable[Entry], as_of: date,
            terminy: Terminy) -> Checklist:
    """The checklist of a family's current cycle as of a date (`docs`: the family's
    register, or its entries)."""
    register = _register(rodzina, docs)
    case = Case.of(register)
    cycles = case.cycles(as_of)
    cycle = cycles[-1]
    days = first_delivered(register)
    b = Builder(as_of, lambda e: days.get(e.document, e.data))
    if cycle.assignment is None:
        return _waiting(rodzina, b, cycle, cycles[-2] if len(cycles) > 1 else None, terminy)
    return _assigned(rodzina, b, cycle, terminy)


def _waiting(rodzina: str, b: Builder, cycle: Cycle, previous: Cycle | None,
             terminy: Terminy) -> Checklist:
    """A cycle without an assignment: what it waits for (its clocks start with one)."""
    reopened = previous.first(13) if previous else None
    asystent = previous.asystent if previous else None  # who wrote (13) and knows the family
    closing = next((d for d in cycle.entries if d.rodzaj == ZAKONCZENIE), None)
    if reopened and closing:  # closed while waiting for a new assignment
        _closing_item(b, closing)
        return Checklist(rodzina, b.as_of, ZAKONCZONA, asystent, None, b.sorted(), closing.data)
    b.add(1, (f"Przydzielenie asystenta rodziny – nowy cykl po wniosku o ponowne objęcie "
              f"wsparciem (13) z {pl_date(reopened.data)}; czeka na decyzję kierownika"
              if reopened else "Przydzielenie asystenta rodziny – czeka na decyzję kierownika"),
          None, None)
    b.add(2, f"Przekazanie dokumentów asystentowi – do {terminy.przekazanie_dokumentow_dni} "
             "dni od przydzielenia; czeka na przydzielenie asystenta (1)", None, cycle.first(2))
    b.add(3, f"Zgoda rodziny na współpracę – pierwsze spotkanie, do "
             f"{terminy.rozpoczecie_pracy_dni} dni od przekazania dokumentów; czeka na "
             "przekazanie dokumentów (2)", None, cycle.first(3))
    return Checklist(rodzina, b.as_of, KWALIFIKACJA, asystent, None, b.sorted(),
                     ponowne=reopened is not None and bool(asystent))


def _start(b: Builder, cycle: Cycle, a1: date, terminy: Terminy) -> Entry | None:
    """The start: hand-over (2), then the first meeting with consent (3); the consent."""
    assert cycle.assignment is not None
    court = cycle.court_order
    handover = cycle.first(2)
    handover_due = a1 + timedelta(days=terminy.przekazanie_dokumentow_dni)
    b.add(2, f"Przekazanie dokumentów asystentowi – do {terminy.przekazanie_dokumentow_dni} dni "
             "od przydzielenia", handover_due, handover)
    if not cycle.za_zyciem:  # "Za życiem" families need no home interview
        opis = "Wywiad środowiskowy wśród przekazanych dokumentów"
        if handover is None:
            b.add(2, opis, handover_due, None)
        else:
            interview = any("wywiad" in str(row.get("nazwa", "")).lower()
                            for row in handover.dane.get("dokumenty", []) if isinstance(row, dict))
            b.put(2, opis if interview else opis + " – nie przekazano", handover_due,
                  "jest" if interview else "brak", handover)
    start_days = terminy.rozpoczecie_pracy_sad_dni if court else terminy.rozpoczecie_pracy_dni
    start_from = handover.data if handover else handover_due
    consent = cycle.first(3)
    why = "postanowienie sądu" if court else "od przekazania dokumentów"
    b.add(3, f"Zgoda rodziny na współpracę – pierwsze spotkanie, do {start_days} dni ({why})",
          start_from + timedelta(days=start_days), consent)
    return consent


def _assigned(rodzina: str, b: Builder, cycle: Cycle, terminy: Terminy) -> Checklist:
    assert cycle.assignment is not None
    a1 = cycle.assignment.data
    ending = cycle.ending
    early = ending if ending and ending.kind in (ZAKONCZENIE_KIND, ODMOWA_KIND) else None
    open_ = Checklist(rodzina, b.as_of, START, cycle.asystent, a1)
    b.add(1, "Przydzielenie asystenta rodziny", None, cycle.assignment)
    consent = _start(b, cycle, a1, terminy)
    if consent is None or (early is not None and early.entry is consent):
        return _finish(b, open_, early, terminy)

    start = consent.data
    b.add(4, "Karta informacyjna rodziny – po wyrażeniu zgody",
          start + timedelta(days=terminy.karta_informacyjna_dni), cycle.first(4, start))
    assessment = cycle.first(5, start)
    plan = cycle.first(6, start)
    b.add(5, "Ocena sytuacji rodziny – do miesiąca od rozpoczęcia pracy",
          add_months(start, terminy.ocena_sytuacji_miesiace), assessment)
    b.add(6, "Plan pracy z rodziną – do miesiąca od rozpoczęcia pracy",
          add_months(start, terminy.plan_pracy_miesiace), plan)

    end_support = cycle.first(10, start)
    clocks_end = min(b.as_of, early.data) if early else b.as_of  # the clocks stop on its date
    cooperation_end = end_support.data if end_support else clocks_end
    monthly_reports(b, cycle, start, cooperation_end, terminy)
    periodic_assessments(b, cycle, start, cooperation_end,
                         end_support is not None or ending is not None, terminy)
    visits(b, cycle, start, cooperation_end, terminy)
    _cooperation_limit(b, start, cooperation_end, end_support, terminy)
    if end_support is None:
        if ending is not None and ending.kind == CELE:  # an end of monitoring without (10)
            return dataclasses.replace(open_, etap=ZAKONCZONA, pozycje=b.sorted(),
                                       zakonczono=ending.data)
        etap = DIAGNOZA if assessment is None or plan is None else WSPOLPRACA
        return _finish(b, dataclasses.replace(open_, etap=etap), early, terminy)
    return _monitoring(b, cycle, open_, end_support, terminy)


def _cooperation_limit(b: Builder, start: date, end: date, end_support: Entry | None,
                       terminy: Terminy) -> None:
    """The cooperation stage: up to 2 years, at most 3; (10) ends it."""
    limit = add_years(start, terminy.wspolpraca_lata)
    hard_limit = add_years(start, terminy.wspolpraca_max_lata)
    over = end > limit
    b.add(10, (f"Wniosek o zakończenie wsparcia i rozpoczęcie monitoringu – współpraca trwa "
               f"ponad {terminy.wspolpraca_lata} lata (przedłużenie najdłużej do "
               f"{terminy.wspolpraca_max_lata} lat)" if over else
               f"Wniosek o zakończenie wsparcia i rozpoczęcie monitoringu – współpraca do "
               f"{terminy.wspolpraca_lata} lat"),
          hard_limit if over else limit, end_support)


def _monitoring(b: Builder, cycle: Cycle, open_: Checklist, end_support: Entry,
                terminy: Terminy) -> Checklist:
    """Monitoring: cards (11), then (12) end or (13) re-enrolment, 2 to 6 months after (10)."""
    m0 = end_support.data
    ending = cycle.ending
    closing = ending.entry if ending and ending.kind not in (ZAKONCZENIE_KIND, ODMOWA_KIND) \
        and ending.data >= m0 else None
    b.add(11, f"Karta pracy – monitoring (monitoring trwa od {terminy.monitoring_min_miesiace} "
              f"do {terminy.monitoring_max_miesiace} miesięcy)",
          add_months(m0, terminy.monitoring_min_miesiace), cycle.first(11, m0))
    b.add(closing.zalacznik if closing else 12,
          "Wniosek o zakończenie monitoringu (12) albo o ponowne objęcie wsparciem (13) – "
          f"najpóźniej {terminy.monitoring_max_miesiace} miesięcy od rozpoczęcia monitoringu",
          add_months(m0, terminy.monitoring_max_miesiace), closing)
    monitoring = dataclasses.replace(open_, etap=MONITORING)
    if closing is None:
        return _finish(b, monitoring, ending, terminy)
    return dataclasses.replace(monitoring, etap=ZAKONCZONA, pozycje=b.sorted(),
                               zakonczono=closing.data)


def _closing_item(b: Builder, closing: Entry) -> None:
    powod = closing.dane.get("powod") or "—"
    b.put(NOT_NUMBERED, f"Zakończenie współpracy z rodziną z dniem {pl_date(closing.data)} – "
                        f"powód: {powod}", None, "jest", closing, rodzaj=ZAKONCZENIE)


def _finish(b: Builder, open_: Checklist, ending: Ending | None, terminy: Terminy) -> Checklist:
    """The checklist as built so far; closed on the ending's date when there is one: the
    items due after it go, the closing's items come, and the place is free."""
    if ending is None:
        return dataclasses.replace(open_, pozycje=b.sorted())
    b.stop(ending.data)
    if ending.closing is not None:
        _closing_item(b, ending.closing)
    if ending.court in (REQUIRED, OPTIONAL):
        _court_item(b, ending, terminy)
    return dataclasses.replace(open_, etap=ZAKONCZONA, pozycje=b.sorted(), zakonczono=ending.data)


def _court_item(b: Builder, ending: Ending, terminy: Terminy) -> None:
    """The family court informed of the ending: required within `poinformowanie_sadu_dni` after
    lack of cooperation or a resignation; the kierownik's decision after a refusal at the first
    meeting. The closing document says whether and when it was."""
    days = terminy.poinformowanie_sadu_dni
    opis = f"Poinformowanie sądu rodzinnego o zakończeniu współpracy ({ending.why})"
    told = ending.court_informed
    if ending.court == OPTIONAL:
        opis += " – decyzja kierownika ośrodka (odmowa na pierwszym spotkaniu)"
        if told is not None:
            b.put(NOT_NUMBERED, f"{opis} – poinformowano {pl_date(told)}", None, "jest",
                  ending.closing, rodzaj=ZAKONCZENIE)
        else:
            b.put(NOT_NUMBERED, opis, None, "decyzja", None, rodzaj=ZAKONCZENIE)
        return
    due = ending.data + timedelta(days=days)
    opis += f" – do {days} dni"
    if told is not None:
        status: Status = "jest" if told <= due else "po_terminie"
        b.put(NOT_NUMBERED, f"{opis} – poinformowano {pl_date(told)}", due, status,
              ending.closing, rodzaj=ZAKONCZENIE)
    else:
        b.put(NOT_NUMBERED, opis, due, "brak" if b.as_of > due else "oczekuje", None,
              rodzaj=ZAKONCZENIE)


@dataclass(frozen=True)
class HistoryCycle:
    """An earlier cycle of a case, in brief (the history on checklista.pdf)."""

    numer: int
    od: date
    do: date
    asystent: str | None
    dokumentow: int
    zakonczenie: str  # how it ended, in Polish


def earlier_cycles(docs: Register | Iterable[Entry], as_of: date,
                   rodzina: str = "") -> list[HistoryCycle]:
    """The cycles before the current one, oldest first: from the assignment (1) or first
    document to the ending (case model) or, without one, the last document."""
    cycles = Case.of(_register(rodzina, docs)).cycles(as_of)
    out = []
    for cycle, following in zip(cycles, cycles[1:], strict=False):
        if not cycle.entries:
            continue
        if cycle.ending is not None:
            how, end = cycle.ending.describe(), cycle.ending.data
            request = cycle.first(13, end)
            if request is not None and request is not cycle.ending.entry:  # what came next
                how += f"; następnie wniosek o ponowne objęcie rodziny wsparciem (13) z " \
                       f"{pl_date(request.data)}"
        elif (closing := next((e for e in cycle.entries if e.rodzaj == ZAKONCZENIE), None)):
            how, end = closing_ending(closing).describe(), closing.data  # closed while waiting
        else:
            nxt = following.entries[0].data if following.entries else cycle.entries[-1].data
            how = f"kolejne przydzielenie asystenta (1) z {pl_date(nxt)}"
            end = cycle.entries[-1].data
        out.append(HistoryCycle(cycle.numer, cycle.start or cycle.entries[0].data, end,
                                cycle.asystent, len(cycle.entries), how))
    return out
