"""Benchmark: joining N monthly reports into the one combined PDF (`pipeline.pdf.join`).

    .venv/bin/python bench/bench_laczenie.py [--raporty 5000] [--powtorzenia 3]

The example attachment 14 is converted once with the product's export; N stamped copies
(each with its own page codes, as filed) are joined with bookmarks, as `asysta raporty`
joins them. Reported: the median time of the join, its spread, and how much the join
raised this process's peak memory (ru_maxrss) above what it was before.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_kod import converted_report  # noqa: E402

from pipeline.pdf import kod  # noqa: E402
from pipeline.pdf.join import join_versioned  # noqa: E402
from pipeline.pdf.pdfa import PdfMeta  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar łączenia raportów w jeden PDF.")
    parser.add_argument("--raporty", type=int, default=5000)
    parser.add_argument("--powtorzenia", type=int, default=3)
    parser.add_argument("--json", type=Path, help="wynik także jako JSON (bench/run_all.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asysta-bench-laczenie-") as work:
        folder = Path(work)
        data = converted_report(folder).read_bytes()
        parts = []
        for i in range(args.raporty):
            identity = kod.Identity(f"K-{i:05d}", 14, date(2026, 11, 3), 1, f"{i:06x}"[-6:])
            part = folder / f"raport{i:05d}.pdf"
            part.write_bytes(kod.stamp(data, identity))
            parts.append(part)
        outline = [(1, f"Asystent {i // 15}", i * 3) if i % 15 == 0 else (2, f"K-{i:05d}", i * 3)
                   for i in range(args.raporty)]
        before = peak_mb()
        runs = []
        for run in range(args.powtorzenia):
            out = folder / f"wynik{run}"
            out.mkdir()
            started = time.perf_counter()
            joined = join_versioned(parts, out, "raporty", PdfMeta("Raporty"), outline)
            runs.append(time.perf_counter() - started)
        size = joined.stat().st_size
        grown = peak_mb() - before
    line = (f"{args.raporty} raportów w jeden PDF ({size / 2**20:.0f} MB): "
            f"{statistics.median(runs):.1f} s (mediana z {len(runs)}, rozrzut "
            f"{min(runs):.1f}–{max(runs):.1f} s); szczyt pamięci procesu wzrósł przy łączeniu "
            f"o {grown:.0f} MB (do {peak_mb():.0f} MB)")
    print(line)
    if args.json:
        args.json.write_text(json.dumps({"s": runs, "wzrost_mb": grown, "wiersz": line},
                                        ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
