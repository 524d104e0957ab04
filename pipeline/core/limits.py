"""Bounds on the work one file may cost: a time budget and a cap on the problems reported.

A hostile or broken file must be answered in seconds whatever its shape: the
stages check lengths before they validate items (pipeline/stages/validate.py), and
this budget is the safety net behind those bounds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pipeline.core.errors import FormError, Problem
from pipeline.core.polish import pl_count

MAX_PROBLEMS = 50  # listed in an explanation; the rest are counted in one line
_CHECK_EVERY = 1024  # steps between two looks at the clock


@dataclass(frozen=True)
class MoreProblems(Problem):
    """The line that stands for problems not listed one by one."""

    count: int = 0


def capped(problems: list[Problem], unlisted: int = 0) -> list[Problem]:
    """At most MAX_PROBLEMS problems, then „i jeszcze K podobnych problemów”; `unlisted`
    counts problems that were found but never built (e.g. the 5000th unknown field)."""
    shown = problems[:MAX_PROBLEMS]
    rest = len(problems) - len(shown) + unlisted
    if rest <= 0:
        return shown
    return [*shown, MoreProblems(
        "i jeszcze " + pl_count(rest, "podobny problem", "podobne problemy", "podobnych problemów"),
        count=rest)]


def total(problems: list[Problem] | tuple[Problem, ...]) -> int:
    """How many problems a (capped) list stands for."""
    return sum(p.count if isinstance(p, MoreProblems) else 1 for p in problems)


class Budget:
    """The time one file may take from intake to validation (`czas_na_plik_s`); `check()`
    raises a FormError once it is spent, so the file is set aside with that reason."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds or None  # 0 in the config: no limit
        self.deadline = time.monotonic() + self.seconds if self.seconds else None
        self._steps = 0

    def check(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise FormError([Problem(
                f"sprawdzanie pliku przerwano po {self.seconds:g} s (limit czasu na jeden plik) "
                "– plik jest zbyt duży lub zbyt złożony jak na formularz; sprawdź, czy to "
                "właściwy plik, a jeśli tak, zgłoś to administratorowi")])

    def step(self) -> None:
        """A cheap check for loops: looks at the clock every _CHECK_EVERY steps."""
        self._steps += 1
        if self._steps % _CHECK_EVERY == 0:
            self.check()


UNLIMITED = Budget(None)
