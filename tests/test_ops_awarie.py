"""LibreOffice killed again and again during a batch (a fault of the machine): no valid form
is rejected as the staff's error; each is filed, or waits in the inbox and is filed later.
(Whether a kill lands on a document, on an idle or on a starting instance is up to timing;
the deterministic path through `pipeline.stages.machine` is tests/test_faults.py's hang
test.)"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

from conftest import example, make_settings, run

from pipeline.core import journal
from pipeline.stages.convert import Converter


def test_libreoffice_killed_during_a_batch_rejects_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    text = example(1).read_text(encoding="utf-8")
    paths = []
    for i in range(10):
        path = settings.inbox / f"f{i:02d}.yaml"
        path.write_text(text.replace("rodzina: K-2025-014", f"rodzina: L-{i:02d}"), "utf-8")
        paths.append(path)
    kills = 0
    stop = threading.Event()
    with Converter(workers=2) as converter:
        converter.warm(wait=60)

        def killer() -> None:  # the batch's own LibreOffice instances only, never another's
            nonlocal kills
            while not stop.wait(0.5):
                for pid in converter.soffice_pids():
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills += 1
                    except ProcessLookupError:
                        pass

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        try:
            outcomes = run(settings, converter, *paths)
        finally:
            stop.set()
            thread.join()
        assert kills >= 3
        assert {o.status for o in outcomes} <= {"przyjety", "pozostawiony"}, outcomes
        assert not (settings.inbox / "odrzucone").exists()
        waiting = [settings.inbox / o.name for o in outcomes if o.status == "pozostawiony"]
        assert all(p.exists() for p in waiting)
        if waiting:  # LibreOffice left alone now: what waited is filed
            assert {o.status for o in run(settings, converter, *waiting)} == {"przyjety"}
    log = journal.read(settings.outbox)
    assert sum(e["akcja"] == "przyjeto" for e in log) == 10
    assert not any(e["akcja"] == "odrzucono" for e in log)
