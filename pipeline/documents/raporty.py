"""Monthly reports in batch: `asysta raporty --miesiac RRRR-MM`.

One report (14) per family and month. For every family in cooperation or monitoring during
the month: the assistant's own filed report for it stands as it is; a month without one
gets a report made from the month's records (`raport_miesieczny.build_values`), filed
through the same pipeline as a dropped form (validation, DOCX, PDF, archive, versions) and
marked in the register as made by the program (the batch itself: pipeline/flow/raporty.py).
Running a month again makes anew only the
reports the program made: the same data is a duplicate (nothing new), changed data a new
version of the month's report; a report the assistant files later (even after a made one)
is the month's report from then on, as its next version. Then `outbox/raporty/RRRR-MM/`
gets one PDF of all the month's reports with a bookmark per assistant and family, and the
kierownik's summary as PDF and XLSX (`zestawienie.py`), which says per family whether the
assistant filed the report or the program made it. Every report and the summary are
PDF/A-2b; so is the combined PDF when all its reports are (`pipeline.pdf.join`).
"""

from __future__ import annotations

import json
import shutil  # noqa: F401  (tests patch raporty.shutil.which: no outside tools needed)
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError, RegisterError
from pipeline.core.fsutil import ensure_private_dir
from pipeline.core.models import Outcome
from pipeline.core.polish import month_name
from pipeline.documents.overview import checklist_of
from pipeline.documents.raport_miesieczny import Month, build_values, own_report, stage_in
from pipeline.pdf.join import join_versioned, page_count
from pipeline.pdf.pdfa import PdfMeta
from pipeline.sprawa.case import GENERATED_KEY
from pipeline.sprawa.family import person_key
from pipeline.sprawa.register import MONTHLY_REPORT, Entry, Register, families, family_dir

REPORTS_DIR = "raporty"  # outbox/raporty/RRRR-MM/: the combined PDF and the summary

__all__ = ["REPORTS_DIR", "BatchResult", "FamilyReport", "Month", "combined", "combined_order",
           "count_pages", "expected_overdue", "form_bytes", "kept", "plan_month", "report_pdf"]


@dataclass
class FamilyReport:
    rodzina: str
    asystent: str
    rodzice: str
    values: dict[str, Any]
    outcome: Outcome | None = None
    error: str | None = None
    overdue: int = 0  # as expected when planned; as the checklist counts after the batch
    pdf: Path | None = None  # the filed PDF (or the earlier identical one) and its pages
    pages: int = 0
    wlasny: bool = False  # the assistant's own filed report (nothing made)


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


def form_bytes(values: dict[str, Any]) -> bytes:
    """The report's form as JSON: read back by the same parser as any dropped form."""
    return (json.dumps(values, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _family(settings: Settings, rodzina: str, month: Month, today: date) -> FamilyReport | None:
    """The family's report for the month: its own filed one, one to make, or None (none due);
    its overdue count as the checklist will show it once the batch has filed the report."""
    folder = family_dir(settings.outbox, rodzina)
    register = Register.load(folder)
    own = own_report(register, month)
    if own is not None and stage_in(register, month, settings) is not None:
        values = kept(own.dane)
        report = FamilyReport(rodzina, str(values.get("asystent") or "—"),
                              str(values.get("rodzice") or "—"), values, wlasny=True)
        report.overdue = expected_overdue(settings, register, report, today)
        count_pages(report, folder / own.pdf)
        return report
    values_made = build_values(register, month, settings, today)
    if values_made is None:
        return None
    report = FamilyReport(rodzina, values_made["asystent"], values_made["rodzice"], values_made)
    report.overdue = expected_overdue(settings, register, report, today)
    return report


# what the summary, the combined PDF and a second run read of a report's values
KEPT = ("zalacznik", "rodzina", "data", "miesiac", "asystent", "rodzice", "etap",
        "liczba_wizyt", "liczba_godzin", "liczba_kontaktow")


def kept(values: Mapping[str, Any]) -> dict[str, Any]:
    """A report's values as a batch keeps them once its form is written (a large centre's
    visits and tasks are not held to the end of the run)."""
    return {k: values[k] for k in KEPT if k in values}


def expected_overdue(settings: Settings, register: Register, report: FamilyReport,
                     today: date) -> int:
    """What the family's checklist will count as missing or late once the batch has filed
    its report: the summary is made from these while the reports convert, and made anew
    when a family's count turns out different."""
    if not report.wlasny:
        made = Entry(MONTHLY_REPORT, date.fromisoformat(report.values["data"]),
                     1 + max((e.wersja for e in register.entries if e.zalacznik == MONTHLY_REPORT
                              and e.dane.get("miesiac") == report.values["miesiac"]), default=0),
                     "", plik_zrodlowy="(raport w przygotowaniu)", dane=report.values,
                     extra={GENERATED_KEY: True})
        register = register.with_entry(made)
    return checklist_of(settings.outbox, report.rodzina, register, today, settings).overdue


def count_pages(report: FamilyReport, pdf: Path | None) -> None:
    try:
        report.pdf = pdf
        report.pages = page_count(pdf) if pdf else 0
    except (OSError, ValueError) as exc:
        report.pdf = None
        report.error = f"nie można odczytać PDF raportu ({type(exc).__name__})"


def plan_month(settings: Settings, month: Month, today: date) -> list[FamilyReport]:
    """Every family's report for the month (the failed ones with their error)."""
    out = []
    for rodzina in families(settings.outbox):
        try:
            report = _family(settings, rodzina, month, today)
        except RegisterError as exc:
            out.append(FamilyReport(rodzina, "—", "—", {}, error=str(exc)))
            continue
        except (AsystaError, OSError) as exc:
            out.append(FamilyReport(rodzina, "—", "—", {}, error=type(exc).__name__))
            continue
        if report is not None:
            out.append(report)
    return out


def report_pdf(settings: Settings, report: FamilyReport) -> Path | None:
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


def combined_order(reports: Iterable[FamilyReport]) -> list[FamilyReport]:
    """The order of the combined PDF: assistant by assistant, then case number."""
    return sorted(reports, key=lambda r: (person_key(r.asystent), r.rodzina))


def combined(settings: Settings, result: BatchResult,
             filed: Callable[[FamilyReport], None] = lambda report: None) -> None:
    """All reports in one PDF: a bookmark per assistant, under it one per family. Joined
    streaming (`pipeline.pdf.join`): a thousand reports never sit in this process's memory.
    `filed(report)` returns once that report is filed (or has failed): the join runs while
    the batch converts, taking each report as it comes."""
    marks: list[tuple[int, str, int]] = []  # filled after the last part, as the join reads it

    def parts() -> Iterator[Path]:
        joined: list[tuple[FamilyReport, Path, int]] = []
        page = 0
        for report in combined_order(r for r in result.reports if not r.error):
            filed(report)
            if report.error or report.pdf is None:
                continue
            joined.append((report, report.pdf, page))
            yield report.pdf
            page += report.pages
        marks.extend(_outline(joined))

    folder = settings.outbox / REPORTS_DIR / result.month.key
    ensure_private_dir(folder)
    result.combined = join_versioned(parts(), folder, f"raporty_{result.month.key}", PdfMeta(
        f"Miesięczne raporty asystentów rodziny – {month_name(result.month.key)}",
        f"Raporty z pracy z rodzinami za {month_name(result.month.key)} r.", settings.osrodek.nazwa,
        f"asystent rodziny; raport miesięczny; {month_name(result.month.key)}"), marks)


def _outline(parts: list[tuple[FamilyReport, Path, int]]) -> list[tuple[int, str, int]]:
    """(level, title, first page) for every bookmark, assistants at level 1."""
    marks: list[tuple[int, str, int]] = []
    seen: set[str] = set()
    for report, _, first in parts:
        if person_key(report.asystent) not in seen:
            seen.add(person_key(report.asystent))
            marks.append((1, report.asystent, first))
        marks.append((2, f"{report.rodzina} – {report.rodzice}", first))
    return marks
