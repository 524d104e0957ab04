"""`asysta podpisz PLIK…`: the centre's seal on PDFs it sends out (`pieczec`), and the one
line the court report and the half-yearly figures print about their sealed copies."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.podpis.pieczec import SealError, seal_file, seal_if_configured


def add_command(sub: Any, func: Any) -> None:
    p = sub.add_parser("podpisz", help="opieczętuj PDF pieczęcią elektroniczną ośrodka",
                       description="Dodaje do pliku PDF podpis PAdES pieczęcią ośrodka "
                                   "([podpis] pieczec; z [podpis] tsa ze znacznikiem czasu) "
                                   "i zapisuje kopię obok jako <nazwa>_pieczec.pdf; oryginał "
                                   "zostaje bez zmian, PDF/A-2b zostaje zachowany.")
    p.add_argument("pliki", nargs="+", type=Path, metavar="PLIK", help="plik PDF")
    p.set_defaults(func=func)


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Seal every file; a failure of one is told and the rest go on (exit 1)."""
    failed = 0
    for path in args.pliki:
        try:
            target = seal_file(path, settings.podpis)
        except SealError as exc:
            print(f"✗ {path.name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"✓ opieczętowano {path.name} → {target}")
    return 1 if failed else 0


def sealed_copy_line(pdf: Path | None, settings: Settings) -> str | None:
    """A sealed copy of a document the kierownik sends (when the centre has a seal)."""
    if pdf is None:
        return None
    target = seal_if_configured(pdf, settings.podpis)
    return f"  z pieczęcią elektroniczną ośrodka: {target}" if target else None


def check_lines(settings: Settings) -> list[tuple[str, str]]:
    """For `asysta sprawdz`: ("ok" | "uwaga" | "blad", Polish line) about the trust anchors
    and the seal."""
    from pipeline.core.errors import ConfigError
    from pipeline.podpis.pieczec import load_seal
    from pipeline.podpis.zaufane import load_anchors

    lines: list[tuple[str, str]] = []
    if settings.podpis.zaufane is None:
        lines.append(("uwaga", "podpis elektroniczny: nie ustawiono [podpis] zaufane – pliki "
                               "podpisane elektronicznie będą odkładane do nierozpoznane/"))
    else:
        try:
            anchors = load_anchors(settings.podpis.zaufane)
            lines.append(("ok", f"podpis elektroniczny: {len(anchors.certificates)} zaufanych "
                                f"certyfikatów w {settings.podpis.zaufane}"))
            lines += [("uwaga", f"[podpis] zaufane: {s}") for s in anchors.skipped]
        except ConfigError as exc:
            lines += [("blad", p) for p in exc.problems]
    if settings.podpis.pieczec is not None:
        try:
            cert = load_seal(settings.podpis).signing_cert
            until = cert["tbs_certificate"]["validity"]["not_after"].native
            lines.append(("ok", f"pieczęć ośrodka: {settings.podpis.pieczec.name}, certyfikat "
                                f"ważny do {until:%Y-%m-%d}"))
        except ConfigError as exc:
            lines += [("blad", p) for p in exc.problems]
    return lines
