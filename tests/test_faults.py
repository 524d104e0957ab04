"""Crash safety, proven by killing the real program: every input ends filed exactly once
or still waiting, nothing half-written stays in the archive, and the audit log and the
checklists agree with the archive. Also a full disk and awkward file names."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import OSRODEK, example, make_settings, run

from pipeline.core import journal
from pipeline.core.config import Settings, parse_config
from pipeline.documents.banner import STATE_DIR
from pipeline.documents.overview import checklist_for
from pipeline.stages.convert import Converter

EXAMPLES = {n: example(n).read_text(encoding="utf-8") for n in (1, 2, 3, 6, 8, 14)}


def _inputs(settings: Settings, count: int, seed: int = 0) -> dict[str, str]:
    """`count` distinct valid forms for several families; returns name -> sha256."""
    rng = random.Random(seed)
    made = {}
    for i in range(count):
        n = rng.choice(list(EXAMPLES))
        text = EXAMPLES[n].replace("rodzina: K-2025-014", f"rodzina: F-{i % 12:02d}")
        text = text.replace("Katarzyna Żak", f"Asystentka {i % 4}") + f"\n# kopia {i}\n"
        name = f"formularz {i:03d} – Żółć $(x);.yaml"  # spaces, Polish letters, shell characters
        (settings.inbox / name).write_text(text, encoding="utf-8")
        made[name] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return made


def _watch_once(settings: Settings, fault: str | None = None,
                kill_after: float | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("ASYSTA_CONFIG", "ASYSTA_TEST_AWARIA")}
    if fault:
        env["ASYSTA_TEST_AWARIA"] = fault
    command = [sys.executable, "-m", "pipeline.app.cli", "--inbox", str(settings.inbox),
               "--outbox", str(settings.outbox), "obserwuj", "--raz"]
    process = subprocess.Popen(command, env=env, cwd=settings.inbox.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        return process.wait(timeout=kill_after if kill_after is not None else 600)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the watcher and anything it started
        return process.wait()


def check_archive(settings: Settings, inputs: dict[str, str]) -> None:
    """The invariants after any number of crashes and one clean run."""
    assert sorted(p.name for p in settings.inbox.iterdir()
                  if not p.name.startswith(".") and p != settings.scans) == []
    entries = []
    for register in (settings.outbox / "rodziny").glob("*/rejestr.json"):
        folder = register.parent
        for entry in json.loads(register.read_text(encoding="utf-8"))["dokumenty"]:
            entries.append(entry)
            for key in ("docx", "pdf", "plik_zrodlowy"):
                assert (folder / entry[key]).is_file(), entry[key]
            pdf = (folder / entry["pdf"]).read_bytes()
            assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:]
            original = (folder / entry["plik_zrodlowy"]).read_bytes()
            assert hashlib.sha256(original).hexdigest() == entry["sha256"]
        # nothing in the family folder that the register does not account for
        listed = {e[k] for e in json.loads(register.read_text("utf-8"))["dokumenty"]
                  for k in ("docx", "pdf", "plik_zrodlowy")}
        extra = {p.name for p in folder.iterdir()} - listed - {
            "rejestr.json", "checklista.json", "checklista.pdf"}
        assert extra == set(), extra
        checklist = json.loads((folder / "checklista.json").read_text(encoding="utf-8"))
        fresh = checklist_for(settings.outbox, folder.name, date.today(), settings).to_json()
        assert checklist["pozycje"] == fresh["pozycje"]
    # every input filed exactly once
    assert sorted(e["sha256"] for e in entries) == sorted(inputs.values())
    # the archive lock and the health state (`asysta stan`, the watcher's heartbeat) belong there
    hidden = [p for p in settings.outbox.rglob(".*") if p.name not in (".archiwum.lock", STATE_DIR)]
    assert hidden == [], hidden
    # the audit log: intact, and exactly one "przyjeto" per filed form
    assert journal.verify(settings.outbox)[1] is None
    accepted = [e["sha256"] for e in journal.read(settings.outbox) if e["akcja"] == "przyjeto"]
    assert sorted(accepted) == sorted(inputs.values())


@pytest.mark.parametrize("fault", ["po_renderowaniu", "po_konwersji", "w_trakcie_zapisu",
                                   "w_trakcie_zapisu:2", "w_trakcie_zapisu:5", "po_rejestrze",
                                   "po_rejestrze:3", "po_dzienniku", "po_dzienniku:4"])
def test_killed_at_a_point_then_restarted(fault: str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    inputs = _inputs(settings, 8)
    assert _watch_once(settings, fault) == -signal.SIGKILL
    assert _watch_once(settings) in (0, 1)
    check_archive(settings, inputs)


@pytest.mark.slow
def test_killed_at_random_moments_across_many_inputs(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    inputs = _inputs(settings, 150, seed=7)
    rng = random.Random(11)
    kills = 0
    for _ in range(40):
        code = _watch_once(settings, kill_after=rng.uniform(0.3, 4.0))
        if code in (0, 1):
            break
        kills += 1
    assert _watch_once(settings) in (0, 1)
    check_archive(settings, inputs)
    assert kills >= 5
    (tmp_path / "zabicia.txt").write_text(str(kills))
    print(f"przerwań SIGKILL: {kills}, formularzy: {len(inputs)}")


def test_full_disk_leaves_the_input_waiting(settings: Settings, converter: Converter,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    path = settings.inbox / "plan.yaml"
    path.write_text(EXAMPLES[1], encoding="utf-8")
    monkeypatch.setenv("ASYSTA_TEST_AWARIA", "enospc")
    [outcome] = run(settings, converter, path)
    assert outcome.status == "pozostawiony"
    assert "brak miejsca na dysku" in str(outcome.problems[0])
    assert path.read_text(encoding="utf-8") == EXAMPLES[1]
    assert not list(settings.outbox.rglob("zal*"))
    assert [p for p in settings.outbox.rglob(".tmp-*")] == []
    monkeypatch.delenv("ASYSTA_TEST_AWARIA")
    [again] = run(settings, converter, path)
    assert again.status == "przyjety"
    log = journal.read(settings.outbox)
    assert [e["akcja"] for e in log] == ["tryb_testowy", "blad_zapisu", "przyjeto"]
    assert log[0]["zmienne"] == ["ASYSTA_TEST_AWARIA"]


def test_journal_names_an_active_test_variable_once(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASYSTA_TEST_AWARIA", raising=False)
    monkeypatch.delenv("ASYSTA_TEST_LO_HANG", raising=False)
    journal.log(tmp_path / "bez", "przyjeto", rodzina="K-1")
    assert [e["akcja"] for e in journal.read(tmp_path / "bez")] == ["przyjeto"]
    monkeypatch.setenv("ASYSTA_TEST_LO_HANG", "0001")
    for rodzina in ("K-1", "K-2"):
        journal.log(tmp_path / "z", "przyjeto", rodzina=rodzina)
    log = journal.read(tmp_path / "z")
    assert [e["akcja"] for e in log] == ["tryb_testowy", "przyjeto", "przyjeto"]
    assert log[0]["zmienne"] == ["ASYSTA_TEST_LO_HANG"]
    assert journal.verify(tmp_path / "z")[1] is None


def test_crash_run_journal_says_test_mode(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    _inputs(settings, 1)
    assert _watch_once(settings, "po_dzienniku") == -signal.SIGKILL
    [mode] = [e for e in journal.read(settings.outbox) if e["akcja"] == "tryb_testowy"]
    assert mode["zmienne"] == ["ASYSTA_TEST_AWARIA"]


def test_case_numbers_differing_only_in_case_are_refused(settings: Settings,
                                                         converter: Converter) -> None:
    first = settings.inbox / "a.yaml"
    first.write_text(EXAMPLES[1], encoding="utf-8")
    assert run(settings, converter, first)[0].status == "przyjety"
    second = settings.inbox / "b.yaml"
    second.write_text(EXAMPLES[2].replace("rodzina: K-2025-014", "rodzina: k-2025-014"), "utf-8")
    [outcome] = run(settings, converter, second)
    assert outcome.status == "odrzucony"
    assert "tylko wielkością liter" in str(outcome.problems[0])


def test_hard_link_into_the_inbox_is_refused(settings: Settings, converter: Converter,
                                             tmp_path: Path) -> None:
    outside = tmp_path / "poza.yaml"
    outside.write_text(EXAMPLES[1], encoding="utf-8")
    os.link(outside, settings.inbox / "link.yaml")
    [outcome] = run(settings, converter, settings.inbox / "link.yaml")
    assert outcome.status == "odrzucony" and "twarde dowiązanie" in str(outcome.problems[0])
    assert outside.read_text(encoding="utf-8") == EXAMPLES[1]


def test_leftovers_of_a_dead_process_are_swept(settings: Settings) -> None:
    from pipeline.core.fsutil import sweep

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    family = settings.outbox / "rodziny" / "K-1"
    family.mkdir(parents=True)
    (family / f".tmp-{dead.pid}-abc").write_bytes(b"half")
    (settings.outbox / f".przetwarzanie-{dead.pid}-x").mkdir()
    mine = settings.outbox / f".przetwarzanie-{os.getpid()}-y"
    mine.mkdir()
    assert sweep(settings.outbox) == 2
    assert mine.exists() and not (family / f".tmp-{dead.pid}-abc").exists()
    time.sleep(0)


def test_document_that_hangs_libreoffice_waits_then_goes_to_the_administrator(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The converter's documented hang hook: the batch's second DOCX (`0001.docx`) blocks
    LibreOffice. A machine fault, not the staff's: the form is tried alone on a fresh
    LibreOffice, then waits in the inbox (never `odrzucone/`); after `[stan] proby_konwersji`
    such failures it is set aside for the administrator; once LibreOffice works it is filed."""
    monkeypatch.setenv("ASYSTA_TEST_LO_HANG", "0001")
    settings = parse_config({"osrodek": OSRODEK, "przetwarzanie": {"konwersja_dokument_timeout_s": 3},
                             "stan": {"proby_konwersji": 2}}, tmp_path)
    settings.inbox.mkdir()
    paths = []
    for i in range(3):
        path = settings.inbox / f"f{i}.yaml"
        path.write_text(EXAMPLES[1].replace("rodzina: K-2025-014", f"rodzina: H-{i}"), "utf-8")
        os.chmod(path, 0o644)
        paths.append(path)
    original = EXAMPLES[1].replace("rodzina: K-2025-014", "rodzina: H-1")
    with Converter(document_timeout=3, workers=1) as converter:
        outcomes = run(settings, converter, *paths)
        assert sorted((o.name, o.status) for o in outcomes) == [
            ("f0.yaml", "przyjety"), ("f1.yaml", "pozostawiony"), ("f2.yaml", "przyjety")]
        [hung] = [o for o in outcomes if o.status == "pozostawiony"]
        assert "awaria LibreOffice (nie błąd pliku)" in str(hung.problems[0])
        assert paths[1].read_text("utf-8") == original
        assert not (settings.inbox / "odrzucone").exists()
        assert (settings.inbox / ".awarie-konwersji.json").is_file()  # one failure counted
    # the second time, alone in its batch (0000.docx: the hook, read by LibreOffice's worker
    # when it starts, follows)
    monkeypatch.setenv("ASYSTA_TEST_LO_HANG", "0000")
    with Converter(document_timeout=3, workers=1) as converter:
        [again] = run(settings, converter, paths[1])
    kept = settings.inbox / "awaria-konwersji"
    assert again.status == "pozostawiony" and again.rejected_to == kept / "f1.yaml"
    assert not paths[1].exists() and (kept / "f1.yaml").read_text("utf-8") == original
    assert (kept / "f1.yaml.docx").read_bytes().startswith(b"PK")
    note = (kept / "f1.yaml.txt").read_text("utf-8")
    assert "nie błąd pliku" in note and "Personel nie musi niczego poprawiać" in note
    for path in [kept, *kept.iterdir()]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600)
    log = [e for e in journal.read(settings.outbox) if e["akcja"] == "awaria_konwersji"]
    assert [(e["wynik"], e["proby"]) for e in log] == [
        ("pozostawiony", 1), ("odlozony_dla_administratora", 2)]
    assert not any(e["akcja"] == "odrzucono" for e in journal.read(settings.outbox))
    # the administrator fixed LibreOffice and moved the file back: it is filed
    monkeypatch.delenv("ASYSTA_TEST_LO_HANG")
    os.rename(kept / "f1.yaml", paths[1])
    with Converter(workers=1) as converter:
        [filed] = run(settings, converter, paths[1])
    assert filed.status == "przyjety"
    assert not (settings.inbox / ".awarie-konwersji.json").exists()
