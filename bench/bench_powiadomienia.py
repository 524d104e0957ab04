"""Benchmark: the morning digests and calendars of N synthetic families (not a test).

    .venv/bin/python bench/bench_powiadomienia.py [--rodziny 1000] [--asystenci 70]

Writes N synthetic registers (bench_checklist.py's two-year cases) into a temporary
archive, starts a local SMTP server (aiosmtpd) and times, median of 3: the digests
(checklists, „do zrobienia”, texts), the calendars (one per assistant and the centre's),
and the whole `asysta powiadomienia` run sending one digest per assistant and one to the
kierownik, each recorded in the journal (a fresh journal every run). The calendars are
timed cold, and warm as the watcher rewrites them after its next batch (events remembered,
unchanged files left alone).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from aiosmtpd.controller import Controller  # noqa: E402
from bench_checklist import synthetic_register  # noqa: E402

from pipeline.app.cli import main as asysta  # noqa: E402
from pipeline.core.config import load_settings  # noqa: E402
from pipeline.notify.digest import digests  # noqa: E402
from pipeline.notify.due import snapshot  # noqa: E402
from pipeline.notify.kalendarz import event_bytes, write_calendars  # noqa: E402


class Count:
    def __init__(self) -> None:
        self.n = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.n += 1
        return "250 OK"


def median(job: Any) -> float:
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        job()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description="Pomiar czasu powiadomień.")
    parser.add_argument("--rodziny", type=int, default=1000)
    parser.add_argument("--asystenci", type=int, default=70)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="asysta-bench-powiadomienia-"))
    rng = random.Random(22)
    today = date.today()
    names = set()
    for i in range(args.rodziny):
        folder = root / "outbox" / "rodziny" / f"S-{i:05d}"
        folder.mkdir(parents=True)
        docs = synthetic_register(i, rng, today)
        docs[0]["dane"]["asystent"] = f"Asystent {i % args.asystenci:03d}"  # type: ignore[index]
        names.add(f"Asystent {i % args.asystenci:03d}")
        record = {"rodzina": folder.name, "dokumenty": docs}
        (folder / "rejestr.json").write_text(json.dumps(record), encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    people = "\n".join(f'"{n}" = "{n.lower().replace(" ", ".")}@ops.test"' for n in sorted(names))
    config = root / "asysta.toml"
    config.write_text(f'[poczta]\nserwer = "127.0.0.1"\nport = {port}\nszyfrowanie = "brak"\n'
                      f'nadawca = "asysta@ops.test"\n\n[powiadomienia]\nkierownik = '
                      f'"kierownik@ops.test"\n\n[powiadomienia.asystenci]\n{people}\n',
                      encoding="utf-8")
    settings = load_settings(config)
    handler = Count()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        build = median(lambda: digests(settings, snapshot(settings, today)))

        def cold() -> None:
            event_bytes.cache_clear()
            write_calendars(settings, today)

        calendars = median(cold)
        warm = median(lambda: write_calendars(settings, today))  # the watcher's next batch

        def send() -> None:
            (settings.outbox / "dziennik.jsonl").unlink(missing_ok=True)
            event_bytes.cache_clear()
            assert asysta(["-k", str(config), "powiadomienia"]) == 0

        whole = median(send)
    finally:
        server.stop()
    mails = handler.n // 3
    events = sum(p.read_text(encoding="utf-8").count("BEGIN:VEVENT")
                 for p in (settings.outbox / "kalendarze").glob("*.ics") if p.name != "osrodek.ics")
    print(f"{args.rodziny} rodzin, {len(names)} asystentów (mediana z 3): wiadomości "
          f"{build:.2f} s; kalendarze ({events} terminów) {calendars:.2f} s, w obserwatorze przy "
          f"kolejnej partii {warm:.2f} s; całe polecenie "
          f"z wysłaniem {mails} wiadomości {whole:.2f} s ({whole / mails * 1000:.0f} ms na "
          "wiadomość)")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
