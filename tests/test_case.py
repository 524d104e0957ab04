"""The case model (pipeline/sprawa/case.py, family.py) on case histories with known answers:
every derived output — checklist, earlier cycles, teczka's cover, monthly report, court
report, half-yearly figures, the 15-family limit — gives the same answer, because each one
asks the model."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings

from pipeline.core.config import Osrodek, Settings, Terminy
from pipeline.documents.raport_miesieczny import Month, build_values, own_report
from pipeline.documents.sad import CourtReportError, make_report
from pipeline.documents.sad import build_values as court_values
from pipeline.documents.sprawozdanie import compute as figures_of
from pipeline.documents.sprawozdanie import half_year
from pipeline.documents.teczka import case_info
from pipeline.sprawa.case import GENERATED_KEY, Case, holds
from pipeline.sprawa.checklist import compute, earlier_cycles
from pipeline.sprawa.family import Member, person_key
from pipeline.sprawa.register import Entry, Register

CASE = "K-1"
MOTHER = {"imie_nazwisko": "Anna Nowak", "pokrewienstwo": "matka", "data_urodzenia": "1985-02-02"}
SON = {"imie_nazwisko": "Piotr Nowak", "pokrewienstwo": "syn", "data_urodzenia": "2015-06-01"}


def d(text: str) -> date:
    return date.fromisoformat(text)


def e(n: int, day: str, rodzaj: str = "", wersja: int = 1, **dane: Any) -> Entry:
    return Entry(n, d(day), wersja, pdf=f"{n}_{day}_{wersja}.pdf", dane=dane, rodzaj=rodzaj)


def start(asystent: str = "Ewa Lis", members: list[dict[str, Any]] | None = None) -> list[Entry]:
    """Assigned 2.03.2026, hand-over 5.03, consent 9.03, assessment and plan 20.03."""
    return [e(1, "2026-03-02", asystent=asystent, adres="ul. Polna 1",
              czlonkowie=members or [MOTHER, SON]),
            e(2, "2026-03-05", dokumenty=[{"nazwa": "wywiad środowiskowy"}]),
            e(3, "2026-03-09", oswiadczenie="wyrażamy zgodę na współpracę z asystentem rodziny"),
            e(5, "2026-03-20"), e(6, "2026-03-20", cele=[])]


# -- contacts of a month across 8, 11 and 16 -------------------------------------------------

MONITORED = [*start(), e(10, "2026-04-01"),
             e(8, "2026-04-30", wizyty=[
                 {"data": "2026-04-10", "godzina_od": "10:00", "godzina_do": "12:00",
                  "miejsce": "dom", "dzialania": "rozmowa"},
                 {"data": "2026-05-01", "godzina_od": "09:00", "godzina_do": "10:00"}],
               kontakty=[{"data": "2026-04-12", "instytucja": "Szkoła", "cel": "frekwencja"}]),
             e(11, "2026-04-28", wizyty=[
                 {"data": "2026-04-15", "forma": "rozmowa telefoniczna", "obserwacje": "dobrze"},
                 {"data": "2026-04-22", "forma": "wizyta w domu rodziny", "obserwacje": "porządek"}],
               kontakty=[{"data": "2026-04-16", "instytucja": "PUP", "cel": "oferta"}]),
             e(16, "2026-04-20", godzina_od="13:00", godzina_do="14:30",
               cel_spotkania="plan na wakacje")]


def test_the_contacts_of_a_month_come_from_8_11_and_16(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    values = build_values(Register(CASE, tuple(MONITORED)), Month.parse("2026-04"), settings,
                          d("2026-05-03"))
    assert values is not None and values["etap"] == "monitoring"
    rows = values["wizyty"]
    assert [r["data"] for r in rows] == ["2026-04-10", "2026-04-15", "2026-04-20", "2026-04-22"]
    # the counts are the printed rows: four contacts, 2 + 1.5 hours, two institutions
    assert values["liczba_wizyt"] == len(rows) == 4
    assert values["liczba_godzin"] == 3.5 and values["liczba_kontaktow"] == 2
    assert "karta monitoringu, zał. 11" in rows[1]["dzialania"]
    assert "spotkanie zespołu" in rows[2]["dzialania"]
    assert "uwagi" not in values  # no „no visit” note above four contacts
    assert values["rodzice"] == "Anna Nowak"


def test_one_report_per_month_the_assistants_own_stands() -> None:
    month = Month.parse("2026-04")
    made = e(14, "2026-05-03", miesiac="2026-04")
    made = Entry(14, made.data, 1, pdf="made.pdf", dane=made.dane, extra={GENERATED_KEY: True})
    own = e(14, "2026-05-07", wersja=2, miesiac="2026-04")
    without = Register(CASE, (*MONITORED, made))
    assert own_report(without, month) is None  # only a made one: the program may make it anew
    later = Register(CASE, (*MONITORED, made, own))
    assert own_report(later, month) == own
    assert later.for_month("2026-04") == [own]  # one report for the month, the assistant's
    # the checklist counts the month's report from the day its first version came
    item = next(i for i in compute(CASE, later, d("2026-06-01"), Terminy()).pozycje
                if i.okres == "2026-04" and i.zalacznik == 14)
    assert (item.status, item.plik) == ("jest", own.pdf)


# -- children by age, parents named ----------------------------------------------------------


def test_a_member_turning_18_inside_a_period() -> None:
    eighteen = Member("Ola", "córka", d("2008-03-15"))
    assert eighteen.child_on(d("2026-03-14")) and not eighteen.child_on(d("2026-03-15"))
    leap = Member("Leon", "syn", d("2008-02-29"))
    assert leap.child_on(d("2026-02-28")) and not leap.child_on(d("2026-03-01"))
    assert Member("Bez daty", "wnuczka", None).child_on(d("2026-06-30"))  # by relation
    assert not Member("Bez daty", "babcia", None).child_on(d("2026-06-30"))
    members = [MOTHER, SON, {"imie_nazwisko": "Ola Nowak", "pokrewienstwo": "córka",
                             "data_urodzenia": "2008-03-15"},
               {"imie_nazwisko": "Kuba Nowak", "pokrewienstwo": "syn", "data_urodzenia": None}]
    register = Register(CASE, tuple(start(members=members)))
    h1 = figures_of([register], half_year("2026-H1"))
    assert h1.dzieci[CASE] == 2  # Piotr, and Kuba by relation; Ola is 18 on 30.06.2026
    assert h1.cases()["bez_daty_urodzenia"] == [CASE]  # named for the kierownik to complete
    h2_2025 = figures_of([Register(CASE, tuple(e2 for e2 in start(members=members)))],
                         half_year("2026-H1"))
    assert h2_2025.dzieci[CASE] == 2


def test_a_grandparent_and_an_unnamed_parent_in_the_court_report() -> None:
    members = [MOTHER, {"imie_nazwisko": None, "pokrewienstwo": "ojciec"},
               {"imie_nazwisko": "Irena Nowak", "pokrewienstwo": "babcia",
                "data_urodzenia": "1950-01-01"},
               {"imie_nazwisko": "Zosia Nowak", "pokrewienstwo": "wnuczka",
                "data_urodzenia": "2012-01-01"},
               {"imie_nazwisko": "Adam Nowak", "pokrewienstwo": "syn",
                "data_urodzenia": "2007-01-01"}, SON]
    register = Register(CASE, (*start(members=members), e(8, "2026-04-30", wizyty=[
        {"data": "2026-04-10", "godzina_od": "10:00", "godzina_do": "11:00"}])))
    values = court_values(register, d("2026-04-01"), d("2026-04-30"), d("2026-05-05"))
    assert values["rodzice"] == "Anna Nowak"  # never „None”
    assert values["dzieci"] == "Zosia Nowak (ur. 01.01.2012), Piotr Nowak (ur. 01.06.2015)"
    assert values["liczba_wizyt"] == 1 and not values["narracja"]


def test_a_court_report_for_a_period_without_documents_writes_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    folder = settings.outbox / "rodziny" / CASE
    folder.mkdir(parents=True)
    (folder / "rejestr.json").write_bytes(Register(CASE, tuple(start())).to_bytes())
    before = sorted(p.name for p in folder.iterdir())
    with pytest.raises(CourtReportError, match="nie ma żadnego dokumentu z okresu 01.09.2026"):
        make_report(settings, None, CASE, d("2026-09-01"), d("2026-09-30"))
    assert sorted(p.name for p in folder.iterdir()) == before


# -- each ending kind: the same date everywhere ----------------------------------------------

REFUSED = [e(1, "2026-03-02", asystent="Ewa Lis"), e(2, "2026-03-05"),
           e(3, "2026-03-09", oswiadczenie="nie wyrażamy zgody na współpracę z asystentem rodziny")]
ENDINGS = {
    "cele": ([*start(), e(10, "2026-04-01"), e(11, "2026-05-01"), e(12, "2026-06-10")],
             "2026-06-10", "cele_osiagniete"),
    "zakonczenie": ([*start(), e(0, "2026-05-15", "zakonczenie",
                                 powod="rezygnacja rodziny złożona pisemnie")],
                    "2026-05-15", "rezygnacja"),
    "odmowa": (REFUSED, "2026-03-09", "brak_wspolpracy"),
    "ponowne_i_zakonczenie": ([*start(), e(10, "2026-04-01"), e(13, "2026-05-04"),
                               e(0, "2026-05-20", "zakonczenie",
                                 powod="zmiana miejsca zamieszkania poza gminę")],
                              "2026-05-20", "zmiana_miejsca_zamieszkania"),
}


@pytest.mark.parametrize("kind", list(ENDINGS))
def test_each_ending_gives_the_same_date_everywhere(kind: str) -> None:
    entries, ended, reason = ENDINGS[kind]
    register = Register(CASE, tuple(entries))
    checklist = compute(CASE, register, d("2026-12-01"), Terminy())
    assert checklist.etap == "zakończona" and checklist.zakonczono == d(ended)
    assert case_info(CASE, register, Osrodek()).do == d(ended)
    figures = figures_of([register], half_year("2026-H1"))
    assert figures.zakonczone == {CASE: reason}
    assert Case.of(register).closed() == d(ended)
    # a new assignment later: the history names the cycle's ending with its date
    again = Register(CASE, (*entries, e(1, "2026-09-01", asystent="Jan Kot")))
    history = earlier_cycles(again, d("2026-09-02"))
    assert history[-1].do == d(ended)
    assert f"z {d(ended):%d.%m.%Y}" in history[-1].zakonczenie
    if kind == "ponowne_i_zakonczenie":  # the request (13) ended the first cycle, waiting the next
        assert history[0].do == d("2026-05-04") and "(13)" in history[0].zakonczenie


def test_the_court_after_each_ending() -> None:
    def court(entries: list[Entry]) -> list[str]:
        checklist = compute(CASE, entries, d("2026-12-01"), Terminy())
        return [i.status for i in checklist.pozycje if i.opis.startswith("Poinformowanie sądu")]

    assert court(REFUSED) == ["decyzja"]  # the kierownik's choice (seed 004 §6), not a BRAK
    for powod in ("brak współpracy rodziny", "rezygnacja rodziny złożona pisemnie"):
        assert court([*start(), e(0, "2026-05-15", "zakonczenie", powod=powod)]) == ["brak"]
    assert court([*start(), e(0, "2026-05-15", "zakonczenie", powod="inny powód")]) == []


# -- one assistant typed two ways ------------------------------------------------------------


def test_one_assistant_typed_two_ways_is_one_person() -> None:
    one = Register("K-1", tuple(start("Ewa  Lis")))
    two = Register("K-2", tuple(start("ewa lis ")))
    assert person_key("Ewa  Lis") == person_key("ewa lis ") == "ewa lis"
    figures = figures_of([one, two], half_year("2026-H1"))
    data = figures.to_json({"EWA LIS": "umowa o pracę"})
    assert data["asystenci"] == 1 and data["asystenci_forma_zatrudnienia"] == {"umowa o pracę": 1}
    assert holds([Case.of(one), Case.of(two)], "EWA LIS", d("2026-04-01")) == ["K-1", "K-2"]


def test_the_limit_counts_one_person_however_typed(tmp_path: Path) -> None:
    from pipeline.documents.overview import limit_problem

    settings: Settings = make_settings(tmp_path)
    for n in range(settings.terminy.limit_rodzin):
        folder = settings.outbox / "rodziny" / f"K-{n:02d}"
        folder.mkdir(parents=True)
        name = "Ewa Lis" if n % 2 else "EWA  LIS"
        (folder / "rejestr.json").write_bytes(Register(folder.name, tuple(start(name))).to_bytes())
    problem = limit_problem(settings, "ewa lis", "K-99", d("2026-04-01"))
    assert problem is not None and "prowadzi już 15 rodzin" in str(problem)


def test_the_demos_november_reports_count_the_monitoring_contacts(tmp_path: Path) -> None:
    """The issue's finding: the made November report of a family in monitoring said „0 wizyt”
    although its monitoring card (11) recorded contacts. Now every contact is a row."""
    from pipeline.demo import centre as demo
    from pipeline.stages.parse import parse_text
    from pipeline.stages.validate import validate_mapping

    today = date(2026, 12, 5)
    centre = demo.build_centre(today)
    entries: dict[str, list[Entry]] = {}
    for f in centre.files:
        if not f.odrzucony:
            _, values = validate_mapping(parse_text(f.text, ".yaml"))
            values = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
            entries.setdefault(f.rodzina, []).append(Entry(
                values.get("zalacznik", 0), d(values["data"]), 1, pdf=f.name, dane=values,
                rodzaj=values.get("rodzaj", "")))
    settings = make_settings(tmp_path)
    november = Month.parse("2026-11")
    monitored = [f for f in centre.families if f.etap == "monitoring"]
    assert monitored
    for family in monitored:
        register = Register(family.rodzina, tuple(entries[family.rodzina]))
        assert own_report(register, november) is None  # nobody filed one: it is made
        values = build_values(register, november, settings, today)
        assert values is not None and values["etap"] == "monitoring"
        cards = [r for r in values["wizyty"] if "karta monitoringu, zał. 11" in r["dzialania"]]
        assert cards and values["liczba_wizyt"] == len(values["wizyty"]) >= len(cards)
    waiting = [f for f in centre.families if f.etap == "kwalifikacja"]
    assert len(waiting) == 1 and compute(
        waiting[0].rodzina, entries[waiting[0].rodzina], today, Terminy()).ponowne
