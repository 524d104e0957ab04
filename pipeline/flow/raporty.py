"""`asysta raporty`'s batch: the month's reports the program makes go through the pipeline
(`process.process_files`, one LibreOffice batch), are marked in the register as made by the
program and their checklists are refreshed as each is filed. Meanwhile the combined PDF is
joined, report by report as each is filed, and the kierownik's summary is made from the counts
the checklists are expected to show (made again after the batch if any row came out
different); then the centre's page and calendars are made side by side (what goes in the
documents: pipeline/documents/raporty.py)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import RegisterError
from pipeline.core.fsutil import ensure_private_dir
from pipeline.core.models import Outcome
from pipeline.documents import zestawienie
from pipeline.documents.overview import write_checklist_json
from pipeline.documents.raporty import (
    BatchResult,
    FamilyReport,
    Month,
    combined,
    combined_order,
    count_pages,
    form_bytes,
    kept,
    plan_month,
    report_pdf,
)
from pipeline.flow.process import after_batch, process_files
from pipeline.sprawa.checklist import Checklist
from pipeline.stages.convert import Converter

__all__ = ["BatchResult", "FamilyReport", "Month", "run_month"]


def run_month(settings: Settings, converter: Converter, month: Month, *,
              today: date | None = None,
              progress: Callable[[int, int], None] | None = None,
              converted: Callable[[], None] | None = None) -> BatchResult:
    """The month's reports, the combined PDF, the summary, the page and the calendars;
    `converted` is called (in the background) once LibreOffice has nothing more to do."""
    today = today or date.today()
    result = BatchResult(month, plan_month(settings, month, today))
    due = [r for r in result.reports if not r.error and not r.wlasny]
    listed = [r for r in result.reports if not r.error]  # in the summary (due ones that fail too)
    ensure_private_dir(settings.outbox)  # a new centre's first run: the work folder lives there
    waiting = {r.rodzina: threading.Event() for r in due}
    with ThreadPoolExecutor(2) as background:
        # While the reports convert (in the combined PDF's order): the summary is made, from
        # the counts the checklists will show once the reports are filed (planned with them;
        # it is filed only if every row came out so), and the combined PDF is joined, each
        # report as soon as it is filed.
        early = background.submit(_early_summary, settings, converter, result.month.key,
                                  zestawienie.rows(result), today)
        def filed(report: FamilyReport) -> None:  # the assistant's own is filed already
            if report.rodzina in waiting:
                waiting[report.rodzina].wait()

        joined = background.submit(combined, settings, result, filed)
        try:
            known = _convert_reports(settings, converter, combined_order(due), today, progress,
                                     lambda report: waiting[report.rodzina].set())
        finally:  # a report the batch did not file (it stopped) is left out of the join
            for event in waiting.values():
                event.set()
        # After the conversions: the page and the calendars here.
        summarised: list[Future[None]] = []

        def start_summary(checklists: list[Checklist]) -> None:
            overdue = {c.rodzina: c.overdue for c in checklists}
            for report in listed:
                report.overdue = overdue.get(report.rodzina, 0)
            summarised.append(background.submit(_file_summary, settings, converter, result,
                                                early, today, converted))

        after_batch(settings, converter, [r.rodzina for r in listed], today, pdfs=False,
                    known=known, checked=start_summary)
        if not summarised:  # the checklists failed (reported): the summary comes all the same
            start_summary([])
        summarised[0].result()
        joined.result()
    return result


def _convert_reports(settings: Settings, converter: Converter, due: list[FamilyReport],
                     today: date, progress: Callable[[int, int], None] | None,
                     done: Callable[[FamilyReport], None]) -> dict[str, tuple[Checklist, bool]]:
    """The made reports through the pipeline in one batch, in this order (LibreOffice is kept
    busy from the first report to the last); their checklists, written as each is filed.
    `done(report)` once a report is filed (or has failed) and its pages are counted."""
    known: dict[str, tuple[Checklist, bool]] = {}
    with tempfile.TemporaryDirectory(prefix=f".raporty-{os.getpid()}-", dir=settings.outbox) as work:
        paths = {}
        for report in due:
            path = Path(work) / f"{report.rodzina}.json"
            path.write_bytes(form_bytes(report.values))
            report.values = kept(report.values)
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
                    count_pages(report, report_pdf(settings, report))
                except (OSError, RegisterError) as exc:
                    report.pdf = None
                    report.error = f"nie można odczytać PDF raportu ({type(exc).__name__})"
            done(report)  # the join may take it now
            # its checklist too: the after-batch steps take it instead of making it again (derived
            # data: whatever fails here, they make it anew and report the failure)
            with contextlib.suppress(Exception):
                known[report.rodzina] = write_checklist_json(settings, report.rodzina, today)
            if progress:
                progress(finished, len(due))

        process_files([Path(work) / n for n in paths], settings, converter, filed,
                      refresh=False, generated=True)
    return known


def _early_summary(settings: Settings, converter: Converter, month: str,
                   table: list[dict[str, Any]], today: date) -> zestawienie.Made | None:
    """The summary of these rows (as they will be when every report is filed and counted as
    expected); None when it cannot be made now (then it is made after the batch)."""
    if not converter.uses_pool:  # one `soffice` at a time on the fallback's profile
        return None
    try:
        return zestawienie.make(settings, converter, month, table, today)
    except Exception:  # derived: made again after the batch, where a failure is reported
        return None


def _file_summary(settings: Settings, converter: Converter, result: BatchResult,
                  early: Future[zestawienie.Made | None], today: date,
                  converted: Callable[[], None] | None) -> None:
    """The summary made while the reports converted, when its rows are the batch's final
    ones; otherwise made now. The last conversion of the run."""
    made, table = early.result(), zestawienie.rows(result)
    if made is None or made.pdf is None or made.table != table:
        made = zestawienie.make(settings, converter, result.month.key, table, today)
    if converted:
        converted()
    zestawienie.file(settings, result, made)
