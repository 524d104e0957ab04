"""The `asysta` command, in Polish. Exit codes: 0 all accepted, 1 some file rejected
(or a check failed), 2 usage or configuration error.

Start-up is kept short: the heavy libraries (rich, docxtpl, pypdf, reportlab, openpyxl,
watchdog) are imported by the command that uses them, not here, so `asysta --help` and
a command's LibreOffice pool (started first) do not wait for the others' imports.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections import Counter
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import __version__
from pipeline.core.config import load_settings
from pipeline.core.errors import AsystaError, ConfigError, os_reason, resource_failure
from pipeline.podpis.polecenie import add_command as add_podpisz
from pipeline.podpis.polecenie import run as run_podpisz
from pipeline.podpis.polecenie import sealed_copy_line

if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.core.config import Settings
    from pipeline.core.models import Outcome
    from pipeline.flow.watch import Watcher
    from pipeline.scans.skany import ScanOutcome
    from pipeline.stages.convert import Converter

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

# argparse prints its own words in English; these are the ones a user can meet.
_ARGPARSE_PL = {
    "usage: ": "użycie: ",
    "positional arguments": "argumenty",
    "options": "opcje",
    "show this help message and exit": "pokaż tę pomoc i zakończ",
    "the following arguments are required: %s": "brakuje wymaganych argumentów: %s",
    "unrecognized arguments: %s": "nieznane argumenty: %s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "nieznane polecenie: %(value)r (do wyboru: %(choices)s)",
    "%(prog)s: error: %(message)s\n": "%(prog)s: błąd: %(message)s\n",
    "expected one argument": "oczekiwano jednej wartości",
    "invalid %(type)s value: %(value)r": "niepoprawna wartość: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s":
        "niejednoznaczna opcja: %(option)s pasuje do %(matches)s",
    "show program's version number and exit": "pokaż wersję programu i zakończ",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s: %(message)s",
    "not allowed with argument %s": "nie można podać razem z %s",
    "one of the arguments %s is required": "podaj jeden z argumentów: %s",
}
argparse._ = lambda text: _ARGPARSE_PL.get(text, text)  # type: ignore[attr-defined]


def _print_outcome(outcome: Outcome) -> None:
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


def _summary(outcomes: Sequence[Outcome] | Counter[str]) -> int:
    if not isinstance(outcomes, Counter):
        outcomes = Counter(o.status for o in outcomes)
    counts = {s: outcomes[s] for s in ("przyjety", "duplikat", "odrzucony", "pozostawiony")}
    console.print(f"Przyjęto: {counts['przyjety']}, pominięto (już w archiwum): "
                  f"{counts['duplikat']}, odrzucono: {counts['odrzucony']}, "
                  f"pozostawiono w inbox: {counts['pozostawiony']}")
    return EXIT_OK if counts["odrzucony"] == counts["pozostawiony"] == 0 else EXIT_REJECTED


def cmd_przetworz(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.stages.convert import Converter

    missing = [p for p in args.pliki if not p.exists() and not p.is_symlink()]
    for path in missing:
        err.print(f"asysta: nie ma pliku {escape(str(path))}")
    if missing:
        return EXIT_USAGE
    with Converter.from_settings(settings.przetwarzanie) as conv:  # warms up meanwhile
        from pipeline.app.checks import require_templates
        from pipeline.core.fsutil import sweep
        from pipeline.flow.process import process_files

        require_templates(settings)  # a template that would lose data or reject every form
        sweep(settings.outbox)
        _released(settings)
        outcomes = process_files(args.pliki, settings, conv, report=_print_outcome)
    return _summary(outcomes)


def _released(settings: Settings) -> None:
    """Forms held for a template error go back to the inbox once the template changed."""
    from pipeline.stages import holding

    count = len(holding.release(settings))
    if count:
        console.print(f"Szablon zmieniono: {count} odłożonych formularzy wróciło z folderu "
                      f"{escape(str(settings.inbox / holding.HOLD_DIR))} do inbox.")


def _watcher(settings: Settings, args: argparse.Namespace) -> tuple[Converter, Watcher]:
    from pipeline.stages.convert import Converter

    converter = Converter.from_settings(settings.przetwarzanie)  # warms up meanwhile
    try:
        from pipeline.app.checks import require_templates
        from pipeline.flow.watch import Watcher

        require_templates(settings)  # a template that would lose data or reject every form
    except BaseException:
        converter.close()
        raise
    watcher = Watcher(settings, converter, polling=args.polling, report=_print_outcome)
    watcher.scan_report = _print_scan
    return converter, watcher


def _print_scan(outcome: ScanOutcome) -> None:
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


def cmd_obserwuj(settings: Settings, args: argparse.Namespace) -> int:
    converter, watcher = _watcher(settings, args)
    with converter:
        if args.raz:
            return _summary(watcher.run_once())
        mode = "odpytywanie co " + str(settings.przetwarzanie.polling_co_s) + " s" \
            if args.polling else "zdarzenia systemu plików"
        console.print(f"Obserwuję {settings.inbox} i folder skanów {settings.scans} ({mode}); "
                      f"archiwum: {settings.outbox}. Zakończ: Ctrl+C.")
        try:
            watcher.run()
        except KeyboardInterrupt:
            watcher.stop()
        console.print("Zakończono obserwację.")
        return _summary(watcher.counts)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """The demo centre (pipeline/demo/centre.py) through a running watcher, month by month, then the
    last month's reports and one binder."""
    from pipeline.app.checks import require_templates
    from pipeline.core.polish import month_name, pl_count
    from pipeline.demo.centre import build_centre, drop_in_waves
    from pipeline.documents.overview import families
    from pipeline.documents.raporty import Month, run_month
    from pipeline.documents.teczka import build_teczka
    from pipeline.flow.process import after_batch
    from pipeline.flow.watch import Watcher
    from pipeline.sprawa.checklist import add_months, month_key
    from pipeline.stages.convert import Converter

    today = date.today()
    marker = settings.outbox / ".pokaz"
    made_on = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
    if families(settings.outbox) and made_on != today.isoformat():
        err.print(f"asysta: archiwum {escape(str(settings.outbox))} nie jest puste – pokaz "
                  "tworzy fikcyjny ośrodek i potrzebuje pustego archiwum; usuń foldery outbox "
                  "i inbox/odrzucone (jeśli to archiwum pokazu) albo uruchom pokaz na innych "
                  "folderach: asysta --inbox FOLDER --outbox FOLDER demo")
        return EXIT_USAGE
    centre = build_centre(today, args.ziarno)
    require_templates(settings)
    settings.outbox.mkdir(parents=True, exist_ok=True)
    marker.write_text(today.isoformat(), encoding="utf-8")
    outcomes: list[Outcome] = []

    def report(outcome: Outcome) -> None:  # only rejections are told one by one
        outcomes.append(outcome)
        if outcome.status not in ("przyjety", "duplikat"):
            _print_outcome(outcome)

    def wave(key: str, count: int) -> None:
        console.print(f"  {month_name(key)}: {pl_count(count, 'formularz', 'formularze', 'formularzy')}")

    converter = Converter.from_settings(settings.przetwarzanie)  # warms up meanwhile
    watcher = Watcher(settings, converter, polling=args.polling, report=report)
    with converter:
        ready = threading.Event()
        thread = threading.Thread(target=watcher.run, kwargs={"on_ready": ready.set}, daemon=True)
        thread.start()
        if not ready.wait(timeout=30):
            err.print("asysta: obserwator nie wystartował")
            return EXIT_REJECTED
        console.print(f"Pokaz: fikcyjny ośrodek – {len(centre.families)} rodzin, "
                      f"{len({f.asystent for f in centre.families})} asystentów, "
                      f"{pl_count(len(centre.files), 'formularz', 'formularze', 'formularzy')} "
                      "z ostatnich 18 miesięcy. Wrzucam je do "
                      f"{escape(str(settings.inbox))} miesiąc po miesiącu …")
        try:
            drop_in_waves(centre.files, settings.inbox, lambda: sum(watcher.counts.values()), wave)
        except TimeoutError as exc:
            err.print(f"asysta: obserwator nie przetworzył formularzy z {exc} w 10 minut")
            return EXIT_REJECTED
        finally:
            watcher.stop()
            thread.join(timeout=30)
        month = Month.parse(month_key(add_months(today.replace(day=1), -1)))
        console.print(f"Raporty miesięczne za {month_name(month.key)} …")
        result = run_month(settings, converter, month)
        after_batch(settings, converter, families(settings.outbox))
    teczka = build_teczka(settings, centre.teczka)
    code = _summary(Counter(o.status for o in outcomes))
    expected = {f.name for f in centre.rejected}
    rejected = {o.name for o in outcomes if o.status == "odrzucony"}
    if rejected == expected and not result.failed and code == EXIT_REJECTED:
        console.print(f"Odrzucono dokładnie te pliki, które pokaz psuje celowo "
                      f"({pl_count(len(expected), 'plik', 'pliki', 'plików')}).")
        code = EXIT_OK
    elif rejected != expected:
        console.print(f"[red]Odrzucono inne pliki niż zamierzone: {len(rejected - expected)} "
                      f"nieoczekiwanie, {len(expected - rejected)} przyjęto mimo błędu.[/]")
        code = EXIT_REJECTED
    console.print("\nRodziny pokazu:")
    for family in centre.families:
        console.print(f"  {family.rodzina}  {escape(family.asystent):<21} {escape(family.etap):<16}"
                      f" {escape(family.opis)}")
    outbox, inbox = settings.outbox, settings.inbox
    console.print("\nGdzie patrzeć:")
    console.print(f"  przegląd ośrodka:      {escape(str(outbox / 'index.html'))}")
    console.print(f"  teczka rodziny:        {escape(str(teczka.path))}")
    console.print(f"  lista kontrolna:       {escape(str(teczka.path.parent / 'checklista.pdf'))}")
    if result.combined:
        console.print(f"  raporty za {month.key}:    {escape(str(result.combined.parent))}/")
    console.print(f"  odrzucone z opisem:    {escape(str(inbox / 'odrzucone'))}/")
    return code


_STATUS_STYLE = {"jest": "green", "po_terminie": "yellow", "brak": "bold red", "oczekuje": "cyan",
                 "niepodpisany": "magenta"}


def cmd_checklista(settings: Settings, args: argparse.Namespace) -> int:
    from rich.table import Table

    from pipeline.documents.overview import STATUS_LABELS, checklist_for, families
    from pipeline.sprawa.checklist import STATUSES

    as_of = args.na_dzien or date.today()
    names = [args.rodzina] if args.rodzina else families(settings.outbox)
    if args.rodzina and args.rodzina not in families(settings.outbox):
        err.print(f"asysta: w archiwum nie ma rodziny {escape(args.rodzina)}")
        return EXIT_USAGE
    checklists = [checklist_for(settings.outbox, name, as_of, settings) for name in names]
    if args.json:
        data = [c.to_json() for c in checklists]
        print(json.dumps(data[0] if args.rodzina else data, ensure_ascii=False, indent=1))
    else:
        for c in checklists:
            table = Table(title=f"{c.rodzina} · etap: {c.etap} · asystent: {c.asystent or '—'} · "
                                f"stan na {as_of.strftime('%d.%m.%Y')}", title_justify="left")
            for column in ("Zał.", "Okres", "Dokument", "Termin", "Status"):
                table.add_column(column)
            for i in c.pozycje:
                style = _STATUS_STYLE[i.status]
                table.add_row(str(i.zalacznik or "—"), i.okres or "", escape(i.opis),
                              i.termin.strftime("%d.%m.%Y") if i.termin else "—",
                              f"[{style}]{STATUS_LABELS[i.status]}[/]")
            console.print(table)
        totals = {s: sum(c.counts()[s] for c in checklists) for s in STATUSES}
        console.print(f"Rodzin: {len(checklists)}; " + ", ".join(
            f"{STATUS_LABELS[s]}: {n}" for s, n in totals.items()))
    return EXIT_REJECTED if any(c.has_problems for c in checklists) else EXIT_OK


def cmd_raporty(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.stages.convert import Converter

    # LibreOffice starts in the background now, while the libraries below are imported
    # and the reports are drafted and rendered: the pool is warm by the first conversion
    with Converter.from_settings(settings.przetwarzanie) as converter:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        from pipeline.documents.raporty import Month, run_month

        month = Month.parse(args.miesiac)
        with Progress(
            TextColumn("raporty {task.fields[miesiac]}"), BarColumn(), TaskProgressColumn(),
            TextColumn("pozostało"), TimeRemainingColumn(), console=console.rich, transient=True,
        ) as bar:
            task = bar.add_task("raporty", total=None, miesiac=month.key)
            result = run_month(settings, converter, month,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    made = [r for r in result.reports if not r.error]
    console.print(f"Raporty za {month.key}: {len(made)} rodzin"
                  + (f", [red]nie udało się: {len(result.failed)}[/]" if result.failed else ""))
    for report in result.failed:
        console.print(f"    [red]✗[/] {escape(report.rodzina)}: {escape(str(report.error))}")
    for label, path in (("wszystkie raporty", result.combined),
                        ("zestawienie (PDF)", result.summary_pdf),
                        ("zestawienie (XLSX)", result.summary_xlsx)):
        if path:
            console.print(f"  {label}: {escape(str(path))}")
    return EXIT_REJECTED if result.failed else EXIT_OK


def cmd_teczka(settings: Settings, args: argparse.Namespace) -> int:
    """The case binder (teczka.pdf) of one family or, with --wszystkie, of every family."""
    from pipeline.core.polish import pl_count
    from pipeline.documents.overview import families
    from pipeline.documents.teczka import build_teczka

    if bool(args.rodzina) == bool(args.wszystkie):
        err.print("asysta: podaj numer sprawy rodziny albo --wszystkie (jedno z dwojga)")
        return EXIT_USAGE
    known = families(settings.outbox)
    if args.rodzina and args.rodzina not in known:
        err.print(f"asysta: w archiwum nie ma rodziny {escape(args.rodzina)}")
        return EXIT_USAGE
    failed = 0
    for rodzina in [args.rodzina] if args.rodzina else known:
        try:
            teczka = build_teczka(settings, rodzina)
        except AsystaError as exc:
            failed += 1
            console.print(f"[red]✗[/] {escape(rodzina)}: {escape(str(exc))}")
            continue
        except Exception as exc:  # one family's bug must not stop the others
            failed += 1
            console.print(f"[red]✗[/] {escape(rodzina)}: nieoczekiwany błąd programu "
                          f"({type(exc).__name__}) – zgłoś to administratorowi")
            continue
        console.print(f"[green]✓[/] {escape(rodzina)}: {escape(str(teczka.path))} "
                      f"({pl_count(teczka.documents, 'dokument', 'dokumenty', 'dokumentów')}, "
                      f"{pl_count(teczka.pages, 'strona', 'strony', 'stron')})")
    made = len(known if args.wszystkie else [args.rodzina]) - failed
    console.print(f"Teczki: utworzono {made}" + (f", [red]nie udało się: {failed}[/]" if failed
                                                 else ""))
    return EXIT_REJECTED if failed else EXIT_OK


def cmd_eksport(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.app.privacy import export_family

    target = export_family(settings, args.rodzina, args.do.resolve() if args.do else None)
    console.print(f"Zapisano dane rodziny {escape(args.rodzina)}: {escape(str(target))}")
    return EXIT_OK


def cmd_usun(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.app.privacy import delete_family, expired

    answer = args.potwierdzam
    if answer is None:
        late = {e.rodzina for e in expired(settings, date.today())}
        if args.rodzina not in late:
            console.print(f"[yellow]Uwaga:[/] sprawa {escape(args.rodzina)} nie jest na liście "
                          "spraw po okresie przechowywania.")
        try:
            answer = input(f"Usunąć całą dokumentację rodziny {args.rodzina}? "
                           "Wpisz numer sprawy, aby potwierdzić: ").strip()
        except EOFError:
            answer = ""
    if answer != args.rodzina:
        err.print("asysta: nie potwierdzono – nic nie usunięto")
        return EXIT_REJECTED
    from pipeline.core.polish import pl_count

    done = delete_family(settings, args.rodzina)
    console.print(f"Usunięto dokumentację rodziny {escape(args.rodzina)} "
                  f"({pl_count(done.files, 'plik', 'pliki', 'plików')}).")
    for name in done.removed:
        console.print(f"  usunięto kopię: {escape(name)}")
    for name in done.edited:
        console.print(f"  usunięto strony rodziny z pliku: {escape(name)}")
    if done.listed:
        console.print("[yellow]Do sprawdzenia przez administratora[/] (tych plików nie zmieniono):")
        for name, what in done.listed:
            console.print(f"  – {escape(name)}: {escape(what)}")
    return EXIT_OK


def cmd_sprawozdanie(settings: Settings, args: argparse.Namespace) -> int:
    """The half-yearly (or yearly) family-assistant figures: XLSX and PDF, --json, --szczegoly."""
    from pipeline.documents.sprawozdanie import from_archive, half_year, rows, whole_year

    period = half_year(args.okres) if args.okres else whole_year(args.rok)
    figures = from_archive(settings, period)
    if args.json:
        print(json.dumps(figures.to_json(settings.asystenci, args.szczegoly), ensure_ascii=False,
                         indent=1))
        return EXIT_OK
    from pipeline.documents.sprawozdanie import write_report
    from pipeline.stages.convert import Converter

    with Converter.from_settings(settings.przetwarzanie) as converter:
        written = write_report(settings, converter, figures)
    console.print(f"Asystenci rodziny – dane do sprawozdania za {escape(period.label)}:")
    for row in rows(figures, settings):
        console.print(f"  {row.lp:<5} {escape(row.etykieta)}: [bold]{escape(str(row.wartosc))}[/]")
        if args.szczegoly and row.sprawy:
            console.print(f"        sprawy: {escape(row.sprawy)}")
    if args.szczegoly:
        for name, cases in sorted(figures.asystenci.items()):
            console.print(f"  asystent {escape(name)}: {escape(', '.join(sorted(cases)))}")
    for case in figures.bledy:
        console.print(f"[red]✗ nie policzono rodziny {escape(case)}: rejestr jest uszkodzony[/]")
    console.print(f"  tabela (XLSX): {escape(str(written.xlsx))}")
    if written.pdf:
        console.print(f"  zestawienie (PDF): {escape(str(written.pdf))}")
        if line := sealed_copy_line(written.pdf, settings):
            console.print(escape(line))
    else:
        console.print("[red]  nie udało się utworzyć PDF[/]")
    return EXIT_OK if written.pdf and not figures.bledy else EXIT_REJECTED


def cmd_sad(settings: Settings, args: argparse.Namespace) -> int:
    """The report for the family court of one family and period, filed in its folder."""
    from pipeline.core.polish import pl_date
    from pipeline.documents.sad import make_report
    from pipeline.stages.convert import Converter

    if args.od > args.do:
        err.print(f"asysta: początek okresu ({pl_date(args.od)}) jest późniejszy niż jego "
                  f"koniec ({pl_date(args.do)})")
        return EXIT_USAGE
    with Converter.from_settings(settings.przetwarzanie) as converter:
        report = make_report(settings, converter, args.rodzina, args.od, args.do,
                             sygnatura=args.sygnatura)
    if report.duplikat:
        console.print(f"[cyan]= bez zmian[/] sprawozdanie dla sądu rodziny {escape(args.rodzina)} "
                      f"za ten okres jest już w archiwum: {escape(str(report.pdf))}")
    else:
        console.print(f"[green]✓ sprawozdanie dla sądu[/] rodziny {escape(args.rodzina)} za okres "
                      f"{pl_date(args.od)} – {pl_date(args.do)}: {escape(str(report.pdf))}")
    if line := sealed_copy_line(report.pdf, settings):
        console.print(escape(line))
    if not report.values["narracja"]:
        console.print("  (bez opisu asystenta: w archiwum nie ma dokumentu „rodzaj: sad” za ten "
                      "okres)")
    return EXIT_OK


def _month(text: str) -> str:
    """RRRR-MM, checked as `raporty.Month.parse` does (without importing raporty yet)."""
    try:
        if len(text) != 7:
            raise ValueError(text)
        date.fromisoformat(f"{text}-01")
    except ValueError:
        raise argparse.ArgumentTypeError(f"niepoprawny miesiąc {text!r} – podaj RRRR-MM") from None
    return text


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"niepoprawna data {text!r} – podaj RRRR-MM-DD") from None


def cmd_sprawdz(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.app.checks import run_checks

    if args.dziennik:
        from pipeline.core.journal import TORN, verify
        from pipeline.core.polish import pl_count

        count, broken, why = verify(settings.outbox)
        if broken is None:
            console.print(f"[green]✓[/] dziennik zdarzeń: {pl_count(count, 'wpis', 'wpisy', 'wpisów')}, "
                          "łańcuch skrótów nienaruszony")
            return EXIT_OK
        if why == TORN:  # a crash, not an edit: every complete entry is intact
            console.print(f"[yellow]![/] dziennik zdarzeń: "
                          f"{pl_count(broken - 1, 'wpis', 'wpisy', 'wpisów')}, łańcuch skrótów "
                          f"nienaruszony; wiersz {broken}: {why}")
            return EXIT_OK
        console.print(f"[red]✗[/] dziennik zdarzeń: pierwszy naruszony wpis to wiersz {broken} "
                      f"z {count} – {why}")
        return EXIT_REJECTED
    problems = run_checks(settings, console.rich)
    if problems:
        console.print(f"[red]Znaleziono problemy: {problems}.[/]")
        return EXIT_REJECTED
    console.print("[green]Wszystko w porządku.[/]")
    return EXIT_OK


def _attachment_number(text: str) -> int:
    from pipeline.sprawa.schemas import ZALACZNIKI

    try:
        n = int(text)
    except ValueError:
        n = 0
    if n not in ZALACZNIKI:
        raise argparse.ArgumentTypeError(f"numer załącznika to liczba od 1 do 16, nie „{text}”")
    return n


def _row_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 100:
        raise argparse.ArgumentTypeError(f"liczba wierszy to liczba od 1 do 100, nie „{text}”")
    return n


def cmd_formularze(settings: Settings, args: argparse.Namespace) -> int:
    """Blank (or, with --rodzina, pre-filled) fillable PDF forms, one per attachment."""
    from pipeline.pdf.forms import write_forms
    from pipeline.sprawa.schemas import ZALACZNIKI

    numbers = sorted(set(args.zalaczniki)) if args.zalaczniki else list(ZALACZNIKI)
    paths = write_forms(settings, args.katalog, numbers, rodzina=args.rodzina, rows=args.wiersze)
    for path in paths:
        console.print(f"[green]✓[/] {escape(str(path))}")
    what = f"wstępnie wypełnione danymi rodziny {args.rodzina}" if args.rodzina else "puste"
    console.print(f"Gotowe formularze PDF: {len(paths)} ({what}) w folderze "
                  f"{escape(str(paths[0].parent))}. Wypełniony formularz zapisz i wrzuć do "
                  "folderu inbox.")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asysta",
        description="Obieg dokumentów asystenta rodziny: formularze z folderu inbox stają się "
                    "dokumentami DOCX i PDF w archiwum rodzin (outbox).",
    )
    parser.add_argument("--version", action="version", version=f"asysta {__version__}")
    parser.add_argument("-k", "--konfiguracja", type=Path, metavar="PLIK",
                        help="plik konfiguracji (domyślnie ./asysta.toml albo $ASYSTA_CONFIG)")
    parser.add_argument("--inbox", type=Path, metavar="FOLDER", help="folder z formularzami")
    parser.add_argument("--outbox", type=Path, metavar="FOLDER", help="folder archiwum")
    sub = parser.add_subparsers(dest="polecenie", metavar="POLECENIE", title="polecenia")
    sub.required = True

    p = sub.add_parser("przetworz", help="przetwórz wskazane pliki formularzy",
                       description="Sprawdza, drukuje do DOCX i PDF i archiwizuje wskazane pliki.")
    p.add_argument("pliki", nargs="+", type=Path, metavar="PLIK", help="plik .yaml/.yml/.json")
    p.set_defaults(func=cmd_przetworz)

    p = sub.add_parser("obserwuj", help="obserwuj folder inbox i przetwarzaj nowe pliki",
                       description="Czeka na pliki w folderze inbox i przetwarza każdy, gdy "
                                   "zostanie w całości zapisany. Odrzucone trafiają do "
                                   "inbox/odrzucone/ z opisem problemów.")
    p.add_argument("--polling", action="store_true",
                   help="sprawdzaj folder co chwilę zamiast czekać na zdarzenia "
                        "(dla udziałów sieciowych, gdzie zdarzenia nie docierają)")
    p.add_argument("--raz", action="store_true",
                   help="przetwórz to, co jest teraz w folderze, i zakończ")
    p.set_defaults(func=cmd_obserwuj)

    p = sub.add_parser("sprawdz", help="sprawdź konfigurację, szablony i LibreOffice",
                       description="Sprawdza konfigurację, zgodność każdego szablonu z jego "
                                   "schematem (w obie strony) i konwersję przez LibreOffice.")
    p.add_argument("--dziennik", action="store_true",
                   help="sprawdź tylko, czy nikt nie zmienił dziennika zdarzeń "
                        "(outbox/dziennik.jsonl); wskazuje pierwszy naruszony wpis, a ostatni "
                        "wiersz urwany przez awarię odróżnia od zmiany")
    p.set_defaults(func=cmd_sprawdz)

    p = sub.add_parser("eksport", help="wszystkie dane rodziny w jednym pliku ZIP (wniosek o dostęp)",
                       description="Zapisuje całą dokumentację rodziny (dokumenty, oryginały "
                                   "formularzy, rejestr, listę kontrolną) w pliku ZIP, np. na "
                                   "wniosek osoby, której dane dotyczą (art. 15 RODO). "
                                   "Zdarzenie trafia do dziennika.")
    p.add_argument("rodzina", metavar="RODZINA", help="numer sprawy")
    p.add_argument("--do", type=Path, metavar="PLIK",
                   help="plik ZIP (domyślnie outbox/eksport/<numer>_<data>.zip)")
    p.set_defaults(func=cmd_eksport)

    p = sub.add_parser("usun", help="usuń dokumentację rodziny po okresie przechowywania",
                       description="Usuwa z archiwum cały folder rodziny, po potwierdzeniu "
                                   "numerem sprawy, a także kopie zrobione przez program: pliki "
                                   "ZIP z outbox/eksport/ i strony rodziny we wspólnych PDF "
                                   "raportów miesięcznych; wymienia to, co administrator musi "
                                   "sprawdzić sam (eksporty poza archiwum, zestawienia, "
                                   "odrzucone formularze). Sprawy zakończone po okresie "
                                   "przechowywania wymienia outbox/index.html. Zdarzenie "
                                   "trafia do dziennika.")
    p.add_argument("rodzina", metavar="RODZINA", help="numer sprawy")
    p.add_argument("--potwierdzam", metavar="RODZINA",
                   help="potwierdzenie bez pytania (dla skryptów): powtórz numer sprawy")
    p.set_defaults(func=cmd_usun)

    p = sub.add_parser("formularze", help="przygotuj formularze PDF do wypełnienia przez personel",
                       description="Zapisuje po jednym formularzu PDF do wypełnienia (w programie "
                                   "do PDF lub przeglądarce) dla każdego załącznika, zbudowanym "
                                   "z jego schematu. Wypełniony formularz wrzuca się do folderu "
                                   "inbox jak każdy inny plik.")
    p.add_argument("zalaczniki", nargs="*", type=_attachment_number, metavar="ZAŁĄCZNIK",
                   help="numery załączników (domyślnie wszystkie 1–16)")
    p.add_argument("--katalog", type=Path, default=Path("formularze"), metavar="FOLDER",
                   help="folder na formularze (domyślnie ./formularze)")
    p.add_argument("--rodzina", metavar="NUMER_SPRAWY",
                   help="wypełnij z góry to, co archiwum wie o rodzinie (numer sprawy, asystent, "
                        "adres, członkowie rodziny…); formularze trafią do podfolderu "
                        "o nazwie numeru sprawy")
    p.add_argument("--wiersze", type=_row_count, metavar="N",
                   help="liczba wierszy w każdej tabeli (domyślnie 12 – na miesiąc pracy; "
                        "najwyżej tyle, ile dopuszcza schemat)")
    p.set_defaults(func=cmd_formularze)

    p = sub.add_parser("checklista", help="lista brakujących i spóźnionych dokumentów",
                       description="Pokazuje, których dokumentów brakuje lub które powstały po "
                                   "terminie, dla jednej rodziny albo wszystkich. Kod wyjścia 1, "
                                   "gdy jest coś w stanie BRAK lub „po terminie”.")
    p.add_argument("rodzina", nargs="?", metavar="RODZINA", help="numer sprawy (domyślnie wszystkie)")
    p.add_argument("--na-dzien", type=_iso_date, metavar="RRRR-MM-DD",
                   help="stan na wskazany dzień (domyślnie dziś)")
    p.add_argument("--json", action="store_true", help="wynik w formacie JSON (dla skryptów)")
    p.set_defaults(func=cmd_checklista)

    p = sub.add_parser("raporty", help="miesięczne raporty (załącznik 14) wszystkich rodzin",
                       description="Tworzy raport miesięczny każdej rodziny objętej współpracą lub "
                                   "monitoringiem w danym miesiącu (z kart pracy asystenta i "
                                   "rodziny, z opisem asystenta, jeśli wpłynął), wspólny PDF do "
                                   "podpisu oraz zestawienie dla kierownika (PDF i XLSX) w "
                                   "outbox/raporty/RRRR-MM/.")
    p.add_argument("--miesiac", type=_month, required=True, metavar="RRRR-MM",
                   help="miesiąc sprawozdawczy")
    p.set_defaults(func=cmd_raporty)

    p = sub.add_parser("sprawozdanie", help="dane asystentów rodziny do sprawozdania półrocznego",
                       description="Liczy z archiwum dane o pracy asystentów rodziny do "
                                   "sprawozdania rzeczowo-finansowego z wykonywania zadań "
                                   "z zakresu wspierania rodziny (za półrocze albo rok) i zapisuje "
                                   "je jako XLSX (wiersz po wierszu) i PDF w "
                                   "outbox/sprawozdania/<okres>/. Każda wartość ma definicję.")
    period = p.add_mutually_exclusive_group(required=True)
    period.add_argument("--okres", metavar="RRRR-H1|RRRR-H2",
                        help="półrocze: H1 – styczeń–czerwiec, H2 – lipiec–grudzień")
    period.add_argument("--rok", metavar="RRRR", help="cały rok")
    p.add_argument("--json", action="store_true", help="wartości w formacie JSON (dla programów)")
    p.add_argument("--szczegoly", action="store_true",
                   help="przy każdej wartości numery spraw, które ją tworzą")
    p.set_defaults(func=cmd_sprawozdanie)

    p = sub.add_parser("sad", help="sprawozdanie dla sądu rodzinnego z pracy z rodziną",
                       description="Składa sprawozdanie z pracy asystenta z rodziną za wskazany "
                                   "okres – z kart pracy, planu, ocen, spotkań i raportów z tego "
                                   "okresu oraz opisu asystenta (formularz „rodzaj: sad”) – jako "
                                   "DOCX i PDF w archiwum rodziny.")
    p.add_argument("rodzina", metavar="RODZINA", help="numer sprawy")
    p.add_argument("--od", type=_iso_date, required=True, metavar="RRRR-MM-DD",
                   help="pierwszy dzień okresu")
    p.add_argument("--do", type=_iso_date, required=True, metavar="RRRR-MM-DD",
                   help="ostatni dzień okresu")
    p.add_argument("--sygnatura", metavar="SYGNATURA",
                   help="sygnatura akt sądu (domyślnie z opisu asystenta albo z przydzielenia)")
    p.set_defaults(func=cmd_sad)

    p = sub.add_parser("teczka", help="teczka sprawy: wszystkie dokumenty rodziny w jednym PDF",
                       description="Składa teczkę sprawy outbox/rodziny/<rodzina>/teczka.pdf: "
                                   "okładka, spis treści z numerami stron i najnowsza wersja "
                                   "każdego dokumentu w kolejności procedury (numer załącznika, "
                                   "potem data), z zakładkami i numerem strony na każdej stronie. "
                                   "Kod wyjścia 1, gdy którejś teczki nie udało się złożyć.")
    p.add_argument("rodzina", nargs="?", metavar="RODZINA", help="numer sprawy rodziny")
    p.add_argument("--wszystkie", action="store_true", help="teczki wszystkich rodzin z archiwum")
    p.set_defaults(func=cmd_teczka)

    p = sub.add_parser("demo", help="pokaz: fikcyjny ośrodek przez obserwowany folder",
                       description="Uruchamia obserwację folderu inbox i wrzuca do niego, "
                                   "miesiąc po miesiącu, formularze fikcyjnego ośrodka "
                                   "(4 asystentów, 30 rodzin, ostatnie 18 miesięcy, daty "
                                   "liczone od dziś, kilka celowo błędnych plików); potem "
                                   "tworzy raporty za poprzedni miesiąc i jedną teczkę. "
                                   "Potrzebuje pustego archiwum.")
    p.add_argument("--ziarno", type=int, default=2026, metavar="N",
                   help="ziarno generatora (inne ziarno – inne nazwiska i szczegóły; domyślnie 2026)")
    p.set_defaults(func=cmd_demo, polling=False)

    add_podpisz(sub, run_podpisz)  # the centre's seal (pipeline/podpis/polecenie.py)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(args.konfiguracja)
        folders = {k: v.resolve() for k, v in (("inbox", args.inbox), ("outbox", args.outbox)) if v}
        if folders:
            settings = settings.with_folders(**folders)
        return int(args.func(settings, args))
    except ConfigError as exc:
        err.print(f"asysta: {escape(str(exc))}")
        return EXIT_USAGE
    except AsystaError as exc:
        err.print(f"asysta: {escape(str(exc))}")
        return EXIT_USAGE
    except OSError as exc:  # a full disk is told in Polish, not as a traceback
        if resource_failure(exc) is None:
            raise
        err.print(f"asysta: {os_reason(exc.errno)} – polecenia nie dokończono; zwolnij miejsce "
                  "na dysku (lub usuń awarię) i uruchom je ponownie")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_REJECTED


if __name__ == "__main__":
    sys.exit(main())
