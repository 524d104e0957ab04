"""Benchmark: what PDF/A-2b costs in LibreOffice (not a test: timings are noisy).

    .venv/bin/python bench/bench_pdfa.py [--powtorzenia 5]

The sixteen examples go once through the pipeline, which gives their DOCX files
as filed (properties and language included). Then the same sixteen DOCX files
are converted by two warm pools, batch after batch in turn so that both see the
same load on the machine: one with LibreOffice's default PDF export (what asysta
did before) and one with `convert.PDF_EXPORT` (PDF/A-2b, tagged). Reported per
document: the median wall time of a batch, LibreOffice's CPU time (user +
system, read from /proc; much less sensitive to other load than wall time) and
the PDF size. Also timed: `pdfa.describe_docx` on the sixteen DOCX files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.flow.process import process_files  # noqa: E402
from pipeline.pdf.pdfa import PdfMeta, describe_docx  # noqa: E402
from pipeline.sprawa.schemas import package_data  # noqa: E402
from pipeline.stages import convert  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

EXAMPLES = sorted((package_data("formularze") / "przyklady").glob("zal*.yaml"))
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def filed_docx(work: Path) -> list[Path]:
    settings = parse_config({}, work)
    settings.inbox.mkdir(parents=True)
    paths = [Path(shutil.copy(e, settings.inbox / e.name)) for e in EXAMPLES]
    with Converter() as converter:
        outcomes = process_files(paths, settings, converter, refresh=False)
    docx = [o.filed.docx for o in outcomes if o.filed]
    assert len(docx) == len(EXAMPLES), [o.problems for o in outcomes]
    return docx


def main() -> None:
    parser = argparse.ArgumentParser(description="Koszt PDF/A-2b w LibreOffice.")
    parser.add_argument("--powtorzenia", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="asysta-bench-pdfa-"))
    try:
        docx = filed_docx(work)
        copies = [Path(shutil.copy(d, work / f"opis-{i}.docx")) for i, d in enumerate(docx)]
        start = time.perf_counter()
        for copy in copies:
            describe_docx(copy, PdfMeta("Tytuł", "Temat", "Ośrodek", "a; b"))
        describe = (time.perf_counter() - start) / len(copies)

        pdfa_options = dict(convert.PDF_EXPORT)
        convert.PDF_EXPORT.clear()  # the worker reads the options when it starts
        plain = Converter(recycle_after=0)
        plain.warm(wait=60)
        convert.PDF_EXPORT.update(pdfa_options)
        pdfa = Converter(recycle_after=0)
        pdfa.warm(wait=60)
        results: dict[str, tuple[list[float], list[float], int]] = {}
        try:
            for _ in range(args.powtorzenia):
                for name, converter in (("bez PDF/A (dotychczas)", plain), ("PDF/A-2b", pdfa)):
                    out = work / ("pdfa" if converter is pdfa else "zwykly")
                    out.mkdir(exist_ok=True)
                    pids = converter.soffice_pids()
                    cpu = cpu_seconds(pids)
                    start = time.perf_counter()
                    done = converter.convert(docx, out)
                    wall = time.perf_counter() - start
                    assert all(isinstance(p, Path) for p in done.values()), done
                    walls, cpus, _ = results.setdefault(name, ([], [], 0))
                    walls.append(wall)
                    cpus.append(cpu_seconds(pids) - cpu)
                    size = sum(p.stat().st_size for p in done.values() if isinstance(p, Path))
                    results[name] = (walls, cpus, size)
        finally:
            plain.close()
            pdfa.close()
        n = len(docx)
        print(f"{n} dokumentów, {args.powtorzenia} partii na wariant, {pdfa.workers} instancje")
        for name, (walls, cpus, size) in results.items():
            print(f"{name:24} ściana {statistics.median(walls) / n:.3f} s/dok, "
                  f"CPU LibreOffice {statistics.median(cpus) / n:.3f} s/dok, "
                  f"PDF {size / n / 1024:.0f} KiB/dok")
        print(f"describe_docx (właściwości i język DOCX): {describe * 1000:.1f} ms/dok")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
