"""Data protection: export and deletion of a family's files, retention, private modes,
no personal data on the terminal or in the log."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_examples, example, make_settings, run

from pipeline import journal
from pipeline.cli import main
from pipeline.config import Settings, parse_config
from pipeline.convert import Converter
from pipeline.privacy import expired

CASE = "K-2025-014"
PERSONAL = ("Wójcik", "Agnieszka", "Źródlana", "91031412362")


@pytest.fixture
def archive(tmp_path: Path, converter: Converter) -> Settings:
    settings = make_settings(tmp_path)
    assert all(o.status == "przyjety"
               for o in run(settings, converter, *copy_examples(settings, [1, 2, 3, 10, 11, 12])))
    return settings


def _cli(settings: Settings, *args: str) -> int:
    return main(["--inbox", str(settings.inbox), "--outbox", str(settings.outbox), *args])


def test_export_holds_everything_and_is_logged(archive: Settings,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(archive, "eksport", CASE) == 0
    out = capsys.readouterr().out
    for value in PERSONAL:
        assert value not in out
    [zip_path] = (archive.outbox / "eksport").glob(f"{CASE}_*.zip")
    assert stat.S_IMODE(zip_path.stat().st_mode) == 0o600
    names = zipfile.ZipFile(zip_path).namelist()
    folder = archive.outbox / "rodziny" / CASE
    expected = sorted(f"{CASE}/{p.name}" for p in folder.iterdir() if not p.name.startswith("."))
    assert sorted(names) == expected
    assert f"{CASE}/zal01_2025-03-03_przydzielenie-asystenta.yaml" in names
    entry = journal.read(archive.outbox)[-1]
    assert (entry["akcja"], entry["rodzina"], entry["plikow"]) == ("eksport", CASE, len(names))


def test_delete_needs_confirmation_and_is_logged(archive: Settings,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "K-2025-999")
    assert _cli(archive, "usun", CASE) == 1
    assert (archive.outbox / "rodziny" / CASE).is_dir()
    monkeypatch.setattr("builtins.input", lambda prompt: CASE)
    assert _cli(archive, "usun", CASE) == 0
    assert not (archive.outbox / "rodziny" / CASE).exists()
    entry = journal.read(archive.outbox)[-1]
    assert (entry["akcja"], entry["rodzina"], entry["wynik"]) == ("usunieto", CASE, "wykonano")
    assert journal.verify(archive.outbox)[1] is None
    assert CASE not in (archive.outbox / "index.html").read_text(encoding="utf-8")
    assert _cli(archive, "usun", "K-NIE-MA", "--potwierdzam", "K-NIE-MA") == 2


def test_closed_cases_past_retention_are_listed(archive: Settings, converter: Converter) -> None:
    # the example case was closed by (12) on 30.04.2026; with 10 years it is kept until 2036
    assert expired(archive, date(2036, 4, 30)) == []
    [late] = expired(archive, date(2036, 5, 1))
    assert (late.rodzina, late.zakonczono, late.usunac_po) == (CASE, date(2026, 4, 30),
                                                               date(2036, 4, 30))
    short = parse_config({"terminy": {"przechowywanie_lat": 0}}, archive.inbox.parent)
    from pipeline.overview import write_index

    page = write_index(short, date(2026, 5, 1)).read_text(encoding="utf-8")
    assert f'data-do-usuniecia="{CASE}"' in page


def test_journal_check_names_the_first_broken_entry(archive: Settings,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(archive, "sprawdz", "--dziennik") == 0
    path = archive.outbox / "dziennik.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace('"przyjety"', '"odrzucony"')
    path.write_text("".join(lines), encoding="utf-8")
    capsys.readouterr()
    assert _cli(archive, "sprawdz", "--dziennik") == 1
    assert "pierwszy naruszony wpis to wiersz 4" in capsys.readouterr().out


def test_archive_modes_with_a_permissive_umask(tmp_path: Path, converter: Converter) -> None:
    old = os.umask(0o000)
    try:
        settings = make_settings(tmp_path)
        run(settings, converter, *copy_examples(settings, [1]))
    finally:
        os.umask(old)
    for path in settings.outbox.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_rejections_and_terminal_hold_no_values(tmp_path: Path, converter: Converter,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path)
    bad = example(1).read_text(encoding="utf-8").replace('"91031412362"', '"91031412363"')
    bad = bad.replace("data_wniosku: 2025-02-26", "data_wniosku: 2025-02-31")
    (settings.inbox / "zly.yaml").write_text(bad, encoding="utf-8")
    assert _cli(settings, "przetworz", str(settings.inbox / "zly.yaml")) == 1
    out = capsys.readouterr()
    for value in (*PERSONAL, "91031412363", "2025-02-31"):
        assert value not in out.out + out.err
        assert value not in (settings.outbox / "dziennik.jsonl").read_text(encoding="utf-8")
        assert value not in (settings.inbox / "odrzucone" / "zly.yaml.txt").read_text("utf-8")
    log = [json.loads(line) for line in
           (settings.outbox / "dziennik.jsonl").read_text(encoding="utf-8").splitlines()]
    assert log[-1]["pola"] == ["czlonkowie[1].pesel", "data_wniosku"]
