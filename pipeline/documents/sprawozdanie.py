"""The family-assistant figures of the half-yearly report: `asysta sprawozdanie`.

Every gmina files a *sprawozdanie rzeczowo-finansowe z wykonywania zadań z zakresu
wspierania rodziny* for January–June (by 31 July) and for the year (by 31 January). Its
family-assistant part is computed here from the families' registers, as pure functions
(`compute`); `write_report` makes the XLSX (row by row: number, label, value, definition,
so the numbers can be typed into the official form) and the kierownik's PDF.

A case's cycles, their endings and reasons, its children and its assistant are the case
model's (`pipeline/sprawa/case.py`): a cycle served in the period runs from its assignment
(1) to its ending or, when a new assignment follows without one, to the day before it; the
cooperation ended on the ending's date, or on a closing's date while the family waited
after a re-enrolment request (13). Children are counted by age on the period's last day.
The definitions of the figures are `DEFINITIONS` (wskazniki.py); they are printed with the
figures and in the README.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.documents.wskazniki import (
    BAND_DEFINITIONS,
    DEFINITIONS,
    REASON_DEFINITIONS,
    Period,
    PeriodError,
    half_year,
    whole_year,
)
from pipeline.sprawa.case import Case, Cycle, Ending
from pipeline.sprawa.checklist import add_years
from pipeline.sprawa.family import Member, members, person_key
from pipeline.sprawa.register import Register, families, family_dir

__all__ = ["DEFINITIONS", "Figures", "Period", "PeriodError", "Row", "compute", "from_archive",
           "half_year", "rows", "whole_year", "write_report"]

REPORTS_DIR = "sprawozdania"
REASON_KEYS = ("cele_osiagniete", "brak_wspolpracy", "rezygnacja", "zmiana_miejsca_zamieszkania",
               "inne")
BANDS = ("do_1_roku", "od_1_do_2_lat", "powyzej_2_lat")
UNKNOWN_FORM = "do uzupełnienia"


# -- cycles served -----------------------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """An assigned cycle as the figures see it: its last day and the ending that closed the
    family's cooperation (its own, or a closing while waiting after its 13)."""

    cycle: Cycle
    end: date | None  # None: still running
    outcome: Ending | None

    @property
    def start(self) -> date:
        assert self.cycle.start is not None
        return self.cycle.start

    @property
    def ended_on(self) -> date | None:
        return self.outcome.data if self.outcome else None

    @property
    def reason(self) -> str | None:
        return self.outcome.reason_key if self.outcome else None


def served(case: Case) -> list[Served]:
    """The case's assigned cycles, oldest first."""
    cycles = case.cycles()
    out = []
    for cycle, following in zip(cycles, [*cycles[1:], None], strict=True):
        if cycle.assignment is None:
            continue
        end = cycle.ending.data if cycle.ending else None
        if end is None and following is not None and following.start is not None:
            end = following.start - timedelta(days=1)  # a new assignment: the family goes on
        out.append(Served(cycle, end, case.outcome(cycle)))
    return out


# -- children ----------------------------------------------------------------------------


def _people(cycles: Iterable[Served]) -> dict[tuple[str, ...], Member]:
    """The members of a family's cycles (assignment 1 and card 4), each once: known by name
    and birth date, else PESEL (which joins the two), the birth date from wherever given."""
    people: dict[tuple[str, ...], Member] = {}
    by_pesel: dict[str, tuple[str, ...]] = {}
    for item in cycles:
        for entry in item.cycle.entries:
            if entry.rodzaj or entry.zalacznik not in (1, 4):
                continue
            for member in members(entry.dane):
                key = member.key
                if key is None:
                    continue
                if member.pesel and member.pesel in by_pesel:
                    key = by_pesel[member.pesel]  # known by its PESEL under another spelling
                elif member.pesel:
                    by_pesel[member.pesel] = key
                held = people.get(key)
                if held is None or (held.urodzony is None and member.urodzony is not None):
                    people[key] = member
    return people


def children(cycles: Iterable[Served], on: date) -> tuple[int, bool]:
    """How many children the family's cycles name on a day (under 18 then; a member without a
    birth date by relation), and whether any member lacks a birth date."""
    people = list(_people(cycles).values())
    return sum(1 for m in people if m.child_on(on)), any(not m.dated for m in people)


# -- the figures -----------------------------------------------------------------------


def band(start: date, end: date) -> str:
    if end <= add_years(start, 1):
        return BANDS[0]
    if end <= add_years(start, 2):
        return BANDS[1]
    return BANDS[2]


@dataclass
class Figures:
    okres: Period
    asystenci: dict[str, set[str]] = field(default_factory=dict)  # name → case numbers
    osoby: dict[str, str] = field(default_factory=dict)  # person_key → the name first seen
    rodziny: set[str] = field(default_factory=set)
    rodziny_sad: set[str] = field(default_factory=set)
    rodziny_za_zyciem: set[str] = field(default_factory=set)
    dzieci: dict[str, int] = field(default_factory=dict)  # case → children counted
    czas: dict[str, set[str]] = field(default_factory=lambda: {b: set() for b in BANDS})
    zakonczone: dict[str, str] = field(default_factory=dict)  # case → reason key
    bledy: list[str] = field(default_factory=list)  # case numbers whose register is damaged
    bez_daty_urodzenia: set[str] = field(default_factory=set)  # a member without a birth date

    def add_assistant(self, name: str, case: str) -> None:
        """One person however the name is typed (`family.person_key`)."""
        shown = self.osoby.setdefault(person_key(name), name)
        self.asystenci.setdefault(shown, set()).add(case)

    def forms(self, employment: Mapping[str, str]) -> dict[str, int]:
        """Assistants by form of employment ([asystenci]); unknown ones „do uzupełnienia”."""
        counts: dict[str, int] = {}
        forms = {person_key(name): form for name, form in employment.items()}
        for name in sorted(self.asystenci):
            form = forms.get(person_key(name), UNKNOWN_FORM)
            counts[form] = counts.get(form, 0) + 1
        return counts

    def reasons(self) -> dict[str, int]:
        return {r: sum(1 for v in self.zakonczone.values() if v == r) for r in REASON_KEYS}

    def to_json(self, employment: Mapping[str, str], details: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "okres": {"klucz": self.okres.key, "od": self.okres.od.isoformat(),
                      "do": self.okres.do.isoformat()},
            "asystenci": len(self.asystenci),
            "asystenci_forma_zatrudnienia": self.forms(employment),
            "rodziny": len(self.rodziny),
            "rodziny_sad": len(self.rodziny_sad),
            "rodziny_za_zyciem": len(self.rodziny_za_zyciem),
            "dzieci": sum(self.dzieci.values()),
            "czas_wspolpracy": {b: len(self.czas[b]) for b in BANDS},
            "zakonczone": len(self.zakonczone),
            "zakonczone_powody": self.reasons(),
            "definicje": DEFINITIONS,
        }
        if self.bledy:
            data["nieczytelne_rejestry"] = sorted(self.bledy)
        if details:
            data["sprawy"] = self.cases()
        return data

    def cases(self) -> dict[str, Any]:
        """Per figure, the case numbers it counts (case numbers only)."""
        return {
            "rodziny": sorted(self.rodziny),
            "rodziny_sad": sorted(self.rodziny_sad),
            "rodziny_za_zyciem": sorted(self.rodziny_za_zyciem),
            "dzieci": {case: n for case, n in sorted(self.dzieci.items()) if n},
            "czas_wspolpracy": {b: sorted(self.czas[b]) for b in BANDS},
            "zakonczone": sorted(self.zakonczone),
            "zakonczone_powody": {r: sorted(c for c, v in self.zakonczone.items() if v == r)
                                  for r in REASON_KEYS},
            "bez_daty_urodzenia": sorted(self.bez_daty_urodzenia),
        }


def add_family(figures: Figures, register: Register) -> None:
    """Count one family's register into the figures."""
    period = figures.okres
    active = [c for c in served(Case.of(register)) if period.overlaps(c.start, c.end)]
    if not active:
        return
    case = register.rodzina
    figures.rodziny.add(case)
    for item in active:
        if item.cycle.asystent:
            figures.add_assistant(item.cycle.asystent, case)
        if item.cycle.court_order:
            figures.rodziny_sad.add(case)
        if item.cycle.za_zyciem:
            figures.rodziny_za_zyciem.add(case)
        if item.ended_on in period and item.reason is not None:
            figures.zakonczone[case] = item.reason  # the latest ending in the period wins
    figures.dzieci[case], undated = children(active, period.do)
    if undated:
        figures.bez_daty_urodzenia.add(case)
    last = active[-1]
    until = min(last.end, period.do) if last.end is not None else period.do
    figures.czas[band(last.start, until)].add(case)


def compute(registers: Iterable[Register], period: Period) -> Figures:
    figures = Figures(period)
    for register in registers:
        add_family(figures, register)
    return figures


def from_archive(settings: Settings, period: Period) -> Figures:
    """The figures of the archive; a damaged register is named, never counted silently."""
    from pipeline.core.errors import RegisterError

    figures = Figures(period)
    for rodzina in families(settings.outbox):
        try:
            register = Register.load(family_dir(settings.outbox, rodzina))
        except RegisterError:
            figures.bledy.append(rodzina)
            continue
        add_family(figures, register)
    return figures


# -- rows: what the XLSX and the PDF print ----------------------------------------------


@dataclass(frozen=True)
class Row:
    lp: str
    etykieta: str
    wartosc: int | str
    definicja: str
    sprawy: str = ""  # the case numbers it counts, for the XLSX's second sheet


def rows(figures: Figures, settings: Settings) -> list[Row]:
    labels = settings.sprawozdanie
    cases = figures.cases()
    forms = figures.forms(settings.asystenci)

    def listed(names: Iterable[str]) -> str:
        return ", ".join(names)

    out = [Row("1", labels.asystenci, len(figures.asystenci), DEFINITIONS["asystenci"])]
    for i, (form, count) in enumerate(sorted(forms.items(), key=lambda kv: kv[0] == UNKNOWN_FORM), 1):
        out.append(Row(f"1.{i}", f"w tym: {form}", count,
                       "Forma zatrudnienia według sekcji [asystenci] pliku asysta.toml."
                       if form != UNKNOWN_FORM else
                       "Asystenci, których nie ma w sekcji [asystenci] pliku asysta.toml."))
    out += [
        Row("2", labels.rodziny, len(figures.rodziny), DEFINITIONS["rodziny"],
            listed(cases["rodziny"])),
        Row("2.1", labels.rodziny_sad, len(figures.rodziny_sad), DEFINITIONS["rodziny_sad"],
            listed(cases["rodziny_sad"])),
        Row("2.2", labels.rodziny_za_zyciem, len(figures.rodziny_za_zyciem),
            DEFINITIONS["rodziny_za_zyciem"], listed(cases["rodziny_za_zyciem"])),
        Row("3", labels.dzieci, sum(figures.dzieci.values()), DEFINITIONS["dzieci"],
            listed(f"{c} ({n})" for c, n in cases["dzieci"].items()) + (
                "; do uzupełnienia daty urodzenia: " + listed(cases["bez_daty_urodzenia"])
                if cases["bez_daty_urodzenia"] else "")),
    ]
    out.append(Row("4", labels.czas_wspolpracy, len(figures.rodziny),
                   DEFINITIONS["czas_wspolpracy"]))
    for i, (key, label) in enumerate(zip(BANDS, (labels.czas_do_1_roku, labels.czas_od_1_do_2_lat,
                                                  labels.czas_powyzej_2_lat), strict=True), 1):
        out.append(Row(f"4.{i}", label, len(figures.czas[key]), BAND_DEFINITIONS[key],
                       listed(cases["czas_wspolpracy"][key])))
    out.append(Row("5", labels.zakonczone, len(figures.zakonczone), DEFINITIONS["zakonczone"],
                   listed(cases["zakonczone"])))
    counts = figures.reasons()
    for i, key in enumerate(REASON_KEYS, 1):
        out.append(Row(f"5.{i}", getattr(labels, key), counts[key], REASON_DEFINITIONS[key],
                       listed(cases["zakonczone_powody"][key])))
    out.append(Row("6", labels.koszty, UNKNOWN_FORM, DEFINITIONS["koszty"]))
    return out


# -- files -----------------------------------------------------------------------------


@dataclass
class Written:
    xlsx: Path
    pdf: Path | None


def _xlsx(figures: Figures, table: list[Row], settings: Settings, today: date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Sprawozdanie {figures.okres.key}"
    sheet.append([f"{settings.osrodek.nazwa} – asystenci rodziny: dane do sprawozdania "
                  f"rzeczowo-finansowego za {figures.okres.label}"])
    sheet.append([f"Stan archiwum na dzień {today:%d.%m.%Y}"])
    sheet.append([])
    sheet.append(["Lp.", "Wyszczególnienie", "Wartość", "Definicja (które dokumenty, które daty)"])
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
    for row in table:
        sheet.append([row.lp, row.etykieta, row.wartosc, row.definicja])
    for line in sheet.iter_rows(min_row=5):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet["A1"].font = Font(bold=True)
    for column, width in zip("ABCD", (6, 60, 12, 90), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A5"
    details = workbook.create_sheet("Sprawy")
    details.append(["Lp.", "Wyszczególnienie", "Numery spraw"])
    for cell in details[1]:
        cell.font = Font(bold=True)
    for row in table:
        if row.sprawy:
            details.append([row.lp, row.etykieta, row.sprawy])
    for column, width in zip("ABC", (6, 60, 90), strict=True):
        details.column_dimensions[column].width = width
    workbook.properties.creator = "asysta"
    workbook.properties.created = datetime(today.year, today.month, today.day)
    workbook.properties.modified = workbook.properties.created
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_report(settings: Settings, converter: Any, figures: Figures,
                 today: date | None = None) -> Written:
    """`outbox/sprawozdania/<okres>/sprawozdanie_<okres>.xlsx` and `.pdf` (a second, different
    run is `_v2`)."""
    from pipeline.documents.kierownik import write_document
    from pipeline.pdf.pdfa import PdfMeta
    from pipeline.stages.archive import write_versioned

    today = today or date.today()
    table = rows(figures, settings)
    folder = settings.outbox / REPORTS_DIR / figures.okres.key
    stem = f"sprawozdanie_{figures.okres.key}"
    xlsx = write_versioned(folder, stem, ".xlsx", _xlsx(figures, table, settings, today))
    context = {"osrodek": dataclasses.asdict(settings.osrodek), "okres": figures.okres.label,
               "na_dzien": today.strftime("%d.%m.%Y"),
               "wiersze": [dataclasses.asdict(r) | {"wartosc": str(r.wartosc)} for r in table],
               "bledy": ", ".join(sorted(figures.bledy))}
    pdf_path = write_document(settings, converter, "sprawozdanie.docx", context, PdfMeta(
        f"Asystenci rodziny – dane do sprawozdania za {figures.okres.key}",
        f"Stan na dzień {today:%d.%m.%Y}", settings.osrodek.nazwa,
        f"asystent rodziny; sprawozdanie rzeczowo-finansowe; {figures.okres.key}"), folder, stem)
    return Written(xlsx, pdf_path)
