"""`asysta raporty`'s batch: the month's reports the program makes go through the pipeline
(`process.process_files`, one LibreOffice batch), are marked in the register as made by the
program and their checklists are refreshed as each is filed; then the combined PDF, the
kierownik's summary and the centre's page and calendars are made side by side (what goes
in the documents: pipeline/documents/raporty.py)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.core.errors import RegisterError
from pipeline.core.fsutil import ensure_private_dir
from pipeline.core.models import Outcome
from pipeline.documents.overview import write_checklist_json
from pipeline.documents.raporty import (
    BatchResult,
    FamilyReport,
    Month,
    combined,
    count_pages,
    form_bytes,
    plan_month,
    report_pdf,
)
from pipeline.documents.zestawienie import summary
from pipeline.flow.process import after_batch, process_files
from pipeline.sprawa.checklist import Checklist
from pipeline.stages.convert import Converter

__all__ = ["BatchResult", "FamilyReport", "Month", "run_month"]


def run_month(settings: Settings, converter: Converter, month: Month, *,
              today: date | None = None,
              progress: Callable[[int, int], None] | None = None) -> BatchResult:
    today = today or date.today()
    result = BatchResult(month, plan_month(settings, month, today))
    due = [r for r in result.reports if not r.wlasny and not r.error]
    ensure_private_dir(settings.outbox)  # a new centre's first run: the work folder lives there
    with tempfile.TemporaryDirectory(prefix=f".raporty-{os.getpid()}-", dir=settings.outbox) as work:
        paths = {}
        for report in due:
            path = Path(work) / f"{report.rodzina}.json"
            path.write_bytes(form_bytes(report.values))
            paths[path.name] = report

        finished = 0
        known: dict[str, tuple[Checklist, bool]] = {}

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
            # its checklist too: the after-batch steps take it instead of making it again (derived
            # data: whatever fails here, they make it anew and report the failure)
            with contextlib.suppress(Exception):
                known[report.rodzina] = write_checklist_json(settings, report.rodzina, today)
            if progress:
                progress(finished, len(due))

        # one batch: LibreOffice is kept busy from the first report to the last
        process_files([Path(work) / n for n in sorted(paths)], settings, converter, filed,
                      refresh=False, generated=True)
    listed = [r for r in result.reports if not r.error or r in due]
    # What follows the conversions runs side by side: the combined PDF (only the reports) and
    # the summary (which waits for the checklists' overdue counts; LibreOffice converts it)
    # in the background, the page and the calendars here.
    with ThreadPoolExecutor(2) as background:
        joined = background.submit(combined, settings, result)
        summarised: list[Future[None]] = []

        def start_summary(checklists: list[Checklist]) -> None:
            overdue = {c.rodzina: sum(c.counts()[s] for s in ("brak", "po_terminie"))
                       for c in checklists}
            for report in listed:
                report.overdue = overdue.get(report.rodzina, 0)
            summarised.append(background.submit(summary, settings, converter, result, today))

        after_batch(settings, converter, [r.rodzina for r in listed], today, pdfs=False,
                    known=known, checked=start_summary)
        if not summarised:  # the checklists failed (reported): the summary comes all the same
            start_summary([])
        summarised[0].result()
        joined.result()
    return result
