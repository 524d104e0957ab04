"""Benchmark: backups with restic, the restore drill and `asysta stan` (not a test: timings
are noisy).

    .venv/bin/python bench/bench_kopia.py [--rodziny 30 1000] [--dokumenty 4] [--powtorzenia 5]

For each size, a synthetic archive (tests/ops_archive.py: every family `--dokumenty` filed
forms, each an original, a DOCX of 20 KB and a PDF of 45 KB, with registers and journal
entries written by the real code) goes into a fresh local restic repository, then times:
- the first backup (`asysta kopia`: guard scan, archive lock, restic backup, retention);
- a daily incremental backup after a day's work (10 new documents in 5 families, their
  registers and checklists rewritten);
- the restore drill (`asysta kopia sprawdz`: restic check --read-data, restore, registers,
  hashes and journal verified);
- `asysta stan --bez-libreoffice` as monitoring runs it (a new process each time; median).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ops_archive import add_family, build, ops_settings  # noqa: E402

from pipeline.ops import kopia, proba  # noqa: E402


def _timed(action: object) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()  # type: ignore[operator]
    return time.perf_counter() - started, result


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def measure(families: int, documents: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-kopia-") as tmp:
        root = Path(tmp)
        settings = ops_settings(root)
        build(settings.outbox, families, documents)
        size = _size(settings.outbox) / (1 << 20)
        files = sum(1 for p in settings.outbox.rglob("*") if p.is_file())
        first, result = _timed(lambda: kopia.backup(settings))
        for i in range(5):  # a day's work
            add_family(settings.outbox, f"S-{i:04d}", 2, seed=7)
            (settings.outbox / "rodziny" / f"S-{i:04d}" / "checklista.json").write_bytes(os.urandom(4000))
        incremental, inc = _timed(lambda: kopia.backup(settings))
        drill_s, drill = _timed(lambda: proba.drill(settings))
        assert drill.ok, drill.problems  # type: ignore[attr-defined]
        stan_times = []
        for _ in range(repeats):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "pipeline.app.cli", "-k", str(settings.source),
                            "stan", "--bez-libreoffice"], stdout=subprocess.DEVNULL, check=False)
            stan_times.append(time.perf_counter() - started)
        repo = _size(root / "repo") / (1 << 20)
        print(f"{families} rodzin ({files} plików, {size:.0f} MB): pierwsza kopia {first:.1f} s, "
              f"dzienna przyrostowa {incremental:.1f} s "
              f"(dopisano {inc.added_bytes / (1 << 20):.1f} MB), "  # type: ignore[attr-defined]
              f"próba odtworzenia {drill_s:.1f} s, repozytorium {repo:.0f} MB, "
              f"asysta stan --bez-libreoffice mediana {statistics.median(stan_times):.2f} s "
              f"(min {min(stan_times):.2f}, max {max(stan_times):.2f}, n={repeats})")
        del result


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar kopii zapasowych, próby odtworzenia i stanu.")
    parser.add_argument("--rodziny", type=int, nargs="+", default=[30, 1000])
    parser.add_argument("--dokumenty", type=int, default=4, help="dokumentów na rodzinę")
    parser.add_argument("--powtorzenia", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("ASYSTA_CONFIG", None)
    for families in args.rodziny:
        measure(families, args.dokumenty, args.powtorzenia)


if __name__ == "__main__":
    main()
