"""`asysta raporty`'s batch: the month's reports the program makes go through the pipeline
(`process.process_files`, one LibreOffice batch), are marked in the register as made by the
program, the checklists are refreshed, then the combined PDF and the kierownik's summary
are written (what goes in them: pipeline/documents/raporty.py)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.core.errors import RegisterError
from pipeline.core.fsutil import ensure_private_dir
from pipeline.core.models import Outcome
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
from pipeline.stages.archive import mark_generated
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

        def filed(outcome: Outcome) -> None:
            nonlocal finished
            finished += 1
            report = paths[outcome.name]
            report.outcome = outcome
            if outcome.status not in ("przyjety", "duplikat"):
                report.error = "; ".join(str(p) for p in outcome.problems) or outcome.status
            else:  # counted now, while LibreOffice works on the next reports
                try:
                    if outcome.filed is not None:
                        mark_generated(settings.outbox, report.rodzina,
                                       outcome.filed.form.source.sha256)
                    count_pages(report, report_pdf(settings, report))
                except (OSError, RegisterError) as exc:
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
        joined = background.submit(combined, settings, result)
        listed = [r for r in result.reports if not r.error or r in due]
        checklists = after_batch(settings, converter, [r.rodzina for r in listed], today, pdfs=False)
        overdue = {c.rodzina: sum(c.counts()[s] for s in ("brak", "po_terminie")) for c in checklists}
        for report in listed:
            report.overdue = overdue.get(report.rodzina, 0)
        summary(settings, converter, result, today)
        joined.result()
    return result
