"""The LibreOffice pool against the real LibreOffice: conversion, and recovery from a
killed instance, a hanging document, recycling and shutdown (no mocks).

A hang is simulated with the worker's documented test hook: with ASYSTA_TEST_LO_HANG
set, a document whose name contains its value makes the worker stop (SIGSTOP) its
own LibreOffice before loading it, so the UNO call blocks as on a real hang.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from conftest import pdf_text
from docx import Document

from pipeline.core.errors import ConversionError
from pipeline.stages.convert import Converter
from pipeline.stages.lo_instance import find_uno_python
from pipeline.stages.soffice import find_soffice

ROOT = Path(__file__).resolve().parent.parent
HANG_MARKER = "ZAWIESZENIE"


def make_docx(folder: Path, name: str) -> Path:
    path = folder / f"{name}.docx"
    document = Document()
    document.add_paragraph(f"Dokument {name}: zażółć gęślą jaźń")
    document.save(str(path))
    return path


def make_many(folder: Path, count: int, prefix: str = "dok") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [make_docx(folder, f"{prefix}{i:02d}") for i in range(count)]


def assert_converted(results: dict[Path, Path | ConversionError]) -> None:
    for docx, pdf in results.items():
        assert isinstance(pdf, Path), (docx.name, pdf)
        assert pdf.name == docx.stem + ".pdf"
        assert f"Dokument {docx.stem}" in pdf_text(pdf)


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def wait_gone(pids: list[int], timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while any(running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if running(p)]


def test_pool_converts_a_batch_across_instances(tmp_path: Path) -> None:
    files = make_many(tmp_path / "in", 8)
    with Converter(workers=2) as converter:
        assert converter.warm(wait=60)
        assert converter.uses_pool
        assert len(converter.soffice_pids()) == 2
        results = converter.convert(files, tmp_path / "in")
        assert list(results) == files
        assert_converted(results)
        assert not list((tmp_path / "in").glob("*.part"))


def test_pool_starts_with_another_python_first_on_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # LibreOffice's embedded Python takes its standard library from the first python3 on
    # PATH: another installation there (a self-built /usr/local/bin/python3, pyenv, a
    # virtualenv of another build) made it abort, and the pool never started.
    python = find_uno_python(find_soffice(""))
    assert python is not None
    version = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    other = tmp_path / "inny-python"
    (other / "bin").mkdir(parents=True)
    (other / "bin" / "python3").write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    (other / "bin" / "python3").chmod(0o755)
    (other / "lib" / f"python{version}").mkdir(parents=True)
    (other / "lib" / f"python{version}" / "os.py").write_text("", encoding="utf-8")
    monkeypatch.setenv("PATH", f"{other / 'bin'}{os.pathsep}{os.environ['PATH']}")
    with Converter(workers=1) as converter:
        assert converter.warm(wait=60)
        assert_converted(converter.convert(make_many(tmp_path / "in", 2), tmp_path / "in"))


def test_killed_libreoffice_mid_batch_is_restarted_and_nothing_is_lost(tmp_path: Path) -> None:
    files = make_many(tmp_path / "in", 30)
    with Converter(workers=2, document_timeout=30) as converter:
        assert converter.warm(wait=60)
        before = converter.soffice_pids()
        results: dict[Path, Path | ConversionError] = {}
        batch = threading.Thread(target=lambda: results.update(
            converter.convert(files, tmp_path / "in")))
        batch.start()
        deadline = time.monotonic() + 60
        while not list((tmp_path / "in").glob("*.pdf")) and time.monotonic() < deadline:
            time.sleep(0.005)
        # mid-run: the batch has started and is not finished; one instance is killed (the
        # lock file it may leave behind is the next test's subject)
        os.kill(before[0], signal.SIGKILL)
        batch.join(timeout=120)
        assert not batch.is_alive()
        assert_converted(results)
        assert converter.warm(wait=60)
        assert before[0] not in converter.soffice_pids()
        assert_converted(converter.convert(make_many(tmp_path / "next", 2), tmp_path / "next"))


def test_lock_file_left_by_a_killed_instance_does_not_fail_the_retry(tmp_path: Path) -> None:
    """An instance killed while writing leaves `.~lock.<name>.pdf.part#` behind; LibreOffice
    then aborts the next export to that name (IOException "Abort") unless it is removed."""
    files = make_many(tmp_path, 2)
    for docx in files:
        (tmp_path / f".~lock.{docx.stem}.pdf.part#").write_text(
            "1,root,host,29.11.2026 21:00,file:///tmp/inny-profil;", encoding="utf-8")
    with Converter(workers=1) as converter:
        assert_converted(converter.convert(files, tmp_path))
    assert not list(tmp_path.glob(".~lock.*"))


def test_killed_idle_libreoffice_does_not_fail_the_next_document(tmp_path: Path) -> None:
    with Converter(workers=1) as converter:
        assert converter.warm(wait=60)
        [pid] = converter.soffice_pids()
        os.kill(pid, signal.SIGKILL)
        results = converter.convert(make_many(tmp_path, 3), tmp_path)
        assert_converted(results)
        assert pid not in converter.soffice_pids()


def test_killed_idle_libreoffice_is_replaced_before_the_next_document(tmp_path: Path) -> None:
    with Converter(workers=1) as converter:
        assert converter.warm(wait=60)
        [pid] = converter.soffice_pids()
        os.kill(pid, signal.SIGKILL)
        assert wait_gone([pid]) == []
        deadline = time.monotonic() + 60
        while not (converter.soffice_pids() and converter.warm()) and time.monotonic() < deadline:
            time.sleep(0.1)
        [successor] = converter.soffice_pids()
        assert successor != pid
        assert_converted(converter.convert(make_many(tmp_path, 1), tmp_path))


def test_hanging_document_fails_within_the_timeout_and_the_others_convert(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASYSTA_TEST_LO_HANG", HANG_MARKER)
    files = make_many(tmp_path, 6)
    hanging = make_docx(tmp_path, f"dok-{HANG_MARKER}")
    files.insert(2, hanging)
    timeout = 3.0
    with Converter(workers=2, document_timeout=timeout) as converter:
        assert converter.warm(wait=60)
        started = time.monotonic()
        results = converter.convert(files, tmp_path)
        elapsed = time.monotonic() - started
        failure = results.pop(hanging)
        assert isinstance(failure, ConversionError)
        assert "w wyznaczonym czasie (3 s, dwie próby)" in str(failure)
        assert not (tmp_path / f"{hanging.stem}.pdf").exists()
        assert_converted(results)
        # two attempts of `timeout` each, plus a restart of LibreOffice in between
        assert elapsed < 2 * timeout + 15, elapsed
        # the stopped LibreOffice was killed, not left behind; the pool works on
        assert converter.warm(wait=60)
        assert len(converter.soffice_pids()) == 2
        assert_converted(converter.convert(make_many(tmp_path / "next", 3), tmp_path / "next"))


def test_instance_is_recycled_after_n_documents(tmp_path: Path) -> None:
    with Converter(workers=1, recycle_after=3) as converter:
        assert converter.warm(wait=60)
        [first] = converter.soffice_pids()
        assert_converted(converter.convert(make_many(tmp_path / "a", 2), tmp_path / "a"))
        assert converter.soffice_pids() == [first]
        assert_converted(converter.convert(make_many(tmp_path / "b", 1), tmp_path / "b"))
        assert wait_gone([first]) == []  # the third document retired it
        assert converter.warm(wait=60)
        [second] = converter.soffice_pids()
        assert second != first
        assert_converted(converter.convert(make_many(tmp_path / "c", 4), tmp_path / "c"))


@pytest.mark.parametrize("wait", [True, False])  # False: each instance quits on its own
def test_close_leaves_no_libreoffice_behind(tmp_path: Path, wait: bool) -> None:
    converter = Converter(workers=2)
    assert converter.warm(wait=60)
    assert_converted(converter.convert(make_many(tmp_path, 3), tmp_path))
    pids = converter.soffice_pids()
    assert len(pids) == 2
    converter.close(wait=wait)
    assert wait_gone(pids) == []
    assert converter.soffice_pids() == []
    with pytest.raises(RuntimeError):
        converter.convert(make_many(tmp_path / "po", 1), tmp_path)


def test_program_exit_without_close_leaves_no_libreoffice_behind(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        from pipeline.stages.convert import Converter
        converter = Converter(workers=2)  # never closed: atexit must do it
        assert converter.warm(wait=60)
        print(" ".join(map(str, converter.soffice_pids())))
    """)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pids = [int(p) for p in result.stdout.split()]
    assert len(pids) == 2
    assert wait_gone(pids) == []


def test_fallback_without_pool_converts_with_one_soffice_call(tmp_path: Path) -> None:
    with Converter(pool=False) as converter:
        assert not converter.uses_pool
        assert converter.soffice_pids() == []
        assert_converted(converter.convert(make_many(tmp_path, 3), tmp_path))


def test_libreoffice_that_cannot_start_gives_errors_not_a_hang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a failed start wipes its profile: not one of the shared ones
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with Converter("/bin/false", timeout=10, workers=1) as converter:
        started = time.monotonic()
        results = converter.convert(make_many(tmp_path, 2), tmp_path)
        assert time.monotonic() - started < 60
        assert all(isinstance(r, ConversionError) for r in results.values())
        assert all("nie utworzył pliku PDF" in str(r) for r in results.values())
