"""The half-yearly figures (`asysta sprawozdanie`) on a generated half-year of 30 families with
hand-counted answers, their XLSX and PDF through the command, and the report for the family
court (`asysta sad`) checked against the period's documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, copy_examples, docx_text, make_settings, pdf_text, run, squash
from openpyxl import load_workbook

from pipeline.app.cli import main
from pipeline.core.config import Settings, parse_config
from pipeline.documents.sprawozdanie import compute, half_year, whole_year
from pipeline.sprawa.register import Entry, Register, family_dir
from pipeline.stages.convert import Converter

A, B, C, D, E = "Anna Nowak", "Beata Lis", "Cezary Mróz", "Dorota Kot", "Edyta Sowa"
_numbers = count(1)


def _kid(name: str, born: str | None, pesel: str | None = None,
         relation: str = "syn") -> dict[str, Any]:
    return {"imie_nazwisko": name, "pokrewienstwo": relation, "data_urodzenia": born,
            "pesel": pesel}


MOTHER = {"imie_nazwisko": "Maria Testowa", "pokrewienstwo": "matka",
          "data_urodzenia": "1990-01-01", "pesel": None}


def kids(n: int, family: str) -> list[dict[str, Any]]:
    return [_kid(f"Dziecko{i} {family}", f"2015-0{i + 1}-01") for i in range(n)]


def e(n: int, day: str, rodzaj: str = "", wersja: int = 1, **dane: Any) -> Entry:
    return Entry(n, date.fromisoformat(day), wersja, pdf=f"d{next(_numbers)}.pdf",
                 plik_zrodlowy=f"s{next(_numbers)}.yaml", dane=dane, rodzaj=rodzaj)


def a1(day: str, asystent: str, children: list[dict[str, Any]], *, court: bool = False,
       zz: bool = False, wersja: int = 1) -> Entry:
    return e(1, day, wersja=wersja, asystent=asystent, postanowienie_sadu=court, za_zyciem=zz,
             czlonkowie=[MOTHER, *children])


def closing(day: str, powod: str) -> Entry:
    return e(0, day, "zakonczenie", data=day, asystent="", powod=powod, opis="",
             sad_poinformowany=False)


def refusal(day: str) -> Entry:
    return e(3, day, oswiadczenie="nie wyrażamy zgody na współpracę z asystentem rodziny")


def consent(day: str) -> Entry:
    return e(3, day, oswiadczenie="wyrażamy zgodę na współpracę z asystentem rodziny")


BRAK, REZ = "brak współpracy rodziny", "rezygnacja rodziny złożona pisemnie"
X, Y = _kid("Zofia Dwucyklowa", "2014-05-05", "14250512345", "córka"), \
    _kid("Jan Dwucyklowy", "2016-07-07", "16270712345")
PESEL_ONLY = [_kid("Ola Peselowa", None, "18210112340", "córka"),
              _kid("Adam Peselowy", None, "19310112345")]


def half_year_2026() -> list[Register]:
    """30 families around the first half of 2026 (1 January – 30 June); each line says what it
    tests. Assistants A, B, C work in the period; D and E only before it."""
    f: dict[str, list[Entry]] = {
        "F01": [a1("2025-03-01", A, kids(2, "F01")), consent("2025-03-08")],
        "F02": [a1("2024-01-10", A, kids(1, "F02"))],
        "F03": [a1("2026-02-01", A, kids(3, "F03"))],
        "F04": [a1("2025-09-01", A, kids(2, "F04"), court=True)],
        "F05": [a1("2025-11-01", B, kids(1, "F05"), zz=True)],
        "F06": [a1("2025-05-01", B, kids(1, "F06")), closing("2026-03-15", BRAK)],
        "F07": [a1("2024-06-01", B, kids(2, "F07")), closing("2026-04-30", REZ)],
        "F08": [a1("2025-08-01", B, kids(2, "F08")),
                closing("2026-06-30", "zmiana miejsca zamieszkania poza gminę")],  # the last day
        "F09": [a1("2025-02-01", C, kids(1, "F09")), closing("2026-01-01", "inny powód")],  # first
        "F10": [a1("2026-03-02", C, kids(2, "F10")), refusal("2026-03-10")],
        "F11": [a1("2024-09-01", C, kids(2, "F11")), e(10, "2025-12-01"), e(12, "2026-05-20")],
        # re-enrolled: (13) in January, a new assignment in February with a newborn; X and Y once
        "F12": [a1("2024-03-01", C, [X, Y]), e(10, "2025-06-01"), e(13, "2026-01-20"),
                a1("2026-02-02", A, [X, Y, _kid("Niemowlę Dwucyklowe", "2026-01-03")]),
                e(4, "2026-02-10", czlonkowie=[MOTHER, X, Y])],
        "F13": [a1("2023-01-10", D, kids(2, "F13")), e(10, "2024-06-01"), e(12, "2024-12-15")],
        "F14": [a1("2026-07-01", A, kids(1, "F14"))],  # assigned after the period
        "F15": [a1("2026-06-30", B, kids(1, "F15"))],  # assigned on its last day
        "F16": [a1("2025-01-01", E, kids(3, "F16")), closing("2025-12-31", BRAK)],  # the day before
        "F17": [a1("2025-06-01", A, kids(2, "F17"), court=True), closing("2026-02-15", BRAK)],
        "F18": [a1("2023-06-01", A, kids(1, "F18"))],
        "F19": [a1("2024-05-01", B, kids(2, "F19")), e(10, "2026-01-15")],  # in monitoring
        # the card (4) names a second child the assignment did not
        "F20": [a1("2025-12-01", B, kids(1, "F20"), zz=True),
                e(4, "2026-01-10", czlonkowie=[MOTHER, *kids(1, "F20"),
                                               _kid("Noworodek F20", "2025-12-20", None, "córka")])],
        "F21": [a1("2026-01-05", C, [], zz=True)],  # a pregnant mother, no child yet
        "F22": [a1("2025-04-01", C, kids(2, "F22")), closing("2026-06-01", "osiągnięcie celów planu")],
        # two endings in the period: counted once, with the later reason
        "F23": [a1("2025-10-01", A, kids(1, "F23")), closing("2026-01-31", REZ),
                a1("2026-03-02", A, kids(1, "F23")), closing("2026-05-29", BRAK)],
        # a change of assistant: a new assignment without a closing
        "F24": [a1("2025-01-15", B, kids(2, "F24")), a1("2026-04-01", C, kids(2, "F24"))],
        # a corrected assignment (v2) lists three children, not two
        "F25": [a1("2025-07-01", A, kids(2, "F25")), a1("2025-07-01", A, kids(3, "F25"), wersja=2)],
        "F26": [a1("2024-12-01", C, kids(1, "F26")), closing("2026-07-02", BRAK)],  # ends after
        "F27": [a1("2026-01-02", B, kids(2, "F27"), court=True), refusal("2026-01-09")],
        "F28": [a1("2022-02-01", C, kids(2, "F28"))],
        # the assignment knows the children by PESEL only, the card by name, date and PESEL
        "F29": [a1("2025-03-10", A, PESEL_ONLY),
                e(4, "2025-03-20", czlonkowie=[MOTHER,
                                               {**PESEL_ONLY[0], "data_urodzenia": "2018-01-01"},
                                               {**PESEL_ONLY[1], "data_urodzenia": "2019-11-01"}])],
        "F30": [a1("2026-04-15", B, [*kids(1, "F30"),
                                     _kid("Babcia F30", "1950-01-01", None, "babcia"),
                                     _kid("Opiekun F30", "1970-01-01", None, "opiekun prawny")])],
    }
    return [Register(case, tuple(entries)) for case, entries in f.items()]


# hand-counted from the list above
SERVED = {f"F{n:02d}" for n in range(1, 31)} - {"F13", "F14", "F16"}
EXPECTED_H1 = {
    "asystenci": 3,
    "rodziny": 27,
    "rodziny_sad": 3,  # F04, F17, F27
    "rodziny_za_zyciem": 3,  # F05, F20, F21
    # F01 2, F02 1, F03 3, F04 2, F05 1, F06 1, F07 2, F08 2, F09 1, F10 2, F11 2, F12 3,
    # F15 1, F17 2, F18 1, F19 2, F20 2, F21 0, F22 2, F23 1, F24 2, F25 3, F26 1, F27 2,
    # F28 2, F29 2, F30 1
    "dzieci": 46,
    "czas_wspolpracy": {"do_1_roku": 17, "od_1_do_2_lat": 6, "powyzej_2_lat": 4},
    "zakonczone": 10,
    "zakonczone_powody": {"cele_osiagniete": 2,  # F11 (12), F22
                          "brak_wspolpracy": 5,  # F06, F10 (refusal), F17, F23, F27 (refusal)
                          "rezygnacja": 1,  # F07
                          "zmiana_miejsca_zamieszkania": 1,  # F08
                          "inne": 1},  # F09
}


def test_the_half_year_by_hand() -> None:
    figures = compute(half_year_2026(), half_year("2026-H1"))
    data = figures.to_json({A: "umowa o pracę", B: "umowa zlecenie"})
    assert {k: data[k] for k in EXPECTED_H1} == EXPECTED_H1
    assert data["asystenci_forma_zatrudnienia"] == {"umowa o pracę": 1, "umowa zlecenie": 1,
                                                    "do uzupełnienia": 1}
    cases = figures.cases()
    assert set(cases["rodziny"]) == SERVED
    assert cases["rodziny_sad"] == ["F04", "F17", "F27"]
    assert cases["zakonczone_powody"]["brak_wspolpracy"] == ["F06", "F10", "F17", "F23", "F27"]
    assert cases["czas_wspolpracy"]["powyzej_2_lat"] == ["F02", "F18", "F19", "F28"]
    assert cases["czas_wspolpracy"]["od_1_do_2_lat"] == ["F01", "F07", "F11", "F22", "F26", "F29"]
    assert cases["dzieci"]["F12"] == 3 and cases["dzieci"]["F29"] == 2 and "F21" not in cases["dzieci"]
    assert sorted(figures.asystenci) == [A, B, C]
    assert data["definicje"]["rodziny"].startswith("Rodziny (numery spraw)")


def test_the_year_and_the_other_half() -> None:
    year = compute(half_year_2026(), whole_year("2026")).to_json({})
    # F14 (assigned in July) and F26 (closed in July for lack of cooperation) join
    assert (year["rodziny"], year["zakonczone"], year["zakonczone_powody"]["brak_wspolpracy"]) == \
        (28, 11, 6)
    h2 = compute(half_year_2026(), half_year("2026-H2")).to_json({})
    # open on 1 July: F01 F02 F03 F04 F05 F12 F14 F15 F18 F19 F20 F21 F24 F25 F26 F28 F29 F30
    assert (h2["rodziny"], h2["zakonczone"]) == (18, 1)
    assert h2["asystenci_forma_zatrudnienia"] == {"do uzupełnienia": 3}


def test_a_closing_while_waiting_after_a_re_enrolment_request() -> None:
    """(13) in February, then – before any new assignment – the family moves out (a closing in
    April): the cooperation ended in April for that reason; in the year before it did not."""
    waiting = Register("W01", (a1("2025-05-05", A, kids(1, "W01")), e(10, "2025-11-03"),
                               e(13, "2026-02-16"),
                               closing("2026-04-20", "zmiana miejsca zamieszkania poza gminę")))
    h1 = compute([waiting], half_year("2026-H1")).to_json({})
    assert (h1["rodziny"], h1["zakonczone"], h1["zakonczone_powody"]["zmiana_miejsca_zamieszkania"]) \
        == (1, 1, 1)
    # the cycle itself ended with the request (13): under a year from 05.05.2025
    assert h1["czas_wspolpracy"]["do_1_roku"] == 1
    assert compute([waiting], half_year("2025-H2")).to_json({})["zakonczone"] == 0


@pytest.mark.parametrize("args", [["--okres", "2026-H3"], ["--okres", "2026"], ["--rok", "26"]])
def test_bad_periods_are_told_in_polish(args: list[str], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--outbox", str(tmp_path), "sprawozdanie", *args]) == 2
    err = capsys.readouterr().err
    assert "niepoprawny okres" in err or "niepoprawny rok" in err, err


@pytest.mark.parametrize(("args", "words"), [
    (["--okres", "2026-H1", "--rok", "2026"], "nie można podać razem"),
    ([], "podaj jeden z argumentów")])
def test_one_period_is_required(args: list[str], words: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--outbox", str(tmp_path), "sprawozdanie", *args])
    assert exit_.value.code == 2
    assert words in capsys.readouterr().err


def _write_registers(settings: Settings, registers: list[Register]) -> None:
    for register in registers:
        folder = family_dir(settings.outbox, register.rodzina)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rejestr.json").write_bytes(register.to_bytes())


def test_the_command_writes_xlsx_and_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "asysta.toml"
    config.write_text(f'[osrodek]\nnazwa = "GOPS w Testowie"\n\n[asystenci]\n"{A}" = "umowa o pracę"\n'
                      f'"{B}" = "umowa zlecenie"\n\n[sprawozdanie]\n'
                      'rodziny_sad = "w tym zobowiązane przez sąd"\n', encoding="utf-8")
    settings = parse_config({}, tmp_path)
    _write_registers(settings, half_year_2026())
    monkeypatch.chdir(tmp_path)
    assert main(["-k", str(config), "sprawozdanie", "--okres", "2026-H1", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert {k: printed[k] for k in EXPECTED_H1} == EXPECTED_H1

    assert main(["-k", str(config), "sprawozdanie", "--okres", "2026-H1", "--szczegoly"]) == 0
    out = capsys.readouterr().out
    assert "sprawy: F04, F17, F27" in out
    folder = tmp_path / "outbox" / "sprawozdania" / "2026-H1"
    sheet = load_workbook(folder / "sprawozdanie_2026-H1.xlsx")["Sprawozdanie 2026-H1"]
    table = {row[0]: row[1:3] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert table["1"] == ("Liczba asystentów rodziny", 3)
    assert table["1.1"] == ("w tym: umowa o pracę", 1)
    assert table["1.3"] == ("w tym: do uzupełnienia", 1)
    assert table["2"][1] == 27 and table["2.1"] == ("w tym zobowiązane przez sąd", 3)
    assert table["3"][1] == 46
    assert table["4"][1] == 27 and [table[f"4.{i}"][1] for i in (1, 2, 3)] == [17, 6, 4]
    assert [table[f"5.{i}"][1] for i in range(1, 6)] == [2, 5, 1, 1, 1] and table["5"][1] == 10
    assert table["6"][1] == "do uzupełnienia"
    text = squash(pdf_text(folder / "sprawozdanie_2026-H1.pdf"))
    for words in ("DANE DO SPRAWOZDANIA", "I półrocze 2026 r.", "Liczba dzieci w rodzinach",
                  "w tym zobowiązane przez sąd", "Rodzina z kilkoma cyklami liczy się raz",
                  "GOPS w Testowie"):
        assert squash(words) in text, words
    assert "Dziecko" not in text and "Testowa" not in text  # no names, only numbers


# -- the report for the family court ---------------------------------------------------

CASE = "K-2025-014"
OUTSIDE = "Wizyta poza okresem sprawozdania – nie może trafić do sprawozdania."
INSIDE = "Ostatnia wizyta okresu: rozmowa o wakacjach dzieci."


def _narrative(settings: Settings, name: str, day: str, od: str, do: str, text: str) -> Path:
    """A court narrative (`rodzaj: sad`) written from the shipped example, for another period."""
    example = (EXAMPLES / "sad.yaml").read_text(encoding="utf-8")
    lines = [line for line in example.splitlines() if not line.startswith(
        ("data:", "od:", "do:", "sygnatura:", "sytuacja_rodziny:", "przebieg_wspolpracy:",
         "wnioski:", "  "))]
    path = settings.inbox / name
    path.write_text("\n".join(lines) + f"\ndata: {day}\nod: {od}\ndo: {do}\n"
                    f"sygnatura: III Nsm 123/25\nsytuacja_rodziny: \"{text}\"\n"
                    f"przebieg_wspolpracy: \"Przebieg: {text}\"\nwnioski: \"Wnioski: {text}\"\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def court(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Iterator[Settings]:
    """The shipped examples of K-2025-014 through the inbox, with one more visit log (a visit
    on 30 June and one on 2 July), the shipped court narrative (April–September) and two
    narratives written from it: one for April–June and one for January–June."""
    settings = make_settings(tmp_path_factory.mktemp("sad"))
    paths = copy_examples(settings)
    extra = settings.inbox / "zal08_lipiec.yaml"  # one log: a visit inside and one outside
    extra.write_text(
        "zalacznik: 8\nrodzina: K-2025-014\ndata: 2025-07-03\nasystent: Katarzyna Żak\n"
        "miesiac: \"2025-07\"\nwizyty:\n"
        f"  - data: 2025-06-30\n    godzina_od: \"10:00\"\n    godzina_do: \"11:00\"\n"
        f"    miejsce: mieszkanie rodziny\n    dzialania: \"{INSIDE}\"\n"
        f"  - data: 2025-07-02\n    godzina_od: \"10:00\"\n    godzina_do: \"12:00\"\n"
        f"    miejsce: mieszkanie rodziny\n    dzialania: \"{OUTSIDE}\"\n", encoding="utf-8")
    shipped = settings.inbox / "sad.yaml"
    shipped.write_bytes((EXAMPLES / "sad.yaml").read_bytes())
    narratives = [_narrative(settings, "sad_q2.yaml", "2025-07-04", "2025-04-01", "2025-06-30",
                             "Rodzina współpracuje chętnie."),
                  _narrative(settings, "sad_h1.yaml", "2025-07-05", "2025-01-01", "2025-06-30",
                             "OPIS INNEGO OKRESU")]
    outcomes = run(settings, converter, *paths, extra, shipped, *narratives)
    assert all(o.status == "przyjety" for o in outcomes), [o.problems for o in outcomes]
    yield settings


def test_the_court_report_holds_the_periods_documents_only(court: Settings,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    settings = court
    code = main(["--inbox", str(settings.inbox), "--outbox", str(settings.outbox), "sad", CASE,
                 "--od", "2025-04-01", "--do", "2025-06-30"])
    assert code == 0, capsys.readouterr()
    folder = family_dir(settings.outbox, CASE)
    pdf, docx = folder / "sprawozdanie-sad_2025-06-30.pdf", folder / "sprawozdanie-sad_2025-06-30.docx"
    text = docx_text(docx).replace("\u00a0", " ")
    flat = squash(pdf_text(pdf)).replace("\u00a0", " ")
    # the April visits (8) and the one on 30 June, not the one on 2 July
    for words in ("02.04.2025", "29.04.2025", "30.06.2025", INSIDE,
                  "W okresie sprawozdawczym asystent rodziny odbył wizyt: 6",
                  "Przygotować CV i zarejestrować się w Powiatowym Urzędzie Pracy",  # 9, April
                  "Plan pracy z 10.04.2025",  # 6
                  "Spłata zaległości czynszowych",  # a goal of the plan
                  "kwiecień 2025",  # the April report (14)
                  "17.06.2025",  # the interdisciplinary meeting (16)
                  "Rodzina współpracuje chętnie.", "Wnioski: Rodzina współpracuje chętnie.",
                  "Sygn. akt: III Nsm 123/25", "III Wydział Rodzinny"):
        assert words in text, words
        assert squash(words) in flat, words
    # the periodic assessment (15) of September, the plan update (7) of September, the end of
    # support (10) of December are outside the period
    assessment = (EXAMPLES / "zal15.yaml").read_text(encoding="utf-8")
    assert "W ciągu sześciu miesięcy sytuacja rodziny" in assessment
    for words in (OUTSIDE, "OPIS INNEGO OKRESU", "W ciągu sześciu miesięcy sytuacja rodziny",
                  "15.09.2025", "19.12.2025", "Aktualizacja planu pracy z"):
        assert words not in text, words
    assert "W okresie sprawozdawczym nie sporządzono okresowej oceny" in text
    assert "214/25" not in text  # the shipped narrative is for April–September
    entry = Register.load(folder).of_kind("sprawozdanie_sad")[-1]
    assert (entry.zalacznik, entry.data, entry.wersja, entry.pdf) == (
        0, date(2025, 6, 30), 1, pdf.name)
    assert entry.dane["od"] == "2025-04-01" and entry.dane["narracja"] is True
    assert json.loads((folder / entry.plik_zrodlowy).read_text(encoding="utf-8"))["liczba_wizyt"] == 6
    from pipeline.documents.teczka import build_teczka  # the binder lists it among the kinds

    binder = squash(pdf_text(build_teczka(settings, CASE).path)).replace("\u00a0", " ")
    assert "Sprawozdanie dla sądu rodzinnego 30.06.2025" in binder  # its row of the contents


def test_the_shipped_court_narrative_makes_its_periods_report(court: Settings,
                                                              converter: Converter) -> None:
    """April–September: the shipped narrative, the assessment (15) of 10 September and the
    plan update (7) of 15 September are in; the end of support (10) of December is not."""
    from pipeline.documents.sad import make_report

    report = make_report(court, converter, CASE, date(2025, 4, 1), date(2025, 9, 30),
                         today=date(2025, 10, 6))
    text = docx_text(report.docx).replace("\u00a0", " ")
    for words in ("Sąd Rejonowy w Świebodzinie", "Sygn. akt: III Nsm 214/25",
                  "Z sześciu celów planu pracy cztery osiągnięto", "wnoszę o kontynuowanie",
                  "W ciągu sześciu miesięcy sytuacja rodziny", "Aktualizacja planu pracy z 15.09.2025",
                  "10.09.2025", OUTSIDE, INSIDE):
        assert words in text, words
    assert "19.12.2025" not in text and "Rodzina współpracuje chętnie." not in text
    assert report.values["liczba_wizyt"] == 7


def test_a_second_court_report_is_a_version_and_the_same_one_is_not_filed_twice(
        court: Settings, converter: Converter) -> None:
    from pipeline.documents.sad import make_report

    first = make_report(court, converter, CASE, date(2025, 4, 1), date(2025, 4, 30),
                        sygnatura="III Nsm 9/25", today=date(2025, 5, 10))
    again = make_report(court, converter, CASE, date(2025, 4, 1), date(2025, 4, 30),
                        sygnatura="III Nsm 9/25", today=date(2025, 5, 10))
    other = make_report(court, converter, CASE, date(2025, 3, 1), date(2025, 4, 30),
                        today=date(2025, 5, 10))
    assert not first.duplikat and again.duplikat and again.pdf == first.pdf
    assert first.pdf.name == "sprawozdanie-sad_2025-04-30.pdf"
    assert other.pdf.name == "sprawozdanie-sad_2025-04-30_v2.pdf" and other.wersja == 2
    text = docx_text(first.docx).replace("\u00a0", " ")
    assert "Sygn. akt: III Nsm 9/25" in text and "30.06.2025" not in text
    assert "Asystent nie złożył opisu sytuacji rodziny za ten okres." in text
    assert "W okresie sprawozdawczym nie odbyło się spotkanie interdyscyplinarne." in text


def test_a_court_report_carries_its_code_and_without_a_narrative_is_a_draft(
        court: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 19: the page code on every page like every other generated document; without
    the assistant's narrative (`rodzaj: sad`) every page says PROJEKT and the command says
    which narrative is missing and how to add it."""
    from pypdf import PdfReader

    from pipeline.pdf import kod

    base = ["--inbox", str(court.inbox), "--outbox", str(court.outbox), "sad", CASE]
    assert main([*base, "--od", "2025-05-01", "--do", "2025-05-31"]) == 0
    out = squash(capsys.readouterr().out)
    assert "PROJEKTEM" in out and "rodzaj: sad" in out and "od: 2025-05-01" in out
    assert "formularze/sad.yaml" in out
    assert main([*base, "--od", "2025-04-01", "--do", "2025-06-30"]) == 0  # its narrative is filed
    register = Register.load(family_dir(court.outbox, CASE))
    reports = {e.dane["od"]: e for e in register.of_kind("sprawozdanie_sad")}
    for od, draft in (("2025-05-01", True), ("2025-04-01", False)):
        entry = reports[od]
        pages = PdfReader(family_dir(court.outbox, CASE) / entry.pdf).pages
        for number, page in enumerate(pages, 1):
            text = page.extract_text()
            assert kod.human_line(kod.Identity(CASE, 0, entry.data, entry.wersja, kod.check(
                CASE, 0, entry.rodzaj, entry.data, entry.wersja, entry.sha256), entry.rodzaj),
                number, len(pages)) in text
            assert ("PROJEKT" in text) is draft


def test_court_report_errors_are_polish(court: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--inbox", str(court.inbox), "--outbox", str(court.outbox), "sad"]
    assert main([*base, "K-0000-000", "--od", "2025-04-01", "--do", "2025-04-30"]) == 2
    assert "nie ma rodziny K-0000-000" in capsys.readouterr().err
    assert main([*base, CASE, "--od", "2025-05-01", "--do", "2025-04-30"]) == 2
    assert "jest późniejszy niż jego koniec" in capsys.readouterr().err
    assert main([*base, CASE, "--od", "2025-01-01", "--do", "2025-02-01"]) == 2
    assert "nie ma przydzielenia" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([*base, CASE, "--od", "2025-13-01", "--do", "2025-04-30"])
    assert "niepoprawna data" in capsys.readouterr().err



# -- the demo centre -------------------------------------------------------------------


def _demo_registers(centre: Any) -> list[Register]:
    """The registers the demo's files make (every file the pipeline accepts, in filing order)."""
    from pipeline.stages.parse import parse_text
    from pipeline.stages.validate import validate_mapping

    entries: dict[str, list[Entry]] = {}
    versions: dict[tuple[Any, ...], int] = {}
    for f in centre.files:
        if f.odrzucony:
            continue
        _, values = validate_mapping(parse_text(f.text, ".yaml"))
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
        kind = values.get("rodzaj", "")
        key = (f.rodzina, values.get("zalacznik", 0), kind, values["data"], values.get("miesiac"))
        versions[key] = versions.get(key, 0) + 1
        entries.setdefault(f.rodzina, []).append(Entry(
            values.get("zalacznik", 0), date.fromisoformat(values["data"]), versions[key],
            pdf=f.name, plik_zrodlowy=f.name, dane=values, rodzaj=kind))
    return [Register(case, tuple(found)) for case, found in entries.items()]


def _demo_children(centre: Any, cases: set[str]) -> int:
    """The children the generator wrote into each counted family's assignments, by name and
    birth date (one demo family has two sons of the same name)."""
    import yaml

    found: dict[str, set[tuple[str, date]]] = {}
    for f in centre.files:
        values = yaml.safe_load(f.text)
        if f.rodzina in cases and not f.odrzucony and values.get("zalacznik") == 1:
            found.setdefault(f.rodzina, set()).update(
                (m["imie_nazwisko"], m["data_urodzenia"]) for m in values["czlonkowie"]
                if m["pokrewienstwo"] in ("syn", "córka"))
    return sum(len(v) for v in found.values())


def test_the_demo_centres_first_full_half_year() -> None:
    """The demo (today 1 December 2026) starts in June 2025: its first full half-year is the
    second half of 2025. From pipeline/demo/centre.py (days before today of the assignment):
    SPECS – Żak 530, 500, 470, 430, 400, 360 (19.06–05.12.2025), Błaszczyk 545, 540, 420
    (their monitoring and closings all in 2026), Głowacki 380 (16.11.2025), everything else
    from 2026; CLOSED_SPECS – Głowacki 520 closed 400 days before today (27.10.2025, lack of
    cooperation) and 505 closed 385 before (11.11.2025, written resignation), Wróbel 490
    closed 350 before (16.12.2025, moving out) and 475 refusing consent at the first meeting
    (August 2025). No court case, no „Za życiem” case, all under a year."""
    from pipeline.demo import centre as demo

    centre = demo.build_centre(date(2026, 12, 1))
    figures = compute(_demo_registers(centre), half_year("2025-H2"))
    data = figures.to_json({})
    assert sorted(figures.asystenci) == sorted(["Katarzyna Żak", "Aleksandra Błaszczyk",
                                                "Michał Głowacki", "Paweł Wróbel"])
    # issue 19 added the family waiting after (13): Błaszczyk 460 (28.08.2025), in both halves
    assert (data["asystenci"], data["rodziny"], data["rodziny_sad"], data["rodziny_za_zyciem"]) \
        == (4, 15, 0, 0)
    assert data["czas_wspolpracy"] == {"do_1_roku": 15, "od_1_do_2_lat": 0, "powyzej_2_lat": 0}
    assert data["zakonczone"] == 4
    assert data["zakonczone_powody"] == {"cele_osiagniete": 0, "brak_wspolpracy": 2,
                                         "rezygnacja": 1, "zmiana_miejsca_zamieszkania": 1,
                                         "inne": 0}
    assert data["dzieci"] == _demo_children(centre, figures.rodziny)
    assert data["dzieci"] >= 14  # every family has a child
    # the first half of 2026: Żak's eleven families assigned by 04.06.2026 (530 … 180), Wróbel's
    # 310 and 200 (the court case, 15.05.2026), Błaszczyk's four (the re-enrolled family –
    # 13 on 04.06.2026, a new assignment on 14.06.2026 – is one family and no ending; the 12
    # of the closed case comes in July), Głowacki's 380; the cases closed in 2025 are gone.
    # Over a year by 30 June: the assignments of 19.06.2025 (530) and 09.06.2025 (540).
    h1 = compute(_demo_registers(centre), half_year("2026-H1")).to_json({})
    assert (h1["asystenci"], h1["rodziny"], h1["rodziny_sad"], h1["rodziny_za_zyciem"],
            h1["zakonczone"]) == (4, 19, 1, 0, 0)
    assert h1["czas_wspolpracy"] == {"do_1_roku": 17, "od_1_do_2_lat": 2, "powyzej_2_lat": 0}


def test_the_assistants_section_of_the_config(tmp_path: Path) -> None:
    from pipeline.core.config import load_settings
    from pipeline.core.errors import ConfigError

    shipped = load_settings(Path(__file__).resolve().parent.parent / "asysta.toml")
    assert shipped.asystenci["Michał Głowacki"] == "umowa cywilnoprawna"
    with pytest.raises(ConfigError) as bad:
        parse_config({"asystenci": {"Anna Nowak": 3, "Beata Lis": " "},
                      "sprawozdanie": {"nieznany": "x"}}, tmp_path)
    text = str(bad.value)
    assert "[asystenci] Anna Nowak: podaj formę zatrudnienia jako tekst" in text
    assert "[asystenci] Beata Lis" in text and "[sprawozdanie] nieznany: nieznany klucz" in text


def test_the_court_report_and_the_figures_print_every_word_whole(
        court: Settings, converter: Converter, tmp_path: Path) -> None:
    """The typography checks of the attachments (tests/test_typography.py) on the two new
    documents: every word prints whole or split at a hyphen at a line end."""
    from test_typography import PUNCT, layout, printed_words, words

    from pipeline.documents.sad import make_report
    from pipeline.documents.sprawozdanie import write_report

    report = make_report(court, converter, CASE, date(2025, 4, 1), date(2025, 9, 30),
                         today=date(2025, 10, 6))
    settings = make_settings(tmp_path)
    written = write_report(settings, converter, compute(half_year_2026(), half_year("2026-H1")),
                           today=date(2026, 7, 10))
    assert written.pdf is not None
    court_words = words(docx_text(report.docx))
    table = load_workbook(written.xlsx).active.iter_rows(min_row=5, values_only=True)
    figure_words = [w for row in table for cell in row if isinstance(cell, str)
                    for w in words(cell)]  # every label and definition of the table
    for pdf, expected in ((report.pdf, court_words), (written.pdf, figure_words)):
        found = printed_words(pdf)
        broken = sorted({w for w in expected if w not in found})
        assert not broken, f"{pdf.name}: słowa rozdzielone bez dywizu: {broken}"
        # and no word is cut at a line end where it also prints whole elsewhere
        cut = []
        for page in layout(pdf):
            for block in page:
                for line, following in zip(block, block[1:], strict=False):
                    joined = (line[-1].text + following[0].text).strip(PUNCT)
                    if not line[-1].text.endswith(("-", "–")) and joined in expected:
                        cut.append(f"{line[-1].text} | {following[0].text}")
        assert not cut, f"{pdf.name}: słowa rozdzielone bez dywizu: {cut}"
