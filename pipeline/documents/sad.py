"""A report for the family court: `asysta sad RODZINA --od … --do … [--sygnatura …]`.

Built like the monthly report, from the documents of the period only: the visits and
contacts of the visit logs (8) dated in it, the task cards (9), plans and plan updates
(6/7), periodic assessments (15) and interdisciplinary meetings (16) dated in it, and the
monthly reports (14) of the months that lie wholly in it. The assistant's narrative comes
from the newest `rodzaj: sad` document whose `od` and `do` are the period's. Rendered to
DOCX and PDF (template `sprawozdanie_sad.docx`) and filed in the family's folder as
`sprawozdanie-sad_<do>` (then `_v2`…) with the values it was made from (`.json`),
registered as an entry of kind `sprawozdanie_sad`, under the archive's lock.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.fsutil import ensure_private_dir, fsync_dir, replace, write_new
from pipeline.core.polish import is_parent, meta_date, pl_date
from pipeline.documents.raporty import _hours
from pipeline.sprawa.checklist import add_months, as_date
from pipeline.sprawa.kinds import KINDS, SAD, SPRAWOZDANIE_SAD
from pipeline.sprawa.register import REGISTER_NAME, Entry, Register, families, family_dir
from pipeline.stages.archive import _slot, archive_lock, jsonable

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


def build_values(register: Register, od: date, do: date, today: date,
                 sygnatura: str | None = None) -> dict[str, Any]:
    """The report's values (dates as dates), from the period's documents only."""
    if od > do:
        raise CourtReportError(f"początek okresu ({pl_date(od)}) jest późniejszy niż jego "
                               f"koniec ({pl_date(do)})")
    current = register.current()
    assignment = register.newest(1, do)
    if assignment is None:
        raise CourtReportError(f"w archiwum rodziny {register.rodzina} nie ma przydzielenia "
                               f"asystenta rodziny (zał. 1) z datą do {pl_date(do)}")
    a1 = assignment.dane
    members = [m for m in a1.get("czlonkowie") or [] if isinstance(m, dict)]
    parents = [str(m.get("imie_nazwisko")) for m in members if is_parent(m.get("pokrewienstwo"))]
    kids = [f"{m.get('imie_nazwisko')}" + (f" (ur. {pl_date(born)})" if (born := as_date(
        m.get("data_urodzenia"))) else "") for m in members
        if m.get("imie_nazwisko") and not is_parent(m.get("pokrewienstwo"))]

    def dated(n: int) -> list[Entry]:
        return sorted((e for e in current if e.zalacznik == n and not e.rodzaj
                       and _in(e.data, od, do)), key=lambda e: (e.data, e.wersja))

    visits: dict[tuple[Any, ...], dict[str, Any]] = {}
    contacts: dict[tuple[Any, ...], dict[str, Any]] = {}
    for entry in (e for e in current if e.zalacznik == 8 and not e.rodzaj):
        for row in entry.dane.get("wizyty") or []:
            day = as_date(row.get("data"))
            if _in(day, od, do):
                visits[(day, str(row.get("godzina_od")))] = {
                    "data": day, "godziny": f"{row.get('godzina_od') or ''}–{row.get('godzina_do') or ''}",
                    "godzin": _hours(row), "miejsce": row.get("miejsce"),
                    "dzialania": row.get("dzialania")}
        for row in entry.dane.get("kontakty") or []:
            day = as_date(row.get("data"))
            if _in(day, od, do):
                contacts[(day, str(row.get("instytucja")), str(row.get("cel")))] = {
                    "data": day, "instytucja": row.get("instytucja"), "forma": row.get("forma"),
                    "cel": row.get("cel")}
    visit_rows = [visits[k] for k in sorted(visits, key=lambda k: (k[0], k[1]))]
    contact_rows = [contacts[k] for k in sorted(contacts, key=lambda k: (k[0], k[1], k[2]))]

    plans = []
    for entry in sorted([*dated(6), *dated(7)], key=lambda e: (e.data, e.zalacznik)):
        what = "Plan pracy" if entry.zalacznik == 6 else "Aktualizacja planu pracy"
        for goal in entry.dane.get("cele") or []:
            plans.append({"dokument": f"{what} z {pl_date(entry.data)}", "cel": goal.get("cel"),
                          "termin": as_date(goal.get("termin")),
                          "efekty": goal.get("przewidywane_efekty")})
    in_force = max((e for e in current if e.zalacznik in (6, 7) and not e.rodzaj and e.data < od),
                   key=lambda e: e.data, default=None)
    tasks = [{"zadanie": row.get("zadanie"), "termin": as_date(row.get("termin")),
              "status": row.get("status"), "efekt": row.get("efekt")}
             for entry in dated(9) for row in entry.dane.get("zadania") or []]
    assessments = [{"data": e.data, "okres_od": as_date(e.dane.get("okres_od")),
                    "okres_do": as_date(e.dane.get("okres_do")),
                    "wspolpraca": e.dane.get("wspolpraca_rodziny"),
                    "podsumowanie": e.dane.get("podsumowanie"), "wniosek": e.dane.get("wniosek"),
                    "cele": " ".join(f"„{str(g.get('cel') or '').rstrip('. ')}” – cel "
                                     f"{g.get('stopien_realizacji')}."
                                     for g in e.dane.get("realizacja_celow") or [])}
                   for e in dated(15)]
    meetings = [{"data": e.data, "cel": e.dane.get("cel_spotkania"),
                 "ustalenia": e.dane.get("ustalenia")} for e in dated(16)]
    reports = []
    month = date(od.year, od.month, 1)
    while month <= do:
        last = add_months(month, 1) - timedelta(days=1)
        key = f"{month.year:04d}-{month.month:02d}"
        own = register.for_month(key)
        if month >= od and last <= do and own:
            dane = own[-1].dane
            reports.append({"miesiac": key, "wspolpraca": dane.get("wspolpraca_rodziny"),
                            "wizyty": dane.get("liczba_wizyt"),
                            "osiagniecia": _joined(dane.get("osiagniecia")),
                            "trudnosci": _joined(dane.get("trudnosci"))})
        month = add_months(month, 1)

    narratives = [e for e in register.of_kind(NARRATIVE_KIND)
                  if as_date(e.dane.get("od")) == od and as_date(e.dane.get("do")) == do]
    narrative = narratives[-1].dane if narratives else {}
    signature = sygnatura if sygnatura is not None else (
        narrative.get("sygnatura") or a1.get("sygnatura_postanowienia") or "")
    return {
        "rodzina": register.rodzina, "data": today, "od": od, "do": do,
        "sad": narrative.get("sad") or "", "sygnatura": str(signature or ""),
        "asystent": narrative.get("asystent") or a1.get("asystent") or "",
        "rodzice": ", ".join(parents), "dzieci": ", ".join(kids), "adres": a1.get("adres"),
        "podstawa": a1.get("podstawa"), "przydzielenie": assignment.data,
        "liczba_wizyt": len(visit_rows),
        "liczba_godzin": round(sum(v["godzin"] for v in visit_rows), 2),
        "liczba_kontaktow": len(contact_rows),
        "wizyty": visit_rows, "kontakty": contact_rows, "plany": plans,
        "plan_obowiazujacy": in_force.data if in_force and not plans else None,
        "zadania": tasks, "oceny": assessments, "spotkania": meetings, "raporty": reports,
        "narracja": bool(narrative),
        **{key: narrative.get(key) or None for key in NARRATIVE},
    }


def make_report(settings: Settings, converter: Any, rodzina: str, od: date, do: date, *,
                sygnatura: str | None = None, today: date | None = None) -> CourtReport:
    from pipeline.pdf.pdfa import PdfMeta, describe_docx
    from pipeline.stages.render import named_template, render_docx

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
    ensure_private_dir(settings.outbox)
    with tempfile.TemporaryDirectory(prefix=f".sad-{os.getpid()}-", dir=settings.outbox) as work:
        docx = Path(work) / "sprawozdanie.docx"
        render_docx(named_template(TEMPLATE, settings), context, docx)
        describe_docx(docx, PdfMeta(
            f"Sprawozdanie dla sądu rodzinnego – sprawa {rodzina}",
            f"Okres od {meta_date(od)} do {meta_date(do)}", settings.osrodek.nazwa,
            f"asystent rodziny; sprawozdanie dla sądu; {rodzina}"))
        pdf = converter.convert([docx], Path(work))[docx]
        if not isinstance(pdf, Path):
            raise CourtReportError(f"nie udało się utworzyć PDF sprawozdania ({pdf})")
        with archive_lock(settings.outbox):
            version, stem = _slot(folder, f"{FILE_BASE}_{do.isoformat()}", ".json", source)
            targets = ((folder / f"{stem}.json", source), (folder / f"{stem}.docx", docx.read_bytes()),
                       (folder / f"{stem}.pdf", pdf.read_bytes()))
            for path, data in targets:
                (replace if path.exists() else write_new)(path, data)
            entry = Entry(0, do, version, pdf=f"{stem}.pdf", docx=f"{stem}.docx",
                          plik_zrodlowy=f"{stem}.json", sha256=sha256,
                          przyjeto=datetime.now().astimezone().isoformat(timespec="seconds"),
                          dane={"od": od.isoformat(), "do": do.isoformat(),
                                "sygnatura": values["sygnatura"], "sad": values["sad"],
                                "asystent": values["asystent"],
                                "liczba_wizyt": values["liczba_wizyt"],
                                "narracja": values["narracja"]},
                          rodzaj=KIND)
            register = Register.load(folder).with_entry(entry)
            replace(folder / REGISTER_NAME, register.to_bytes())
            fsync_dir(folder)
    journal.log(settings.outbox, "sprawozdanie_sad", plik=f"{stem}.pdf", rodzina=rodzina,
                wynik="przyjety", rodzaj=KIND, sha256=sha256,
                archiwum=[f"{stem}.docx", f"{stem}.pdf", f"{stem}.json"])
    return CourtReport(rodzina, folder / f"{stem}.pdf", folder / f"{stem}.docx", version, False,
                       values)
