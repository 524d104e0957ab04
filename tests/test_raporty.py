"""Monthly reports in batch: contents from the visit and task data, the combined PDF with
bookmarks, the kierownik's summary, versions on a second run, one failure not stopping
the rest."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_examples, docx_text, make_settings, other_family, pdf_text, run, squash
from openpyxl import load_workbook
from pypdf import PdfReader

from pipeline.app.cli import main
from pipeline.core.config import Settings
from pipeline.documents import zestawienie
from pipeline.flow.raporty import BatchResult, Month, run_month
from pipeline.sprawa.register import Register
from pipeline.stages.convert import Converter

CASE = "K-2025-014"
OTHER = "K-2025-099"
TODAY = date(2025, 5, 4)


@pytest.fixture(scope="module")
def april(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> tuple[Settings, BatchResult]:
    settings = make_settings(tmp_path_factory.mktemp("raporty"))
    outcomes = run(settings, converter, *copy_examples(settings), *other_family(settings))
    assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
    return settings, run_month(settings, converter, Month.parse("2025-04"), today=TODAY)


def test_the_assistants_own_report_stands(april: tuple[Settings, BatchResult]) -> None:
    """Issue 19: one report per family and month. The assistant filed April's report (the
    example 14): nothing is generated over it, it goes into the combined PDF as filed."""
    settings, result = april
    report = next(r for r in result.reports if r.rodzina == CASE)
    assert report.wlasny and report.outcome is None and not report.error
    assert report.pdf and report.pdf.name == "zal14_2025-05-05_raport-miesieczny.pdf"
    values = report.values
    assert (values["liczba_wizyt"], values["liczba_godzin"], values["liczba_kontaktow"]) == (
        5, 14.5, 4)
    register = Register.load(settings.outbox / "rodziny" / CASE)
    assert [e.pdf for e in register.entries if e.zalacznik == 14] == [report.pdf.name]
    pdf = squash(pdf_text(report.pdf))
    assert squash("W kwietniu zakończyłam diagnozę") in pdf


def test_a_family_without_visits_gets_a_report_that_says_so(april: tuple[Settings, BatchResult]) -> None:
    settings, result = april
    report = next(r for r in result.reports if r.rodzina == OTHER)  # its visits are in May
    assert report.values["liczba_wizyt"] == 0
    text = docx_text(report.outcome.filed.docx)
    assert "W kwietniu 2025\u00a0r. nie odnotowano żadnej wizyty w rodzinie." in text
    assert "opis asystenta za ten miesiąc nie wpłynął" in text


def test_combined_pdf_has_a_bookmark_per_assistant_and_family(april: tuple[Settings, BatchResult]) -> None:
    settings, result = april
    assert result.combined == settings.outbox / "raporty" / "2025-04" / "raporty_2025-04.pdf"
    reader = PdfReader(str(result.combined))
    outline = reader.outline
    titles = [item.title for item in outline if not isinstance(item, list)]
    assert titles == ["Katarzyna Żak", "Tomasz Ślęzak"]
    families = [[i.title for i in item] for item in outline if isinstance(item, list)]
    # the first family's names come from the assistant's own report, the other's
    # from the assignment (1)
    assert families == [[f"{CASE} – Agnieszka i Łukasz Wójcik"],
                        [f"{OTHER} – Agnieszka Wójcik, Łukasz Wójcik"]]
    first = reader.get_destination_page_number(outline[1][0])
    second = reader.get_destination_page_number(outline[3][0])
    assert first == 0 and second > first
    assert CASE in reader.pages[first].extract_text()
    assert OTHER in reader.pages[second].extract_text()
    assert len(reader.pages) == sum(
        len(PdfReader(str(r.pdf)).pages) for r in result.reports)


def test_summary_for_the_kierownik_as_pdf_and_xlsx(april: tuple[Settings, BatchResult]) -> None:
    settings, result = april
    sheet = load_workbook(result.summary_xlsx).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:7] == ["Asystent rodziny", "Nr sprawy", "Etap", "Wizyty", "Godziny",
                           "Kontakty z instytucjami", "Zaległe dokumenty"]
    assert rows[0][8] == "Raport"
    # the assistant's own report: its figures; the other family's was made by the program
    assert rows[1][:6] == ["Katarzyna Żak", CASE, "diagnoza i plan pracy", 5, 14.5, 4]
    assert rows[1][8] == "złożony przez asystenta"
    assert rows[2][:4] == ["Tomasz Ślęzak", OTHER, "współpraca", 0]
    assert rows[2][7] == "brak wizyt" and rows[2][8] == "wygenerowany"
    overdue = json.loads((settings.outbox / "rodziny" / CASE / "checklista.json").read_text("utf-8"))
    assert rows[1][6] == sum(1 for i in overdue["pozycje"] if i["status"] in ("brak", "po_terminie"))
    text = squash(pdf_text(result.summary_pdf))
    assert "ZESTAWIENIE MIESIĘCZNYCH RAPORTÓW" in text
    assert "za kwiecień 2025 r." in text.replace("\u00a0", " ")
    assert "2025-04" not in text  # the month in words
    assert "Katarzyna Żak" in text and "Tomasz Ślęzak" in text and "14,5" in text


def test_running_the_month_again_replaces_nothing(april: tuple[Settings, BatchResult],
                                                  converter: Converter) -> None:
    settings, first = april
    before = first.combined.read_bytes()
    again = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    made = [r for r in again.reports if not r.wlasny]
    assert [r.rodzina for r in made] == [OTHER]
    assert {r.outcome.status for r in made} == {"duplikat"}  # same data, same day
    assert first.combined.read_bytes() == before
    assert again.combined.name in ("raporty_2025-04.pdf", "raporty_2025-04_v2.pdf")
    later = run_month(settings, converter, Month.parse("2025-04"), today=date(2025, 5, 6))
    assert {r.outcome.status for r in later.reports if not r.wlasny} == {"przyjety"}
    # the made report anew: a new version of the month's one report, never a second report
    names = sorted(p.name for p in (settings.outbox / "rodziny" / OTHER).glob("zal14_*.pdf"))
    assert names == ["zal14_2025-05-04_raport-miesieczny.pdf",
                     "zal14_2025-05-06_raport-miesieczny_v2.pdf"]
    [current] = Register.load(settings.outbox / "rodziny" / OTHER).for_month("2025-04")
    assert (current.wersja, current.pdf) == (2, names[1])
    # the assistant's own report is never made over
    assert [p.name for p in (settings.outbox / "rodziny" / CASE).glob("zal14_*.pdf")] == [
        "zal14_2025-05-05_raport-miesieczny.pdf"]


def test_one_family_that_fails_never_stops_the_rest(tmp_path: Path, converter: Converter,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(tmp_path)
    run(settings, converter, *copy_examples(settings, [1, 2, 3, 5, 6, 8]))
    broken = settings.outbox / "rodziny" / "ZEPSUTA"
    broken.mkdir()
    (broken / "rejestr.json").write_text("{nie json", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code = main(["--inbox", str(settings.inbox), "--outbox", str(settings.outbox),
                 "raporty", "--miesiac", "2025-04"])
    out = capsys.readouterr().out
    assert code == 1
    assert "nie udało się: 1" in out and "ZEPSUTA" in out
    assert (settings.outbox / "raporty" / "2025-04" / "raporty_2025-04.pdf").exists()
    assert list((settings.outbox / "rodziny" / CASE).glob("zal14_*.pdf"))


def test_without_pdfunite_and_pdftk_the_bookmarks_are_the_same(
        april: tuple[Settings, BatchResult], tmp_path: Path) -> None:
    from pipeline.documents.raporty import _outline, report_pdf
    from pipeline.pdf.join import join
    from pipeline.pdf.pdfa import PdfMeta

    settings, result = april
    parts, page = [], 0
    for report in sorted(result.reports, key=lambda r: (r.asystent.casefold(), r.rodzina)):
        pdf = report.pdf if report.wlasny else report_pdf(settings, report)
        parts.append((report, pdf, page))
        page += len(PdfReader(str(pdf)).pages)
    join([pdf for _, pdf, _ in parts], tmp_path / "razem.pdf", PdfMeta("Razem"), _outline(parts))
    reader = PdfReader(tmp_path / "razem.pdf")
    flat = []
    for item in reader.outline:
        if isinstance(item, list):
            flat += [(2, i.title, reader.get_destination_page_number(i)) for i in item]
        else:
            flat.append((1, item.title, reader.get_destination_page_number(item)))
    assert flat == _outline(parts)
    assert len(reader.pages) == page


def test_a_damaged_earlier_report_pdf_is_named_not_skipped(tmp_path: Path, converter: Converter) -> None:
    settings = make_settings(tmp_path)
    run(settings, converter, *copy_examples(settings, [1, 2, 3, 5, 6, 8]))
    first = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    [report] = [r for r in first.reports if r.rodzina == CASE]
    report.outcome.filed.pdf.write_bytes(b"%PDF-1.6\nuszkodzony")  # damaged after filing
    again = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    [damaged] = [r for r in again.reports if r.rodzina == CASE]
    assert damaged.outcome.status == "duplikat"
    assert damaged.error and "nie można odczytać PDF raportu" in damaged.error
    assert damaged in again.failed
    rows = [[c.value for c in row] for row in load_workbook(again.summary_xlsx).active.iter_rows()]
    assert any(row[1] == CASE and str(row[7]).startswith("błąd:") for row in rows)


def test_a_month_on_an_outbox_not_yet_made_is_no_traceback(tmp_path: Path, converter: Converter) -> None:
    """A new centre runs raporty before anything was filed: no families, no crash."""
    settings = make_settings(tmp_path)
    assert not settings.outbox.exists()
    result = run_month(settings, converter, Month.parse("2025-04"), today=date(2025, 5, 10))
    assert result.reports == [] and not result.failed
    assert settings.outbox.is_dir() and (settings.outbox.stat().st_mode & 0o777) == 0o700


def test_a_report_filed_after_a_made_one_replaces_it(tmp_path: Path, converter: Converter) -> None:
    """Issue 19: the program made April's report on 4 May; the assistant's own comes on 5 May.
    It is the month's report from then on, as the next version of the same document: the
    register, the checklist, the next run and the summary all show one report for April."""
    from pipeline.documents.overview import checklist_for
    from pipeline.sprawa.case import generated

    settings = make_settings(tmp_path)
    run(settings, converter, *copy_examples(settings, [1, 2, 3, 5, 6, 8]))
    first = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    [made] = [r for r in first.reports if r.rodzina == CASE]
    assert not made.wlasny and made.outcome.status == "przyjety"
    folder = settings.outbox / "rodziny" / CASE
    [entry] = Register.load(folder).for_month("2025-04")
    assert generated(entry) and entry.wersja == 1
    [own] = run(settings, converter, *copy_examples(settings, [14]))
    assert own.status == "przyjety" and own.filed.version == 2
    [current] = Register.load(folder).for_month("2025-04")
    assert not generated(current) and current.pdf == "zal14_2025-05-05_raport-miesieczny_v2.pdf"
    assert len([e for e in Register.load(folder).current() if e.zalacznik == 14]) == 1
    checklist = checklist_for(settings.outbox, CASE, date(2025, 5, 20), settings)
    april = [i for i in checklist.pozycje if i.zalacznik == 14 and i.okres == "2025-04"]
    assert [(i.status, i.plik) for i in april] == [("jest", current.pdf)]  # counted from 4 May
    again = run_month(settings, converter, Month.parse("2025-04"), today=date(2025, 5, 6))
    [report] = [r for r in again.reports if r.rodzina == CASE]
    assert report.wlasny and report.outcome is None and report.pdf == folder / current.pdf
    rows = [[c.value for c in row] for row in load_workbook(again.summary_xlsx).active.iter_rows()]
    assert [row[8] for row in rows if row[1] == CASE] == ["złożony przez asystenta"]


def _summary_rows(settings: Settings, result: BatchResult) -> list[list[object]]:
    sheet = load_workbook(result.summary_xlsx).active
    return [[c.value for c in row] for row in sheet.iter_rows()][1:]


def _overdue(settings: Settings, rodzina: str) -> int:
    checklist = json.loads((settings.outbox / "rodziny" / rodzina / "checklista.json")
                           .read_text("utf-8"))
    return sum(1 for i in checklist["pozycje"] if i["status"] in ("brak", "po_terminie"))


def _counting_make(monkeypatch: pytest.MonkeyPatch) -> list[list[dict[str, object]]]:
    """Every summary made (its rows), the real one made each time."""
    made: list[list[dict[str, object]]] = []
    real = zestawienie.make

    def counted(*args: object, **kwargs: object) -> zestawienie.Made:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        made.append(result.table)
        return result

    monkeypatch.setattr(zestawienie, "make", counted)
    return made


def test_the_summary_is_made_once_while_the_reports_convert(
        tmp_path: Path, converter: Converter, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: the summary is made from the counts the checklists will show once the
    reports are filed, while LibreOffice converts the reports; when every count comes out
    as expected, that summary is the one filed (not made a second time after the batch)."""
    settings = make_settings(tmp_path)
    run(settings, converter, *copy_examples(settings), *other_family(settings))
    made = _counting_make(monkeypatch)
    result = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    assert len(made) == 1
    rows = _summary_rows(settings, result)
    assert [(r[1], r[6]) for r in rows] == [(CASE, _overdue(settings, CASE)),
                                            (OTHER, _overdue(settings, OTHER))]
    assert _overdue(settings, OTHER) > 0  # a count that is not trivially zero


def test_a_count_other_than_expected_makes_the_summary_anew(
        tmp_path: Path, converter: Converter, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a family's count after filing differs from the one expected (here the
    expectation is made wrong on purpose), the summary filed shows the checklists' counts."""
    from pipeline.documents import raporty

    settings = make_settings(tmp_path)
    run(settings, converter, *copy_examples(settings), *other_family(settings))
    made = _counting_make(monkeypatch)
    real = raporty.expected_overdue
    monkeypatch.setattr(raporty, "expected_overdue",
                        lambda s, register, report, today: real(s, register, report, today) + 7)
    result = run_month(settings, converter, Month.parse("2025-04"), today=TODAY)
    assert len(made) == 2
    assert [r["zaleglosci"] for r in made[0]] == [_overdue(settings, CASE) + 7,
                                                  _overdue(settings, OTHER) + 7]
    rows = _summary_rows(settings, result)
    assert [(r[1], r[6]) for r in rows] == [(CASE, _overdue(settings, CASE)),
                                            (OTHER, _overdue(settings, OTHER))]
    assert result.summary_pdf.name == "zestawienie_2025-04.pdf"  # one version: the right one


def test_the_combined_pdf_takes_each_report_as_it_is_filed(
        april: tuple[Settings, BatchResult], tmp_path: Path) -> None:
    """Issue 24: the combined PDF is joined while the batch converts: `combined` asks for each
    report, in its order, once it is filed (here: the made one fails meanwhile) and leaves a
    failed one out, bookmarks and all."""
    import dataclasses
    import shutil

    from pipeline.documents.raporty import combined

    settings, result = april
    outbox = tmp_path / "outbox"
    shutil.copytree(settings.outbox, outbox)
    mine = dataclasses.replace(settings, foldery=dataclasses.replace(settings.foldery, outbox=outbox))
    copy = BatchResult(result.month, [dataclasses.replace(r) for r in result.reports])
    asked: list[str] = []

    def filed(report: object) -> None:
        asked.append(report.rodzina)  # type: ignore[attr-defined]
        if report.rodzina == OTHER:  # type: ignore[attr-defined]
            report.error = "konwersja nie powiodła się"  # type: ignore[attr-defined]

    combined(mine, copy, filed)
    assert asked == [CASE, OTHER]  # the combined order: assistant, then case number
    reader = PdfReader(str(copy.combined))
    assert [item.title for item in reader.outline if not isinstance(item, list)] == ["Katarzyna Żak"]
    own = next(r for r in result.reports if r.rodzina == CASE)
    assert len(reader.pages) == own.pages == len(PdfReader(str(own.pdf)).pages)
