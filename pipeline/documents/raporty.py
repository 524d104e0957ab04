"""Monthly reports in batch: `asysta raporty --miesiac RRRR-MM`.

For every family in cooperation or monitoring during the month, an
attachment 14 is built from that month's data — visits and contacts from the
visit logs (8), tasks from the family task cards (9), the goals of the plan in
force (6/7) — merged with the assistant's own report for that month when one
was dropped in the inbox (its narrative is kept). Each report goes through the
same pipeline as a dropped form (validation, DOCX, PDF, archive, versions).
Then `outbox/raporty/RRRR-MM/` gets one PDF of all reports with a bookmark per
assistant and family, and the kierownik's summary as PDF and XLSX. Every report
and the summary are PDF/A-2b; so is the combined PDF when all its reports are
(`pipeline.pdf.join`).
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import shutil  # noqa: F401  (tests patch raporty.shutil.which: no outside tools needed)
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError, RegisterError
from pipeline.core.fsutil import ensure_private_dir, write_new
from pipeline.core.models import Outcome
from pipeline.core.polish import display, in_month, parent_names
from pipeline.flow.process import after_batch, process_files
from pipeline.pdf.join import join_versioned, page_count
from pipeline.pdf.pdfa import PdfMeta, describe_docx
from pipeline.sprawa.checklist import (
    DIAGNOZA,
    MONITORING,
    WSPOLPRACA,
    Doc,
    add_months,
    as_date,
    compute,
    docs_from_register,
)
from pipeline.sprawa.register import Register, families, family_dir
from pipeline.sprawa.schemas import load_schema
from pipeline.stages.convert import Converter
from pipeline.stages.render import named_template, render_docx

REPORTS_DIR = "raporty"
# The stages a report is due in, and how attachment 14 names them.
STAGE_NAMES = {DIAGNOZA: "diagnoza i plan pracy", WSPOLPRACA: "współpraca",
               MONITORING: "monitoring"}
NARRATIVE = ("wspolpraca_rodziny", "przebieg_pracy", "instytucje", "osiagniecia", "trudnosci",
             "plan_na_nastepny_miesiac", "uwagi", "rodzice", "adres")


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


@dataclass
class FamilyReport:
    rodzina: str
    asystent: str
    rodzice: str
    values: dict[str, Any]
    outcome: Outcome | None = None
    error: str | None = None
    overdue: int = 0
    pdf: Path | None = None  # the filed PDF (or the earlier identical one) and its pages
    pages: int = 0


@dataclass
class BatchResult:
    month: Month
    reports: list[FamilyReport] = field(default_factory=list)
    combined: Path | None = None
    summary_pdf: Path | None = None
    summary_xlsx: Path | None = None

    @property
    def failed(self) -> list[FamilyReport]:
        return [r for r in self.reports if r.error]


def _hours(row: dict[str, Any]) -> float:
    try:
        h1, m1 = map(int, str(row["godzina_od"]).split(":"))
        h2, m2 = map(int, str(row["godzina_do"]).split(":"))
    except (KeyError, ValueError):
        return 0.0
    return max(0, (h2 * 60 + m2) - (h1 * 60 + m1)) / 60


def _stage_in(docs: list[Doc], rodzina: str, month: Month, settings: Settings) -> str | None:
    """The stage the family was in during the month, if a report is due for it."""
    for day in (month.last, month.first):
        stage = compute(rodzina, docs, day, settings.terminy).etap
        if stage in STAGE_NAMES:
            return STAGE_NAMES[stage]
    return None


def build_values(rodzina: str, month: Month, settings: Settings, today: date) -> dict[str, Any] | None:
    """The attachment-14 form of a family for a month, or None when no report is due."""
    register = Register.load(family_dir(settings.outbox, rodzina))
    stage = _stage_in(docs_from_register(register), rodzina, month, settings)
    if stage is None:
        return None
    current = register.current()  # the newest version of each document, for its data

    visits: dict[tuple[Any, ...], dict[str, Any]] = {}
    contacts: list[dict[str, Any]] = []
    for entry in current:
        if entry.zalacznik != 8:
            continue
        for row in entry.dane.get("wizyty") or []:
            day = as_date(row.get("data"))
            if day in month:
                visits[(day, row.get("godzina_od"))] = row
        contacts += [r for r in entry.dane.get("kontakty") or [] if as_date(r.get("data")) in month]
    visit_rows = [{"data": v["data"], "godzina_od": v.get("godzina_od"),
                   "godzina_do": v.get("godzina_do"), "dzialania": v.get("dzialania")}
                  for _, v in sorted(visits.items(), key=lambda kv: (kv[0][0], str(kv[0][1])))]
    tasks = []
    for entry in current:
        if entry.zalacznik != 9:
            continue
        start, end = as_date(entry.dane.get("okres_od")), as_date(entry.dane.get("okres_do"))
        covers = start and end and start <= month.last and end >= month.first
        for row in entry.dane.get("zadania") or []:
            if covers or entry.data in month or as_date(row.get("termin")) in month:
                tasks.append({"zadanie": row.get("zadanie"), "termin": row.get("termin"),
                              "status": row.get("status"), "efekt": row.get("efekt")})
    plan = max((e for e in current if e.zalacznik in (6, 7) and e.data <= month.last),
               key=lambda e: e.data, default=None)
    goals = [{"cel": g.get("cel"), "termin": g.get("termin"),
              "przewidywane_efekty": g.get("przewidywane_efekty")}
             for g in (plan.dane.get("cele") or [] if plan else [])]

    assignment = register.newest(1, month.last)
    a1 = assignment.dane if assignment else {}
    parents = parent_names(a1.get("czlonkowie") or [])
    values: dict[str, Any] = {
        "zalacznik": 14, "rodzina": rodzina, "data": today.isoformat(),
        "asystent": a1.get("asystent") or "—",
        "miesiac": month.key,
        "rodzice": ", ".join(p for p in parents if p) or "—",
        "adres": a1.get("adres") or "—",
        "etap": stage,
        "liczba_wizyt": len(visit_rows),
        "liczba_godzin": round(sum(_hours(v) for v in visit_rows), 2),
        "liczba_kontaktow": len(contacts),
        "wizyty": visit_rows,
        "zadania": tasks,
        "cele_planu": goals,
        "instytucje": sorted({f"{c.get('instytucja')} – {c.get('cel')}" if c.get("cel")
                              else str(c.get("instytucja")) for c in contacts}) or None,
    }
    own = register.for_month(month.key)
    if own:  # the assistant's narrative (the newest report of the month) is merged, not replaced
        for name in NARRATIVE:
            if own[-1].dane.get(name) not in (None, "", []):
                values[name] = own[-1].dane[name]
    note = f"{in_month(month.key).capitalize()} nie odnotowano żadnej wizyty w rodzinie."
    if not visit_rows and note not in (values.get("uwagi") or ""):  # idempotent on a re-run
        values["uwagi"] = note + ("\n" + values["uwagi"] if values.get("uwagi") else "")
    if not values.get("przebieg_pracy"):
        values["przebieg_pracy"] = ("Raport sporządzony na podstawie kart pracy asystenta i kart "
                                    "pracy rodziny; opis asystenta za ten miesiąc nie wpłynął.")
    # the schema's order: the same data always gives the same bytes (a re-run is a duplicate)
    order = ["zalacznik", "rodzina", "data", *load_schema(14, settings.foldery.formularze).pola]
    return {key: values[key] for key in order if key in values}


def _form_bytes(values: dict[str, Any]) -> bytes:
    """The report's form as JSON: read back by the same parser as any dropped form."""
    return (json.dumps(values, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def template_pdf(settings: Settings, converter: Converter, template: str,
                 context: dict[str, Any], meta: PdfMeta) -> bytes | None:
    """A document for the kierownik (not a filed form) from a named template: rendered,
    described and converted in a private work folder; None when the conversion failed."""
    ensure_private_dir(settings.outbox)
    with tempfile.TemporaryDirectory(prefix=f".{Path(template).stem}-{os.getpid()}-",
                                     dir=settings.outbox) as work:
        docx = Path(work) / Path(template).with_suffix(".docx").name
        render_docx(named_template(template, settings), context, docx)
        describe_docx(docx, meta)
        pdf = converter.convert([docx], Path(work))[docx]
        return pdf.read_bytes() if isinstance(pdf, Path) else None


def _write_versioned(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """A new file, or `_v2`, `_v3`…: a second run never silently replaces the first."""
    ensure_private_dir(folder)
    version = 1
    while True:
        path = folder / (f"{stem}{suffix}" if version == 1 else f"{stem}_v{version}{suffix}")
        if path.exists():
            if path.read_bytes() == data:
                return path
            version += 1
            continue
        try:
            write_new(path, data)
            return path
        except FileExistsError:
            version += 1


def run_month(settings: Settings, converter: Converter, month: Month, *,
              today: date | None = None,
              progress: Callable[[int, int], None] | None = None) -> BatchResult:
    today = today or date.today()
    result = BatchResult(month)
    due: list[FamilyReport] = []
    for rodzina in families(settings.outbox):
        try:
            values = build_values(rodzina, month, settings, today)
        except RegisterError as exc:
            result.reports.append(FamilyReport(rodzina, "—", "—", {}, error=str(exc)))
            continue
        except (AsystaError, OSError) as exc:
            result.reports.append(FamilyReport(rodzina, "—", "—", {}, error=type(exc).__name__))
            continue
        if values is not None:
            due.append(FamilyReport(rodzina, values["asystent"], values["rodzice"], values))
    result.reports += due
    ensure_private_dir(settings.outbox)  # a new centre's first run: the work folder lives there
    with tempfile.TemporaryDirectory(prefix=f".raporty-{os.getpid()}-", dir=settings.outbox) as work:
        paths = {}
        for report in due:
            path = Path(work) / f"{report.rodzina}.json"
            path.write_bytes(_form_bytes(report.values))
            paths[path.name] = report

        finished = 0

        def filed(outcome: Outcome) -> None:
            nonlocal finished
            finished += 1
            report = paths[outcome.name]
            report.outcome = outcome
            if outcome.status not in ("przyjety", "duplikat"):
                report.error = "; ".join(str(p) for p in outcome.problems) or outcome.status
            else:  # counted now, while LibreOffice works on the next reports
                try:
                    report.pdf = _report_pdf(settings, report)
                    report.pages = page_count(report.pdf) if report.pdf else 0
                except (OSError, ValueError, RegisterError) as exc:
                    report.pdf = None
                    report.error = f"nie można odczytać PDF raportu ({type(exc).__name__})"
            if progress:
                progress(finished, len(due))

        # one batch: LibreOffice is kept busy from the first report to the last
        process_files([Path(work) / n for n in sorted(paths)], settings, converter, filed,
                      refresh=False)
    # the combined PDF needs only the reports: it is joined while the checklists and the
    # summary are made (the after-batch steps, their PDFs left to the next refresh)
    with ThreadPoolExecutor(1) as background:
        combined = background.submit(_combined, settings, result)
        checklists = after_batch(settings, converter, [r.rodzina for r in due], today, pdfs=False)
        overdue = {c.rodzina: sum(c.counts()[s] for s in ("brak", "po_terminie")) for c in checklists}
        for report in due:
            report.overdue = overdue.get(report.rodzina, 0)
        _summary(settings, converter, result, today)
        combined.result()
    return result


def _report_pdf(settings: Settings, report: FamilyReport) -> Path | None:
    outcome = report.outcome
    if outcome is None or report.error:
        return None
    if outcome.filed:
        return outcome.filed.pdf
    # a duplicate: the same report is already filed; find it in the register
    folder = family_dir(settings.outbox, report.rodzina)
    same = [e for e in Register.load(folder).for_month(report.values["miesiac"])
            if e.data.isoformat() == report.values["data"]]
    return folder / same[-1].pdf if same else None


def _combined(settings: Settings, result: BatchResult) -> None:
    """All reports in one PDF: a bookmark per assistant, under it one per family. Joined by
    qpdf (`pipeline.pdf.join`), streaming: a thousand reports never sit in memory."""
    ordered = sorted((r for r in result.reports if not r.error),
                     key=lambda r: (r.asystent.casefold(), r.rodzina))
    parts: list[tuple[FamilyReport, Path, int]] = []
    page = 0
    for report in ordered:
        if report.pdf is not None:
            parts.append((report, report.pdf, page))
            page += report.pages
    if not parts:
        return
    folder = settings.outbox / REPORTS_DIR / result.month.key
    ensure_private_dir(folder)
    result.combined = join_versioned([pdf for _, pdf, _ in parts], folder,
                                     f"raporty_{result.month.key}", PdfMeta(
        f"Miesięczne raporty asystentów rodziny – {result.month.key}",
        f"Raporty z pracy z rodzinami za miesiąc {result.month.key}", settings.osrodek.nazwa,
        f"asystent rodziny; raport miesięczny; {result.month.key}"), _outline(parts))


def _outline(parts: list[tuple[FamilyReport, Path, int]]) -> list[tuple[int, str, int]]:
    """(level, title, first page) for every bookmark, assistants at level 1."""
    marks: list[tuple[int, str, int]] = []
    seen: set[str] = set()
    for report, _, first in parts:
        if report.asystent not in seen:
            seen.add(report.asystent)
            marks.append((1, report.asystent, first))
        marks.append((2, f"{report.rodzina} – {report.rodzice}", first))
    return marks


def _rows(result: BatchResult) -> list[dict[str, Any]]:
    rows = []
    for r in sorted(result.reports, key=lambda r: (r.asystent.casefold(), r.rodzina)):
        v = r.values
        rows.append({
            "asystent": r.asystent, "rodzina": r.rodzina, "etap": v.get("etap", "—"),
            "wizyty": v.get("liczba_wizyt", 0), "godziny": v.get("liczba_godzin", 0.0),
            "kontakty": v.get("liczba_kontaktow", 0), "zaleglosci": r.overdue,
            "uwagi": "błąd: " + r.error if r.error else ("brak wizyt" if not v.get("liczba_wizyt") else ""),
        })
    return rows


def _summary(settings: Settings, converter: Converter, result: BatchResult, today: date) -> None:
    """The kierownik's summary: per assistant and family, visits, hours, overdue items."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    rows = _rows(result)
    folder = settings.outbox / REPORTS_DIR / result.month.key
    stem = f"zestawienie_{result.month.key}"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"Raporty {result.month.key}"
    headers = ["Asystent rodziny", "Nr sprawy", "Etap", "Wizyty", "Godziny",
               "Kontakty z instytucjami", "Zaległe dokumenty", "Uwagi"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
    for row in rows:
        sheet.append([row["asystent"], row["rodzina"], row["etap"], row["wizyty"],
                      row["godziny"], row["kontakty"], row["zaleglosci"], row["uwagi"]])
    for column, width in zip("ABCDEFGH", (28, 16, 22, 9, 9, 12, 12, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.properties.creator = "asysta"
    workbook.properties.created = datetime(today.year, today.month, today.day)
    workbook.properties.modified = workbook.properties.created
    workbook.save(buffer)
    result.summary_xlsx = _write_versioned(folder, stem, ".xlsx", buffer.getvalue())

    per_assistant: dict[str, dict[str, float]] = {}
    for row in rows:
        total = per_assistant.setdefault(row["asystent"], {"rodziny": 0, "wizyty": 0, "godziny": 0.0,
                                                           "zaleglosci": 0})
        total["rodziny"] += 1
        total["wizyty"] += row["wizyty"]
        total["godziny"] += row["godziny"]
        total["zaleglosci"] += row["zaleglosci"]
    context = {
        "miesiac": result.month.key, "na_dzien": today.strftime("%d.%m.%Y"),
        "osrodek": dataclasses.asdict(settings.osrodek),
        "rodziny": [{**r, "godziny": display(float(r["godziny"]))} for r in rows],
        "asystenci": [{"asystent": name, "rodziny": int(t["rodziny"]), "wizyty": int(t["wizyty"]),
                       "godziny": display(float(t["godziny"])), "zaleglosci": int(t["zaleglosci"])}
                      for name, t in sorted(per_assistant.items())],
    }
    pdf = template_pdf(settings, converter, "zestawienie.docx", context, PdfMeta(
        f"Zestawienie miesięcznych raportów asystentów rodziny – {result.month.key}",
        f"Stan na dzień {today:%d.%m.%Y}", settings.osrodek.nazwa,
        f"asystent rodziny; raport miesięczny; {result.month.key}"))
    if pdf is not None:
        result.summary_pdf = _write_versioned(folder, stem, ".pdf", pdf)
