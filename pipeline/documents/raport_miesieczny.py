"""One family's monthly report (14) for `asysta raporty`: whether one is due, whether the
assistant filed their own, and the values of one made from the month's documents.

One report per family and month: the assistant's own filed report stands (it is never
generated over); a month without one gets a report made from the records the case model
reads (`pipeline/sprawa/case.py`): every contact with the family in the month, from the
visit logs (8), the monitoring cards (11) and the meetings (16), one row each in the
report's visits table (the counts are the rows' count and hours, so a count never sits
above „Brak pozycji”), the contacts with institutions (8, 11), the tasks (9), the goals
of the plan in force (6/7) and the stage of the case named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.polish import in_month
from pipeline.sprawa.case import Case, generated
from pipeline.sprawa.checklist import DIAGNOZA, MONITORING, WSPOLPRACA, add_months, compute
from pipeline.sprawa.family import Contact, as_date, institution_contacts, parents
from pipeline.sprawa.register import Entry, Register
from pipeline.sprawa.schemas import load_schema

# The stages a report is due in, and how attachment 14 names them.
STAGE_NAMES = {DIAGNOZA: "diagnoza i plan pracy", WSPOLPRACA: "współpraca",
               MONITORING: "monitoring"}
SOURCES = {8: "karta pracy asystenta", 11: "karta monitoringu", 16: "spotkanie zespołu"}


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    key: str

    @classmethod
    def parse(cls, text: str) -> Month:
        """`RRRR-MM`; ValueError otherwise."""
        if len(text) != 7:
            raise ValueError(text)
        first = date.fromisoformat(f"{text}-01")
        return cls(first, add_months(first, 1) - timedelta(days=1), text)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


def stage_in(register: Register, month: Month, settings: Settings) -> str | None:
    """The stage the family was in during the month (its name in 14), if a report is due."""
    for day in (month.last, month.first):
        stage = compute(register.rodzina, register, day, settings.terminy).etap
        if stage in STAGE_NAMES:
            return STAGE_NAMES[stage]
    return None


def own_report(register: Register, month: Month) -> Entry | None:
    """The assistant's own report for the month, when the current one is theirs."""
    current = register.for_month(month.key)
    return current[-1] if current and not generated(current[-1]) else None


def _contact_row(contact: Contact) -> dict[str, Any]:
    what = contact.opis or ""
    if contact.zalacznik != 8:  # say where it comes from and what it was
        what = f"{contact.forma} ({SOURCES[contact.zalacznik]}, zał. {contact.zalacznik})" + (
            f": {what}" if what else "")
    return {"data": contact.data.isoformat(), "godzina_od": contact.godzina_od,
            "godzina_do": contact.godzina_do, "dzialania": what or None}


def _tasks(current: list[Entry], month: Month) -> list[dict[str, Any]]:
    tasks = []
    for entry in (e for e in current if e.zalacznik == 9 and not e.rodzaj):
        start, end = as_date(entry.dane.get("okres_od")), as_date(entry.dane.get("okres_do"))
        covers = start and end and start <= month.last and end >= month.first
        for row in entry.dane.get("zadania") or []:
            if covers or entry.data in month or as_date(row.get("termin")) in month:
                tasks.append({"zadanie": row.get("zadanie"), "termin": row.get("termin"),
                              "status": row.get("status"), "efekt": row.get("efekt")})
    return tasks


def _goals(current: list[Entry], month: Month) -> list[dict[str, Any]]:
    plan = max((e for e in current if e.zalacznik in (6, 7) and not e.rodzaj
                and e.data <= month.last), key=lambda e: e.data, default=None)
    return [{"cel": g.get("cel"), "termin": g.get("termin"),
             "przewidywane_efekty": g.get("przewidywane_efekty")}
            for g in (plan.dane.get("cele") or [] if plan else [])]


def build_values(register: Register, month: Month, settings: Settings,
                 today: date) -> dict[str, Any] | None:
    """The attachment-14 form made for a family and month, or None when no report is due."""
    stage = stage_in(register, month, settings)
    if stage is None:
        return None
    case = Case.of(register)
    current = case.current
    rows = [_contact_row(c) for c in case.contacts(month.first, month.last)]
    hours = sum(c.godzin for c in case.contacts(month.first, month.last))
    institutions = institution_contacts(current, month.first, month.last)
    assignment = register.newest(1, month.last)
    a1 = assignment.dane if assignment else {}
    values: dict[str, Any] = {
        "zalacznik": 14, "rodzina": register.rodzina, "data": today.isoformat(),
        "asystent": case.asystent(month.last) or a1.get("asystent") or "—",
        "miesiac": month.key,
        "rodzice": ", ".join(parents(case.members(month.last))) or "—",
        "adres": a1.get("adres") or "—",
        "etap": stage,
        "liczba_wizyt": len(rows),
        "liczba_godzin": round(hours, 2),
        "liczba_kontaktow": len(institutions),
        "wizyty": rows,
        "zadania": _tasks(current, month),
        "cele_planu": _goals(current, month),
        "instytucje": sorted({f"{c['instytucja']} – {c['cel']}" if c.get("cel")
                              else str(c["instytucja"]) for c in institutions}) or None,
        "przebieg_pracy": ("Raport sporządzony na podstawie kart pracy asystenta i kart "
                           "pracy rodziny; opis asystenta za ten miesiąc nie wpłynął."),
    }
    if not rows:
        values["uwagi"] = f"{in_month(month.key).capitalize()} nie odnotowano żadnej wizyty w rodzinie."
    # the schema's order: the same data always gives the same bytes (a re-run is a duplicate)
    order = ["zalacznik", "rodzina", "data", *load_schema(14, settings.foldery.formularze).pola]
    return {key: values[key] for key in order if key in values}
