"""The `asysta` commands on forms and families: przetworz, obserwuj, sprawdz, checklista,
formularze, eksport, usun. Each imports the heavy libraries it needs when it runs."""

from __future__ import annotations

import argparse
import json
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
    print_scan,
    summary,
)

if TYPE_CHECKING:
    from pipeline.core.config import Settings
    from pipeline.flow.watch import Watcher
    from pipeline.stages.convert import Converter


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
        outcomes = process_files(args.pliki, settings, conv, report=print_outcome)
    return summary(outcomes)


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
    watcher = Watcher(settings, converter, polling=args.polling, report=print_outcome)
    watcher.scan_report = print_scan
    return converter, watcher


def cmd_obserwuj(settings: Settings, args: argparse.Namespace) -> int:
    converter, watcher = _watcher(settings, args)
    with converter:
        if args.raz:
            return summary(watcher.run_once())
        mode = "odpytywanie co " + str(settings.przetwarzanie.polling_co_s) + " s" \
            if args.polling else "zdarzenia systemu plików"
        console.print(f"Obserwuję {settings.inbox} i folder skanów {settings.scans} ({mode}); "
                      f"archiwum: {settings.outbox}. Zakończ: Ctrl+C.")
        try:
            watcher.run()
        except KeyboardInterrupt:
            watcher.stop()
        console.print("Zakończono obserwację.")
        return summary(watcher.counts)


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


def cmd_formularze(settings: Settings, args: argparse.Namespace) -> int:
    """Blank (or, with --rodzina, pre-filled) fillable PDF forms, one per attachment."""
    from pipeline.forms import write_forms
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
