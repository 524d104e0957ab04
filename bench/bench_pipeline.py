"""Benchmark of the pipeline on this machine (not a test: timings are noisy).

    .venv/bin/python bench/bench_pipeline.py [--powtorzenia 3] [--latencja 20]

1. Time per document: the sixteen examples as one batch (`process_files`, real
   LibreOffice), repeated; median per batch and per document.
2. Time per document with one `soffice` process per file, the naive way, for
   comparison (same DOCX files).
3. Drop-to-PDF latency of a running watcher with native events: a form is
   written to the inbox (temporary name, then rename, as a copy does) and the
   clock stops when its PDF appears in the archive; median of N.
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

from pipeline.config import parse_config  # noqa: E402
from pipeline.convert import Converter  # noqa: E402
from pipeline.process import process_files  # noqa: E402
from pipeline.schemas import package_data  # noqa: E402
from pipeline.watch import Watcher  # noqa: E402

EXAMPLES = sorted((package_data("formularze") / "przyklady").glob("zal*.yaml"))


def batch_times(repeats: int) -> tuple[list[float], list[Path], Path]:
    times = []
    keep = Path(tempfile.mkdtemp(prefix="asysta-bench-docx-"))
    with Converter() as converter:
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


def latency(count: int) -> list[float]:
    root = Path(tempfile.mkdtemp(prefix="asysta-lat-"))
    settings = parse_config({}, root)
    settings.inbox.mkdir(parents=True)
    source = (package_data("formularze") / "przyklady" / "zal14.yaml").read_text(encoding="utf-8")
    results = []
    with Converter() as converter:
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
            while not any(folder.glob("*.pdf")) if folder.exists() else True:
                time.sleep(0.005)
            if i:
                results.append(time.perf_counter() - started)
        watcher.stop()
        thread.join(30)
    shutil.rmtree(root)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar czasu przetwarzania asysta.")
    parser.add_argument("--powtorzenia", type=int, default=3)
    parser.add_argument("--latencja", type=int, default=20)
    parser.add_argument("--bez-naiwnej", action="store_true")
    args = parser.parse_args()

    times, docx_files, keep = batch_times(args.powtorzenia)
    batch = statistics.median(times)
    n = len(EXAMPLES)
    print(f"partia {n} przykładów (render + PDF + archiwum): mediana {batch:.2f} s "
          f"z {len(times)} powtórzeń = {batch / n:.3f} s na dokument")
    if not args.bez_naiwnej:
        naive = naive_times(docx_files, keep)
        print(f"osobny proces soffice na plik ({len(docx_files)} plików): {naive:.2f} s = "
              f"{naive / len(docx_files):.3f} s na dokument; partia jest {naive / batch:.1f}× szybsza")
    shutil.rmtree(keep)
    if args.latencja:
        lat = latency(args.latencja)
        print(f"od wrzucenia do PDF w archiwum (obserwator, zdarzenia): mediana "
              f"{statistics.median(lat):.2f} s, min {min(lat):.2f} s, max {max(lat):.2f} s "
              f"z {len(lat)} prób")


if __name__ == "__main__":
    main()
