"""The demo centre: a deterministic, fictional centre of four family assistants.

`build_centre(today, seed)` writes the forms a real centre would have dropped in its inbox
over about eighteen months up to `today` (every date is relative to it, so the demo never
ages): 31 families in every stage of the procedure, with on-time and late documents, gaps
in visits, a court-ordered and a „Za życiem” case, monitoring, a closed and a re-enrolled
case, one waiting for a new assistant after its request (13), cooperation ended early
(`rodzaj: zakonczenie`: lack of cooperation, a written resignation, moving out of the
gmina) and a family refusing consent (3), one assistant at the statutory limit of 15
families (a 16th assignment is rejected) and a few broken files.
Everything is invented: names from common Polish name lists, streets made up for the
fictional gmina, PESEL numbers with valid checksums on invented serials. No I/O here:
`generate()` returns (file name, YAML text) pairs in filing order.

Each family also carries what the generator meant its checklist to show: the items that
must be BRAK or „po terminie” on `today` (`DemoFamily.problemy`), so a test can compare
them with what the pipeline computes.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from itertools import groupby
from pathlib import Path
from typing import Any

import yaml

from pipeline.demo.cases import CLOSED_SPECS, SPECS, Centre, DemoFamily, DemoFile, Spec
from pipeline.demo.history import Family
from pipeline.demo.people import ASYSTENCI, COURT_ITEM, GMINA, LIMIT_ASSISTANT, ODMOWA, SEED

# What the tests and `asysta demo` use of the centre, beside its builders.
__all__ = ["COURT_ITEM", "LIMIT_ASSISTANT", "ODMOWA", "SEED", "Centre", "DemoFamily", "DemoFile",
           "build_centre", "drop_in_waves", "generate"]


def _stage(spec: Spec, today: date) -> str:
    if spec.ending is not None or spec.refuse:
        return "zakończona"
    if spec.waiting:
        return "kwalifikacja"
    if spec.reenrol is not None:
        return "współpraca"
    if spec.closing is not None:
        return "zakończona"
    if spec.end_support is not None:
        return "monitoring"
    if spec.start <= 10:
        return "start"
    if spec.start <= 40:
        return "diagnoza i plan"
    return "współpraca"


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """LibYAML when there is one (30× faster); never anchors: each form is written out whole."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(values: dict[str, Any], family: DemoFamily) -> str:
    what = f"dokument: {values['rodzaj']}" if "rodzaj" in values \
        else f"załącznik nr {values['zalacznik']}"
    title = f"# Pokaz asysta – fikcyjny ośrodek w gminie {GMINA}; sprawa {family.rodzina}, " \
            f"{what}\n"
    return title + yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def build_centre(today: date, seed: int = SEED) -> Centre:
    """The whole demo centre as of `today`: the same `today` and `seed` give the same bytes."""
    specs = [*sorted(SPECS, key=lambda s: -s.start), *sorted(CLOSED_SPECS, key=lambda s: -s.start)]
    numbers: dict[int, int] = {}
    serials = iter(range(1, 5000))
    families, staged = [], []
    for index, spec in enumerate(specs):
        a1 = today - timedelta(days=spec.limit_attempt or spec.start)
        numbers[a1.year] = numbers.get(a1.year, 0) + 1
        rodzina = f"K-{a1.year}-{numbers[a1.year]:03d}"
        rng = random.Random(f"{seed}:{index}:{rodzina}")
        fam = Family(spec, rodzina, today, rng, serials)
        fam.build()
        info = DemoFamily(rodzina, ASYSTENCI[spec.asystent], spec.opis, _stage(spec, today),
                          fam.problemy)
        families.append(info)
        staged += [(day, n, i, values, bad, info) for i, (day, n, values, bad) in enumerate(fam.forms)]
    staged.sort(key=lambda s: (s[0], s[5].rodzina, s[2]))
    files = []
    limit_case = ("", LIMIT_ASSISTANT)
    for seq, (day, n, _, values, bad, info) in enumerate(staged, start=1):
        name = f"{seq:04d}_{info.rodzina}_{values['rodzaj'] if n == 0 else f'zal{n:02d}'}.yaml"
        files.append(DemoFile(name, _text(values, info), day, info.rodzina, n, bad))
        if bad == "limit 15 rodzin":
            limit_case = (info.rodzina, LIMIT_ASSISTANT)
    families.sort(key=lambda f: f.rodzina)
    return Centre(today, files, families, limit_case)


def generate(today: date, seed: int = SEED) -> list[tuple[str, str]]:
    """(file name, YAML text) of every form of the demo centre, in the order of filing."""
    return [(f.name, f.text) for f in build_centre(today, seed).files]


def drop_in_waves(files: list[DemoFile], inbox: Path, taken: Callable[[], int],
                  on_wave: Callable[[str, int], None] | None = None,
                  timeout_s: float = 600.0) -> None:
    """Copy the files into a watched inbox a month of documents at a time, each month once
    the watcher has taken the previous one (`taken()` counts its outcomes), so versions,
    cycles and the assistants' limit see the documents in the order they were written.
    Each file appears whole (written aside, then renamed), as a copy from another folder."""
    dropped = taken()
    for wave, group in groupby(files, key=lambda f: f.wave):
        batch = list(group)
        for demo_file in batch:
            tmp = inbox / f".{demo_file.name}.kopiowanie"
            tmp.write_text(demo_file.text, encoding="utf-8")
            tmp.rename(inbox / demo_file.name)
        dropped += len(batch)
        deadline = time.monotonic() + timeout_s
        while taken() < dropped:
            if time.monotonic() > deadline:
                raise TimeoutError(wave)
            time.sleep(0.05)
        if on_wave:
            on_wave(wave, len(batch))
