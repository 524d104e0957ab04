"""Benchmark: stamping the page code (`pipeline.pdf.kod.stamp`) on a converted document.

    .venv/bin/python bench/bench_kod.py [--dokumenty 200] [--powtorzenia 3]

The example attachment 14 (a monthly report, two pages) is validated, rendered and
converted once with the product's export; then its PDF is stamped `--dokumenty` times, in
`--powtorzenia` runs. Reported: the median per document, in processor time (what stamping
costs the machine; steady on a loaded machine) and on the clock, with the spread of the runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.core.config import parse_config  # noqa: E402
from pipeline.core.models import IncomingFile  # noqa: E402
from pipeline.pdf import kod  # noqa: E402
from pipeline.pdf.join import page_count  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402
from pipeline.stages.parse import parse  # noqa: E402
from pipeline.stages.render import render  # noqa: E402
from pipeline.stages.validate import validate  # noqa: E402


def converted_report(work: Path) -> Path:
    settings = parse_config({}, work)
    source = ROOT / "formularze" / "przyklady" / "zal14.yaml"
    incoming = IncomingFile(source, source.read_bytes(), "")
    docx = render(validate(parse(incoming), incoming), settings, work / "raport.docx").docx
    with Converter(pool=False) as converter:
        pdf = converter.convert([docx], work)[docx]
    if not isinstance(pdf, Path):
        sys.exit(f"konwersja nie powiodła się: {pdf}")
    return pdf


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar nadruku kodu na stronach dokumentu.")
    parser.add_argument("--dokumenty", type=int, default=200)
    parser.add_argument("--powtorzenia", type=int, default=3)
    parser.add_argument("--json", type=Path, help="wynik także jako JSON (bench/run_all.py)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asysta-bench-kod-") as work:
        pdf = converted_report(Path(work))
        data = pdf.read_bytes()
        identity = kod.Identity("K-2026-001", 14, date(2026, 11, 3), 1, "a1b2c3")
        kod.stamp(data, identity)  # the line's font is made once per process, not timed
        runs, cpu = [], []
        for _ in range(args.powtorzenia):
            started, used = time.perf_counter(), time.process_time()
            for _ in range(args.dokumenty):
                kod.stamp(data, identity)
            runs.append((time.perf_counter() - started) / args.dokumenty * 1000)
            cpu.append((time.process_time() - used) / args.dokumenty * 1000)
        pages = page_count(pdf)
    line = (f"{statistics.median(cpu):.1f} ms czasu procesora na dokument (rozrzut "
            f"{min(cpu):.1f}–{max(cpu):.1f}), {statistics.median(runs):.1f} ms zegarowo (rozrzut "
            f"{min(runs):.1f}–{max(runs):.1f}); {pages} strony, mediana z {len(runs)} przebiegów "
            f"po {args.dokumenty}")
    print(line)
    if args.json:
        args.json.write_text(json.dumps({"ms": runs, "cpu_ms": cpu, "wiersz": line},
                                        ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
