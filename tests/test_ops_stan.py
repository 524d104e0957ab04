"""`asysta stan` in each state, with the real watcher, LibreOffice, restic and a real small
disk (a tmpfs mounted for the test; where mounting is not permitted, the thresholds are set
around the real disk's free space instead, and the test says so)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import make_settings
from ops_archive import PASSWORD, build, cli, ops_settings

from pipeline.core.config import Settings, parse_config
from pipeline.ops import heartbeat, kopia, proba, stan

NAMES = {"obserwator", "libreoffice", "dysk", "inbox", "odrzucone", "blad_szablonu",
         "skany_nierozpoznane", "dziennik", "kopia"}


def checks(settings: Settings, libreoffice: bool = False) -> dict[str, stan.Check]:
    return {c.nazwa: c for c in stan.run(settings, libreoffice).kontrole}


def test_json_keys_names_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = ops_settings(tmp_path)
    code = cli(settings, "stan", "--json", "--bez-libreoffice")
    body = json.loads(capsys.readouterr().out)
    assert set(body) >= {"status", "kontrole"}
    assert {c["nazwa"] for c in body["kontrole"]} >= NAMES
    assert all(set(c) == {"nazwa", "status", "opis"} for c in body["kontrole"])
    assert {c["status"] for c in body["kontrole"]} <= {"ok", "ostrzezenie", "krytyczny"}
    assert body["status"] == "krytyczny" and code == 2  # no watcher has ever run here
    [watcher] = [c for c in body["kontrole"] if c["nazwa"] == "obserwator"]
    assert "asysta-obserwator" in watcher["opis"]  # what to do
    # the banner of index.html reads the same verdict
    from pipeline.documents.banner import banner_html, status_path

    assert "Awaria:" in banner_html(settings.outbox) and "obserwator" in banner_html(settings.outbox)
    from pipeline.documents.overview import write_index

    write_index(settings, date.today())
    page = (settings.outbox / "index.html").read_text(encoding="utf-8")
    assert '<p class="stan stan-krytyczny" role="alert"' in page and "asysta stan" in page
    status_path(settings.outbox).write_text(json.dumps(
        {"status": "ok", "kontrole": [{"nazwa": "dysk", "status": "ok", "opis": "x"}]}), "utf-8")
    write_index(settings, date.today())
    assert 'class="stan' not in (settings.outbox / "index.html").read_text(encoding="utf-8")


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[Settings, subprocess.Popen[bytes]]]:
    settings = make_settings(tmp_path, konwertery=1)
    (tmp_path / "asysta.toml").write_text("[przetwarzanie]\nkonwertery = 1\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASYSTA_")}
    process = subprocess.Popen([sys.executable, "-m", "pipeline.app.cli", "obserwuj"],
                               cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while heartbeat.read(settings.outbox).age_s is None and time.monotonic() < deadline:
            time.sleep(0.2)
        yield settings, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def test_watcher_alive_hung_and_killed(watcher: tuple[Settings, subprocess.Popen[bytes]]) -> None:
    settings, process = watcher
    assert checks(settings)["obserwator"].status == "ok"
    hung = parse_config({"stan": {"obserwator_cisza_s": 1}}, settings.inbox.parent)
    process.send_signal(signal.SIGSTOP)  # alive but silent: a hung watcher
    time.sleep(1.5)
    found = checks(hung)["obserwator"]
    assert found.status == "krytyczny" and "nie daje znaku życia" in found.opis
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    found = checks(settings)["obserwator"]
    assert found.status == "krytyczny" and "nie istnieje" in found.opis
    assert stan.run(settings, libreoffice=False).exit_code == 2


def test_watcher_stopped_cleanly_is_critical_too(
        watcher: tuple[Settings, subprocess.Popen[bytes]]) -> None:
    settings, process = watcher
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    found = checks(settings)["obserwator"]
    assert found.status == "krytyczny" and "zatrzymany" in found.opis


def test_libreoffice_probe_and_missing_binary(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert checks(settings, libreoffice=True)["libreoffice"].status == "ok"
    missing = make_settings(tmp_path, soffice=str(tmp_path / "brak" / "soffice"))
    found = checks(missing, libreoffice=True)["libreoffice"]
    assert found.status == "krytyczny" and "[przetwarzanie] soffice" in found.opis
    assert checks(missing)["libreoffice"].opis.startswith("pominięto")


def test_libreoffice_without_the_warm_pool_is_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # as on a server updated without libreoffice-script-provider-python: PDFs are still
    # made (one soffice call per batch), and the administrator is told what to install
    import pipeline.stages.convert as convert

    monkeypatch.setattr(convert, "runs_macros", lambda soffice: False)
    found = checks(make_settings(tmp_path), libreoffice=True)["libreoffice"]
    assert found.status == "ostrzezenie"
    assert "libreoffice-script-provider-python" in found.opis


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[tuple[Path, bool]]:
    """A 16 MB tmpfs (True) or, where mounting is not permitted, a plain folder (False)."""
    mount = tmp_path / "maly"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    try:
        yield mount, done.returncode == 0
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", str(mount)], check=False)


def test_disk_nearly_full(small_disk: tuple[Path, bool]) -> None:
    mount, real = small_disk
    thresholds = {"dysk_ostrzezenie_mb": 8, "dysk_krytyczny_mb": 3}
    if not real:  # no tmpfs allowed: thresholds around this disk's real free space
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize >> 20
        thresholds = {"dysk_ostrzezenie_mb": free + 100, "dysk_krytyczny_mb": free + 50}
        print("tmpfs niedostępny: progi ustawione wokół wolnego miejsca dysku")
    settings = parse_config({"stan": thresholds}, mount)
    if real:
        assert checks(settings)["dysk"].status == "ok"
        (mount / "wypelniacz").write_bytes(bytes(10 << 20))
        assert checks(settings)["dysk"].status == "ostrzezenie"
        (mount / "wypelniacz2").write_bytes(bytes(4 << 20))
    found = checks(settings)["dysk"]
    assert found.status == "krytyczny" and "zwolnij miejsce" in found.opis


def test_folders_journal_and_backups(tmp_path: Path) -> None:
    settings = ops_settings(tmp_path, max_wiek_h=26)
    settings = parse_config({"kopia": {"repozytorium": str(tmp_path / "repo"),
                                       "haslo_plik": "haslo"},
                             "stan": {"odrzucone_ostrzezenie": 2, "inbox_czeka_min": 5}},
                            tmp_path, str(settings.source))
    found = checks(settings)
    assert all(found[n].status == "ok" for n in ("inbox", "odrzucone", "blad_szablonu",
                                                  "skany_nierozpoznane", "dziennik"))
    assert found["kopia"].status == "ostrzezenie" and "asysta kopia" in found["kopia"].opis
    waiting = settings.inbox / "czeka.yaml"
    waiting.write_text("rodzina: X\n", encoding="utf-8")
    os.utime(waiting, (time.time() - 3600, time.time() - 3600))
    for folder, names in (("odrzucone", ["a.yaml", "a.yaml.txt", "b.json", "b.json.txt"]),
                          ("blad-szablonu", ["c.yaml", "c.yaml.txt"]),
                          ("awaria-konwersji", ["d.yaml", "d.yaml.txt", "d.yaml.docx"]),
                          ("skany/nierozpoznane", ["skan_1.txt", "skan_1_strona_001.png"])):
        (settings.inbox / folder).mkdir(parents=True, exist_ok=True)
        for name in names:
            (settings.inbox / folder / name).write_text("x", encoding="utf-8")
    build(settings.outbox, 2)
    found = checks(settings)
    assert found["inbox"].status == "ostrzezenie" and "najstarszy od 60 min" in found["inbox"].opis
    assert found["odrzucone"].status == "ostrzezenie" and found["odrzucone"].opis.startswith("2 ")
    assert found["blad_szablonu"].status == "ostrzezenie"
    assert found["awaria_konwersji"].status == "ostrzezenie"
    assert found["skany_nierozpoznane"].status == "ostrzezenie"

    kopia.backup(settings)
    assert "nie sprawdzono" in checks(settings)["kopia"].opis
    assert proba.drill(settings).ok
    assert checks(settings)["kopia"].status == "ok"
    (tmp_path / "haslo").write_text("inne\n", encoding="utf-8")
    with pytest.raises(Exception, match="złe hasło"):
        kopia.backup(settings)
    found = checks(settings)["kopia"]
    assert found.status == "krytyczny" and "ostatnia kopia nieudana: złe hasło" in found.opis
    (tmp_path / "haslo").write_text(PASSWORD, encoding="utf-8")

    journal_path = settings.outbox / "dziennik.jsonl"
    lines = journal_path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"przyjety"', '"odrzucony"')
    journal_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = checks(settings)["dziennik"]
    assert found.status == "krytyczny" and "wpisie 2" in found.opis


def test_folder_names_match_their_modules() -> None:
    from pipeline.scans.skany import UNREAD_DIR
    from pipeline.stages.holding import HOLD_DIR

    assert (stan.HOLD_DIR, stan.UNREAD_DIR) == (HOLD_DIR, UNREAD_DIR)
