"""The `asysta` commands that make documents from the whole archive: raporty, teczka,
sprawozdanie, sad, and the demo centre. Each starts LibreOffice (when it needs it) before
the heavy imports, so the pool warms up meanwhile."""

from __future__ import annotations

import argparse
import json
import threading
from collections import Counter
from datetime import date
from typing import TYPE_CHECKING

from pipeline.app.console import (
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_USAGE,
    console,
    err,
    escape,
    print_outcome,
    summary,
)
from pipeline.core.errors import AsystaError
from pipeline.podpis.polecenie import sealed_copy_line

if TYPE_CHECKING:
    from pipeline.core.config import Settings
    from pipeline.core.models import Outcome


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """The demo centre (pipeline/demo/centre.py) through a running watcher, month by month, then the
    last month's reports and one binder."""
    from pipeline.app.checks import require_templates
    from pipeline.core.polish import month_name, pl_count
    from pipeline.demo.centre import build_centre, drop_in_waves
    from pipeline.documents.overview import families
    from pipeline.documents.teczka import build_teczka
    from pipeline.flow.process import after_batch
    from pipeline.flow.raporty import Month, run_month
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
            print_outcome(outcome)

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
    code = summary(Counter(o.status for o in outcomes))
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


def cmd_raporty(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.stages.convert import Converter

    # LibreOffice starts in the background now, while the libraries below are imported
    # and the reports are drafted and rendered: the pool is warm by the first conversion
    with Converter.from_settings(settings.przetwarzanie) as converter:
        from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

        from pipeline.flow.raporty import Month, run_month

        month = Month.parse(args.miesiac)
        with Progress(
            TextColumn("raporty {task.fields[miesiac]}"), BarColumn(), TaskProgressColumn(),
            TextColumn("pozostało"), TimeRemainingColumn(), console=console.rich, transient=True,
        ) as bar:
            task = bar.add_task("raporty", total=None, miesiac=month.key)
            # LibreOffice is told to quit as soon as the run has nothing more for it, while
            # the page and the calendars are still being made; nobody waits for it to exit
            result = run_month(settings, converter, month,
                               progress=lambda done, total: bar.update(task, completed=done, total=total),
                               converted=lambda: converter.close(wait=False))
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
        from pipeline.documents.sad import missing_narrative
        console.print(f"[yellow]  {escape(missing_narrative(args.rodzina, args.od, args.do))}[/]")
    return EXIT_OK
