"""After a batch: the derived data of the families it touched, in order — their checklists,
the checklists' PDFs, the centre's index.html, the deadline calendars (outbox/kalendarze/).
A failing step never loses a form."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import ResourceError, os_reason, resource_failure
from pipeline.documents import overview
from pipeline.sprawa.checklist import Checklist
from pipeline.stages.convert import Converter

# -- after a batch: derived data, in order ----------------------------------------------------


@dataclass
class BatchEnd:
    """What the after-batch steps share: the families a batch touched, and what the
    earlier steps found for the later ones."""

    settings: Settings
    converter: Converter
    rodziny: list[str]
    today: date
    pdfs: bool = True  # a batch job (raporty) leaves the checklists' PDFs to a later refresh
    checklists: list[Checklist] = field(default_factory=list)
    stale: list[Checklist] = field(default_factory=list)  # whose checklista.pdf is out of date


def _checklists(end: BatchEnd) -> None:
    for rodzina in end.rodziny:
        checklist, stale = overview.write_checklist_json(end.settings, rodzina, end.today)
        end.checklists.append(checklist)
        if stale:
            end.stale.append(checklist)


def _checklist_pdfs(end: BatchEnd) -> None:
    if end.pdfs:
        overview.write_checklist_pdfs(end.settings, end.converter, end.stale)


def _index(end: BatchEnd) -> None:
    overview.write_index(end.settings, end.today)


def _calendars(end: BatchEnd) -> None:
    from pipeline.notify.kalendarz import write_calendars  # loaded only when a batch ends

    write_calendars(end.settings, end.today)


AFTER_BATCH: tuple[Callable[[BatchEnd], None], ...] = (_checklists, _checklist_pdfs, _index,
                                                       _calendars)


def after_batch(settings: Settings, converter: Converter, rodziny: list[str],
                today: date | None = None, pdfs: bool = True) -> list[Checklist]:
    """The after-batch steps in order (the watcher, `przetworz` and `raporty` all run them);
    the families' checklists are returned. It is derived data: a failing step is reported,
    never loses a form, and the steps after it wait for the next run."""
    end = BatchEnd(settings, converter, rodziny, today or date.today(), pdfs)
    for step in AFTER_BATCH:
        try:
            step(end)
        except Exception as exc:
            code = resource_failure(exc)
            with contextlib.suppress(ResourceError):  # a full disk must not stop the run here
                journal.log(settings.outbox, "blad_listy_kontrolnej", wynik=type(exc).__name__)
            why = os_reason(code) if code is not None else type(exc).__name__
            print(f"asysta: nie udało się odświeżyć list kontrolnych ({why}); zostaną odświeżone "
                  "przy następnym uruchomieniu", file=sys.stderr)
            break
    return end.checklists
