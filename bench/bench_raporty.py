"""Benchmark: a month of reports for N synthetic families (not a test: timings are noisy).

    .venv/bin/python bench/bench_raporty.py --rodziny 1000 --powtorzenia 3
    .venv/bin/python bench/bench_raporty.py --rodziny 5000 --powtorzenia 1 --bez-podlogi

What a centre waits for: the whole command `asysta raporty` in a new process (imports, the
pool's start, every family's attachment 14 validated, rendered, converted, stamped and
archived, the combined PDF, the kierownik's summary), against the floor: converting the
same N report DOCX files (those the command archived) with the product's own export
(PDF/A-2b, tagged: `soffice.PDF_EXPORT`) by two parallel `soffice --convert-to` processes,
each called again for what it left unconverted until every PDF exists (one call stops
silently after about 247 files). The floor checks that every PDF exists; a run where
asysta archived fewer than N reports stops the benchmark.

Each repetition runs both on a fresh copy of the archive, one after the other, after one
run of each not counted (warm profiles and disk cache for both). Reported: medians, the
spread (min–max), the ratio of the medians and asysta's own peak memory (its process
only, ru_maxrss: LibreOffice runs in processes of its own).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.documents.raport_miesieczny import Month  # noqa: E402
from pipeline.stages.soffice import convert_all, find_soffice  # noqa: E402

MONTH = Month.parse("2026-10")


def entry(n: int, day: date, **dane: object) -> dict[str, object]:
    stem = f"zal{n:02d}_{day.isoformat()}_x"
    return {"zalacznik": n, "data": day.isoformat(), "wersja": 1, "docx": f"{stem}.docx",
            "pdf": f"{stem}.pdf", "plik_zrodlowy": f"{stem}.yaml", "sha256": stem, "dane": dane}


def synthetic_archive(outbox: Path, count: int) -> None:
    start = date(2026, 3, 2)
    for i in range(count):
        family = f"R-{i:04d}"
        members = [{"imie_nazwisko": f"Matka Rodziny {i}", "pokrewienstwo": "matka",
                    "data_urodzenia": "1990-01-01"},
                   {"imie_nazwisko": f"Syn Rodziny {i}", "pokrewienstwo": "syn",
                    "data_urodzenia": "2015-05-05"}]
        visits = [{"data": (MONTH.first + timedelta(days=d)).isoformat(), "godzina_od": "15:30",
                   "godzina_do": "18:00", "miejsce": "mieszkanie rodziny",
                   "dzialania": "Rozmowa z rodzicami o budżecie i szkole; plan na tydzień."}
                  for d in range(1, 29, 7 if i % 5 else 30)]  # every fifth family: one visit
        docs = [entry(1, start, asystent=f"Asystent {i % 70:02d}", adres=f"ul. Leśna {i}",
                      czlonkowie=members),
                entry(2, start + timedelta(days=2), dokumenty=[{"nazwa": "wywiad"}]),
                entry(3, start + timedelta(days=8)), entry(5, start + timedelta(days=30)),
                entry(6, start + timedelta(days=35), cele=[
                    {"cel": "Spłata zaległości", "termin": "2026-12-31",
                     "przewidywane_efekty": "Brak nowych zaległości."}]),
                entry(8, MONTH.last, wizyty=visits, kontakty=[
                    {"data": MONTH.first.isoformat(), "instytucja": "Szkoła", "cel": "frekwencja"}]),
                entry(9, MONTH.last, okres_od=MONTH.first.isoformat(),
                      okres_do=MONTH.last.isoformat(), zadania=[
                          {"zadanie": "Zapłacić ratę", "termin": "2026-10-20",
                           "status": "zrealizowane", "efekt": "Rata zapłacona."}])]
        folder = outbox / "rodziny" / family
        folder.mkdir(parents=True)
        (folder / "rejestr.json").write_text(json.dumps({"rodzina": family, "dokumenty": docs}),
                                             encoding="utf-8")


def command_run(pristine: Path, run: Path, code: Path = ROOT) -> tuple[float, list[Path], float]:
    """`asysta raporty` in a new process on a fresh copy of the archive: (seconds, the
    report DOCX files it archived, the peak memory of its own process in MB)."""
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(pristine, run / "outbox")
    (run / "inbox").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    env["PYTHONPATH"] = str(code)
    peak = run / "szczyt.txt"
    started = time.perf_counter()
    subprocess.run([sys.executable, str(Path(__file__).with_name("peak.py")), str(peak),
                    "--inbox", str(run / "inbox"), "--outbox", str(run / "outbox"),
                    "raporty", "--miesiac", MONTH.key],
                   cwd=run, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return (seconds, sorted((run / "outbox" / "rodziny").glob("*/zal14_*.docx")),
            float(peak.read_text()))


def soffice_floor(files: list[Path], work: Path) -> float:
    """The same DOCX files through two parallel `soffice --convert-to` processes with the
    product's PDF/A-2b export; every PDF must exist at the end."""
    program = find_soffice()
    halves = [files[0::2], files[1::2]]
    missing: list[Path] = []

    def batch(k: int) -> None:
        out = work / f"pdf{k}"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        missing.extend(convert_all(program, work / f"profil{k}", halves[k], out, 120.0))

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(batch, [0, 1]))
    seconds = time.perf_counter() - started
    if missing:
        sys.exit(f"podłoga: {len(missing)} z {len(files)} plików bez PDF")
    return seconds


def spread(values: list[float]) -> str:
    return f"{min(values):.1f}–{max(values):.1f}" if len(values) > 1 else f"{values[0]:.1f}"


def command_bench(count: int, repeats: int, code: Path = ROOT, with_floor: bool = True,
                  warmup: bool = True, naive_sample: int = 0) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-raporty-"))
    pristine = root / "archiwum"
    synthetic_archive(pristine, count)
    work = root / "podloga"
    work.mkdir()
    ours: list[float] = []
    floors: list[float] = []
    peaks: list[float] = []
    for i in range(repeats + (1 if warmup else 0)):
        seconds, files, peak = command_run(pristine, root / "przebieg", code)
        if len(files) != count:
            sys.exit(f"asysta raporty zapisało {len(files)} raportów DOCX zamiast {count}")
        floor_s = soffice_floor(files, work) if with_floor else 0.0
        if i or not warmup:
            ours.append(seconds)
            floors.append(floor_s)
            peaks.append(peak)
    mine = statistics.median(ours)
    result: dict[str, object] = {"rodziny": count, "przebiegi": repeats, "asysta_s": ours,
                                 "podloga_s": floors, "szczyt_mb": peaks}
    line = (f"{count} rodzin, polecenie `asysta raporty` (mediana z {len(ours)}, nieudanych 0): "
            f"{mine:.1f} s "
            f"(rozrzut {spread(ours)} s); szczyt pamięci procesu asysta {max(peaks):.0f} MB")
    if with_floor:
        bare = statistics.median(floors)
        ratios = [a / b for a, b in zip(ours, floors, strict=True)]
        line += (f"; podłoga (te same {count} DOCX, eksport PDF/A-2b, 2 równoległe soffice, "
                 f"każdy PDF sprawdzony) {bare:.1f} s (rozrzut {spread(floors)} s); "
                 f"stosunek **{mine / bare:.2f}×** (w przebiegach "
                 f"{'–'.join(f'{r:.2f}' for r in (min(ratios), max(ratios)))}×)")
    if naive_sample:
        per_file = naive(files[:naive_sample], work)
        line += (f"; osobny `soffice` na plik {per_file:.2f} s (próbka {naive_sample}) ≈ "
                 f"{per_file * count:.0f} s dla {count}: asysta {per_file * count / mine:.1f}× szybsza")
    shutil.rmtree(root, ignore_errors=True)
    print(line)
    result["wiersz"] = line
    return result


def naive(files: list[Path], work: Path) -> float:
    """A new `soffice` process per file (what a script would do): seconds per file."""
    program = find_soffice()
    out = work / "naiwnie"
    out.mkdir(exist_ok=True)
    started = time.perf_counter()
    for f in files:
        missing = convert_all(program, work / "profil-naiwnie", [f], out, 120.0)
        if missing:
            sys.exit(f"osobny soffice: {f.name} bez PDF")
    return (time.perf_counter() - started) / max(1, len(files))


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar raportów miesięcznych.")
    parser.add_argument("--rodziny", type=int, default=1000)
    parser.add_argument("--powtorzenia", type=int, default=3, help="przebiegi liczone")
    parser.add_argument("--bez-podlogi", action="store_true",
                        help="bez podłogi i bez przebiegu rozgrzewkowego (sam czas i pamięć)")
    parser.add_argument("--kod", type=Path, default=ROOT,
                        help="katalog z kodem asysta do pomiaru (domyślnie to repozytorium)")
    parser.add_argument("--naiwnie", type=int, default=0,
                        help="próbka plików dla osobnego soffice na plik (0: bez tego pomiaru)")
    parser.add_argument("--polecenie", action="store_true",
                        help="(zgodność: całe polecenie mierzy się zawsze)")
    parser.add_argument("--json", type=Path, help="wynik także jako JSON (bench/run_all.py)")
    args = parser.parse_args()
    result = command_bench(args.rodziny, args.powtorzenia, args.kod.resolve(),
                           with_floor=not args.bez_podlogi, warmup=not args.bez_podlogi,
                           naive_sample=args.naiwnie)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
