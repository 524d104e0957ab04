"""The `asysta` command, in Polish: the argument parser and the dispatch to a command
(pipeline.app.commands, pipeline.app.commands_batch). Exit codes: 0 all accepted, 1 some file
rejected (or a check failed), 2 usage or configuration error.

Start-up is kept short: the heavy libraries (rich, docxtpl, pypdf, reportlab, openpyxl,
watchdog) are imported by the command that uses them, not here, so `asysta --help` and
a command's LibreOffice pool (started first) do not wait for the others' imports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pipeline import __version__
from pipeline.app.commands import (
    cmd_checklista,
    cmd_eksport,
    cmd_formularze,
    cmd_obserwuj,
    cmd_przetworz,
    cmd_sprawdz,
    cmd_usun,
)
from pipeline.app.commands_batch import cmd_demo, cmd_raporty, cmd_sad, cmd_sprawozdanie, cmd_teczka
from pipeline.app.console import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, err, escape
from pipeline.core.config import load_settings
from pipeline.core.errors import AsystaError, ConfigError, os_reason, resource_failure
from pipeline.ops.polecenia import add_commands as add_ops_commands
from pipeline.podpis.polecenie import add_command as add_podpisz
from pipeline.podpis.polecenie import run as run_podpisz

__all__ = ["EXIT_OK", "EXIT_REJECTED", "EXIT_USAGE", "build_parser", "main"]

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="asysta",
        description="Obieg dokumentów asystenta rodziny: formularze z folderu inbox stają się "
                    "dokumentami DOCX i PDF w archiwum rodzin (outbox).",
    )
    parser.add_argument("--version", action="version", version=f"asysta {__version__}",
                        help="pokaż wersję programu i zakończ")
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
    add_ops_commands(sub)  # stan, kopia, usluga (pipeline/ops)

    from pipeline.notify.command import add_parser as add_powiadomienia

    add_powiadomienia(sub, _iso_date)
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
