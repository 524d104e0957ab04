"""A report for the family court: `asysta sad RODZINA --od … --do … [--sygnatura …]`.

Built like the monthly report, from the documents of the period only: the visits and
contacts of the visit logs (8) dated in it, the task cards (9), plans and plan updates
(6/7), periodic assessments (15) and interdisciplinary meetings (16) dated in it, and the
monthly reports (14) of the months that lie wholly in it. The assistant's narrative comes
from the newest `rodzaj: sad` document whose `od` and `do` are the period's; without it
every page is marked „PROJEKT” and the command says which narrative is missing. Parents
are the named parents and guardians, children the members under 18 on the period's last
day (the case model, `pipeline/sprawa/`). A period without any document is an error in
Polish and nothing is written. Made by the one path of the kierownik's documents
(`kierownik.py`) and filed through the archive (`archive.file_made`): the page code on
every page, `sprawozdanie-sad_<do>` (then `_v2`…) with the values it was made from
(`.json`), an entry of kind `sprawozdanie_sad` in the register.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.polish import pl_date
from pipeline.documents.draft import mark_draft
from pipeline.sprawa.case import Case
from pipeline.sprawa.checklist import add_months, month_key
from pipeline.sprawa.family import as_date, children, institution_contacts, parents
from pipeline.sprawa.kinds import KINDS, SAD, SPRAWOZDANIE_SAD
from pipeline.sprawa.register import Entry, Register, families, family_dir
from pipeline.stages.archive import file_made, jsonable

KIND = SPRAWOZDANIE_SAD
NARRATIVE_KIND = SAD
FILE_BASE = KINDS[SPRAWOZDANIE_SAD].prefiks  # sprawozdanie-sad_<do>
TEMPLATE = "sprawozdanie_sad.docx"
NARRATIVE = ("sytuacja_rodziny", "przebieg_wspolpracy", "wnioski")


class CourtReportError(AsystaError):
    """The court report cannot be made (no such family, no assignment, a bad period)."""


@dataclass(frozen=True)
class CourtReport:
    rodzina: str
    pdf: Path
    docx: Path
    wersja: int
    duplikat: bool
    values: dict[str, Any]


def _in(day: Any, od: date, do: date) -> bool:
    return isinstance(day, date) and od <= day <= do


def _joined(value: Any) -> str | None:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v) or None
    return str(value) if value not in (None, "") else None


def _period_documents(register: Register, od: date, do: date) -> list[Entry]:
    """The current documents dated in the period (the court's own report aside)."""
    return [e for e in register.current() if _in(e.data, od, do) and e.rodzaj != KIND]


def _people(case: Case, do: date) -> dict[str, str]:
    """Parents (named only) and children (under 18 on the period's last day) as printed."""
    people = case.members(do)
    kids = [f"{m.imie_nazwisko}" + (f" (ur. {pl_date(m.urodzony)})" if m.urodzony else "")
            for m in children(people, do) if m.imie_nazwisko]
    return {"rodzice": ", ".join(parents(people)), "dzieci": ", ".join(kids)}


def _visits(case: Case, od: date, do: date) -> list[dict[str, Any]]:
    return [{"data": c.data, "godziny": f"{c.godzina_od or ''}–{c.godzina_do or ''}",
             "godzin": c.godzin, "miejsce": c.miejsce, "dzialania": c.opis}
            for c in case.contacts(od, do) if c.zalacznik == 8]


def _plans(current: list[Entry], dated: list[Entry]) -> list[dict[str, Any]]:
    plans = []
    for entry in sorted((e for e in dated if e.zalacznik in (6, 7)),
                        key=lambda e: (e.data, e.zalacznik)):
        what = "Plan pracy" if entry.zalacznik == 6 else "Aktualizacja planu pracy"
        for goal in entry.dane.get("cele") or []:
            plans.append({"dokument": f"{what} z {pl_date(entry.data)}", "cel": goal.get("cel"),
                          "termin": as_date(goal.get("termin")),
                          "efekty": goal.get("przewidywane_efekty")})
    return plans


def _reports(register: Register, od: date, do: date) -> list[dict[str, Any]]:
    """The monthly reports (14) of the months that lie wholly in the period."""
    reports = []
    month = date(od.year, od.month, 1)
    while month <= do:
        last = add_months(month, 1) - timedelta(days=1)
        own = register.for_month(month_key(month))
        if month >= od and last <= do and own:
            dane = own[-1].dane
            reports.append({"miesiac": month_key(month), "wspolpraca": dane.get("wspolpraca_rodziny"),
                            "wizyty": dane.get("liczba_wizyt"),
                            "osiagniecia": _joined(dane.get("osiagniecia")),
                            "trudnosci": _joined(dane.get("trudnosci"))})
        month = add_months(month, 1)
    return reports


def _narrative(register: Register, od: date, do: date) -> dict[str, Any]:
    narratives = [e for e in register.of_kind(NARRATIVE_KIND)
                  if as_date(e.dane.get("od")) == od and as_date(e.dane.get("do")) == do]
    return dict(narratives[-1].dane) if narratives else {}


def _assessments(dated: list[Entry]) -> list[dict[str, Any]]:
    return [{"data": e.data, "okres_od": as_date(e.dane.get("okres_od")),
             "okres_do": as_date(e.dane.get("okres_do")),
             "wspolpraca": e.dane.get("wspolpraca_rodziny"),
             "podsumowanie": e.dane.get("podsumowanie"), "wniosek": e.dane.get("wniosek"),
             "cele": "; ".join(f"{g.get('cel')} – {g.get('stopien_realizacji')}"
                               for g in e.dane.get("realizacja_celow") or [])}
            for e in dated if e.zalacznik == 15]


def build_values(register: Register, od: date, do: date, today: date,
                 sygnatura: str | None = None) -> dict[str, Any]:
    """The report's values (dates as dates), from the period's documents only."""
    if od > do:
        raise CourtReportError(f"początek okresu ({pl_date(od)}) jest późniejszy niż jego "
                               f"koniec ({pl_date(do)})")
    assignment = register.newest(1, do)
    if assignment is None:
        raise CourtReportError(f"w archiwum rodziny {register.rodzina} nie ma przydzielenia "
                               f"asystenta rodziny (zał. 1) z datą do {pl_date(do)}")
    case = Case.of(register)
    current = case.current
    dated = sorted((e for e in _period_documents(register, od, do) if not e.rodzaj),
                   key=lambda e: (e.data, e.wersja))
    if not dated and not case.contacts(od, do):
        raise CourtReportError(
            f"w archiwum rodziny {register.rodzina} nie ma żadnego dokumentu z okresu "
            f"{pl_date(od)} – {pl_date(do)}; sprawozdania nie utworzono – sprawdź daty "
            "(--od, --do)")
    a1 = assignment.dane
    visit_rows = _visits(case, od, do)
    contact_rows = institution_contacts(current, od, do)
    plans = _plans(current, dated)
    in_force = max((e for e in current if e.zalacznik in (6, 7) and not e.rodzaj and e.data < od),
                   key=lambda e: e.data, default=None)
    narrative = _narrative(register, od, do)
    signature = sygnatura if sygnatura is not None else (
        narrative.get("sygnatura") or a1.get("sygnatura_postanowienia") or "")
    return {
        "rodzina": register.rodzina, "data": today, "od": od, "do": do,
        "sad": narrative.get("sad") or "", "sygnatura": str(signature or ""),
        "asystent": narrative.get("asystent") or case.asystent(do) or a1.get("asystent") or "",
        **_people(case, do), "adres": a1.get("adres"),
        "podstawa": a1.get("podstawa"), "przydzielenie": assignment.data,
        "liczba_wizyt": len(visit_rows),
        "liczba_godzin": round(sum(v["godzin"] for v in visit_rows), 2),
        "liczba_kontaktow": len(contact_rows),
        "wizyty": visit_rows, "kontakty": contact_rows, "plany": plans,
        "plan_obowiazujacy": in_force.data if in_force and not plans else None,
        "zadania": [{"zadanie": row.get("zadanie"), "termin": as_date(row.get("termin")),
                     "status": row.get("status"), "efekt": row.get("efekt")}
                    for entry in dated if entry.zalacznik == 9
                    for row in entry.dane.get("zadania") or []],
        "oceny": _assessments(dated),
        "spotkania": [{"data": e.data, "cel": e.dane.get("cel_spotkania"),
                       "ustalenia": e.dane.get("ustalenia")} for e in dated if e.zalacznik == 16],
        "raporty": _reports(register, od, do),
        "narracja": bool(narrative),
        **{key: narrative.get(key) or None for key in NARRATIVE},
    }


def missing_narrative(rodzina: str, od: date, do: date) -> str:
    """What the command says when the assistant's narrative for the period is missing."""
    return (f"sprawozdanie rodziny {rodzina} za okres {pl_date(od)} – {pl_date(do)} jest "
            "PROJEKTEM (każda strona tak oznaczona): brak informacji asystenta rodziny dla "
            f"sądu (rodzaj: sad) z polami od: {od.isoformat()} i do: {do.isoformat()} – "
            "wypełnij formularz formularze/sad.yaml (przykład: formularze/przyklady/sad.yaml), "
            "wrzuć go do folderu inbox i uruchom polecenie ponownie")


def make_report(settings: Settings, converter: Any, rodzina: str, od: date, do: date, *,
                sygnatura: str | None = None, today: date | None = None) -> CourtReport:
    """Make the court report and file it in the family's folder through the archive (its
    page code on every page; every page marked PROJEKT without the assistant's narrative)."""
    from pipeline.documents.kierownik import template_docx_pdf
    from pipeline.pdf.pdfa import PdfMeta

    today = today or date.today()
    if rodzina not in families(settings.outbox):
        raise CourtReportError(f"w archiwum nie ma rodziny {rodzina}")
    folder = family_dir(settings.outbox, rodzina)
    values = build_values(Register.load(folder), od, do, today, sygnatura)
    source = (json.dumps(jsonable(values), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    sha256 = hashlib.sha256(source).hexdigest()
    earlier = Register.load(folder).find(sha256)
    if earlier is not None:  # the same report again: nothing new to file
        return CourtReport(rodzina, folder / earlier.pdf, folder / earlier.docx, earlier.wersja,
                           True, values)
    context = {**values, "osrodek": dataclasses.asdict(settings.osrodek)}
    meta = PdfMeta(f"Sprawozdanie dla sądu rodzinnego – sprawa {rodzina}",
                   f"Okres {pl_date(od)} – {pl_date(do)}", settings.osrodek.nazwa,
                   f"asystent rodziny; sprawozdanie dla sądu; {rodzina}")
    made = template_docx_pdf(settings, converter, TEMPLATE, context, meta)
    if made is None:
        raise CourtReportError("nie udało się utworzyć PDF sprawozdania (konwersja LibreOffice)")
    docx, pdf = made
    if not values["narracja"]:
        pdf = mark_draft(pdf, meta)
    entry = file_made(settings.outbox, rodzina, f"{FILE_BASE}_{do.isoformat()}", source, docx, pdf,
                      Entry(0, do, 0, pdf="", sha256=sha256, rodzaj=KIND, dane={
                          "od": od.isoformat(), "do": do.isoformat(),
                          "sygnatura": values["sygnatura"], "sad": values["sad"],
                          "asystent": values["asystent"], "liczba_wizyt": values["liczba_wizyt"],
                          "narracja": values["narracja"]}))
    stem = Path(entry.pdf).stem
    journal.log(settings.outbox, "sprawozdanie_sad", plik=entry.pdf, rodzina=rodzina,
                wynik="przyjety", rodzaj=KIND, sha256=sha256,
                archiwum=[f"{stem}.docx", f"{stem}.pdf", f"{stem}.json"])
    return CourtReport(rodzina, folder / entry.pdf, folder / entry.docx, entry.wersja, False,
                       values)
