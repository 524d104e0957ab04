"""The `asysta` command as a user runs it: Polish help, exit codes, `sprawdz`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import example

COMMANDS = ["przetworz", "obserwuj", "sprawdz", "checklista", "raporty", "demo",
            "formularze", "teczka", "eksport", "usun"]


def asysta(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_polish(command: str | None, tmp_path: Path) -> None:
    result = asysta(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "użycie: asysta" in result.stdout
    assert "pokaż tę pomoc i zakończ" in result.stdout
    assert "usage" not in result.stdout and "show this help" not in result.stdout


def test_usage_error_exits_2_in_polish(tmp_path: Path) -> None:
    result = asysta("wyslij", cwd=tmp_path)
    assert result.returncode == 2
    assert "błąd: " in result.stderr and "nieznane polecenie" in result.stderr


def test_config_error_exits_2(tmp_path: Path) -> None:
    (tmp_path / "asysta.toml").write_text("[terminy]\nlimit_rodzin = 'x'\n", encoding="utf-8")
    result = asysta("sprawdz", cwd=tmp_path)
    assert result.returncode == 2
    assert "Błędy w konfiguracji" in result.stderr


def test_przetworz_exit_codes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copyfile(example(1), inbox / "dobry.yaml")
    ok = asysta("przetworz", "inbox/dobry.yaml", cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "✓ przyjęto dobry.yaml" in ok.stdout
    (inbox / "zly.yaml").write_text("zalacznik: 1\nrodzina: ../x\n", encoding="utf-8")
    bad = asysta("przetworz", "inbox/zly.yaml", cwd=tmp_path)
    assert bad.returncode == 1
    assert "✗ odrzucono zly.yaml" in bad.stdout
    assert "Numer sprawy rodziny" in bad.stdout
    assert "Traceback" not in bad.stdout + bad.stderr
    missing = asysta("przetworz", "nie_ma.yaml", cwd=tmp_path)
    assert missing.returncode == 2


def test_sprawdz_passes_on_the_shipped_templates(tmp_path: Path) -> None:
    result = asysta("sprawdz", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("schemat, szablon i przykład są zgodne") == 16
    assert "16 z 16 dokumentów przekonwertowano do PDF" in result.stdout


def test_sprawdz_names_a_badly_edited_template(tmp_path: Path) -> None:
    from docx import Document

    from pipeline.schemas import package_data

    own = tmp_path / "szablony"
    own.mkdir()
    doc = Document(str(package_data("zalaczniki_templates") / "zal06.docx"))
    doc.add_paragraph("{{ nieznane_pole }} i {% if %}")
    doc.save(str(own / "zal06.docx"))
    doc = Document(str(package_data("zalaczniki_templates") / "zal07.docx"))
    doc.add_paragraph("{{ pole_ktorego_nie_ma }}")
    doc.save(str(own / "zal07.docx"))
    (tmp_path / "asysta.toml").write_text('[foldery]\nszablony = "szablony"\n', encoding="utf-8")
    result = asysta("sprawdz", cwd=tmp_path)
    assert result.returncode == 1
    assert "szablon zal06.docx ma błąd w znacznikach" in result.stdout
    assert "zal07.docx: szablon używa zmiennej „pole_ktorego_nie_ma”" in result.stdout
