"""Benchmark: the case binder of a large family (not a test: timings are noisy).

    .venv/bin/python bench/bench_teczka.py [--strony 300] [--powtorzenia 3]

The sixteen examples go once through the real pipeline (LibreOffice), which
gives sixteen real documents (33 pages). Their PDFs are then copied, each copy
with a later date, into one synthetic family's archive and register until the
documents add up to the requested number of pages. Timed, median of N:
`build_teczka` in this process, and the whole `asysta teczka RODZINA` command
(a new Python process, imports included). Target: 300 pages in under 3 s.
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
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from pipeline.core.config import Settings, parse_config  # noqa: E402
from pipeline.core.fsutil import ensure_private_dir  # noqa: E402
from pipeline.documents.teczka import build_teczka  # noqa: E402
from pipeline.flow.process import process_files  # noqa: E402
from pipeline.sprawa.schemas import package_data  # noqa: E402
from pipeline.stages.archive import REGISTER_NAME, family_dir  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

EXAMPLES = sorted((package_data("formularze") / "przyklady").glob("zal*.yaml"))
OSRODEK = {"nazwa": "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim",
           "adres": "ul. Główna 12, 66-210 Łęgowo Śląskie", "miejscowosc": "Łęgowo Śląskie"}
FAMILY = "B-2025-300"


def real_documents(settings: Settings) -> list[dict[str, object]]:
    """The sixteen examples filed by the pipeline: their register entries."""
    settings.inbox.mkdir(parents=True, exist_ok=True)
    paths = []
    for example in EXAMPLES:
        shutil.copyfile(example, settings.inbox / example.name)
        paths.append(settings.inbox / example.name)
    with Converter() as converter:
        outcomes = process_files(paths, settings, converter)
    assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
    folder = family_dir(settings.outbox, "K-2025-014")
    return json.loads((folder / REGISTER_NAME).read_text(encoding="utf-8"))["dokumenty"]


def synthetic_family(settings: Settings, entries: list[dict[str, object]], pages: int) -> int:
    """Copies of the real documents, a week apart per round, until `pages` is reached."""
    source = family_dir(settings.outbox, "K-2025-014")
    folder = family_dir(settings.outbox, FAMILY)
    ensure_private_dir(folder)
    counts = {str(e["pdf"]): len(PdfReader(source / str(e["pdf"])).pages) for e in entries}
    register, total, round_ = [], 0, 0
    while total < pages:
        for entry in entries:
            if total >= pages:
                break
            day = date.fromisoformat(str(entry["data"])) + timedelta(days=7 * round_)
            stem = f"zal{int(str(entry['zalacznik'])):02d}_{day.isoformat()}_kopia"
            shutil.copyfile(source / str(entry["pdf"]), folder / f"{stem}.pdf")
            register.append({**entry, "data": day.isoformat(), "pdf": f"{stem}.pdf",
                             "docx": f"{stem}.docx", "wersja": 1})
            total += counts[str(entry["pdf"])]
        round_ += 1
    record = {"rodzina": FAMILY, "dokumenty": register}
    (folder / REGISTER_NAME).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return len(register)


def seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar czasu składania teczki sprawy.")
    parser.add_argument("--strony", type=int, default=300, help="liczba stron dokumentów")
    parser.add_argument("--powtorzenia", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-teczka-"))
    try:
        settings = parse_config({"osrodek": OSRODEK}, root)
        documents = synthetic_family(settings, real_documents(settings), args.strony)

        in_process, result = [], None
        for _ in range(args.powtorzenia):
            started = time.perf_counter()
            result = build_teczka(settings, FAMILY)
            in_process.append(time.perf_counter() - started)
        assert result is not None

        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("ASYSTA_CONFIG", None)
        command = []
        for _ in range(args.powtorzenia):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline.app.cli", "--outbox", str(settings.outbox),
                            "teczka", FAMILY], cwd=root, env=env, check=True,
                           capture_output=True)
            command.append(time.perf_counter() - started)

        size = f"{result.path.stat().st_size / 2**20:.1f}".replace(".", ",")
        print(f"teczka {result.pages} stron ({documents} dokumentów, {size} MB): "
              f"mediana z {args.powtorzenia} {seconds(statistics.median(in_process))} "
              f"(build_teczka), {seconds(statistics.median(command))} "
              f"(polecenie asysta teczka, z uruchomieniem Pythona); cel: 300 stron poniżej 3 s")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
