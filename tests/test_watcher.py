"""The watched inbox, with native events and with polling, against real LibreOffice."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import example, make_settings

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.flow.watch import Watcher, WatcherBusy
from pipeline.stages.convert import Converter

EXAMPLE_1 = example(1).read_text(encoding="utf-8")


def form_for(case: str, assistant: int = 0) -> str:
    # assignments (1) for one assistant are limited to 15 families: spread them
    return (EXAMPLE_1.replace("rodzina: K-2025-014", f"rodzina: {case}")
            .replace("asystent: Katarzyna Żak", f"asystent: Asystentka nr {assistant}"))


class Running:
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.ready = threading.Event()
        self.thread = threading.Thread(target=watcher.run, kwargs={"on_ready": self.ready.set},
                                       daemon=True)

    def wait_for(self, count: int, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while len(self.watcher.outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.watcher.outcomes) >= count, self.watcher.outcomes


@pytest.fixture(params=["zdarzenia", "polling"])
def watching(request: pytest.FixtureRequest, tmp_path: Path,
             converter: Converter) -> Iterator[Running]:
    polling = request.param == "polling"
    settings = make_settings(tmp_path, stabilnosc_polling_s=0.5, polling_co_s=0.2)
    running = Running(Watcher(settings, converter, polling=polling))
    running.thread.start()
    assert running.ready.wait(30)
    yield running
    running.watcher.stop()
    running.thread.join(timeout=30)
    assert not running.thread.is_alive()


def test_file_written_slowly_in_chunks_is_taken_once(watching: Running) -> None:
    settings = watching.watcher.settings
    data = EXAMPLE_1.encode("utf-8")
    path = settings.inbox / "powoli.yaml"
    with path.open("wb") as handle:
        for start in range(0, len(data), 200):
            handle.write(data[start:start + 200])
            handle.flush()
            time.sleep(0.4 if not watching.watcher.polling else 0.1)
    watching.wait_for(1)
    time.sleep(1.0)  # nothing more may arrive
    assert [o.status for o in watching.watcher.outcomes] == ["przyjety"]
    actions = [e["akcja"] for e in journal.read(settings.outbox) if e["akcja"] != "start_obserwacji"]
    assert actions == ["przyjeto"]
    assert not path.exists()


def test_burst_of_fifty_files_is_processed_completely(watching: Running) -> None:
    settings = watching.watcher.settings
    for i in range(50):
        (settings.inbox / f"f{i:02d}.yaml").write_text(form_for(f"K-B-{i:03d}", i % 5),
                                                         encoding="utf-8")
    watching.wait_for(50)
    assert sorted(o.status for o in watching.watcher.outcomes) == ["przyjety"] * 50
    pdfs = sorted((settings.outbox / "rodziny").glob("K-B-*/zal01_*.pdf"))
    assert len(pdfs) == 50
    assert [p.name for p in settings.inbox.iterdir()
            if not p.name.startswith(".") and p != settings.scans] == []


def test_watcher_survives_bad_files_and_ignores_litter(watching: Running) -> None:
    settings = watching.watcher.settings
    litter = ["~$plan.yaml", ".~lock.plan.yaml#", "kopia.tmp", "Thumbs.db", ".DS_Store"]
    for name in litter:
        (settings.inbox / name).write_bytes(b"zalacznik: [")
    (settings.inbox / "folder.yaml").mkdir()
    (settings.inbox / "zly.yaml").write_bytes(b"\x00\xff")
    (settings.inbox / "pusty.json").write_bytes(b"")
    (settings.inbox / "dobry.yaml").write_text(form_for("K-OK-1"), encoding="utf-8")
    watching.wait_for(3)
    statuses = sorted((o.name, o.status) for o in watching.watcher.outcomes)
    assert statuses == [("dobry.yaml", "przyjety"), ("pusty.json", "odrzucony"),
                        ("zly.yaml", "odrzucony")]
    for name in litter:
        assert (settings.inbox / name).read_bytes() == b"zalacznik: ["
    assert (settings.inbox / "folder.yaml").is_dir()
    assert watching.thread.is_alive()


def test_second_watcher_on_the_same_inbox_refuses(watching: Running, converter: Converter) -> None:
    second = Watcher(watching.watcher.settings, converter)
    with pytest.raises(WatcherBusy, match="jest już obserwowany"):
        second.run_once()


def test_run_once_processes_what_is_there(settings: Settings, converter: Converter) -> None:
    (settings.inbox / "a.yaml").write_text(form_for("K-R-1"), encoding="utf-8")
    (settings.inbox / "b.yaml").write_text("zalacznik: 99\n", encoding="utf-8")
    outcomes = Watcher(settings, converter).run_once()
    assert sorted((o.name, o.status) for o in outcomes) == [("a.yaml", "przyjety"),
                                                           ("b.yaml", "odrzucony")]


def test_a_file_moved_in_from_another_folder_is_taken_promptly(watching: Running,
                                                               tmp_path: Path) -> None:
    """A rename from another folder arrives as "created" with no close event ever; it used
    to wait for the 30 s stuck-writer timeout."""
    settings = watching.watcher.settings
    outside = tmp_path / "gdzie-indziej"  # the same filesystem as the inbox
    outside.mkdir()
    (outside / "przeniesiony.yaml").write_text("zalacznik: 99\n", encoding="utf-8")
    (outside / "dobry.yaml").write_text(form_for("K-M-1"), encoding="utf-8")
    start = time.monotonic()
    os.rename(outside / "przeniesiony.yaml", settings.inbox / "przeniesiony.yaml")
    watching.wait_for(1, timeout=60)
    assert time.monotonic() - start < 15
    os.rename(outside / "dobry.yaml", settings.inbox / "dobry.yaml")
    watching.wait_for(2)
    statuses = sorted((o.name, o.status) for o in watching.watcher.outcomes)
    assert statuses == [("dobry.yaml", "przyjety"), ("przeniesiony.yaml", "odrzucony")]


def test_a_new_file_is_not_taken_before_its_writer_writes(watching: Running) -> None:
    if watching.watcher.polling:
        pytest.skip("odpytywanie nie widzi zamknięcia pliku: decyduje stabilność rozmiaru")
    path = watching.watcher.settings.inbox / "pozniej.yaml"
    with path.open("wb") as handle:
        time.sleep(1.0)  # created, empty, not closed: the writer is still at work
        handle.write(form_for("K-P-1").encode("utf-8"))
    watching.wait_for(1)
    assert [o.status for o in watching.watcher.outcomes] == ["przyjety"]


def test_a_fifo_in_the_inbox_never_blocks_the_watcher(watching: Running) -> None:
    settings = watching.watcher.settings
    os.mkfifo(settings.inbox / "potok.yaml")
    (settings.inbox / "dobry.yaml").write_text(form_for("K-F-1"), encoding="utf-8")
    watching.wait_for(2, timeout=120)
    statuses = sorted((o.name, o.status) for o in watching.watcher.outcomes)
    assert statuses == [("dobry.yaml", "przyjety"), ("potok.yaml", "odrzucony")]
    assert watching.thread.is_alive()
