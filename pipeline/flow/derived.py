"""After a batch: the derived data of the families it touched, in order — their checklists,
the checklists' PDFs, then the centre's index.html and the deadline calendars
(outbox/kalendarze/) side by side.
A failing step never loses a form. Every family's checklist is computed once for the
page and the calendars together; a batch job may hand in the checklists it wrote while
LibreOffice was still converting (`known`)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
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
    known: Mapping[str, tuple[Checklist, bool]] = field(default_factory=dict)  # written already
    checked: Callable[[list[Checklist]], None] | None = None  # told as soon as they are written
    checklists: list[Checklist] = field(default_factory=list)
    stale: list[Checklist] = field(default_factory=list)  # whose checklista.pdf is out of date
    _everyone: list[Checklist] | None = None

    def everyone(self) -> list[Checklist]:
        """Every family's checklist on `today`, computed once for the page and the calendars
        (those of the batch's families as the first step wrote them)."""
        if self._everyone is None:
            self._everyone = overview.all_checklists(
                self.settings, self.today, {c.rodzina: c for c in self.checklists})
        return self._everyone


def _checklists(end: BatchEnd) -> None:
    for rodzina in end.rodziny:
        written = end.known.get(rodzina)
        checklist, stale = written or overview.write_checklist_json(end.settings, rodzina, end.today)
        end.checklists.append(checklist)
        if stale:
            end.stale.append(checklist)
    if end.checked:
        end.checked(end.checklists)


def _checklist_pdfs(end: BatchEnd) -> None:
    if end.pdfs:
        overview.write_checklist_pdfs(end.settings, end.converter, end.stale)


def _index(end: BatchEnd) -> None:
    overview.write_index(end.settings, end.today, end.everyone())


def _calendars(end: BatchEnd) -> None:
    from pipeline.notify.due import snapshot  # loaded only when a batch ends
    from pipeline.notify.kalendarz import write_calendars

    write_calendars(end.settings, end.today, snapshot(end.settings, end.today, end.everyone()))


def _page_and_calendars(end: BatchEnd) -> None:
    """index.html and the calendars side by side: each waits for the disk (its files made
    durable) while the other is made."""
    end.everyone()  # computed once, before both read it
    with ThreadPoolExecutor(1, thread_name_prefix="asysta-kalendarze") as side:
        calendars = side.submit(_calendars, end)
        try:
            _index(end)
        finally:
            calendars.result()  # its failure is reported as the page's would be


AFTER_BATCH: tuple[Callable[[BatchEnd], None], ...] = (_checklists, _checklist_pdfs,
                                                       _page_and_calendars)


def after_batch(settings: Settings, converter: Converter, rodziny: list[str],
                today: date | None = None, pdfs: bool = True, *,
                known: Mapping[str, tuple[Checklist, bool]] | None = None,
                checked: Callable[[list[Checklist]], None] | None = None) -> list[Checklist]:
    """The after-batch steps in order (the watcher, `przetworz` and `raporty` all run them);
    the families' checklists are returned. It is derived data: a failing step is reported,
    never loses a form, and the steps after it wait for the next run. `known`: checklists
    written on `today` already (with whether their PDF is stale); `checked` is called with
    the families' checklists before the slower steps (page, calendars) run."""
    end = BatchEnd(settings, converter, rodziny, today or date.today(), pdfs, known or {}, checked)
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
