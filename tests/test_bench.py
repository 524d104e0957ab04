"""The benchmark script runs (with a tiny N) so that it cannot rot; its timings are not asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_pipeline.py"), "--powtorzenia", "1",
         "--latencja", "2", "--bez-naiwnej"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "na dokument" in result.stdout
    assert "od wrzucenia do PDF" in result.stdout


def test_checklist_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_checklist.py"), "--rodziny", "50"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "50 rodzin" in result.stdout


@pytest.mark.slow
def test_reports_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_raporty.py"), "--rodziny", "6",
         "--naiwnie", "1"], capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert "6 rodzin" in result.stdout and "nieudanych 0" in result.stdout


@pytest.mark.slow
def test_reports_command_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_raporty.py"), "--polecenie", "--rodziny", "2",
         "--powtorzenia", "1"], capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert "2 rodzin, polecenie `asysta raporty`" in result.stdout and "stosunek" in result.stdout


def test_start_benchmark_runs() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_start.py"), "--powtorzenia", "1"],
        capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr
    assert "asysta --help: importy" in result.stdout
    assert "`import pipeline.app.cli` ładuje: żadnej z ciężkich" in result.stdout


def test_signature_benchmark_runs_with_small_n() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_podpis.py"), "--powtorzenia", "1",
         "--dokumenty", "2"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "ms na dokument" in result.stdout
