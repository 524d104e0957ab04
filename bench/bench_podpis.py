"""Benchmark: verifying electronically signed documents (not a test: timings are noisy).

    .venv/bin/python bench/bench_podpis.py [--powtorzenia 5]

Files the sixteen examples (real LibreOffice), builds the test PKI (tests/pki), signs each
document as an outside signer would — once (B-B), twice (the family and the assistant), and
once with the CRLs added afterwards (a DSS, so revocation is checked) — and times:
- `weryfikacja.verify` alone, per signed document;
- the whole arrival of a signed PDF in the scan folder (`skany.process_scans`: the code read
  from the first page, verification, filing, register, journal) into a fresh copy of the
  archive, per document.
Medians of the repetitions, per document.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import copy_examples, make_settings  # noqa: E402
from pki import build  # noqa: E402

from pipeline.core.config import Settings  # noqa: E402
from pipeline.flow.process import process_files  # noqa: E402
from pipeline.podpis.weryfikacja import verify  # noqa: E402
from pipeline.podpis.zaufane import load_anchors  # noqa: E402
from pipeline.scans import skany  # noqa: E402
from pipeline.sprawa.register import Register, family_dir  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

CASE = "K-2025-014"


def archive(work: Path, count: int) -> tuple[Settings, list[Path]]:
    settings = make_settings(work / "centre")
    with Converter() as converter:
        outcomes = process_files(copy_examples(settings, list(range(1, count + 1))), settings,
                                 converter)
    assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
    folder = family_dir(settings.outbox, CASE)
    return settings, [folder / e.pdf for e in Register.load(folder).current()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--powtorzenia", type=int, default=5)
    parser.add_argument("--dokumenty", type=int, default=16)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_podpis_"))
    try:
        settings, pdfs = archive(work, args.dokumenty)
        pki = build(work / "pki")
        settings = dataclasses.replace(settings, podpis=dataclasses.replace(
            settings.podpis, zaufane=pki.anchors(work / "zaufane")))
        anchors = load_anchors(settings.podpis.zaufane).certificates
        originals = {p: p.read_bytes() for p in pdfs}
        kinds = {
            "jeden podpis (B-B)": {p: pki.sign(d, "rodzic") for p, d in originals.items()},
            "dwa podpisy": {p: pki.sign(pki.sign(d, "rodzic"), "asystent", "P2")
                            for p, d in originals.items()},
            "podpis + CRL w DSS": {p: pki.add_crls(pki.sign(d, "asystent"))
                                   for p, d in originals.items()},
        }
        for label, signed in kinds.items():
            times = []
            for _ in range(args.powtorzenia):
                start = time.perf_counter()
                for path, data in signed.items():
                    result = verify(data, originals[path], anchors, settings.podpis)
                    assert result.ok, result.reasons
                times.append((time.perf_counter() - start) / len(signed))
            print(f"weryfikacja, {label}: mediana {statistics.median(times) * 1000:.1f} ms "
                  f"na dokument (min {min(times) * 1000:.1f}, max {max(times) * 1000:.1f})")
        arrivals = []
        for round_ in range(args.powtorzenia):
            copy = work / f"kopia{round_}"
            shutil.copytree(settings.outbox, copy / "outbox")
            local = settings.with_folders(outbox=copy / "outbox", inbox=copy / "inbox",
                                          skany=copy / "inbox" / "skany")
            local.scans.mkdir(parents=True)
            paths = []
            for index, data in enumerate(kinds["dwa podpisy"].values()):
                path = local.scans / f"podpisany_{index:02d}.pdf"
                path.write_bytes(data)
                paths.append(path)
            start = time.perf_counter()
            outcomes = skany.process_scans(paths, local)
            arrivals.append((time.perf_counter() - start) / len(paths))
            assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
        print(f"przyjęcie pliku z dwoma podpisami z folderu skanów (kod, weryfikacja, zapis): "
              f"mediana {statistics.median(arrivals) * 1000:.0f} ms na dokument "
              f"(min {min(arrivals) * 1000:.0f}, max {max(arrivals) * 1000:.0f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
