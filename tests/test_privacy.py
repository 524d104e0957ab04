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
from conftest import copy_examples, example, make_settings, other_family, run

from pipeline.app.cli import main
from pipeline.app.privacy import expired
from pipeline.core import journal
from pipeline.core.config import Settings, parse_config
from pipeline.stages.convert import Converter

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
    calendars = list((archive.outbox / "kalendarze").glob("*.ics"))
    assert calendars and all(CASE not in p.read_text(encoding="utf-8") for p in calendars)
    assert _cli(archive, "usun", "K-NIE-MA", "--potwierdzam", "K-NIE-MA") == 2


def test_closed_cases_past_retention_are_listed(archive: Settings, converter: Converter) -> None:
    # the example case was closed by (12) on 30.04.2026; with 10 years it is kept until 2036
    assert expired(archive, date(2036, 4, 30)) == []
    [late] = expired(archive, date(2036, 5, 1))
    assert (late.rodzina, late.zakonczono, late.usunac_po) == (CASE, date(2026, 4, 30),
                                                               date(2036, 4, 30))
    short = parse_config({"terminy": {"przechowywanie_lat": 0}}, archive.inbox.parent)
    from pipeline.documents.overview import write_index

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


OTHER = "K-2025-099"



def test_delete_removes_every_copy_the_product_made(tmp_path: Path, converter: Converter,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    from pipeline.flow.raporty import Month, run_month

    settings = make_settings(tmp_path)
    outcomes = run(settings, converter, *copy_examples(settings), *other_family(settings))
    assert all(o.status == "przyjety" for o in outcomes)
    month = run_month(settings, converter, Month.parse("2025-04"), today=date(2025, 5, 4))
    assert month.combined and month.summary_pdf and month.summary_xlsx
    other_pages = len(PdfReader(str(next(r for r in month.reports
                                         if r.rodzina == OTHER).outcome.filed.pdf)).pages)
    pages_before = len(PdfReader(str(month.combined)).pages)
    assert _cli(settings, "eksport", CASE) == 0
    assert _cli(settings, "eksport", OTHER) == 0
    elsewhere = tmp_path / "pendrive" / f"{CASE}-wniosek.zip"
    elsewhere.parent.mkdir()
    assert _cli(settings, "eksport", CASE, "--do", str(elsewhere)) == 0
    capsys.readouterr()

    assert _cli(settings, "usun", CASE, "--potwierdzam", CASE) == 0
    out = capsys.readouterr().out
    exports = settings.outbox / "eksport"
    assert [p.name.startswith(f"{OTHER}_") for p in exports.iterdir()] == [True]
    # the combined PDF keeps only the other family's report and bookmarks
    reader = PdfReader(str(month.combined))
    assert len(reader.pages) == other_pages
    assert all(CASE not in (page.extract_text() or "") for page in reader.pages)
    assert [i.title if not isinstance(i, list) else [j.title.split(" – ")[0] for j in i]
            for i in reader.outline] == ["Tomasz Ślęzak", [OTHER]]
    assert stat.S_IMODE(month.combined.stat().st_mode) == 0o600
    print(f"wspólny PDF raportów: {pages_before} → {len(reader.pages)} stron")
    # what a person has to look at is named, with what to do
    assert "raporty/2025-04/zestawienie_2025-04.xlsx" in out
    assert "raporty/2025-04/zestawienie_2025-04.pdf" in out
    assert f"{CASE}-wniosek.zip" in out and "poza archiwum" in out
    for value in PERSONAL:
        assert value not in out
    entry = journal.read(settings.outbox)[-1]
    assert entry["akcja"] == "usunieto" and entry["konto"] == journal.runner()
    assert len(entry["usunieto_kopie"]) == 1 and entry["usunieto_kopie"][0].startswith(
        f"eksport/{CASE}_")
    assert entry["zmieniono"] == ["raporty/2025-04/raporty_2025-04.pdf"]
    assert "raporty/2025-04/zestawienie_2025-04.pdf" in entry["do_sprawdzenia"]
    log = (settings.outbox / "dziennik.jsonl").read_text(encoding="utf-8")
    for value in PERSONAL:
        assert value not in log
    assert journal.verify(settings.outbox)[1] is None


def test_exports_of_a_lookalike_case_number_stay(tmp_path: Path) -> None:
    """`K-1` never takes the export of case `K-1_2` (`K-1_2_…zip` also starts with `K-1_`)."""
    from pipeline.app.privacy import Deletion, _remove_exports

    settings = make_settings(tmp_path)
    folder = settings.outbox / "eksport"
    folder.mkdir(parents=True)
    for case in ("K-1", "K-1_2"):
        with zipfile.ZipFile(folder / f"{case}_2026-01-02_030405.zip", "w") as archive:
            archive.writestr(f"{case}/rejestr.json", "{}")
    with zipfile.ZipFile(folder / "K-1_2026-01-02_030406.zip", "w") as archive:
        archive.writestr("K-2/rejestr.json", "{}")  # named like K-1's, holds another family
    result = Deletion(0)
    _remove_exports(settings, "K-1", result)
    assert result.removed == ["eksport/K-1_2026-01-02_030405.zip"]
    assert sorted(p.name for p in folder.iterdir()) == ["K-1_2026-01-02_030406.zip",
                                                        "K-1_2_2026-01-02_030405.zip"]


def test_journal_names_the_owner_of_each_dropped_file(tmp_path: Path,
                                                      converter: Converter) -> None:
    """On a share each staff member's files belong to their account; the journal says whose
    form was filed or rejected (a uid without a name: its number)."""
    import pwd

    settings = make_settings(tmp_path)
    filed, rejected = copy_examples(settings, [1, 2])
    rejected.write_text(rejected.read_text("utf-8").replace("data: 2025-03-05", "data: 2025-13-05"),
                        encoding="utf-8")
    nobody = pwd.getpwnam("nobody").pw_uid
    unnamed = next(uid for uid in range(54321, 60000)
                   if all(u.pw_uid != uid for u in pwd.getpwall()))
    os.chown(filed, nobody, nobody)
    os.chown(rejected, unnamed, unnamed)
    statuses = {o.name: o.status for o in run(settings, converter, filed, rejected)}
    assert statuses == {"zal01.yaml": "przyjety", "zal02.yaml": "odrzucony"}
    entries = {e["plik"]: e for e in journal.read(settings.outbox) if e["plik"]}
    assert (entries["zal01.yaml"]["akcja"], entries["zal01.yaml"]["konto"]) == ("przyjeto", "nobody")
    assert (entries["zal02.yaml"]["akcja"], entries["zal02.yaml"]["konto"]) == (
        "odrzucono", str(unnamed))
    assert all("konto" in e for e in journal.read(settings.outbox))
