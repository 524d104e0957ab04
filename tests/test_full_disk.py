"""A real full disk, not injected: the outbox on a 3 MB tmpfs mounted by the test (as root),
80 valid forms. A resource failure is never the form's fault: nothing is rejected, what
did not fit waits in the inbox, and once there is room again everything is filed and the
journal verifies."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import example, make_settings, run

from pipeline.app.cli import main
from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import ConversionError, ResourceError, resource_failure
from pipeline.flow import watch
from pipeline.stages import convert
from pipeline.stages.convert import Converter

FORMS = 80
KINDS = (8, 9, 14)  # attachments a family may receive in any order


@contextmanager
def small_disk(where: Path, size: str = "3m") -> Iterator[Path]:
    """A real tmpfs of `size` at `where`; skipped, with the reason, where it cannot be made."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs root to mount a tmpfs (the test is not run)")
    where.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(where)], capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not allowed here: {made.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def resize(where: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(where)], check=True)


def fill(folder: Path) -> Path:
    """Take every free byte of the filesystem (a file that grows until ENOSPC)."""
    filler = folder / "wypelniacz.bin"
    with filler.open("wb", buffering=0) as handle:
        block = bytes(1 << 16)
        while True:
            try:
                handle.write(block)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
        for size in (4096, 512, 1):  # the last pieces too
            while True:
                try:
                    handle.write(bytes(size))
                except OSError:
                    break
    return filler


def drop_forms(settings: Settings, count: int) -> dict[str, str]:
    """`count` distinct valid forms for 20 families (a second form of the same attachment
    and date becomes `_v2`); returns name → text."""
    texts = {n: example(n).read_text(encoding="utf-8") for n in KINDS}
    made = {}
    for i in range(count):
        n = KINDS[i % len(KINDS)]
        text = texts[n].replace("rodzina: K-2025-014", f"rodzina: D-{i % 20:02d}")
        name = f"formularz-{i:03d}.yaml"
        (settings.inbox / name).write_text(text + f"\n# kopia {i}\n", encoding="utf-8")
        made[name] = text
    return made


def filed_count(settings: Settings) -> int:
    return sum(len(json.loads(p.read_text(encoding="utf-8"))["dokumenty"])
               for p in (settings.outbox / "rodziny").glob("*/rejestr.json"))


def waiting(settings: Settings) -> list[str]:
    return sorted(p.name for p in settings.inbox.iterdir() if p.is_file()
                  and not p.name.startswith("."))


def test_eighty_forms_on_a_real_full_disk(tmp_path: Path, converter: Converter,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path)
    with small_disk(settings.outbox, "3m"):
        forms = drop_forms(settings, FORMS)
        first = run(settings, converter, *(settings.inbox / n for n in sorted(forms)))
        statuses = Counter(o.status for o in first)
        assert statuses["odrzucony"] == 0, [(o.name, [str(p) for p in o.problems])
                                            for o in first if o.status == "odrzucony"]
        assert statuses["pozostawiony"] > 0  # the disk really was full
        assert not (settings.inbox / "odrzucone").exists()
        left = sorted(o.name for o in first if o.status == "pozostawiony")
        assert waiting(settings) == left
        for name in left:  # untouched, with a message for the administrator
            assert (settings.inbox / name).read_text(encoding="utf-8").startswith(forms[name])
        [problem] = next(o for o in first if o.status == "pozostawiony").problems
        assert "pozostaje w folderze inbox" in str(problem)
        err = capsys.readouterr().err
        assert err.count("w folderze inbox pozostawiono") == 1  # told once, not per file
        assert "brak miejsca na dysku" in err
        print(f"pierwsze przejście (3 MB): {dict(statuses)}")

        resize(settings.outbox, "64m")  # space is back
        second = run(settings, converter, *(settings.inbox / n for n in left))
        assert Counter(o.status for o in second) == Counter(przyjety=len(left))
        assert waiting(settings) == []
        assert not (settings.inbox / "odrzucone").exists()
        assert filed_count(settings) == FORMS
        assert main(["--inbox", str(settings.inbox), "--outbox", str(settings.outbox),
                     "sprawdz", "--dziennik"]) == 0
        accepted = [e for e in journal.read(settings.outbox) if e["akcja"] == "przyjeto"]
        assert len(accepted) == FORMS
        print(f"drugie przejście (64 MB): przyjęto {len(left)}; razem w archiwum {FORMS}")


def test_no_room_for_the_staging_folder(tmp_path: Path, converter: Converter) -> None:
    """Not even the work folder can be made: every file waits, nothing is rejected."""
    settings = make_settings(tmp_path)
    with small_disk(settings.outbox, "1m"):  # room for one filed form once freed
        journal.log(settings.outbox, "start")
        path = settings.inbox / "plan.yaml"
        path.write_text(example(8).read_text(encoding="utf-8"), encoding="utf-8")
        filler = fill(settings.outbox)
        for i in range(10000):  # the inodes too (mkdtemp needs one)
            try:
                (settings.outbox / f"w{i}").touch()
            except OSError:
                break
        [outcome] = run(settings, converter, path)
        assert outcome.status == "pozostawiony"
        assert path.exists() and not (settings.inbox / "odrzucone").exists()
        filler.unlink()
        for extra in settings.outbox.glob("w*"):
            extra.unlink()
        assert run(settings, converter, path)[0].status == "przyjety"
        assert journal.verify(settings.outbox)[1] is None


def test_failed_export_on_a_full_disk_is_the_disks_fault(tmp_path: Path) -> None:
    """The converter's classification: LibreOffice says only that it did not write the PDF;
    no room where the PDF goes makes it a resource failure, room makes it the document's."""
    plain = ConversionError("LibreOffice nie utworzył pliku PDF z tego dokumentu (dwie próby)")
    with small_disk(tmp_path / "maly", "4m") as disk:
        assert resource_failure(convert.classify(plain, disk)) is None
        fill(disk)
        classified = convert.classify(plain, disk)
        assert resource_failure(classified) == errno.ENOSPC
        assert "brak miejsca na dysku" in str(classified)


def test_watcher_backs_off_then_takes_the_waiting_file(tmp_path: Path, converter: Converter,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch, "RETRY_FIRST_S", 1.0)
    settings = make_settings(tmp_path, stabilnosc_s=0.1, przeglad_s=0.2)
    with small_disk(settings.outbox, "3m"):
        journal.log(settings.outbox, "start")
        filler = fill(settings.outbox)
        watcher = watch.Watcher(settings, converter)
        thread = threading.Thread(target=watcher.run, daemon=True)
        thread.start()
        try:
            path = settings.inbox / "wizyty.yaml"
            path.write_text(example(8).read_text(encoding="utf-8"), encoding="utf-8")
            deadline = time.monotonic() + 60
            while not watcher.counts["pozostawiony"] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert watcher.counts["pozostawiony"] == 1
            time.sleep(0.6)  # three rescans: none may retake it before the back-off ends
            assert watcher.counts["pozostawiony"] == 1 and path.exists()
            filler.unlink()
            while not watcher.counts["przyjety"] and time.monotonic() < deadline:
                time.sleep(0.05)
            assert watcher.counts["przyjety"] == 1 and not path.exists()
            assert watcher.counts["odrzucony"] == 0
        finally:
            watcher.stop()
            thread.join(timeout=30)


def test_no_room_to_set_an_invalid_form_aside(tmp_path: Path, converter: Converter) -> None:
    """The inbox's own disk is full: an invalid form cannot get its explanation, so it waits
    in the inbox (as it was) instead of being reported as set aside; with room it is."""
    settings = make_settings(tmp_path)
    with small_disk(settings.inbox, "512k"):
        bad = settings.inbox / "zly.yaml"
        bad.write_text(example(1).read_text(encoding="utf-8").replace(
            "data_wniosku: 2025-02-26", "data_wniosku: 2025-02-31"), encoding="utf-8")
        original = bad.read_bytes()
        (settings.inbox / "odrzucone").mkdir()
        filler = fill(settings.inbox)
        [outcome] = run(settings, converter, bad)
        assert outcome.status == "pozostawiony"
        assert bad.read_bytes() == original
        assert [p.name for p in (settings.inbox / "odrzucone").iterdir()] == []
        filler.unlink()
        [outcome] = run(settings, converter, bad)
        assert outcome.status == "odrzucony" and not bad.exists()
        assert sorted(p.name for p in (settings.inbox / "odrzucone").iterdir()) == [
            "zly.yaml", "zly.yaml.txt"]
        assert journal.verify(settings.outbox)[1] is None


@pytest.mark.parametrize(("code", "reason", "advice"), [
    (errno.EIO, "błąd wejścia-wyjścia dysku", "sprawdź dysk"),
    (errno.EDQUOT, "przekroczony przydział dysku", "zwolnij miejsce na dysku"),
])
def test_io_error_and_quota_leave_the_form_waiting(code: int, reason: str, advice: str,
                                                   settings: Settings, converter: Converter,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The errors a tmpfs cannot give on demand, raised where the DOCX is written."""
    from pipeline.stages import render

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    path = settings.inbox / "wizyty.yaml"
    path.write_text(example(8).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(render, "render", failing)
    [outcome] = run(settings, converter, path)
    assert outcome.status == "pozostawiony" and reason in str(outcome.problems[0])
    assert path.exists() and not (settings.inbox / "odrzucone").exists()
    err = capsys.readouterr().err
    assert reason in err and advice in err
    [entry] = journal.read(settings.outbox)
    assert (entry["akcja"], entry["przyczyna"]) == ("blad_zapisu", errno.errorcode[code])


def test_commands_on_a_full_disk_change_nothing(tmp_path: Path, converter: Converter,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`eksport` leaves no ZIP the journal does not know of, `usun` removes nothing it could
    not log first; both answer in Polish."""
    settings = make_settings(tmp_path)
    with small_disk(settings.outbox, "4m"):
        path = settings.inbox / "zal01.yaml"
        path.write_text(example(1).read_text(encoding="utf-8"), encoding="utf-8")
        assert run(settings, converter, path)[0].status == "przyjety"
        filler = fill(settings.outbox)
        with contextlib.suppress(ResourceError):  # the journal's last page has room left
            for _ in range(100):
                journal.log(settings.outbox, "wypelnienie")
        before = (settings.outbox / "dziennik.jsonl").read_bytes()
        folders = ["--inbox", str(settings.inbox), "--outbox", str(settings.outbox)]
        capsys.readouterr()
        assert main([*folders, "eksport", "K-2025-014"]) == 2
        assert "brak miejsca na dysku" in capsys.readouterr().err
        assert not list((settings.outbox / "eksport").glob("*.zip"))
        assert main([*folders, "usun", "K-2025-014", "--potwierdzam", "K-2025-014"]) == 2
        assert "brak miejsca na dysku" in capsys.readouterr().err
        assert (settings.outbox / "rodziny" / "K-2025-014" / "rejestr.json").is_file()
        assert (settings.outbox / "dziennik.jsonl").read_bytes() == before
        filler.unlink()
        assert main([*folders, "usun", "K-2025-014", "--potwierdzam", "K-2025-014"]) == 0
        assert [e["akcja"] for e in journal.read(settings.outbox)][-2:] == ["usuwanie", "usunieto"]
        assert journal.verify(settings.outbox)[1] is None
