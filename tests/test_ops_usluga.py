"""The systemd units: written by `asysta usluga zainstaluj --tylko-pliki`, verified by
systemd's own `systemd-analyze verify`; installing where systemd is not PID 1 says so."""

from __future__ import annotations

import dataclasses
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from ops_archive import cli, ops_settings

from pipeline.core.config import Poczta
from pipeline.ops import usluga


def test_units_are_written_and_verify(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = ops_settings(tmp_path)
    folder = tmp_path / "jednostki"
    assert cli(settings, "usluga", "zainstaluj", "--tylko-pliki", str(folder)) == 0
    assert "Niczego nie włączono" in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted(usluga.UNITS)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    service = (folder / "asysta-obserwator.service").read_text(encoding="utf-8")
    config = str(settings.source.resolve()) if settings.source else ""
    assert f" -k {config} obserwuj" in service and "Restart=on-failure" in service
    assert "User=asysta" in service and "UMask=0077" in service
    assert "{" not in service  # every placeholder filled
    morning = (folder / "asysta-poranek.service").read_text(encoding="utf-8")
    assert f"-k {config} kopia\n" in morning and f"-k {config} kopia sprawdz\n" in morning
    assert "powiadomienia" not in morning  # no mail server: no digests in the morning
    exe = usluga.executable()[0]
    assert Path(exe).is_absolute() and Path(exe).exists()
    mail = dataclasses.replace(settings, poczta=Poczta(serwer="poczta.example.pl"))
    morning = usluga.render_units(mail)["asysta-poranek.service"]
    digests = morning.index(f"ExecStart=-{exe} -k {config} powiadomienia\n")
    assert digests < morning.index(f"-k {config} kopia\n")  # mail first, a failure ignored

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("brak systemd-analyze (pakiet systemd): pliki zapisano, ale ich nie sprawdzono")
    done = subprocess.run([analyze, "verify", *(str(folder / u) for u in usluga.UNITS)],
                          capture_output=True, text=True, check=False)
    # a service user that does not exist yet on this machine is not an error of the unit
    problems = [line for line in done.stderr.splitlines()
                if line.strip() and "asysta" in line and "user" not in line.lower()]
    assert done.returncode == 0 and problems == [], done.stderr


def test_install_needs_a_config_file_and_systemd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.app.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["usluga", "zainstaluj", "--tylko-pliki", str(tmp_path / "u")]) == 2
    assert "potrzebuje pliku konfiguracji" in capsys.readouterr().err
    settings = ops_settings(tmp_path)
    if usluga.systemd_running():
        pytest.skip("systemd jest tu procesem nr 1: instalacja naprawdę by go zmieniła")
    assert cli(settings, "usluga", "zainstaluj") == 2
    err = capsys.readouterr().err
    assert "systemd nie zarządza tu usługami" in err or "uprawnień administratora" in err
    assert not Path("/etc/systemd/system/asysta-obserwator.service").exists()
