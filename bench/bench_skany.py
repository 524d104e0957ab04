"""Benchmark: signed scans read and filed, and the worst scan whose codes still read
(not a test: timings are noisy).

    .venv/bin/python bench/bench_skany.py [--powtorzenia 3]

Makes an archive of the sixteen examples (real LibreOffice), prints every page with
poppler, and then times:
- stamping the code on a document (`kod.stamp`, per document);
- a batch of every page (grey, skewed 1.5°, JPEG quality 60, 200 dpi) read and filed by
  `skany.process_scans` into a fresh copy of the archive: pages per second;
- reading alone (rendering and decoding, `skany.read_pages`): pages per second;
- for each resolution, the lowest JPEG quality at which every code of every page reads
  (pages skewed 2°, as a copier feeds them).
Medians of the repetitions.
"""

from __future__ import annotations

import argparse
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import img2pdf  # noqa: E402
from conftest import copy_examples, make_settings  # noqa: E402
from PIL import Image  # noqa: E402

from pipeline.flow.process import process_files  # noqa: E402
from pipeline.pdf import kod  # noqa: E402
from pipeline.scans import skany, strony  # noqa: E402
from pipeline.sprawa.register import Register, family_dir  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

CASE = "K-2025-014"
DPIS = (60, 75, 85, 90, 100, 150, 200, 300)
QUALITIES = (5, 10, 20, 40, 60, 80)


def printed(pdf: Path, dpi: int, work: Path) -> list[Image.Image]:
    out = work / f"{pdf.stem}_{dpi}"
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(out / "s")], check=True)
    return [Image.open(p).convert("L") for p in sorted(out.glob("s-*.pgm"))]


def copier(image: Image.Image, dpi: int, quality: int, skew: float) -> bytes:
    turned = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    out = io.BytesIO()
    turned.save(out, "JPEG", quality=quality, dpi=(dpi, dpi))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--powtorzenia", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-skany-"))
    try:
        settings = make_settings(work / "osrodek")
        with Converter() as converter:
            outcomes = process_files(copy_examples(settings), settings, converter)
        assert all(o.status == "przyjety" for o in outcomes)
        folder = family_dir(settings.outbox, CASE)
        pdfs = [folder / e.pdf for e in Register.load(folder).current()]
        pristine = work / "archiwum"
        shutil.copytree(settings.outbox, pristine)

        # stamping: the code on every page of one document
        entry = Register.load(folder).current()[0]
        identity = kod.Identity(CASE, entry.zalacznik, entry.data, entry.wersja, "abcdef")
        data = pdfs[0].read_bytes()
        stamps = []
        for _ in range(max(5, args.powtorzenia)):
            start = time.perf_counter()
            kod.stamp(data, identity)
            stamps.append(time.perf_counter() - start)
        print(f"kod na dokumencie ({len(pdfs)} dokumentów w archiwum): mediana "
              f"{statistics.median(stamps) * 1000:.0f} ms na dokument")

        pages = {dpi: [img for pdf in pdfs for img in printed(pdf, dpi, work)] for dpi in DPIS}
        batch = img2pdf.convert([copier(img, 200, 60, 1.5) for img in pages[200]])
        count = len(pages[200])
        reads, files = [], []
        for run in range(args.powtorzenia):
            start = time.perf_counter()
            read = skany.read_pages(batch, ".pdf", settings.skany.dpi, 1000)
            reads.append(time.perf_counter() - start)
            assert sum(1 for p in read if p.code) == count
            shutil.rmtree(settings.outbox)
            shutil.copytree(pristine, settings.outbox)
            settings.scans.mkdir(parents=True, exist_ok=True)
            path = settings.scans / f"partia{run}.pdf"
            path.write_bytes(batch)
            start = time.perf_counter()
            [outcome] = skany.process_scans([path], settings)
            files.append(time.perf_counter() - start)
            assert outcome.status == "przyjety" and len(outcome.filed) == len(pdfs), outcome
        print(f"partia {count} stron (200 dpi, JPEG 60, skos 1,5°): odczyt "
              f"{count / statistics.median(reads):.1f} str./s, odczyt i zapis w archiwum "
              f"{count / statistics.median(files):.1f} str./s "
              f"(mediana z {args.powtorzenia})")

        print("najniższa jakość JPEG, przy której odczytano kody wszystkich stron (skos 2°):")
        for dpi in DPIS:
            lowest = None
            for quality in sorted(QUALITIES, reverse=True):
                codes = [strony.decode(Image.open(io.BytesIO(copier(img, dpi, quality, 2.0))))[0]
                         for img in pages[dpi]]
                if all(codes):
                    lowest = quality
                else:
                    break
            verdict = f"JPEG {lowest}" if lowest is not None else "nie przy żadnej z badanych"
            if lowest is not None and lowest == min(QUALITIES):
                verdict += " (najniższa badana)"
            print(f"  {dpi} dpi: {verdict} ({len(pages[dpi])} stron)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
