"""What the `asysta` commands print: the consoles (rich, made on first use), the exit codes,
and the one-line accounts of a processed form, a scan and a batch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.core.models import Outcome
    from pipeline.scans.skany import ScanOutcome

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


class _LazyConsole:
    """A rich Console made on first use (rich costs a tenth of a second to import)."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def rich(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        self.rich.print(*objects, **options)


def escape(text: str) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(text)


console = _LazyConsole(highlight=False, soft_wrap=True)
err = _LazyConsole(stderr=True, highlight=False, soft_wrap=True)

def print_outcome(outcome: Outcome) -> None:
    if outcome.status == "przyjety" and outcome.filed:
        console.print(f"[green]✓ przyjęto[/] {escape(outcome.name)} → "
                      f"{escape(str(outcome.filed.pdf))}")
    elif outcome.status == "duplikat":
        console.print(f"[cyan]= pominięto[/] {escape(outcome.name)}: ten sam plik jest już w archiwum "
                      f"rodziny {outcome.rodzina}")
    elif outcome.status == "pozostawiony":
        reason = str(outcome.problems[0]) if outcome.problems else ""
        folder = outcome.rejected_to.parent if outcome.rejected_to else "inbox"
        console.print(f"[yellow]! pozostawiono[/] {escape(outcome.name)} w folderze "
                      f"{escape(str(folder))}: {escape(reason)}")
    else:
        where = f" (opis: {outcome.rejected_to}.txt)" if outcome.rejected_to else ""
        console.print(f"[red]✗ odrzucono[/] {escape(outcome.name + where)}")
        for problem in outcome.problems:
            console.print(f"    – {escape(str(problem))}")


def summary(outcomes: Sequence[Outcome] | Counter[str]) -> int:
    if not isinstance(outcomes, Counter):
        outcomes = Counter(o.status for o in outcomes)
    counts = {s: outcomes[s] for s in ("przyjety", "duplikat", "odrzucony", "pozostawiony")}
    console.print(f"Przyjęto: {counts['przyjety']}, pominięto (już w archiwum): "
                  f"{counts['duplikat']}, odrzucono: {counts['odrzucony']}, "
                  f"pozostawiono w inbox: {counts['pozostawiony']}")
    return EXIT_OK if counts["odrzucony"] == counts["pozostawiony"] == 0 else EXIT_REJECTED


def print_scan(outcome: ScanOutcome) -> None:
    """A batch from the scan folder: what was filed, what set aside."""
    for item in outcome.filed:
        if item.new:
            pages = "komplet" if item.scan.komplet else (
                "strony " + ", ".join(map(str, item.scan.strony)) + f" z {item.scan.stron}")
            console.print(f"[green]✓ skan[/] {escape(outcome.name)} → {escape(item.rodzina)}/"
                          f"{escape(item.scan.plik)} ({pages})")
    for note in outcome.notes:  # a signed PDF, verified and filed
        console.print(f"[green]✓ podpis elektroniczny[/] {escape(outcome.name)} → {escape(note)}")
    if outcome.status == "duplikat":
        console.print(f"[cyan]= pominięto skan[/] {escape(outcome.name)}: już jest w archiwum")
    if outcome.set_aside:
        console.print(f"[yellow]! skan[/] {escape(outcome.name)}: strony bez dokumentu "
                      f"{', '.join(str(s.page.number) for s in outcome.set_aside)} "
                      f"(opis: {escape(str(outcome.explanation))})")
    if outcome.blank:
        console.print(f"  puste strony: {', '.join(map(str, outcome.blank))}")
    for problem in outcome.problems:
        console.print(f"[red]✗ skan[/] {escape(outcome.name)}: {escape(str(problem))}")
