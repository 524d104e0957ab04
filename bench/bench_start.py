"""Benchmark: the fixed start-up cost of the `asysta` command (not a test: timings are noisy).

    .venv/bin/python bench/bench_start.py [--powtorzenia 5] [--kod KATALOG]

Medians of several runs, each a new process with `python -X importtime`:
1. `asysta --help`: the time all imports take (the sum of the top-level modules'
   cumulative times) and the wall time of the process;
2. `asysta raporty` on an empty archive: the same two figures for a command that
   starts the LibreOffice pool and converts the summary, i.e. what a month's reports
   pay before and besides the families' own work;
and which heavy libraries `import pipeline.app.cli` alone loads.
`--kod` measures another copy of the code (e.g. an export of an older commit).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("rich", "docxtpl", "docx", "jinja2", "pypdf", "lxml", "reportlab", "openpyxl",
         "watchdog", "yaml", "cerberus", "fontTools")


def import_times(stderr: str) -> dict[str, int]:
    """Cumulative microseconds of each top-level import in `-X importtime` output."""
    times = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if not name.startswith("  "):  # top level: one space after the bar
            times[name.strip()] = int(cumulative)
    return times


def run(code: Path, args: list[str], cwd: Path) -> tuple[float, float, dict[str, int]]:
    """(wall seconds, import seconds, top-level import times) of one `asysta` process."""
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pipeline.app.cli", *args],
                          cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"asysta {' '.join(args)}: kod wyjścia {done.returncode}\n{done.stderr[-2000:]}")
    times = import_times(done.stderr)
    return wall, sum(times.values()) / 1e6, times


def heavy_at_import(code: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    probe = (f"import sys, pipeline.app.cli; print(' '.join(m for m in {HEAVY!r} "
             "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True, cwd=tempfile.gettempdir())
    return out.stdout.split()


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar kosztu uruchomienia polecenia asysta.")
    parser.add_argument("--powtorzenia", type=int, default=5)
    parser.add_argument("--kod", type=Path, default=ROOT, help="katalog z kodem asysta")
    args = parser.parse_args()
    code = args.kod.resolve()
    with tempfile.TemporaryDirectory(prefix="asysta-bench-start-") as tmp:
        root = Path(tmp)
        (root / "inbox").mkdir()
        (root / "outbox").mkdir()
        folders = ["--inbox", str(root / "inbox"), "--outbox", str(root / "outbox")]
        commands = {"asysta --help": ["--help"],
                    "asysta raporty (puste archiwum)": [*folders, "raporty", "--miesiac", "2026-10"]}
        for label, command in commands.items():
            run(code, command, root)  # not counted: disk cache, LibreOffice's profile
            runs = [run(code, command, root) for _ in range(args.powtorzenia)]
            wall = statistics.median(r[0] for r in runs)
            imports = statistics.median(r[1] for r in runs)
            print(f"{label}: importy {imports * 1000:.0f} ms, cały proces {wall * 1000:.0f} ms "
                  f"(mediana z {args.powtorzenia})")
    print(f"`import pipeline.app.cli` ładuje: {', '.join(heavy_at_import(code)) or 'żadnej z ciężkich'}")


if __name__ == "__main__":
    main()
