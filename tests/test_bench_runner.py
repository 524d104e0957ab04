"""bench/run_all.py rewrites only its own rows of README's „Pomiary” table (the figures are
not asserted: they are measurements), and the stamping benchmark runs with a small N."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import run_all  # noqa: E402

TABLE = """# Tytuł

## Pomiary

<!-- pomiary:start -->
| pomiar | wynik | polecenie |
|---|---|---|
| stary pomiar raportów | 1 s | `bench_raporty.py --rodziny 40 --powtorzenia 5` |
| dodatkowa liczba do niego | 2 s | jw. |
| pomiar innego pomocnika | 3 s | `bench_kopia.py --pliki 10` |
| jednorazowy | 4 s | skrypt jednorazowy (nie w `bench/`) |
<!-- pomiary:end -->

Dalszy tekst.
"""


def test_the_runner_rewrites_only_the_rows_of_what_it_measured() -> None:
    [reports] = [b for b in run_all.BENCHES if b.name == "raporty-40"]
    [stamping] = [b for b in run_all.BENCHES if b.name == "kod"]
    text = run_all.rewrite(TABLE, {reports: "5 s (05.12.2026, commit abc, 2 rdzenie)",
                                   stamping: "1 ms (05.12.2026, commit abc, 2 rdzenie)"})
    rows = [line for line in text.splitlines() if line.startswith("| ") and "pomiar |" not in line]
    assert rows == [
        f"| {reports.label} | 5 s (05.12.2026, commit abc, 2 rdzenie) | `{reports.command}` |",
        "| pomiar innego pomocnika | 3 s | `bench_kopia.py --pliki 10` |",
        "| jednorazowy | 4 s | skrypt jednorazowy (nie w `bench/`) |",
        f"| {stamping.label} | 1 ms (05.12.2026, commit abc, 2 rdzenie) | `{stamping.command}` |",
    ]
    assert text.startswith("# Tytuł\n\n## Pomiary\n")
    assert text.endswith("<!-- pomiary:end -->\n\nDalszy tekst.\n")


def test_every_benchmark_script_the_runner_names_exists() -> None:
    for bench in run_all.BENCHES:
        assert (ROOT / "bench" / bench.command.split()[0]).is_file(), bench.command


@pytest.mark.slow
def test_stamping_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_kod.py"), "--dokumenty", "3",
         "--powtorzenia", "1"], capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "ms czasu procesora na dokument" in result.stdout
