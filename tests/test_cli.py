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
    return subprocess.run([sys.executable, "-m", "pipeline.app.cli", *args], cwd=cwd, env=env,
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
    assert result.stdout.count("schemat, szablon i przykład są zgodne") == 19  # 16 and 3 kinds
    for kind in ("notatka", "sad", "zakonczenie"):
        assert f"rodzaj „{kind}”: schemat, szablon i przykład są zgodne" in result.stdout
    assert "19 z 19 dokumentów przekonwertowano do PDF" in result.stdout


def test_sprawdz_names_a_badly_edited_template(tmp_path: Path) -> None:
    from docx import Document

    from pipeline.sprawa.schemas import package_data

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


HEAVY = ("rich", "docxtpl", "docx", "pypdf", "lxml", "reportlab", "openpyxl", "watchdog", "fontTools")


def test_the_command_starts_without_the_heavy_libraries(tmp_path: Path) -> None:
    """`asysta --help` and a command's start import none of them: each command imports
    what it uses."""
    probe = ("import sys, pipeline.app.cli\n"
             f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, check=True)
    assert result.stdout.split() == []


def test_raporty_starts_libreoffice_before_the_heavy_imports(tmp_path: Path) -> None:
    """The pool warms up while the libraries load and the reports are drafted."""
    probe = ("import sys\n"
             "from pipeline.app import cli\nfrom pipeline.stages import convert\n"
             "seen = []\n"
             "original = convert.Converter.__init__\n"
             "def init(self, *args, **kwargs):\n"
             f"    seen.append([m for m in {HEAVY!r} if m in sys.modules])\n"
             "    original(self, *args, **kwargs)\n"
             "convert.Converter.__init__ = init\n"
             "code = cli.main(sys.argv[1:])\n"
             "print('przed pulą:', seen, 'kod:', code)\n")
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox").mkdir()
    result = subprocess.run([sys.executable, "-c", probe, "--inbox", str(tmp_path / "inbox"),
                             "--outbox", str(tmp_path / "outbox"), "raporty", "--miesiac", "2025-04"],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert "przed pulą: [[]] kod: 0" in result.stdout, result.stdout + result.stderr


def test_a_bad_month_is_a_usage_error_in_polish(tmp_path: Path) -> None:
    for month in ("2025-13", "2025-4", "kwiecień"):
        result = asysta("raporty", "--miesiac", month, cwd=tmp_path)
        assert result.returncode == 2
        assert f"niepoprawny miesiąc '{month}' – podaj RRRR-MM" in result.stderr
