"""The family-assistant figures of the half-yearly report: `asysta sprawozdanie`.

Every gmina files a *sprawozdanie rzeczowo-finansowe z wykonywania zadań z zakresu
wspierania rodziny* for January–June (by 31 July) and for the year (by 31 January). Its
family-assistant part is computed here from the families' registers, as pure functions
(`compute`); `write_report` makes the XLSX (row by row: number, label, value, definition,
so the numbers can be typed into the official form) and the kierownik's PDF.

A case is split into cycles (`cycles`): each assignment (1) opens one; it ends at the
earliest of a closing (`rodzaj: zakonczenie`, its `powod` the reason), a consent form (3)
recording refusal (reason: lack of cooperation), an end of monitoring (12, goals
achieved), a re-enrolment request (13, no ending: the family continues) or the next
assignment (a change of assistant, no ending); a closing that follows a re-enrolment
request before any new assignment gives the cycle its reason and date of ending. The
definitions of the figures are
`DEFINITIONS`; they are printed with the figures and in the README.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.polish import meta_date, pl_date
from pipeline.sprawa.checklist import add_years, as_date
from pipeline.sprawa.kinds import ODMOWA, POWODY, ZAKONCZENIE
from pipeline.sprawa.register import Entry, Register, families, family_dir

REPORTS_DIR = "sprawozdania"
CLOSING_KIND = ZAKONCZENIE
REFUSAL = ODMOWA
REASONS = POWODY  # the closing's `powod` → the figure's reason key
REASON_KEYS = ("cele_osiagniete", "brak_wspolpracy", "rezygnacja", "zmiana_miejsca_zamieszkania",
               "inne")
BANDS = ("do_1_roku", "od_1_do_2_lat", "powyzej_2_lat")
UNKNOWN_FORM = "do uzupełnienia"
# members counted as children (the first word of `pokrewienstwo`, any case)
CHILD_RELATIONS = ("syn", "córka", "dziecko", "pasierb", "pasierbica", "wnuk", "wnuczka",
                   "wychowanek", "wychowanka")

DEFINITIONS = {
    "asystenci": "Osoby wpisane jako asystent rodziny w przydzieleniu (zał. 1), które otwiera "
                 "cykl sprawy trwający choć jeden dzień okresu. Formę zatrudnienia "
                 "podaje lista asystentów w ustawieniach ośrodka; kogo tam nie ma – „do uzupełnienia”.",
    "rodziny": "Rodziny (numery spraw), których cykl – od przydzielenia asystenta (zał. 1) do "
               "jego końca: zakończenia współpracy (dokument „zakończenie”), odmowy zgody "
               "(zał. 3), zakończenia monitoringu (zał. 12), wniosku o ponowne objęcie "
               "wsparciem (zał. 13) albo nowego przydzielenia – obejmuje choć jeden dzień "
               "okresu. Rodzina z kilkoma cyklami liczy się raz.",
    "rodziny_sad": "Spośród rodzin z wiersza „rodziny”: te, których przydzielenie (zał. 1) "
                   "cyklu trwającego w okresie zaznacza postanowienie sądu.",
    "rodziny_za_zyciem": "Spośród rodzin z wiersza „rodziny”: te, których przydzielenie "
                         "(zał. 1) cyklu trwającego w okresie zaznacza ustawę „Za życiem”.",
    "dzieci": "Dzieci (pokrewieństwo: syn, córka, dziecko, pasierb, wnuk…) wymienione "
              "w przydzieleniu (zał. 1) lub karcie informacyjnej (zał. 4) cykli trwających "
              "w okresie; każde dziecko liczy się w rodzinie raz, także przez kilka cykli "
              "(rozpoznawane po imieniu, nazwisku i dacie urodzenia, inaczej po numerze PESEL).",
    "czas_wspolpracy": "Rodziny z wiersza „rodziny” według czasu od przydzielenia (zał. 1) "
                       "ich ostatniego cyklu trwającego w okresie do końca tego cyklu albo, gdy "
                       "trwa dalej, do ostatniego dnia okresu: do 1 roku, powyżej 1 roku do "
                       "2 lat, powyżej 2 lat.",
    "zakonczone": "Rodziny, których cykl zakończył się w okresie (data dokumentu kończącego): "
                  "dokument „zakończenie” (powód z pola „powód”), zgoda (zał. 3) z odmową "
                  "współpracy (brak współpracy) albo wniosek o zakończenie monitoringu "
                  "(zał. 12; osiągnięcie celów). Wniosek o ponowne objęcie wsparciem (zał. 13) "
                  "nie kończy współpracy, chyba że po nim, przed nowym przydzieleniem, "
                  "sporządzono dokument „zakończenie” (liczą się wtedy jego data i powód). "
                  "Liczą się rodziny z wiersza „rodziny”, każda raz, z powodem ostatniego "
                  "zakończenia w okresie.",
    "koszty": "Archiwum nie zna kosztów – do uzupełnienia przez ośrodek.",
}
BAND_DEFINITIONS = {
    "do_1_roku": "Jak w wierszu 4: koniec najpóźniej w rocznicę przydzielenia.",
    "od_1_do_2_lat": "Jak w wierszu 4: po pierwszej, najpóźniej w drugą rocznicę przydzielenia.",
    "powyzej_2_lat": "Jak w wierszu 4: po drugiej rocznicy przydzielenia.",
}
REASON_DEFINITIONS = {
    "cele_osiagniete": "Jak w wierszu 5: „zakończenie” z powodem „osiągnięcie celów planu” "
                       "albo wniosek o zakończenie monitoringu (zał. 12).",
    "brak_wspolpracy": "Jak w wierszu 5: „zakończenie” z powodem „brak współpracy rodziny” "
                       "albo zgoda (zał. 3) z odmową współpracy.",
    "rezygnacja": "Jak w wierszu 5: „zakończenie” z powodem „rezygnacja rodziny złożona "
                  "pisemnie”.",
    "zmiana_miejsca_zamieszkania": "Jak w wierszu 5: „zakończenie” z powodem „zmiana miejsca "
                                   "zamieszkania poza gminę”.",
    "inne": "Jak w wierszu 5: „zakończenie” z powodem „inny powód” (lub bez znanego powodu).",
}


class PeriodError(AsystaError):
    """A period the command cannot read."""


@dataclass(frozen=True)
class Period:
    od: date
    do: date
    key: str  # 2026-H1, 2026

    @property
    def label(self) -> str:
        if self.key.endswith(("H1", "H2")):
            half = "I" if self.key.endswith("H1") else "II"
            return f"{half} półrocze {self.od.year} r. ({self.span})"
        return f"rok {self.od.year} ({self.span})"

    @property
    def span(self) -> str:
        return f"od {pl_date(self.od, words=True)} do {pl_date(self.do, words=True)}"

    def overlaps(self, start: date, end: date | None) -> bool:
        return start <= self.do and (end is None or end >= self.od)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.od <= day <= self.do


def half_year(text: str) -> Period:
    """`RRRR-H1` (1 January – 30 June) or `RRRR-H2` (1 July – 31 December)."""
    match = re.fullmatch(r"(\d{4})-[Hh]([12])", text.strip())
    if not match or int(match[1]) < 1900:
        raise PeriodError(f"niepoprawny okres „{text}” – podaj półrocze jako RRRR-H1 "
                          "(styczeń–czerwiec) albo RRRR-H2 (lipiec–grudzień), np. 2026-H1")
    year = int(match[1])
    if match[2] == "1":
        return Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1")
    return Period(date(year, 7, 1), date(year, 12, 31), f"{year}-H2")


def whole_year(text: str) -> Period:
    if not re.fullmatch(r"\d{4}", text.strip()) or int(text) < 1900:
        raise PeriodError(f"niepoprawny rok „{text}” – podaj rok jako RRRR, np. 2026")
    year = int(text)
    return Period(date(year, 1, 1), date(year, 12, 31), str(year))


# -- cycles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    """One assignment (1) of a case and how it ended (if it did)."""

    start: date
    assignment: Entry
    end: date | None = None
    reason: str | None = None  # a key of REASON_KEYS; None: no ending (13, a new assignment)
    documents: tuple[Entry, ...] = ()  # the cycle's documents, assignment included
    closed: date | None = None  # the date of the ending with a reason (a closing after a 13)

    @property
    def ended_on(self) -> date | None:
        """When the cooperation ended for the figures (None: it did not end, or went on)."""
        return (self.closed or self.end) if self.reason is not None else None

    @property
    def court(self) -> bool:
        return bool(self.assignment.dane.get("postanowienie_sadu"))

    @property
    def za_zyciem(self) -> bool:
        return bool(self.assignment.dane.get("za_zyciem"))

    @property
    def asystent(self) -> str:
        return " ".join(str(self.assignment.dane.get("asystent") or "").split())


def _ending(entry: Entry) -> tuple[str | None] | None:
    """(reason,) when the document ends a cycle, None when it does not."""
    if entry.rodzaj == CLOSING_KIND:
        return (REASONS.get(str(entry.dane.get("powod", "")).strip(), "inne"),)
    if entry.rodzaj:
        return None
    if entry.zalacznik == 3 and entry.dane.get("oswiadczenie") == REFUSAL:
        return ("brak_wspolpracy",)
    if entry.zalacznik == 12:
        return ("cele_osiagniete",)
    if entry.zalacznik == 13:
        return (None,)
    return None


def _closing_date(entry: Entry) -> date:
    """A closing's date of ending cooperation: its `data` field, else the document's date."""
    return as_date(entry.dane.get("data")) or entry.data if entry.rodzaj == CLOSING_KIND \
        else entry.data


def cycles(register: Register) -> list[Cycle]:
    """The case's cycles, oldest first (see the module's text)."""
    current = sorted(register.current(), key=lambda e: (e.data, e.zalacznik == 1, e.wersja))
    assignments = sorted((e for e in current if e.zalacznik == 1 and not e.rodzaj),
                         key=lambda e: (e.data, e.wersja))
    out = []
    for i, assignment in enumerate(assignments):
        following = assignments[i + 1].data if i + 1 < len(assignments) else None
        inside = [e for e in current
                  if e.data >= assignment.data and (following is None or e.data < following)]
        end, reason, closed = None, None, None
        for entry in inside:
            ending = _ending(entry)
            if ending is None or entry is assignment:
                continue
            if end is None:
                end, reason = _closing_date(entry), ending[0]
                if reason is not None:
                    break
            elif entry.rodzaj == CLOSING_KIND:  # closed while waiting after a re-enrolment (13)
                reason, closed = ending[0], _closing_date(entry)
                break
        if end is None and following is not None:
            end = following - timedelta(days=1)  # a new assignment: the family goes on
        documents = tuple(e for e in inside if end is None or e.data <= end)
        out.append(Cycle(assignment.data, assignment, end, reason, documents, closed))
    return out


# -- children --------------------------------------------------------------------------


def is_child(relation: Any) -> bool:
    words = str(relation or "").lower().split()
    return bool(words) and words[0] in CHILD_RELATIONS


def _child_key(member: Mapping[str, Any]) -> tuple[str, ...] | None:
    name = " ".join(str(member.get("imie_nazwisko") or "").casefold().split())
    born = as_date(member.get("data_urodzenia"))
    pesel = str(member.get("pesel") or "").strip()
    if name and born:
        return ("n", name, born.isoformat())
    if pesel:  # the PESEL holds the birth date: the same child as name + date elsewhere
        return ("p", pesel)
    return ("n", name) if name else None


def children(cycle_list: Iterable[Cycle]) -> set[tuple[str, ...]]:
    """The children of a family's cycles, each once (internal keys, never printed)."""
    keys: set[tuple[str, ...]] = set()
    pesels: dict[str, tuple[str, ...]] = {}
    for cycle in cycle_list:
        for entry in cycle.documents:
            if entry.rodzaj or entry.zalacznik not in (1, 4):
                continue
            for member in entry.dane.get("czlonkowie") or []:
                if not isinstance(member, Mapping) or not is_child(member.get("pokrewienstwo")):
                    continue
                key = _child_key(member)
                pesel = str(member.get("pesel") or "").strip()
                if key is None:
                    continue
                if pesel and pesel in pesels:
                    key = pesels[pesel]  # known by its PESEL under another spelling
                elif pesel:
                    pesels[pesel] = key
                keys.add(key)
    return keys


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
    rodziny: set[str] = field(default_factory=set)
    rodziny_sad: set[str] = field(default_factory=set)
    rodziny_za_zyciem: set[str] = field(default_factory=set)
    dzieci: dict[str, int] = field(default_factory=dict)  # case → children counted
    czas: dict[str, set[str]] = field(default_factory=lambda: {b: set() for b in BANDS})
    zakonczone: dict[str, str] = field(default_factory=dict)  # case → reason key
    bledy: list[str] = field(default_factory=list)  # case numbers whose register is damaged

    def forms(self, employment: Mapping[str, str]) -> dict[str, int]:
        """Assistants by form of employment ([asystenci]); unknown ones „do uzupełnienia”."""
        counts: dict[str, int] = {}
        for name in sorted(self.asystenci):
            form = employment.get(name, UNKNOWN_FORM)
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
        }


def add_family(figures: Figures, register: Register) -> None:
    """Count one family's register into the figures."""
    period = figures.okres
    active = [c for c in cycles(register) if period.overlaps(c.start, c.end)]
    if not active:
        return
    case = register.rodzina
    figures.rodziny.add(case)
    for cycle in active:
        if cycle.asystent:
            figures.asystenci.setdefault(cycle.asystent, set()).add(case)
        if cycle.court:
            figures.rodziny_sad.add(case)
        if cycle.za_zyciem:
            figures.rodziny_za_zyciem.add(case)
        if cycle.ended_on in period and cycle.reason is not None:
            figures.zakonczone[case] = cycle.reason  # the latest ending in the period wins
    figures.dzieci[case] = len(children(active))
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
                       "Forma zatrudnienia według listy asystentów w ustawieniach ośrodka."
                       if form != UNKNOWN_FORM else
                       "Asystenci, których formy zatrudnienia nie podano w ustawieniach ośrodka."))
    out += [
        Row("2", labels.rodziny, len(figures.rodziny), DEFINITIONS["rodziny"],
            listed(cases["rodziny"])),
        Row("2.1", labels.rodziny_sad, len(figures.rodziny_sad), DEFINITIONS["rodziny_sad"],
            listed(cases["rodziny_sad"])),
        Row("2.2", labels.rodziny_za_zyciem, len(figures.rodziny_za_zyciem),
            DEFINITIONS["rodziny_za_zyciem"], listed(cases["rodziny_za_zyciem"])),
        Row("3", labels.dzieci, sum(figures.dzieci.values()), DEFINITIONS["dzieci"],
            listed(f"{c} ({n})" for c, n in cases["dzieci"].items())),
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
    from pipeline.documents.raporty import _write_versioned, template_pdf
    from pipeline.pdf.pdfa import PdfMeta

    today = today or date.today()
    table = rows(figures, settings)
    folder = settings.outbox / REPORTS_DIR / figures.okres.key
    stem = f"sprawozdanie_{figures.okres.key}"
    xlsx = _write_versioned(folder, stem, ".xlsx", _xlsx(figures, table, settings, today))
    context = {"osrodek": dataclasses.asdict(settings.osrodek), "okres": figures.okres.label,
               "na_dzien": today,
               "wiersze": [dataclasses.asdict(r) | {"wartosc": str(r.wartosc)} for r in table],
               "bledy": ", ".join(sorted(figures.bledy))}
    pdf = template_pdf(settings, converter, "sprawozdanie.docx", context, PdfMeta(
        f"Asystenci rodziny – dane do sprawozdania za {figures.okres.label}",
        f"Stan na dzień {meta_date(today)}", settings.osrodek.nazwa,
        f"asystent rodziny; sprawozdanie rzeczowo-finansowe; {figures.okres.label.split(' (')[0]}"))
    pdf_path = None if pdf is None else _write_versioned(folder, stem, ".pdf", pdf)
    return Written(xlsx, pdf_path)
