"""Benchmark of the pipeline on this machine (not a test: timings are noisy).

    .venv/bin/python bench/bench_pipeline.py [--powtorzenia 3] [--latencja 20]

1. Time per document: the sixteen examples as one batch (`process_files`, real
   LibreOffice), repeated; median per batch and per document.
2. Conversion alone of the same sixteen DOCX files: the warm pool, and (unless
   `--bez-naiwnej`) one `soffice` call for the whole batch (the fallback without
   Python macros in LibreOffice) and one `soffice` process per file, the naive way.
3. Drop-to-PDF latency of a running watcher with native events: a form is
   written to the inbox (temporary name, then rename, as a copy does) and the
   clock stops when its PDF appears in the archive; median of N. The watcher's
   stability delay (`stabilnosc_s`) is part of it.
4. With `--pamiec N`: LibreOffice's memory (RSS) over N conversions by one warm
   instance that is never recycled, to choose `restart_po_dokumentach`.

The converter's pool is warmed before each measurement, as `Converter()` does in
the background for a running watcher.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.flow.process import process_files  # noqa: E402
from pipeline.flow.watch import Watcher  # noqa: E402
from pipeline.sprawa.schemas import package_data  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

EXAMPLES = sorted((package_data("formularze") / "przyklady").glob("zal*.yaml"))


def describe(converter: Converter) -> str:
    if converter.uses_pool:
        return f"{converter.workers} ciepłe instancje LibreOffice (makro)"
    return "jedno wywołanie soffice na partię (bez makr Pythona w LibreOffice)"


def batch_times(repeats: int) -> tuple[list[float], list[Path], Path]:
    times = []
    keep = Path(tempfile.mkdtemp(prefix="asysta-bench-docx-"))
    with Converter() as converter:
        converter.warm(wait=60)
        print(f"konwerter: {describe(converter)}")
        for r in range(repeats):
            root = Path(tempfile.mkdtemp(prefix="asysta-bench-"))
            settings = parse_config({}, root)
            settings.inbox.mkdir(parents=True)
            paths = []
            for example in EXAMPLES:
                target = settings.inbox / example.name
                shutil.copyfile(example, target)
                paths.append(target)
            started = time.perf_counter()
            outcomes = process_files(paths, settings, converter)
            times.append(time.perf_counter() - started)
            assert all(o.status == "przyjety" for o in outcomes)
            if r == 0:
                for docx in (settings.outbox / "rodziny").glob("*/*.docx"):
                    shutil.copyfile(docx, keep / docx.name)
            shutil.rmtree(root)
    return times, sorted(keep.glob("*.docx")), keep


def naive_times(docx_files: list[Path], out: Path) -> float:
    started = time.perf_counter()
    for docx in docx_files:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                        str(docx)], check=True, capture_output=True)
    return time.perf_counter() - started


def conversion_only(docx_files: list[Path], repeats: int, pool: bool) -> float:
    """Median seconds to convert the DOCX files alone: warm pool, or one soffice call."""
    times = []
    with Converter(pool=pool) as converter:
        converter.warm(wait=60)
        for _ in range(repeats):
            out = Path(tempfile.mkdtemp(prefix="asysta-bench-pdf-"))
            started = time.perf_counter()
            results = converter.convert(docx_files, out)
            times.append(time.perf_counter() - started)
            assert all(isinstance(r, Path) for r in results.values())
            shutil.rmtree(out)
    return statistics.median(times)


def latency(count: int) -> list[float]:
    root = Path(tempfile.mkdtemp(prefix="asysta-lat-"))
    settings = parse_config({}, root)
    settings.inbox.mkdir(parents=True)
    source = (package_data("formularze") / "przyklady" / "zal14.yaml").read_text(encoding="utf-8")
    results = []
    with Converter() as converter:
        converter.warm(wait=60)
        watcher = Watcher(settings, converter)
        ready = threading.Event()
        thread = threading.Thread(target=watcher.run, kwargs={"on_ready": ready.set}, daemon=True)
        thread.start()
        ready.wait(30)
        for i in range(count + 1):  # the first one warms LibreOffice's profile; not counted
            case = f"K-LAT-{i:03d}"
            tmp = settings.inbox / f".{case}.part"
            tmp.write_text(source.replace("K-2025-014", case), encoding="utf-8")
            started = time.perf_counter()
            tmp.rename(settings.inbox / f"{case}.yaml")
            folder = settings.outbox / "rodziny" / case
            deadline = time.monotonic() + 120
            while not any(folder.glob("*.pdf")) if folder.exists() else True:
                rejected = [o for o in watcher.outcomes if o.status != "przyjety"]
                if rejected or time.monotonic() > deadline:
                    watcher.stop()
                    raise SystemExit(f"formularz {case} nie trafił do archiwum: {rejected}")
                time.sleep(0.005)
            if i:
                results.append(time.perf_counter() - started)
        watcher.stop()
        thread.join(30)
    shutil.rmtree(root)
    return results


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def memory(count: int, docx_files: list[Path]) -> list[tuple[int, float]]:
    """RSS of one never-recycled LibreOffice after every tenth of `count` documents."""
    out = Path(tempfile.mkdtemp(prefix="asysta-bench-mem-"))
    points = []
    with Converter(workers=1, recycle_after=0) as converter:
        converter.warm(wait=60)
        points.append((0, rss_mb(converter.soffice_pids())))
        done = 0
        step = max(1, count // 10)
        while done < count:
            size = min(step, count - done)
            batch = [docx_files[(done + i) % len(docx_files)] for i in range(size)]
            for docx in batch:
                converter.convert([docx], out)
                (out / (docx.stem + ".pdf")).unlink()
            done += len(batch)
            points.append((done, rss_mb(converter.soffice_pids())))
    shutil.rmtree(out)
    return points


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar czasu przetwarzania asysta.")
    parser.add_argument("--powtorzenia", type=int, default=3)
    parser.add_argument("--latencja", type=int, default=20)
    parser.add_argument("--bez-naiwnej", action="store_true")
    parser.add_argument("--pamiec", type=int, default=0, metavar="N",
                        help="pamięć LibreOffice przy N dokumentach bez restartu")
    args = parser.parse_args()

    times, docx_files, keep = batch_times(args.powtorzenia)
    batch = statistics.median(times)
    n = len(EXAMPLES)
    print(f"partia {n} przykładów (render + PDF + archiwum): mediana {batch:.2f} s "
          f"z {len(times)} powtórzeń = {batch / n:.3f} s na dokument")
    warm = conversion_only(docx_files, args.powtorzenia, pool=True)
    print(f"sama konwersja {len(docx_files)} DOCX, ciepła pula: {warm:.2f} s = "
          f"{warm / len(docx_files):.3f} s na dokument")
    if not args.bez_naiwnej:
        single = conversion_only(docx_files, args.powtorzenia, pool=False)
        print(f"sama konwersja, jedno wywołanie soffice na partię: {single:.2f} s = "
              f"{single / len(docx_files):.3f} s na dokument")
        naive = naive_times(docx_files, keep)
        print(f"osobny proces soffice na plik ({len(docx_files)} plików): {naive:.2f} s = "
              f"{naive / len(docx_files):.3f} s na dokument; "
              f"partia jest {naive / batch:.1f}× szybsza")
    if args.pamiec:
        points = memory(args.pamiec, docx_files)
        print("pamięć LibreOffice (RSS) bez restartu: " + ", ".join(
            f"{n} dok. {mb:.0f} MB" for n, mb in points))
    shutil.rmtree(keep)
    if args.latencja:
        lat = latency(args.latencja)
        print(f"od wrzucenia do PDF w archiwum (obserwator, zdarzenia): mediana "
              f"{statistics.median(lat):.2f} s, min {min(lat):.2f} s, max {max(lat):.2f} s "
              f"z {len(lat)} prób")


if __name__ == "__main__":
    main()
