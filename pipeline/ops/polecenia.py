"""The administrator's commands: `asysta stan`, `asysta kopia …`, `asysta usluga …`
(registered on the CLI's parser by `add_commands`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings


def cmd_stan(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.ops import stan, straz

    if args.zwolnij_blokade:
        straz.clear(settings.outbox)
        print("Blokadę zdjęto: bieżący stan archiwum jest nowym punktem odniesienia strażnika zmian.")
    report = stan.run(settings, libreoffice=not args.bez_libreoffice)
    print(report.to_json() if args.json else "\n".join(report.lines()))
    return report.exit_code


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024:
            return f"{count:.0f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


def cmd_kopia(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.ops import kopia, proba

    if args.czynnosc == "lista":
        for snap in kopia.snapshots(settings):
            mark = " ✓ sprawdzona" if "sprawdzona" in (snap.get("tags") or []) else ""
            print(f"{snap.get('short_id')}  {str(snap.get('time', ''))[:19].replace('T', ' ')}  "
                  f"{snap.get('hostname', '')}{mark}")
        return 0
    if args.czynnosc == "sprawdz":
        drill = proba.drill(settings)
        if drill.ok:
            print(f"Próba odtworzenia udana: migawka {drill.snapshot}, {drill.families} rodzin, "
                  f"dziennik i skróty plików zgodne ({drill.seconds:.0f} s).")
            return 0
        print(f"Próba odtworzenia NIEUDANA (migawka {drill.snapshot}):")
        for problem in drill.problems:
            print(f"  ✗ {problem}")
        return 1
    if args.czynnosc == "odtworz":
        if args.do is None:
            print("asysta: podaj nowy, pusty folder: asysta kopia odtworz --do FOLDER",
                  file=sys.stderr)
            return 2
        restored = kopia.restore(settings, args.do, args.migawka or "latest")
        if restored is None:
            print(f"Odtworzono do {args.do}, ale w kopii nie ma archiwum (dziennika zdarzeń).")
            return 1
        count, problems = proba.verify_archive(restored)
        print(f"Odtworzono do {args.do.resolve()}; archiwum: {restored} ({count} rodzin).")
        for problem in problems:
            print(f"  ✗ {problem}")
        print("Dziennik i skróty plików zgodne." if not problems else "Odtworzone archiwum ma błędy.")
        return 0 if not problems else 1
    done = kopia.backup(settings)
    print(f"Kopia wykonana: migawka {done.snapshot}, {done.files} plików ({done.new_files} nowych, "
          f"dopisano {_size(done.added_bytes)}, {done.seconds:.1f} s)"
          + (", nowe repozytorium" if done.created_repository else "") + ".")
    if done.retention:
        print(f"Uwaga: nie usunięto starszych kopii: {done.retention}")
    return 0


def cmd_usluga(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline.ops import usluga

    if args.czynnosc == "usun":
        removed = usluga.uninstall()
        print("Usunięto usługę: " + (", ".join(removed) or "nie była zainstalowana")
              + ". Archiwum, użytkownik usługi i kopie pozostały.")
        return 0
    if args.tylko_pliki is not None:
        for path in usluga.write_units(args.tylko_pliki, settings, args.uzytkownik):
            print(f"Zapisano {path}")
        print("Niczego nie włączono. Sprawdzenie: systemd-analyze verify <pliki>")
        return 0
    for unit in usluga.install(settings, args.uzytkownik):
        print(f"Zainstalowano {unit}")
    print("Usługa działa: systemctl status asysta-obserwator; dziennik: journalctl -u "
          "asysta-obserwator; kopie: systemctl list-timers asysta-poranek.timer")
    return 0


def add_commands(sub: Any) -> None:
    """`stan`, `kopia` and `usluga` on the CLI's sub-command parser."""
    p = sub.add_parser("stan", help="stan systemu dla administratora i monitoringu (0/1/2)",
                       description="Sprawdza obserwatora, LibreOffice, dysk, foldery, dziennik i "
                                   "kopie. Kod wyjścia: 0 – ok, 1 – ostrzeżenie, 2 – krytyczny.")
    p.add_argument("--json", action="store_true", help="wynik jako JSON (dla monitoringu)")
    p.add_argument("--bez-libreoffice", action="store_true",
                   help="bez próbnej konwersji (szybciej, np. co minutę)")
    p.add_argument("--zwolnij-blokade", action="store_true",
                   help="zdejmij blokadę strażnika zmian po sprawdzeniu archiwum")
    p.set_defaults(func=cmd_stan)

    p = sub.add_parser("kopia", help="kopia zapasowa (restic): wykonaj, lista, sprawdz, odtworz",
                       description="Bez czynności: nowa kopia archiwum, inbox, konfiguracji i "
                                   "szablonów. lista – kopie w repozytorium; sprawdz – próba "
                                   "odtworzenia najnowszej kopii; odtworz – odtworzenie do nowego "
                                   "folderu.")
    p.add_argument("czynnosc", nargs="?", default="wykonaj",
                   choices=("wykonaj", "lista", "sprawdz", "odtworz"), metavar="CZYNNOŚĆ",
                   help="wykonaj (domyślnie), lista, sprawdz albo odtworz")
    p.add_argument("--do", type=Path, metavar="FOLDER", help="nowy, pusty folder (odtworz)")
    p.add_argument("--migawka", metavar="ID", help="identyfikator kopii (domyślnie najnowsza)")
    p.set_defaults(func=cmd_kopia)

    p = sub.add_parser("usluga", help="zainstaluj albo usuń usługę systemd",
                       description="zainstaluj – jednostki systemd (obserwator i poranna kopia), "
                                   "użytkownik usługi, włączenie; usun – wyłączenie i usunięcie.")
    p.add_argument("czynnosc", choices=("zainstaluj", "usun"), metavar="CZYNNOŚĆ",
                   help="zainstaluj albo usun")
    p.add_argument("--tylko-pliki", type=Path, metavar="FOLDER",
                   help="tylko zapisz pliki jednostek do FOLDER (niczego nie włączaj)")
    p.add_argument("--uzytkownik", default="asysta", metavar="NAZWA",
                   help="konto usługi (domyślnie asysta)")
    p.set_defaults(func=cmd_usluga)
