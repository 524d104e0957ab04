"""Preflight: may this form be filed? The case-number conflict, the duplicate and the
assistant's 15-family limit, asked in order under the archive lock."""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.config import Settings
from pipeline.core.errors import Problem
from pipeline.core.models import FormData
from pipeline.documents import overview
from pipeline.sprawa.register import Entry
from pipeline.stages import archive

# -- preflight: may this form be filed? ----------------------------------------------------
# Each check answers None (go on), a Problem (the form is rejected with it) or the register
# entry of these very bytes (a duplicate). All of them run under the archive lock just before
# filing; BEFORE_RENDER also before rendering, so nothing is rendered or converted for a form
# that will not be filed. The family limit runs at filing only: an earlier form of the same
# batch (another assignment, a closing request) may change its answer.


def _case_conflict(form: FormData, settings: Settings) -> Problem | None:
    conflict = archive.case_conflict(settings.outbox, form.rodzina)
    if not conflict:
        return None
    return Problem(f"numer sprawy różni się od istniejącego „{conflict}” tylko wielkością liter – "
                   "na dyskach sieciowych Windows to byłby ten sam folder; użyj dokładnie "
                   "istniejącego numeru albo innego", "rodzina", "Numer sprawy rodziny")


def _filed_before(form: FormData, settings: Settings) -> Entry | None:
    return archive.find_duplicate(settings.outbox, form.rodzina, form.source.sha256)


def _over_limit(form: FormData, settings: Settings) -> Problem | None:
    if form.zalacznik != 1:
        return None
    return overview.limit_problem(settings, str(form.values.get("asystent", "")), form.rodzina,
                                  form.data)


Check = Callable[[FormData, Settings], Problem | Entry | None]
PREFLIGHT: tuple[Check, ...] = (_case_conflict, _filed_before, _over_limit)
BEFORE_RENDER: tuple[Check, ...] = (_case_conflict, _filed_before)


def preflight(form: FormData, settings: Settings,
              checks: tuple[Check, ...] = PREFLIGHT) -> Problem | Entry | None:
    """The first check's objection, in order, or None when the form may be filed."""
    for check in checks:
        verdict = check(form, settings)
        if verdict is not None:
            return verdict
    return None
