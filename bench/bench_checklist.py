"""Benchmark: checklists of N synthetic families (not a test: timings are noisy).

    .venv/bin/python bench/bench_checklist.py [--rodziny 5000]

Writes N synthetic registers (each a two-year case: assignment, hand-over,
consent, card, assessment, plan, monthly visit logs and reports, periodic
assessments with plan updates) straight into a temporary archive, then times:
computing every checklist, writing outbox/index.html, and the 15-family limit
check that runs at the intake of every assignment (1).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.documents.overview import all_checklists, limit_problem, write_index  # noqa: E402
from pipeline.sprawa.checklist import add_months, month_key  # noqa: E402


def entry(n: int, day: date, **dane: object) -> dict[str, object]:
    stem = f"zal{n:02d}_{day.isoformat()}_x"
    return {"zalacznik": n, "data": day.isoformat(), "wersja": 1, "pdf": f"{stem}.pdf",
            "dane": dane}


def synthetic_register(i: int, rng: random.Random, today: date) -> list[dict[str, object]]:
    start = today - timedelta(days=rng.randint(0, 800))
    docs = [entry(1, start, asystent=f"Asystent {i % 400:03d}", postanowienie_sadu=i % 7 == 0,
                  za_zyciem=i % 11 == 0),
            entry(2, start + timedelta(days=2), dokumenty=[{"nazwa": "wywiad środowiskowy"}]),
            entry(3, start + timedelta(days=9)), entry(4, start + timedelta(days=12)),
            entry(5, start + timedelta(days=25)), entry(6, start + timedelta(days=30))]
    month = date(start.year, start.month, 1)
    while month < today:
        visits = [{"data": (month + timedelta(days=d)).isoformat()} for d in range(2, 28, 6)]
        docs.append(entry(8, add_months(month, 1) - timedelta(days=1), wizyty=visits))
        if rng.random() < 0.9:
            docs.append(entry(14, add_months(month, 1) + timedelta(days=rng.randint(0, 8)),
                              miesiac=month_key(month)))
        month = add_months(month, 1)
    for k in range(1, 5):
        due = add_months(start + timedelta(days=9), 6 * k)
        if due < today:
            docs.append(entry(15, due - timedelta(days=3)))
            docs.append(entry(7, due + timedelta(days=5)))
    return docs


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar czasu list kontrolnych.")
    parser.add_argument("--rodziny", type=int, default=5000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-lista-"))
    settings = parse_config({}, root)
    rng = random.Random(14)
    today = date.today()
    for i in range(args.rodziny):
        folder = settings.outbox / "rodziny" / f"S-{i:05d}"
        folder.mkdir(parents=True)
        record = {"rodzina": folder.name, "dokumenty": synthetic_register(i, rng, today)}
        (folder / "rejestr.json").write_text(json.dumps(record), encoding="utf-8")

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        checklists = all_checklists(settings, today)
        runs.append(time.perf_counter() - started)
    computed = sorted(runs)[1]  # median of 3
    tracemalloc.start()  # a separate run: tracing slows Python down
    all_checklists(settings, today)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    items = sum(len(c.pozycje) for c in checklists)
    started = time.perf_counter()
    write_index(settings, today)
    index = time.perf_counter() - started
    started = time.perf_counter()
    limit_problem(settings, "Asystent 001", "NOWA", today)
    limit = time.perf_counter() - started
    print(f"{args.rodziny} rodzin, {items} pozycji: listy kontrolne (mediana z 3) {computed:.2f} s "
          f"({computed / args.rodziny * 1000:.2f} ms na rodzinę, szczyt pamięci "
          f"{peak / 2**20:.0f} MB); index.html {index:.2f} s; kontrola limitu 15 rodzin "
          f"przy przydziale {limit:.2f} s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
