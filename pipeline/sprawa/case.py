"""The case: one family's record read once, the home of every rule about the case itself.

Everything made from the archive asks this module (the checklist and its earlier cycles,
the dashboard, the 15-family limit, the teczka's cover, the monthly and the court
reports, the half-yearly figures); none of them has its own rule for:

- **cycles** (`Case.cycles`): each assignment (1) opens a cycle; the documents before the
  first assignment belong to the first cycle (it waits for one); a re-enrolment request
  (13) ends its cycle and opens one that waits for a new assignment (an assignment after a
  closing in that waiting cycle opens a cycle of its own). A cycle's `Ending`
  is the first of, on or after its assignment: a closing (`rodzaj: zakonczenie`, with its
  reason), a consent (3) recording refusal, an end of monitoring (12, goals reached), a
  re-enrolment request (13). A closing in the cycle that waits after a 13 is the case's
  end („closed while waiting”, `Case.outcome`).
- **the court**: after a closing for lack of cooperation or a written resignation the
  court is to be informed (`Ending.court == REQUIRED`); after a refusal at the first
  meeting it is the kierownik's decision (`OPTIONAL`, seed 004 §6); the closing says
  whether and when it was (`Ending.court_informed`).
- **members** (`family.members`): a child is a member under 18 on the day the figure or
  report refers to (`children(on=…)`), whatever `pokrewienstwo` says; a member without a
  birth date counts by relation (`Member.dated` is False: the figures name the case).
  Parents are the named parents and legal guardians (`parents`).
- **the assistant** (`family.person_key`): one normalisation of a name (spacing, letter case)
  for the limit, the figures, the dashboard and the `[asystenci]` lookup.
- **contacts** (`family.contacts`): every contact with the family in a period from every
  document that records one: visit logs (8), monitoring cards (11), meetings (16).
- **the monthly report** (14): one document per family and month (`register.Entry.document`);
  `delivered` is the day its first version came, `generated` whether `asysta raporty`
  made it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from pipeline.sprawa.family import Contact, Member, as_date, contacts, members, person_key, person_name
from pipeline.sprawa.kinds import ODMOWA, POWODY, POWODY_SAD, ZAKONCZENIE
from pipeline.sprawa.register import MONTHLY_REPORT, Entry, Register

# How a cycle ended (`Ending.kind`).
CELE, PONOWNE, ZAKONCZENIE_KIND, ODMOWA_KIND = "cele", "ponowne", "zakonczenie", "odmowa"
# Whether the family court is to be told of the ending (`Ending.court`).
REQUIRED, OPTIONAL, NOT_NEEDED = "wymagane", "decyzja_kierownika", "nie"
GENERATED_KEY = "wygenerowany"  # a register entry's key: `asysta raporty` made this 14


# -- endings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ending:
    """How and when a cycle ended, and what that means for the family court."""

    kind: str  # CELE, PONOWNE, ZAKONCZENIE_KIND, ODMOWA_KIND
    data: date
    entry: Entry
    powod: str | None = None  # the closing's reason, as the form says it
    court: str = NOT_NEEDED
    closing: Entry | None = None  # the closing (`zakonczenie`) that records the court

    @property
    def closes(self) -> bool:
        """Does the family's cooperation end here (a 13 only asks for a new assignment)?"""
        return self.kind != PONOWNE

    @property
    def reason_key(self) -> str | None:
        """The figures' key of the reason (`kinds.POWODY`); None for a re-enrolment."""
        if self.kind == CELE:
            return "cele_osiagniete"
        if self.kind == ODMOWA_KIND:
            return "brak_wspolpracy"
        if self.kind == ZAKONCZENIE_KIND:
            return POWODY.get((self.powod or "").strip(), "inne")
        return None

    @property
    def why(self) -> str:
        """The reason in Polish, as the checklist and the history print it."""
        if self.kind == ODMOWA_KIND:
            return "odmowa współpracy na pierwszym spotkaniu"
        return self.powod or "—"

    @property
    def court_informed(self) -> date | None:
        """When the court was told, as the closing records it (None: not recorded)."""
        closing = self.closing
        if closing is None or closing.dane.get("sad_poinformowany") is not True:
            return None
        return as_date(closing.dane.get("data_poinformowania_sadu")) or closing.data

    def describe(self) -> str:
        """How the cycle ended, in Polish (the history on checklista.pdf)."""
        day = self.data.strftime("%d.%m.%Y")
        return {
            CELE: f"wniosek o zakończenie monitoringu (12) z {day}",
            PONOWNE: f"wniosek o ponowne objęcie rodziny wsparciem (13) z {day}",
            ODMOWA_KIND: f"odmowa zgody na współpracę (3) z {day}",
        }.get(self.kind, f"zakończenie współpracy z {day} – powód: {self.why}")


def is_refusal(entry: Entry) -> bool:
    return not entry.rodzaj and entry.zalacznik == 3 and entry.dane.get("oswiadczenie") == ODMOWA


def _ending_of(entry: Entry) -> str | None:
    if entry.rodzaj == ZAKONCZENIE:
        return ZAKONCZENIE_KIND
    if entry.rodzaj:
        return None
    if is_refusal(entry):
        return ODMOWA_KIND
    return {12: CELE, 13: PONOWNE}.get(entry.zalacznik)


def _ending(entries: Sequence[Entry], assignment: Entry) -> Ending | None:
    first = next(((e, kind) for e in entries if e is not assignment and e.data >= assignment.data
                  and (kind := _ending_of(e)) is not None), None)
    if first is None:
        return None
    entry, kind = first
    closing = entry if kind == ZAKONCZENIE_KIND else next(
        (e for e in entries if e.rodzaj == ZAKONCZENIE and e.data >= entry.data), None)
    powod = str(entry.dane.get("powod") or "").strip() or None if kind == ZAKONCZENIE_KIND \
        else None
    court = (REQUIRED if powod in POWODY_SAD else OPTIONAL if kind == ODMOWA_KIND
             else NOT_NEEDED)
    return Ending(kind, entry.data, entry, powod, court, closing)


# -- cycles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    """One cycle of a case: its assignment (None: waiting for one), its documents (the
    current versions, in date order) and how it ended."""

    numer: int
    assignment: Entry | None
    entries: tuple[Entry, ...]
    ending: Ending | None = None

    @property
    def start(self) -> date | None:
        return self.assignment.data if self.assignment else None

    @property
    def asystent(self) -> str | None:
        name = person_name(self.assignment.dane.get("asystent")) if self.assignment else ""
        return name or None

    @property
    def court_order(self) -> bool:
        return bool(self.assignment and self.assignment.dane.get("postanowienie_sadu"))

    @property
    def za_zyciem(self) -> bool:
        return bool(self.assignment and self.assignment.dane.get("za_zyciem"))

    def first(self, zalacznik: int, after: date | None = None) -> Entry | None:
        return next((e for e in self.entries if e.zalacznik == zalacznik and not e.rodzaj
                     and (after is None or e.data >= after)), None)

    def all(self, zalacznik: int) -> list[Entry]:
        return [e for e in self.entries if e.zalacznik == zalacznik and not e.rodzaj]


def _in_cycles(entry: Entry) -> bool:
    """Kinds other than the closing (notes, the court narrative and report) are in no cycle."""
    return not entry.rodzaj or entry.rodzaj == ZAKONCZENIE


def split_cycles(entries: Iterable[Entry]) -> list[Cycle]:
    """The cycles of these documents (current versions), oldest first; never empty."""
    groups: list[list[Entry]] = [[]]
    for entry in sorted((e for e in entries if _in_cycles(e)), key=lambda e: (e.data, e.zalacznik)):
        if entry.zalacznik == 1 and not entry.rodzaj and any(
                e.rodzaj == ZAKONCZENIE or e.zalacznik in (1, 13) for e in groups[-1]):
            groups.append([])
        groups[-1].append(entry)
        if entry.zalacznik == 13 and not entry.rodzaj:
            groups.append([])
    out = []
    for numer, group in enumerate(groups, start=1):
        assignment = next((e for e in group if e.zalacznik == 1 and not e.rodzaj), None)
        ending = _ending(group, assignment) if assignment is not None else None
        out.append(Cycle(numer, assignment, tuple(group), ending))
    return out


# -- the case --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A family's case as the archive records it (see the module's text)."""

    rodzina: str
    register: Register

    @classmethod
    def of(cls, register: Register) -> Case:
        return cls(register.rodzina, register)

    @property
    def current(self) -> list[Entry]:
        return self.register.current()

    def cycles(self, as_of: date | None = None) -> list[Cycle]:
        entries = self.current
        return split_cycles(e for e in entries if as_of is None or e.data <= as_of)

    def outcome(self, cycle: Cycle, as_of: date | None = None) -> Ending | None:
        """The ending that closed the family's cooperation in this cycle: its own, or a
        closing in the cycle that waits after its re-enrolment request (13)."""
        if cycle.ending is None or cycle.ending.closes:
            return cycle.ending
        following = [c for c in self.cycles(as_of) if c.numer == cycle.numer + 1]
        if following and following[0].assignment is None:
            closing = next((e for e in following[0].entries if e.rodzaj == ZAKONCZENIE), None)
            if closing is not None:
                return closing_ending(closing)
        return None

    def closed(self, as_of: date | None = None) -> date | None:
        """The day the case's cooperation ended, when its last cycle is closed (what the
        checklist calls `zakonczono`); None while it runs or waits for an assignment."""
        cycles = self.cycles(as_of)
        last = cycles[-1]
        if last.assignment is None:  # waiting: closed only by a closing after a 13
            closing = next((e for e in last.entries if e.rodzaj == ZAKONCZENIE), None)
            return closing.data if closing is not None and len(cycles) > 1 else None
        return last.ending.data if last.ending and last.ending.closes else None

    def members(self, until: date | None = None) -> list[Member]:
        """The members listed in the newest assignment (1) dated `until` or earlier."""
        assignment = self.register.newest(1, until)
        return members(assignment.dane) if assignment else []

    def contacts(self, od: date, do: date) -> list[Contact]:
        return contacts(self.current, od, do)

    def asystent(self, on: date) -> str | None:
        """Who holds the case on a date: the assistant of the cycle open then."""
        cycles = self.cycles(on)
        return cycles[-1].asystent if cycles else None

    def monthly_reports(self, month: str) -> list[Entry]:
        """Every version of the family's report (14) for a month `RRRR-MM`, oldest first."""
        return sorted((e for e in self.register.entries if e.zalacznik == MONTHLY_REPORT
                       and not e.rodzaj and e.document[2] == month), key=lambda e: e.wersja)


def closing_ending(closing: Entry) -> Ending:
    """The ending a closing (`zakonczenie`) records on its own (closed while waiting)."""
    powod = str(closing.dane.get("powod") or "").strip() or None
    return Ending(ZAKONCZENIE_KIND, closing.data, closing, powod,
                  REQUIRED if powod in POWODY_SAD else NOT_NEEDED, closing)


def first_delivered(register: Register) -> dict[tuple[int, date, str], date]:
    """The day each document first came (the oldest of its versions): a monthly report's
    later version does not make it late."""
    days: dict[tuple[int, date, str], date] = {}
    for entry in register.entries:
        key = entry.document
        if key not in days or entry.data < days[key]:
            days[key] = entry.data
    return days


def delivered(register: Register, entry: Entry) -> date:
    """The day a document first came (see `first_delivered`)."""
    return first_delivered(register).get(entry.document, entry.data)


def generated(entry: Entry) -> bool:
    """Did `asysta raporty` make this monthly report (the assistant did not file it)?"""
    return entry.extra.get(GENERATED_KEY) is True


def holds(cases: Iterable[Case], asystent: str, on: date) -> list[str]:
    """The case numbers an assistant holds on a date: the case's last cycle then has an
    assignment naming them and has not ended (a 13 opens a cycle without one)."""
    key = person_key(asystent)
    out = []
    for case in cases:
        last = case.cycles(on)[-1]
        if last.assignment is not None and last.ending is None and person_key(last.asystent) == key:
            out.append(case.rodzina)
    return out
