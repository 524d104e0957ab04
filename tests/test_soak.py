"""Soak: many forms through a running watcher, in bursts, some bad, many dropped twice.
Every form ends filed, skipped as already filed, or rejected; the Python process's memory
stays flat. `ASYSTA_SOAK=N` sets the number of forms (10,000 by default)."""

from __future__ import annotations

import json
import os
import random
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import example, make_settings

from pipeline.flow.watch import Watcher
from pipeline.stages.convert import Converter

SOURCES = {n: example(n).read_text(encoding="utf-8") for n in (2, 3, 6, 8, 14)}
BAD = ["zalacznik: [\n", "", "zalacznik: 8\nrodzina: ../x\n", "\xff\xfe", "zalacznik: 99\n",
       SOURCES[3].replace("asystent:", "asystentka:")]


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _slope(points: list[tuple[int, int]]) -> float:
    """Least-squares slope of RSS (KB) over forms processed, as KB per 1,000 forms."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points) or 1
    return 1000 * sum((x - mx) * (y - my) for x, y in points) / var


@pytest.mark.slow
def test_soak_thousands_of_forms_through_a_running_watcher(tmp_path: Path,
                                                           converter: Converter) -> None:
    total = int(os.environ.get("ASYSTA_SOAK", "10000"))
    rng = random.Random(2026)
    settings = make_settings(tmp_path, stabilnosc_s=0.2)
    watcher = Watcher(settings, converter)
    ready = threading.Event()
    thread = threading.Thread(target=watcher.run, kwargs={"on_ready": ready.set}, daemon=True)
    thread.start()
    assert ready.wait(30)
    unique: list[bytes] = []
    expected: Counter[str] = Counter()
    samples: list[tuple[int, int]] = []
    started = time.monotonic()
    dropped = 0
    burst = 400
    try:
        while dropped < total:
            for _ in range(min(burst, total - dropped)):
                roll = rng.random()
                if roll < 0.15:
                    content, kind = rng.choice(BAD).encode("utf-8", "surrogateescape"), "odrzucony"
                elif roll < 0.25 or not unique:
                    n = rng.choice(list(SOURCES))
                    family = f"S-{len(unique) % 150:03d}"
                    text = SOURCES[n].replace("rodzina: K-2025-014", f"rodzina: {family}")
                    content, kind = (text + f"\n# {len(unique)}\n").encode("utf-8"), "przyjety"
                    unique.append(content)
                else:
                    content, kind = rng.choice(unique), "duplikat"
                (settings.inbox / f"f{dropped:05d}.yaml").write_bytes(content)
                expected[kind] += 1
                dropped += 1
            time.sleep(0.5)
            samples.append((sum(watcher.counts.values()), _rss_kb()))
        deadline = time.monotonic() + 3600
        while sum(watcher.counts.values()) < total and time.monotonic() < deadline:
            time.sleep(0.5)
            samples.append((sum(watcher.counts.values()), _rss_kb()))
    finally:
        watcher.stop()
        thread.join(60)
    elapsed = time.monotonic() - started
    assert watcher.counts == expected, (watcher.counts, expected)
    assert [p for p in settings.inbox.iterdir() if p.is_file() and not p.name.startswith(".")] == []
    rejected = settings.inbox / "odrzucone"
    assert len(list(rejected.glob("*.txt"))) == expected["odrzucony"]
    filed = sum(len(json.loads(r.read_text("utf-8"))["dokumenty"])
                for r in (settings.outbox / "rodziny").glob("*/rejestr.json"))
    assert filed == expected["przyjety"]
    steady = [p for p in samples if p[0] >= total * 0.3]
    slope = _slope(steady) if len(steady) > 2 else 0.0
    growth = max(y for _, y in steady) - min(y for _, y in steady) if steady else 0
    report = {"formularzy": total, **expected, "sekund": round(elapsed),
              "rss_kb_start": samples[0][1], "rss_kb_koniec": samples[-1][1],
              "nachylenie_kb_na_1000": round(slope, 1), "wzrost_kb_w_stanie_ustalonym": growth,
              "probek_w_stanie_ustalonym": len(steady)}
    print("soak:", json.dumps(report, ensure_ascii=False))
    (Path(os.environ.get("ASYSTA_SOAK_WYNIK", tmp_path / "soak.json"))).write_text(
        json.dumps(report, ensure_ascii=False))
    assert len(steady) > 10, report
    assert slope < 2048, report  # < 2 MB per 1,000 forms: flat, not a leak
