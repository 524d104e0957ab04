"""The family register (`pipeline/sprawa/register.py`): a register written by the current version
loads unchanged, every feature reads the same documents from it as before, and a damaged
one is a Polish sentence naming the family, never a traceback.

`tests/samples/archiwum/` was made by the pipeline as it was before the register module
(`asysta przetworz` on the examples 1, 2, 3, 6 (twice: `_v2`), 8 and 14, and example 1 for
a second family): its two `rejestr.json`, the checklists that code computed
(`checklista_2025-06-01.json`, `asysta checklista --na-dzien 2025-06-01 --json`) and, in
`oczekiwane.json`, what its binder, monthly reports and pre-filled forms read from them."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import example, make_settings, run

from pipeline.app.cli import main
from pipeline.core.errors import RegisterError
from pipeline.documents.raport_miesieczny import Month, build_values, own_report
from pipeline.forms import known_values
from pipeline.sprawa.checklist import compute
from pipeline.sprawa.register import REGISTER_NAME, Entry, Register, families, family_dir
from pipeline.stages.convert import Converter

FIXTURE = Path(__file__).parent / "samples" / "archiwum"
CASES = ("K-2025-014", "K-2026-003")
EXPECTED = json.loads((FIXTURE / "oczekiwane.json").read_text(encoding="utf-8"))


@pytest.fixture
def archive(tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path)
    shutil.copytree(FIXTURE, settings.outbox)
    return settings


@pytest.mark.parametrize("case", CASES)
def test_a_register_of_the_current_version_loads_and_writes_back_unchanged(case: str) -> None:
    folder = FIXTURE / "rodziny" / case
    register = Register.load(folder)
    assert register.rodzina == case and register.entries
    assert register.to_bytes() == (folder / REGISTER_NAME).read_bytes()
    raw = json.loads((folder / REGISTER_NAME).read_text(encoding="utf-8"))["dokumenty"]
    assert [e.to_json() for e in register.entries] == raw
    assert all(not e.extra for e in register.entries)  # every key is a known field


@pytest.mark.parametrize("case", CASES)
def test_the_checklist_from_the_register_is_the_one_the_earlier_code_made(case: str) -> None:
    folder = FIXTURE / "rodziny" / case
    made = json.loads((folder / "checklista_2025-06-01.json").read_text(encoding="utf-8"))
    settings = make_settings(FIXTURE.parent)  # only the default deadlines are read
    fresh = compute(case, Register.load(folder), date(2025, 6, 1), settings.terminy).to_json()
    assert fresh == made


@pytest.mark.parametrize("case", CASES)
def test_binder_reports_and_forms_read_what_they_read_before(archive, case: str) -> None:  # type: ignore[no-untyped-def]
    expected = EXPECTED[case]
    current = Register.load(family_dir(archive.outbox, case)).current()
    assert [[e.zalacznik, e.data.isoformat(), e.wersja] for e in current] == expected["teczka"]
    register = Register.load(family_dir(archive.outbox, case))
    for month, values in expected["raporty"].items():
        if own_report(register, Month.parse(month)) is not None:
            # issue 19: the assistant's own report stands; nothing is made (or merged) over it
            assert month == "2025-04" and case == "K-2025-014"
            continue
        assert build_values(register, Month.parse(month), archive, date(2025, 6, 2)) == values
    assert known_values(archive.outbox, case) == expected["formularze"]


def test_families_are_the_folders_with_a_register(archive) -> None:  # type: ignore[no-untyped-def]
    (archive.outbox / "rodziny" / "bez-rejestru").mkdir()
    assert families(archive.outbox) == list(CASES)
    assert families(archive.outbox / "nie-ma") == []


def test_find_by_hash_and_the_newest_version() -> None:
    register = Register.load(FIXTURE / "rodziny" / "K-2025-014")
    plans = [e for e in register.entries if e.zalacznik == 6]
    assert [p.wersja for p in plans] == [1, 2]
    assert register.find(plans[0].sha256) == plans[0]
    assert register.find("0" * 64) is None
    assert [e for e in register.current() if e.zalacznik == 6] == [plans[1]]
    assert register.newest(6) == plans[1] and register.newest(6, date(2025, 4, 9)) is None
    assert [e.data for e in register.for_month("2025-04")] == [date(2025, 5, 5)]
    assert register.for_month("2025-03") == []


def entry(n: int, day: str, wersja: int = 1, **dane: object) -> Entry:
    return Entry(n, date.fromisoformat(day), wersja, f"{n}-{day}-{wersja}.pdf", dane=dane)


def test_monthly_reports_of_two_months_filed_the_same_day_are_two_documents() -> None:
    """`asysta raporty` for March and for April on one day: `_v2` is April's report, not a
    new version of March's; a corrected report of the same month is."""
    register = Register("K-1", (entry(14, "2025-05-05", 1, miesiac="2025-03"),
                                entry(14, "2025-05-05", 2, miesiac="2025-04"),
                                entry(14, "2025-05-05", 3, miesiac="2025-04")))
    assert [(e.dane["miesiac"], e.wersja) for e in register.current()] == [("2025-03", 1),
                                                                          ("2025-04", 3)]
    assert [e.wersja for e in register.for_month("2025-04")] == [3]


def test_keys_of_a_later_version_are_kept_when_the_archive_writes(tmp_path: Path) -> None:
    folder = tmp_path / "K-1"
    folder.mkdir()
    raw = {"rodzina": "K-1", "dokumenty": [{**entry(1, "2025-03-03").to_json(),
                                            "podpis": {"skan": "a.pdf"}}], "wersja_rejestru": 2}
    (folder / REGISTER_NAME).write_text(json.dumps(raw), encoding="utf-8")
    register = Register.load(folder).with_entry(Entry(8, date(2025, 4, 1), 1, "b.pdf",
                                                      plik_zrodlowy="b.yaml"))
    written = json.loads(register.to_bytes())
    assert written["wersja_rejestru"] == 2
    assert written["dokumenty"][0]["podpis"] == {"skan": "a.pdf"}
    assert [e["zalacznik"] for e in written["dokumenty"]] == [1, 8]


DAMAGED = {
    "not JSON": b"{nie json",
    "not UTF-8": b'{"dokumenty": ["\xff"]}',
    "a list": b"[]",
    "documents not a list": b'{"dokumenty": {}}',
    "entry not an object": b'{"dokumenty": [1]}',
    "no date": b'{"dokumenty": [{"zalacznik": 1, "wersja": 1, "pdf": "a.pdf"}]}',
    "not a date": b'{"dokumenty": [{"zalacznik": 1, "data": "3 marca", "wersja": 1, '
                  b'"pdf": "a.pdf"}]}',
    "version as text": b'{"dokumenty": [{"zalacznik": 1, "data": "2025-03-03", "wersja": "1", '
                       b'"pdf": "a.pdf"}]}',
    "values not an object": b'{"dokumenty": [{"zalacznik": 1, "data": "2025-03-03", '
                            b'"wersja": 1, "pdf": "a.pdf", "dane": []}]}',
}


@pytest.mark.parametrize("damage", DAMAGED)
def test_a_damaged_register_is_one_polish_error_naming_the_family(tmp_path: Path,
                                                                   damage: str) -> None:
    folder = tmp_path / "K-2025-099"
    folder.mkdir()
    (folder / REGISTER_NAME).write_bytes(DAMAGED[damage])
    with pytest.raises(RegisterError) as caught:
        Register.load(folder)
    message = str(caught.value)
    assert "rodziny K-2025-099" in message and "rejestr.json" in message
    assert "uszkodzony" in message and caught.value.__cause__ is None


def test_a_damaged_register_in_the_cli_is_a_sentence_not_a_traceback(
        archive, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    register = family_dir(archive.outbox, "K-2026-003") / REGISTER_NAME
    register.write_text('{"dokumenty": [{"zalacznik": 1}]}', encoding="utf-8")
    code = main(["--inbox", str(archive.inbox), "--outbox", str(archive.outbox),
                 "formularze", "--rodzina", "K-2026-003", "--katalog", str(archive.outbox.parent / "f")])
    captured = capsys.readouterr()
    assert code != 0
    text = captured.out + captured.err
    assert "rejestr dokumentów rodziny K-2026-003 (rejestr.json) jest uszkodzony" in text
    assert "Traceback" not in text


def test_case_numbers_differing_only_in_case_in_one_batch_are_refused(
        tmp_path: Path, converter: Converter) -> None:
    """The preflight checks run again just before filing: the first form of the batch made
    the family's folder, so the second, whose case number differs only in letter case, is
    refused instead of making a second folder (the same one on a Windows share)."""
    settings = make_settings(tmp_path)
    first, second = settings.inbox / "a.yaml", settings.inbox / "b.yaml"
    shutil.copyfile(example(1), first)
    second.write_text(example(2).read_text(encoding="utf-8")
                      .replace("rodzina: K-2025-014", "rodzina: k-2025-014"), encoding="utf-8")
    outcomes = run(settings, converter, first, second)
    assert [o.status for o in outcomes] == ["przyjety", "odrzucony"]
    assert "tylko wielkością liter" in str(outcomes[1].problems[0])
    assert [p.name for p in (settings.outbox / "rodziny").iterdir()] == ["K-2025-014"]
