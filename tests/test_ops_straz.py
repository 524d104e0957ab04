"""The mass-change guard against ransomware: every archive file overwritten with random
bytes (same names, new contents) is detected, filing stops, `stan` is critical, no backup
is added over the good ones, and the archive comes back from the backup into a new folder
with its journal verifying."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import EXAMPLES
from ops_archive import add_family, build, cli, ops_settings

from pipeline.core import journal
from pipeline.core.errors import BackupError
from pipeline.flow.watch import Watcher
from pipeline.ops import kopia, proba, stan, straz
from pipeline.stages.convert import Converter


def _encrypt(root: Path) -> int:
    count = 0
    for path in root.rglob("*"):
        if path.is_file():
            path.write_bytes(os.urandom(max(16, path.stat().st_size)))
            count += 1
    return count


def test_attack_detected_filing_stopped_restored(tmp_path: Path, converter: Converter,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    settings = ops_settings(tmp_path)
    build(settings.outbox, 5)
    kopia.backup(settings)
    assert proba.drill(settings).ok
    good = len(kopia.snapshots(settings))

    assert _encrypt(settings.outbox) > 45  # the families, their registers, the journal
    form = settings.inbox / "nowy.yaml"
    form.write_text((EXAMPLES / "zal01.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    Watcher(settings, converter).run_once()
    assert form.exists()  # not filed into an encrypted archive: it waits
    assert not (settings.outbox / "rodziny" / "K-2025-014").exists()
    assert straz.blocked(settings.outbox) is not None

    report = stan.run(settings, libreoffice=False)
    found = {c.nazwa: c for c in report.kontrole}
    assert report.exit_code == 2
    assert found["straz"].status == "krytyczny" and "odtwórz" in found["straz"].opis
    assert found["dziennik"].status == "krytyczny"

    with pytest.raises(BackupError, match="kopii nie wykonano"):
        kopia.backup(settings)
    assert len(kopia.snapshots(settings)) == good

    target = tmp_path / "nowe-archiwum"
    assert cli(settings, "kopia", "odtworz", "--do", str(target)) == 0
    assert "Dziennik i skróty plików zgodne" in capsys.readouterr().out
    restored = kopia.find_outbox(target)
    assert restored is not None
    assert journal.verify(restored)[1] is None
    assert proba.verify_archive(restored) == (5, [])


def test_ordinary_work_never_raises_the_alarm(tmp_path: Path) -> None:
    settings = ops_settings(tmp_path)
    outbox = settings.outbox
    build(outbox, 6)
    assert not straz.check(outbox, 30).alarm
    add_family(outbox, "S-0000", 2, seed=1)  # new documents, a register rewritten
    for family in (outbox / "rodziny").iterdir():  # every checklist rewritten
        (family / "checklista.json").write_text("{}", encoding="utf-8")
    verdict = straz.check(outbox, 30)
    assert not verdict.alarm and verdict.changed == 0
    # one damaged document out of 54 is not a mass change
    next((outbox / "rodziny" / "S-0001").glob("*.pdf")).write_bytes(b"x")
    assert not straz.check(outbox, 30).alarm
    # a family deleted after its retention period (journaled as `asysta usun` does)
    for path in (outbox / "rodziny" / "S-0002").iterdir():
        path.unlink()
    (outbox / "rodziny" / "S-0002").rmdir()
    journal.log(outbox, "usunieto", rodzina="S-0002", wynik="wykonano")
    assert not straz.check(outbox, 5).alarm
    # …but the same share gone without a word in the journal is
    for path in (outbox / "rodziny" / "S-0003").iterdir():
        path.unlink()
    verdict = straz.check(outbox, 5)
    assert verdict.alarm and verdict.changed == 9
    assert straz.blocked(outbox) is not None
    assert [e["wynik"] for e in journal.read(outbox) if e["akcja"] == "alarm_zmian"] == [
        "wstrzymano_archiwizacje"]
    assert cli(settings, "stan", "--bez-libreoffice", "--zwolnij-blokade") == 2  # no watcher
    assert straz.blocked(outbox) is None and not straz.check(outbox, 5).alarm
