"""Backups with the real restic: a repository in a temporary folder, snapshots while the
real watcher files forms, the restore drill passing and failing (restic's own
`check --read-data`, then the journal's hashes), restore into a new folder, bad input."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXAMPLES, make_settings
from ops_archive import PASSWORD, add_family, build, cli, ops_settings

from pipeline.core import journal
from pipeline.core.config import parse_config
from pipeline.core.errors import BackupError
from pipeline.ops import kopia, proba, stanplik
from pipeline.ops.restic import PASSWORD_ENV, Restic


def test_backup_list_drill_and_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = ops_settings(tmp_path)
    build(settings.outbox, 4)
    (settings.inbox / "odrzucone").mkdir(mode=0o700)
    (settings.inbox / "odrzucone" / "zly.yaml").write_text("x: [", encoding="utf-8")
    assert cli(settings, "kopia") == 0
    assert "nowe repozytorium" in capsys.readouterr().out
    assert (tmp_path / "repo" / "config").is_file()
    add_family(settings.outbox, "S-0099")
    assert cli(settings, "kopia") == 0
    snaps = kopia.snapshots(settings)
    assert len(snaps) == 1  # retention: one a day (the newest), as [kopia] zachowaj_dzienne says
    log = [e for e in journal.read(settings.outbox) if e["akcja"] == "kopia"]
    assert [e["wynik"] for e in log] == ["ok", "ok"] and log[1]["migawka"] == snaps[0]["short_id"]
    assert set(log[1]) >= {"migawka", "plikow", "nowych", "bajtow"}

    assert cli(settings, "kopia", "sprawdz") == 0
    assert "Próba odtworzenia udana" in capsys.readouterr().out
    state = stanplik.read(settings.outbox)
    assert state["sprawdzenie"]["wynik"] == "ok"
    assert cli(settings, "kopia", "lista") == 0
    listing = capsys.readouterr().out
    [tagged] = kopia.snapshots(settings)  # tagging gives a snapshot a new id (restic tag)
    assert tagged["tree"] == snaps[0]["tree"] and "sprawdzona" in tagged["tags"]
    assert f"{tagged['short_id']}  " in listing and "✓ sprawdzona" in listing

    target = tmp_path / "odtworzone"
    assert cli(settings, "kopia", "odtworz", "--do", str(target)) == 0
    out = capsys.readouterr().out
    assert "Dziennik i skróty plików zgodne" in out and "(5 rodzin)" in out
    restored = kopia.find_outbox(target)
    assert restored is not None and journal.verify(restored)[1] is None
    assert (restored / "rodziny" / "S-0099" / "rejestr.json").is_file()
    assert (target / str(settings.inbox)[1:] / "odrzucone" / "zly.yaml").is_file()
    assert (target / str(settings.source)[1:]).is_file()  # the configuration too
    for path in [target, *target.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    by_id = tmp_path / "wskazana"
    assert cli(settings, "kopia", "odtworz", "--do", str(by_id), "--migawka", tagged["short_id"]) == 0
    assert "Dziennik i skróty plików zgodne" in capsys.readouterr().out
    assert cli(settings, "kopia", "odtworz", "--do", str(tmp_path / "x"), "--migawka", "0badc0de") == 2
    assert "nie ma kopii o takim identyfikatorze" in capsys.readouterr().err
    # never into the live archive, never into a folder that is not empty
    assert cli(settings, "kopia", "odtworz", "--do", str(settings.outbox / "x")) == 2
    assert cli(settings, "kopia", "odtworz", "--do", str(target)) == 2
    assert "nie jest pusty" in capsys.readouterr().err


def _damage_pack(repo: Path) -> None:
    packs = sorted((repo / "data").rglob("*"), key=lambda p: p.stat().st_size if p.is_file() else 0)
    biggest = packs[-1]
    os.chmod(biggest, 0o600)
    data = bytearray(biggest.read_bytes())
    for i in range(100, len(data), 997):
        data[i] ^= 0xFF
    biggest.write_bytes(bytes(data))


def test_drill_fails_on_a_damaged_repository(tmp_path: Path) -> None:
    settings = ops_settings(tmp_path)
    build(settings.outbox, 2)
    kopia.backup(settings)
    _damage_pack(tmp_path / "repo")
    drill = proba.drill(settings)
    assert not drill.ok
    assert any("check --read-data" in p for p in drill.problems)
    assert stanplik.read(settings.outbox)["sprawdzenie"]["wynik"] == "blad"
    [entry] = [e for e in journal.read(settings.outbox) if e["akcja"] == "kopia_sprawdzona"]
    assert entry["wynik"] == "blad" and entry["problemow"] >= 1


def test_drill_fails_when_a_file_differs_from_the_journal(tmp_path: Path) -> None:
    """A document changed before the backup (restic stores it faithfully): the journal's
    hash tells it; a file named by a register but missing too."""
    settings = ops_settings(tmp_path)
    build(settings.outbox, 2)
    original = next((settings.outbox / "rodziny" / "S-0001").glob("*.yaml"))
    original.write_bytes(b"zmieniony")
    next((settings.outbox / "rodziny" / "S-0000").glob("*.pdf")).unlink()
    kopia.backup(settings)
    drill = proba.drill(settings)
    assert not drill.ok
    text = "\n".join(drill.problems)
    assert "S-0001" in text and "skrót" in text
    assert "S-0000: brak pliku" in text
    assert not any("check --read-data" in p for p in drill.problems)


def test_retention_keeps_the_last_snapshot_that_passed(tmp_path: Path) -> None:
    settings = ops_settings(tmp_path, zachowaj_dzienne=1, zachowaj_tygodniowe=0,
                            zachowaj_miesieczne=0)
    build(settings.outbox, 1)
    kopia.backup(settings)
    assert proba.drill(settings).ok
    passed = kopia.snapshots(settings)[-1]["id"]
    for i in range(2):
        add_family(settings.outbox, f"N-{i}")
        kopia.backup(settings)
    ids = [s["id"] for s in kopia.snapshots(settings)]
    assert passed in ids and len(ids) == 2  # the passed one and the newest (one daily kept)


def test_backup_during_a_running_watcher(tmp_path: Path) -> None:
    """The real watcher files forms while backups run: every snapshot restores to an
    archive whose registers, files and journal agree (no half-filed document)."""
    settings = ops_settings(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASYSTA_")}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "pipeline.app.cli", "-k", str(settings.source), "obserwuj"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    text = (EXAMPLES / "zal01.yaml").read_text(encoding="utf-8")
    restic = Restic(settings.kopia)
    checked = 0

    def backup_and_verify() -> int:
        """A backup now, its snapshot restored and proved at once (before retention thins
        the day's snapshots to one)."""
        snapshot = kopia.backup(settings).snapshot
        target = tmp_path / f"r-{snapshot}"
        kopia.restore_into(restic, snapshot, target)
        restored = kopia.find_outbox(target)
        if restored is None:  # a snapshot before the first filing has no journal yet
            return 0
        count, problems = proba.verify_archive(restored)
        assert problems == [], snapshot
        return count

    try:
        for i in range(6):
            form = text.replace("rodzina: K-2025-014", f"rodzina: W-{i:02d}")
            tmp = settings.inbox / f".w{i}.part"
            tmp.write_text(form, encoding="utf-8")
            tmp.rename(settings.inbox / f"w{i}.yaml")
            if i % 2:
                backup_and_verify()
                checked += 1
        deadline = time.monotonic() + 240
        while any(settings.inbox.glob("w*.yaml")) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert backup_and_verify() == 6
    finally:
        watcher.send_signal(signal.SIGTERM)  # as systemd stops it: a clean end
        try:
            watcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(watcher.pid, signal.SIGKILL)
            watcher.wait()
    assert checked == 3 and not any(settings.inbox.glob("w*.yaml"))
    assert [e["akcja"] for e in journal.read(settings.outbox)].count("przyjeto") == 6
    assert journal.read(settings.outbox)[-1]["akcja"] == "koniec_obserwacji"


def test_bad_password_unreachable_repository_and_no_settings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ops_settings(tmp_path)
    build(settings.outbox, 1)
    kopia.backup(settings)
    before = {p: p.read_bytes() for p in (settings.outbox / "rodziny").rglob("*") if p.is_file()}
    (tmp_path / "haslo").write_text("zle haslo\n", encoding="utf-8")
    assert cli(settings, "kopia") == 2
    assert "złe hasło repozytorium kopii" in capsys.readouterr().err
    assert stanplik.read(settings.outbox)["kopia"]["wynik"] == "blad"
    assert {p: p.read_bytes() for p in before} == before
    os.chmod(tmp_path / "haslo", 0o644)
    assert cli(settings, "kopia") == 2
    assert "mogą czytać inni użytkownicy – ustaw: chmod 600" in capsys.readouterr().err
    (tmp_path / "haslo").unlink()
    assert cli(settings, "kopia") == 2
    assert "nie można odczytać pliku hasła kopii" in capsys.readouterr().err

    other = make_settings(tmp_path / "b")
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with pytest.raises(BackupError, match="nie są skonfigurowane"):
        kopia.backup(other)
    remote = parse_config({"kopia": {"repozytorium": "sftp:nikt@127.0.0.1:/brak"}}, tmp_path / "b")
    with pytest.raises(BackupError, match="nieosiągalne"):
        kopia.backup(remote)


def test_benchmark_runs_with_small_n() -> None:
    """bench/bench_kopia.py runs (timings are not asserted), so that it cannot rot."""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, str(root / "bench" / "bench_kopia.py"), "--rodziny", "3",
                             "--dokumenty", "2", "--powtorzenia", "1"],
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr
    assert "3 rodzin" in result.stdout and "próba odtworzenia" in result.stdout


def test_full_backup_disk(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The repository on a 2 MB tmpfs, the archive larger: a Polish cause, exit 2, the
    archive untouched, `stan` critical."""
    disk = tmp_path / "usb"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("montowanie tmpfs niedozwolone w tym środowisku (potrzebny root)")
    try:
        settings = ops_settings(tmp_path, repozytorium=str(disk / "repo"))
        build(settings.outbox, 12)  # about 8 MB of documents
        before = {p: p.read_bytes() for p in (settings.outbox / "rodziny").rglob("*") if p.is_file()}
        assert cli(settings, "kopia") == 2
        assert "brak miejsca na dysku repozytorium kopii" in capsys.readouterr().err
        assert {p: p.read_bytes() for p in before} == before
        from pipeline.ops.stan_kopia import backup_status

        status, text = backup_status(settings)
        assert status == "krytyczny" and "brak miejsca" in text
    finally:
        subprocess.run(["umount", str(disk)], check=False)
