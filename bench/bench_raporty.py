"""Benchmark: a month of reports for N synthetic families (not a test: timings are noisy).

    .venv/bin/python bench/bench_raporty.py [--rodziny 1000] [--naiwnie 20]
    .venv/bin/python bench/bench_raporty.py --polecenie --rodziny 40 [--powtorzenia 3]

Measured in one run on the same machine (the default):
1. asysta: `run_month` — every family's attachment 14 (validated, DOCX, PDF, archived
   with its original), the combined PDF with bookmarks and the kierownik's summary
   (PDF and XLSX); peak memory of the Python process (ru_maxrss).
2. the floor: a plain script that renders the same N reports with docxtpl and converts
   them with two parallel one-call `soffice --convert-to pdf` batches.
3. naive: a new `soffice` process per file, timed on a sample and scaled to N.

With `--polecenie`, what a centre waits for instead: the whole command `asysta raporty`
in a new process (imports, the pool's start, the reports, the combined PDF, the summary)
against the floor of converting the same N report DOCX files (those the command archived)
with two parallel `soffice --convert-to pdf` processes; medians of `--powtorzenia` runs,
each on a fresh copy of the archive, after one run of each not counted (warm profiles and
disk cache for both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
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

from docxtpl import DocxTemplate  # noqa: E402

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.documents.raport_miesieczny import Month, build_values  # noqa: E402
from pipeline.flow.raporty import run_month  # noqa: E402
from pipeline.sprawa.register import Register, family_dir  # noqa: E402
from pipeline.sprawa.schemas import load_schema  # noqa: E402
from pipeline.stages.convert import Converter, find_soffice  # noqa: E402
from pipeline.stages.render import complete, jinja_env, template_path  # noqa: E402

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


def floor(settings, names: list[str], today: date, work: Path) -> float:  # type: ignore[no-untyped-def]
    """docxtpl for every report, then two parallel one-call soffice batches."""
    schema = load_schema(14).cerberus
    values = []
    for name in names:
        v = build_values(Register.load(family_dir(settings.outbox, name)), MONTH, settings, today)
        assert v is not None
        for key in ("data",):
            v[key] = date.fromisoformat(v[key])
        for row in v["wizyty"]:
            row["data"] = date.fromisoformat(row["data"])
        values.append(v)
    started = time.perf_counter()
    halves: list[list[Path]] = [[], []]
    for i, v in enumerate(values):
        doc = DocxTemplate(str(template_path(14, settings)))
        doc.render({**complete(v, schema), "osrodek": {"nazwa": "", "adres": "", "miejscowosc": "",
                                                      "procedura": ""}},
                   jinja_env=jinja_env(), autoescape=True)
        out = work / f"f{i:04d}.docx"
        doc.save(str(out))
        halves[i % 2].append(out)
    soffice = find_soffice()

    def batch(k: int) -> None:
        profile = (work / f"profil{k}").as_uri()
        subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to",
                        "pdf", "--outdir", str(work / f"pdf{k}"), *map(str, halves[k])],
                       check=True, capture_output=True)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(batch, [0, 1]))
    return time.perf_counter() - started


def naive(work: Path, sample: int) -> float:
    files = sorted(work.glob("f*.docx"))[:sample]
    soffice = find_soffice()
    started = time.perf_counter()
    for f in files:
        subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir",
                        str(work / "naiwnie"), str(f)], check=True, capture_output=True)
    return (time.perf_counter() - started) / max(1, len(files))


def command_run(pristine: Path, run: Path, code: Path = ROOT) -> tuple[float, list[Path]]:
    """`asysta raporty` in a new process on a fresh copy of the archive: (seconds, the
    report DOCX files it archived)."""
    shutil.rmtree(run, ignore_errors=True)
    shutil.copytree(pristine, run / "outbox")
    (run / "inbox").mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    env["PYTHONPATH"] = str(code)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline.app.cli", "--inbox", str(run / "inbox"),
                    "--outbox", str(run / "outbox"), "raporty", "--miesiac", MONTH.key],
                   cwd=run, env=env, check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    return seconds, sorted((run / "outbox" / "rodziny").glob("*/zal14_*.docx"))


def soffice_floor(files: list[Path], work: Path) -> float:
    """The same DOCX files through two parallel one-call `soffice --convert-to pdf`."""
    soffice = find_soffice()
    halves = [files[0::2], files[1::2]]

    def batch(k: int) -> None:
        out = work / f"pdf{k}"
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([soffice, "--headless", f"-env:UserInstallation={(work / f'profil{k}').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(out), *map(str, halves[k])],
                       check=True, capture_output=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(batch, [0, 1]))
    return time.perf_counter() - started


def command_bench(count: int, repeats: int, code: Path = ROOT) -> None:
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-polecenie-"))
    pristine = root / "archiwum"
    synthetic_archive(pristine, count)
    work = root / "podloga"
    work.mkdir()
    ours, floors = [], []
    for i in range(repeats + 1):  # the first run of each is not counted
        seconds, files = command_run(pristine, root / "przebieg", code)
        if len(files) != count:
            sys.exit(f"asysta raporty zapisało {len(files)} raportów DOCX zamiast {count}")
        floor_s = soffice_floor(files, work)
        if i:
            ours.append(seconds)
            floors.append(floor_s)
    mine, bare = statistics.median(ours), statistics.median(floors)
    print(f"{count} rodzin, polecenie `asysta raporty` (mediana z {repeats}): {mine:.1f} s; "
          f"podłoga (te same {count} plików DOCX, 2 równoległe soffice --convert-to pdf) "
          f"{bare:.1f} s; stosunek {mine / bare:.2f}× "
          f"(przebiegi: {', '.join(f'{s:.1f}' for s in ours)} s / "
          f"{', '.join(f'{s:.1f}' for s in floors)} s)")
    shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar raportów miesięcznych.")
    parser.add_argument("--rodziny", type=int, default=1000)
    parser.add_argument("--naiwnie", type=int, default=20, help="próbka dla soffice na plik")
    parser.add_argument("--polecenie", action="store_true",
                        help="całe polecenie `asysta raporty` w nowym procesie wobec samego soffice")
    parser.add_argument("--powtorzenia", type=int, default=3, help="przebiegi (z --polecenie)")
    parser.add_argument("--kod", type=Path, default=ROOT,
                        help="katalog z kodem asysta do pomiaru (z --polecenie; domyślnie to repozytorium)")
    args = parser.parse_args()
    if args.polecenie:
        command_bench(args.rodziny, args.powtorzenia, args.kod.resolve())
        return
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-raporty-"))
    settings = parse_config({}, root)
    synthetic_archive(settings.outbox, args.rodziny)
    today = date(2026, 11, 3)
    names = sorted(p.name for p in (settings.outbox / "rodziny").iterdir())
    work = root / "podloga"
    work.mkdir()
    with Converter() as converter:  # asysta first: the peak memory is then its own
        converter.warm(60)
        started = time.perf_counter()
        result = run_month(settings, converter, MONTH, today=today)
        ours = time.perf_counter() - started
    failed = len(result.failed)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    floor_s = floor(settings, names, today, work)
    per_file = naive(work, args.naiwnie) if args.naiwnie else 0.0
    n = args.rodziny
    print(f"{n} rodzin: asysta {ours:.1f} s ({ours / n:.3f} s na raport, nieudanych {failed}); "
          f"podłoga (docxtpl + 2 równoległe wywołania soffice) {floor_s:.1f} s; "
          f"stosunek {ours / floor_s:.2f}×; szczyt pamięci procesu Pythona {peak_mb:.0f} MB")
    if per_file:
        print(f"osobny proces soffice na plik: {per_file:.2f} s na plik (próbka {args.naiwnie}) "
              f"≈ {per_file * n:.0f} s dla {n}; asysta szybsza {per_file * n / ours:.1f}×")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
