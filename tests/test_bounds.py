"""Hostile input of every shape is answered in seconds with a bounded explanation; the per-file
time budget sets a file aside; FIFOs, sockets and devices are never opened; case numbers are
anchored and Windows device names refused; explanation files always fit; everything the
product creates is private whatever the umask."""

from __future__ import annotations

import os
import socket
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import drop, example, make_settings, run

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import Problem
from pipeline.core.fsutil import ensure_private_dir
from pipeline.core.limits import MAX_PROBLEMS, capped, total
from pipeline.flow import process
from pipeline.sprawa.schemas import is_case_number
from pipeline.stages import archive
from pipeline.stages.convert import Converter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import bench_hostile  # noqa: E402

EXAMPLE_1 = example(1).read_text(encoding="utf-8")
EXAMPLE_8 = example(8).read_text(encoding="utf-8")
BOUND_S = 60.0  # generous: each shape takes well under a second (bench/bench_hostile.py)


def within(seconds: float, call: Callable[[], Any]) -> Any:
    """`call()` in a thread that must finish within `seconds` (a hang fails, not blocks)."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"nie skończyło się w {seconds} s"
    if failure:
        raise failure[0]
    return result[0]


def rejected_text(settings: Settings, name: str) -> str:
    return (settings.inbox / "odrzucone" / f"{name}.txt").read_text(encoding="utf-8")


# -- bounded work ----------------------------------------------------------------------------


def test_200000_contacts_are_answered_in_seconds_with_a_short_explanation(
        settings: Settings, converter: Converter) -> None:
    content = EXAMPLE_8.split("kontakty:")[0] + "kontakty:\n" + "- x\n" * 200_000
    path = drop(settings, "kontakty.yaml", content)
    start = time.monotonic()
    [outcome] = within(BOUND_S, lambda: run(settings, converter, path))
    assert time.monotonic() - start < BOUND_S  # was hours: 20 000 items alone took > 300 s
    assert outcome.status == "odrzucony"
    text = rejected_text(settings, "kontakty.yaml")
    assert "„kontakty”" in text and "ponad 10 000 pozycji" in text
    assert len(text) < 4000
    assert (settings.inbox / "odrzucone" / "kontakty.yaml").read_bytes() == content.encode()


def test_a_list_over_its_maximum_is_cut_before_its_items_are_validated(
        settings: Settings, converter: Converter) -> None:
    """5000 bad items: one problem for the length, then at most MAX_PROBLEMS, then a count."""
    content = EXAMPLE_8.split("kontakty:")[0] + "kontakty:\n" + "- x\n" * 5000
    [outcome] = within(BOUND_S, lambda: run(settings, converter, drop(settings, "k.yaml", content)))
    assert outcome.status == "odrzucony"
    first = str(outcome.problems[0])
    assert "Kontakty z instytucjami" in first and "jest 5 000, a można podać najwyżej 60" in first
    assert len(outcome.problems) == MAX_PROBLEMS + 1
    assert str(outcome.problems[-1]) == "i jeszcze 11 podobnych problemów"  # 1 + 60 found
    text = rejected_text(settings, "k.yaml")
    assert "Znalezione problemy (61):" in text and "… i jeszcze 11 podobnych problemów" in text


@pytest.mark.parametrize("name", list(bench_hostile.SHAPES))
def test_every_hostile_shape_is_rejected_in_seconds(name: str, tmp_path: Path,
                                                    converter: Converter) -> None:
    seconds, _cpu, problems, size, first = within(
        BOUND_S, lambda: bench_hostile.run_shape(name, tmp_path, converter))
    assert seconds < BOUND_S
    assert 1 <= problems <= MAX_PROBLEMS + 1, first
    assert 0 < size < 20_000
    assert "nieoczekiwany błąd" not in first


@pytest.mark.parametrize(("count", "line"), [
    (1, "i jeszcze 1 podobny problem"), (3, "i jeszcze 3 podobne problemy"),
    (5, "i jeszcze 5 podobnych problemów"), (12, "i jeszcze 12 podobnych problemów"),
    (22, "i jeszcze 22 podobne problemy"), (112, "i jeszcze 112 podobnych problemów"),
])
def test_problems_beyond_the_cap_are_counted_in_polish(count: int, line: str) -> None:
    problems = [Problem(f"p{i}") for i in range(MAX_PROBLEMS + count)]
    shown = capped(problems)
    assert len(shown) == MAX_PROBLEMS + 1 and str(shown[-1]) == line
    assert total(shown) == MAX_PROBLEMS + count


def test_the_time_budget_sets_a_slow_file_aside(tmp_path: Path, converter: Converter) -> None:
    settings = make_settings(tmp_path, czas_na_plik_s=0.000001)
    path = drop(settings, "wolny.yaml", EXAMPLE_1)  # a valid form: only the clock is against it
    [outcome] = run(settings, converter, path)
    assert outcome.status == "odrzucony"
    text = rejected_text(settings, "wolny.yaml")
    assert "przerwano po 1e-06 s (limit czasu na jeden plik)" in text
    assert (settings.inbox / "odrzucone" / "wolny.yaml").read_text(encoding="utf-8") == EXAMPLE_1


def test_json_nested_below_the_recursion_limit_is_refused(settings: Settings,
                                                          converter: Converter) -> None:
    content = '{"zalacznik": 1, "rodzina": "K-1", "x": ' + "[" * 900 + "]" * 900 + "}"
    [outcome] = run(settings, converter, drop(settings, "gleboko.json", content))
    assert outcome.status == "odrzucony"
    assert "zbyt głębokie zagnieżdżenie" in str(outcome.problems[0])


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_an_integer_of_a_million_digits_is_a_polish_problem(suffix: str, settings: Settings,
                                                            converter: Converter) -> None:
    body = "9" * 100_000
    content = f"zalacznik: {body}\n" if suffix == ".yaml" else f'{{"zalacznik": {body}}}'
    [outcome] = run(settings, converter, drop(settings, f"liczba{suffix}", content))
    assert outcome.status == "odrzucony"
    assert "zbyt wiele cyfr" in str(outcome.problems[0])


# -- nothing but regular files is opened -------------------------------------------------------


def test_a_fifo_is_set_aside_unopened_and_the_batch_goes_on(settings: Settings,
                                                             converter: Converter) -> None:
    fifo = settings.inbox / "potok.yaml"
    os.mkfifo(fifo)
    good = drop(settings, "dobry.yaml", EXAMPLE_1)
    outcomes = within(120, lambda: run(settings, converter, fifo, good))  # blocked for ever
    statuses = {o.name: o.status for o in outcomes}
    assert statuses == {"potok.yaml": "odrzucony", "dobry.yaml": "przyjety"}
    kept = settings.inbox / "odrzucone" / "potok.yaml"
    assert stat.S_ISFIFO(kept.lstat().st_mode)
    assert "potok nazwany (FIFO)" in rejected_text(settings, "potok.yaml")


def test_quick_sha_never_opens_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "potok.yaml"
    os.mkfifo(fifo)
    assert within(10, lambda: process._quick_sha(fifo)) is None


def test_a_socket_is_set_aside_unopened(settings: Settings, converter: Converter) -> None:
    path = settings.inbox / "gniazdo.yaml"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        [outcome] = within(60, lambda: run(settings, converter, path))
    finally:
        server.close()
    assert outcome.status == "odrzucony"
    assert "gniazdo (socket)" in rejected_text(settings, "gniazdo.yaml")


@pytest.mark.skipif(os.geteuid() != 0, reason="tworzenie pliku urządzenia (mknod) wymaga roota")
def test_a_device_is_set_aside_unopened(settings: Settings, converter: Converter) -> None:
    path = settings.inbox / "urzadzenie.yaml"
    os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero: endless if read
    [outcome] = within(60, lambda: run(settings, converter, path))
    assert outcome.status == "odrzucony"
    assert "urządzenie znakowe" in rejected_text(settings, "urzadzenie.yaml")


# -- case numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "ok"), [
    ("K-2025-014", True), ("K-2025-014\n", False), ("K-2025-014\r\n", False),
    ("CON", False), ("con", False), ("nul", False), ("Nul.2025", False), ("COM1", False),
    ("com9.x", False), ("LPT1", False), ("lpt9", False), ("AUX", False), ("PRN.txt", False),
    ("K-1.", False), ("CONSOLE", True), ("COM10", True), ("K-CON", True), ("NULL", True),
])
def test_case_numbers_are_anchored_and_windows_names_refused(case: str, ok: bool) -> None:
    assert is_case_number(case) is ok
    assert process._safe_case(case) == (case if ok else None)


@pytest.mark.parametrize(("case", "phrase"), [
    ('"K-2025-014\\n"', "np. K-2026-014"),
    ("CON", "nazwa zastrzeżona dla urządzenia"),
    ("nul", "nazwa zastrzeżona dla urządzenia"),
    ("Com3.2025", "nazwa zastrzeżona dla urządzenia"),
    ("K-2025-014.", "kropką ani spacją"),
])
def test_a_lookalike_or_device_case_number_is_rejected(case: str, phrase: str,
                                                       settings: Settings,
                                                       converter: Converter) -> None:
    content = EXAMPLE_1.replace("rodzina: K-2025-014", f"rodzina: {case}", 1)
    [outcome] = run(settings, converter, drop(settings, "sprawa.yaml", content))
    assert outcome.status == "odrzucony"
    text = rejected_text(settings, "sprawa.yaml")
    assert "Numer sprawy rodziny" in text and phrase in text
    assert not (settings.outbox / "rodziny").exists()
    [entry] = journal.read(settings.outbox)
    assert entry["rodzina"] is None


def test_every_pattern_must_match_the_whole_value(settings: Settings,
                                                  converter: Converter) -> None:
    content = EXAMPLE_8.replace('miesiac: "2025-04"', 'miesiac: "2025-04\\n"', 1)
    assert content != EXAMPLE_8
    [outcome] = run(settings, converter, drop(settings, "miesiac.yaml", content))
    assert outcome.status == "odrzucony"
    assert [p.key for p in outcome.problems] == ["miesiac"]


# -- explanation files always fit --------------------------------------------------------------


def long_name(unit: str) -> str:
    """The longest name of `unit`s with `.yaml` the filesystem holds (255 bytes)."""
    stem = ""
    while len((stem + unit + ".yaml").encode()) <= 255:
        stem += unit
    return stem + ".yaml"


@pytest.mark.parametrize("unit", ["a", "ż", "Plan pracy "])
def test_a_name_too_long_for_its_explanation_is_kept_shortened(unit: str, settings: Settings,
                                                               converter: Converter) -> None:
    name = long_name(unit)
    content = b"zalacznik: 99\n"
    path = drop(settings, name, content)
    [outcome] = run(settings, converter, path)
    assert outcome.status == "odrzucony" and not path.exists()
    kept = outcome.rejected_to
    assert kept is not None and kept.name != name and kept.read_bytes() == content
    assert kept.name.startswith(name[:20]) and kept.name.endswith(".yaml")
    text = kept.with_name(kept.name + ".txt").read_text(encoding="utf-8")
    assert f"Plik „{name}” nie został przyjęty" in text
    assert f"pod skróconą nazwą „{kept.name}”" in text
    [entry] = journal.read(settings.outbox)
    assert entry["plik"] == name and entry["zapisano_jako"] == kept.name
    # a second file of the same long name gets its own slot
    drop(settings, name, b"zalacznik: 98\n")
    [second] = run(settings, converter, settings.inbox / name)
    assert second.rejected_to is not None and second.rejected_to != kept
    assert second.rejected_to.with_name(second.rejected_to.name + ".txt").exists()


def test_the_cli_tells_the_truth_about_a_long_name(tmp_path: Path) -> None:
    import subprocess

    settings = make_settings(tmp_path)
    name = "x" * 250 + ".yaml"
    drop(settings, name, b"zalacznik: 99\n")
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "przetworz",
                             str(settings.inbox / name)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "odłożono bez zmian" not in result.stdout and "nieoczekiwany" not in result.stdout
    [txt] = (settings.inbox / "odrzucone").glob("*.txt")
    assert f"(opis: {txt})" in result.stdout.replace("\n", "")


# -- private modes whatever the umask ------------------------------------------------------------


def test_parents_made_by_ensure_private_dir_are_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        ensure_private_dir(tmp_path / "a" / "b" / "raporty")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "raporty"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_rejected_files_are_private_under_umask_000(tmp_path: Path, converter: Converter) -> None:
    old = os.umask(0)
    try:
        settings = make_settings(tmp_path)
        content = b"zalacznik: 99\n"
        path = drop(settings, "zly.yaml", content)
        os.chmod(path, 0o666)
        run(settings, converter, path)
    finally:
        os.umask(old)
    folder = settings.inbox / "odrzucone"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    kept, txt = folder / "zly.yaml", folder / "zly.yaml.txt"
    assert kept.read_bytes() == content
    for path in (kept, txt):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_rejected_hard_link_keeps_the_mode_of_its_other_name(settings: Settings,
                                                               converter: Converter,
                                                               tmp_path: Path) -> None:
    outside = tmp_path / "poza.yaml"
    outside.write_text(EXAMPLE_1, encoding="utf-8")
    os.chmod(outside, 0o644)
    link = settings.inbox / "link.yaml"
    os.link(outside, link)
    [outcome] = run(settings, converter, link)
    assert outcome.status == "odrzucony"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644  # not ours to change


def test_the_explanation_counts_all_problems() -> None:
    problems = capped([Problem(f"p{i}") for i in range(MAX_PROBLEMS + 7)])
    text = archive.explanation("f.yaml", problems)
    assert "Znalezione problemy (57):" in text
    assert f"{MAX_PROBLEMS}. p{MAX_PROBLEMS - 1}" in text and "51." not in text
    assert "… i jeszcze 7 podobnych problemów" in text


def test_a_file_that_cannot_be_set_aside_is_said_to_stay(settings: Settings,
                                                         converter: Converter) -> None:
    (settings.inbox / "odrzucone").write_bytes(b"")  # a file where the folder should be
    path = drop(settings, "zly.yaml", b"zalacznik: 99\n")
    [outcome] = run(settings, converter, path)
    assert outcome.status == "pozostawiony"
    assert "pozostaje w folderze inbox" in str(outcome.problems[0])
    assert "odłożono" not in str(outcome.problems[0])
    assert path.read_bytes() == b"zalacznik: 99\n"
