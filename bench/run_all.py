"""Every benchmark, and README's „Pomiary” table rewritten from their results.

    .venv/bin/python bench/run_all.py                  # all of them (long: an hour or more)
    .venv/bin/python bench/run_all.py --tylko raporty-40,kod
    .venv/bin/python bench/run_all.py --lista          # names and commands
    .venv/bin/python bench/run_all.py --bez-readme     # results on the screen only

Each benchmark runs as its own process with the command shown in the table; its printed
result becomes the row's „wynik”, followed by the date, the commit and the machine's core
count. Only the rows between `<!-- pomiary:start -->` and `<!-- pomiary:end -->` whose
command is the benchmark's are rewritten (and the „jw.” rows under them, whose results the
new row now holds); every other row stays as it is, so a change that moves a figure shows
in its own diff.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- pomiary:start -->", "<!-- pomiary:end -->"


@dataclass(frozen=True)
class Bench:
    name: str
    label: str  # the „pomiar” cell
    command: str  # bench/<script> and its arguments, as the table shows it

    def argv(self) -> list[str]:
        script, *args = self.command.split()
        return [sys.executable, str(ROOT / "bench" / script), *args]


BENCHES = (
    Bench("raporty-40", "`asysta raporty` jako całe polecenie, 40 rodzin, wobec samej konwersji "
          "tych 40 DOCX (eksport PDF/A-2b, 2 równoległe `soffice`)",
          "bench_raporty.py --rodziny 40 --powtorzenia 5"),
    Bench("raporty-1000", "`asysta raporty`, 1000 rodzin, wobec samej konwersji tych 1000 DOCX",
          "bench_raporty.py --rodziny 1000 --powtorzenia 3"),
    Bench("raporty-5000", "`asysta raporty`, 5000 rodzin: czas i pamięć (bez podłogi)",
          "bench_raporty.py --rodziny 5000 --powtorzenia 1 --bez-podlogi"),
    Bench("laczenie", "wspólny PDF raportów miesięcznych: samo łączenie 5000 raportów, czas i pamięć",
          "bench_laczenie.py --raporty 5000 --powtorzenia 3"),
    Bench("kod", "nadruk kodu QR i linii na stronach dokumentu (`kod.stamp`), sam",
          "bench_kod.py --dokumenty 200 --powtorzenia 3"),
    Bench("pipeline", "partia 16 przykładów, ciepła pula, `soffice`, obserwator",
          "bench_pipeline.py --powtorzenia 3 --latencja 20"),
    Bench("pdfa", "eksport PDF/A-2b wobec zwykłego eksportu, ciepła pula",
          "bench_pdfa.py --powtorzenia 7"),
    Bench("checklist", "listy kontrolne, `index.html` i limit rodzin dla 5000 rodzin",
          "bench_checklist.py --rodziny 5000"),
    Bench("teczka", "teczka sprawy 300 stron", "bench_teczka.py --strony 300"),
    Bench("skany", "skany: nadruk kodu i odczyt partii", "bench_skany.py --powtorzenia 3"),
    Bench("start", "start polecenia `asysta`", "bench_start.py --powtorzenia 5"),
    Bench("hostile", "wrogie pliki od wrzucenia do opisu odrzucenia", "bench_hostile.py"),
)


def run(bench: Bench) -> str:
    """The benchmark's printed result as one cell (its lines joined)."""
    print(f"== {bench.name}: {bench.command}", flush=True)
    done = subprocess.run(bench.argv(), cwd=ROOT, capture_output=True, text=True)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    print("\n".join(lines), flush=True)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)
        return f"BŁĄD (kod {done.returncode}): " + "; ".join(lines[-2:])
    # one space where a benchmark aligns its columns
    return polish_decimals(re.sub(r" {2,}", " ", "; ".join(lines))).replace("|", "\\|")


def polish_decimals(text: str) -> str:
    """1.67× → 1,67× (a Polish reader's decimal comma); dates such as 05.12.2026 stay."""
    return re.sub(r"(?<![.\d])(\d+)\.(\d+)(?![.\d])", r"\1,\2", text)


def stamp() -> str:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    cores = len(os.sched_getaffinity(0))
    return (f"({date.today():%d.%m.%Y}, commit {commit}{' ze zmianami' if dirty else ''}, "
            f"{cores} {'rdzeń' if cores == 1 else 'rdzenie' if cores < 5 else 'rdzeni'})")


def _command(row: str) -> str:
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    return cells[-1].strip("`").strip() if cells else ""


def rewrite(text: str, results: dict[Bench, str]) -> str:
    """README with the rows of these benchmarks replaced (or appended), others kept."""
    start, end = f"\n{START}\n", f"\n{END}\n"  # the markers on lines of their own
    if start not in text or end not in text:
        sys.exit(f"README.md nie ma znaczników {START} … {END} (w osobnych wierszach)")
    head, rest = text.split(start, 1)
    table, tail = rest.split(end, 1)
    lines = table.strip("\n").split("\n")
    header, rows = lines[:2], lines[2:]
    by_command = {bench.command: bench for bench in results}
    out: list[str] = []
    replaced: set[str] = set()
    skipping = False
    for row in rows:
        command = _command(row)
        if command in by_command:
            bench = by_command[command]
            out.append(f"| {bench.label} | {results[bench]} | `{bench.command}` |")
            replaced.add(command)
            skipping = True
        elif skipping and command in ("jw.", "jw"):
            continue
        else:
            skipping = False
            out.append(row)
    for bench, result in results.items():
        if bench.command not in replaced:
            out.append(f"| {bench.label} | {result} | `{bench.command}` |")
    return head + start + "\n".join(header + out) + end + tail


def main() -> None:
    parser = argparse.ArgumentParser(description="Wszystkie pomiary i tabela „Pomiary” w README.")
    parser.add_argument("--tylko", default="", help="nazwy pomiarów po przecinku (zob. --lista)")
    parser.add_argument("--lista", action="store_true", help="wypisz pomiary i ich polecenia")
    parser.add_argument("--bez-readme", action="store_true", help="nie zmieniaj README.md")
    args = parser.parse_args()
    if args.lista:
        for bench in BENCHES:
            print(f"{bench.name:14} {bench.command}")
        return
    wanted = {n.strip() for n in args.tylko.split(",") if n.strip()}
    unknown = wanted - {b.name for b in BENCHES}
    if unknown:
        sys.exit(f"nieznane pomiary: {', '.join(sorted(unknown))} (zob. --lista)")
    chosen = [b for b in BENCHES if not wanted or b.name in wanted]
    when = stamp()
    results = {bench: f"{run(bench)} {when}" for bench in chosen}
    if not args.bez_readme:
        README.write_text(rewrite(README.read_text(encoding="utf-8"), results), encoding="utf-8")
        print(f"README.md: zapisano {len(results)} wierszy tabeli „Pomiary”")


if __name__ == "__main__":
    main()
