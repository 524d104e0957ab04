"""Checklist statuses from whole case histories, as of chosen dates.

Each history is a list of dated documents as the register holds them; every
item's status, deadline and period is checked exactly."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from conftest import entry

from pipeline.core.config import Terminy
from pipeline.sprawa.checklist import add_months, compute, earlier_cycles
from pipeline.sprawa.register import Entry

T = Terminy()


def d(text: str) -> date:
    return date.fromisoformat(text)


def doc(n: int, day: str, **dane: Any) -> Entry:
    return entry(n, d(day), f"zal{n:02d}_{day}.pdf", dane)


def handover(day: str, interview: bool = True) -> Entry:
    rows = [{"nazwa": "Rodzinny wywiad środowiskowy" if interview else "Notatka służbowa"}]
    return doc(2, day, dokumenty=rows)


def visits(day: str, *days: str) -> Entry:
    return doc(8, day, wizyty=[{"data": v} for v in days])


def items(docs: list[Entry], as_of: str, terminy: Terminy = T) -> list[tuple[Any, ...]]:
    checklist = compute("K-1", docs, d(as_of), terminy)
    return [(i.zalacznik, i.okres, i.status, i.termin.isoformat() if i.termin else None)
            for i in checklist.pozycje]


def of(docs: list[Entry], as_of: str, n: int) -> list[tuple[Any, ...]]:
    return [i for i in items(docs, as_of) if i[0] == n]


def stage(docs: list[Entry], as_of: str) -> str:
    return compute("K-1", docs, d(as_of), T).etap


def test_month_arithmetic_at_month_ends_and_leap_years() -> None:
    assert add_months(d("2026-01-31"), 1) == d("2026-02-28")
    assert add_months(d("2028-01-31"), 1) == d("2028-02-29")  # leap year
    assert add_months(d("2025-08-31"), 6) == d("2026-02-28")
    assert add_months(d("2027-08-31"), 6) == d("2028-02-29")
    assert add_months(d("2025-12-15"), 1) == d("2026-01-15")  # year boundary
    assert add_months(d("2028-02-29"), 12) == d("2029-02-28")


def test_no_assignment_yet() -> None:
    assert stage([], "2026-01-01") == "kwalifikacja"
    assert items([], "2026-01-01") == [(1, None, "oczekuje", None), (2, None, "oczekuje", None),
                                       (3, None, "oczekuje", None)]
    # an item without a deadline says what it waits for
    opisy = [i.opis for i in compute("K-1", [], d("2026-01-01"), T).pozycje]
    assert [o[o.index("czeka na"):] for o in opisy] == [
        "czeka na decyzję kierownika", "czeka na przydzielenie asystenta (1)",
        "czeka na przekazanie dokumentów (2)"]


def test_start_clocks_hand_over_and_first_meeting() -> None:
    case = [doc(1, "2026-01-30", asystent="A")]
    # hand-over within 3 days of the assignment: 30.01 + 3 = 02.02
    assert of(case, "2026-02-02", 2) == [(2, None, "oczekuje", "2026-02-02")] * 2
    assert of(case, "2026-02-03", 2) == [(2, None, "brak", "2026-02-02")] * 2
    # consent without a hand-over: counted from the hand-over's deadline, + 10 days
    assert of(case, "2026-02-03", 3) == [(3, None, "oczekuje", "2026-02-12")]
    assert stage(case, "2026-02-03") == "start"

    case.append(handover("2026-02-04"))  # one day late
    assert of(case, "2026-02-05", 2) == [(2, None, "po_terminie", "2026-02-02"),
                                         (2, None, "jest", "2026-02-02")]
    assert of(case, "2026-02-14", 3) == [(3, None, "oczekuje", "2026-02-14")]
    assert of(case, "2026-02-15", 3) == [(3, None, "brak", "2026-02-14")]
    case.append(doc(3, "2026-02-16"))
    assert of(case, "2026-02-16", 3) == [(3, None, "po_terminie", "2026-02-14")]
    assert stage(case, "2026-02-16") == "diagnoza i plan"
    # a document dated after the checklist's date does not exist yet
    assert of(case, "2026-02-15", 3) == [(3, None, "brak", "2026-02-14")]


def test_hand_over_without_the_home_interview() -> None:
    case = [doc(1, "2026-03-02"), handover("2026-03-03", interview=False)]
    assert of(case, "2026-03-04", 2) == [(2, None, "jest", "2026-03-05"),
                                         (2, None, "brak", "2026-03-05")]


def test_za_zyciem_family_needs_no_home_interview() -> None:
    case = [doc(1, "2026-03-02", za_zyciem=True), handover("2026-03-03", interview=False)]
    assert of(case, "2026-03-04", 2) == [(2, None, "jest", "2026-03-05")]


def test_court_ordered_case_starts_within_five_days() -> None:
    case = [doc(1, "2026-03-02", postanowienie_sadu=True), handover("2026-03-04")]
    assert of(case, "2026-03-09", 3) == [(3, None, "oczekuje", "2026-03-09")]
    assert of(case, "2026-03-10", 3) == [(3, None, "brak", "2026-03-09")]
    normal = [doc(1, "2026-03-02"), handover("2026-03-04")]
    assert of(normal, "2026-03-10", 3) == [(3, None, "oczekuje", "2026-03-14")]


def test_assessment_and_plan_within_a_month_in_february_and_leap_years() -> None:
    case = [doc(1, "2026-01-20"), handover("2026-01-22"), doc(3, "2026-01-31")]
    assert of(case, "2026-02-28", 5) == [(5, None, "oczekuje", "2026-02-28")]
    assert of(case, "2026-03-01", 6) == [(6, None, "brak", "2026-02-28")]
    assert of(case, "2026-03-01", 4) == [(4, None, "brak", "2026-02-14")]
    leap = [doc(1, "2028-01-20"), handover("2028-01-22"), doc(3, "2028-01-31"),
            doc(5, "2028-02-29"), doc(6, "2028-03-01")]
    assert of(leap, "2028-03-02", 5) == [(5, None, "jest", "2028-02-29")]
    assert of(leap, "2028-03-02", 6) == [(6, None, "po_terminie", "2028-02-29")]
    assert stage(leap, "2028-03-02") == "współpraca"
    assert stage(leap, "2028-02-29") == "diagnoza i plan"


def test_monthly_reports_across_the_year_boundary() -> None:
    case = [doc(1, "2025-11-10"), handover("2025-11-11"), doc(3, "2025-11-17"),
            doc(14, "2025-12-05", miesiac="2025-11"), doc(14, "2026-01-07", miesiac="2025-12")]
    assert of(case, "2026-02-06", 14) == [
        (14, "2025-11", "jest", "2025-12-05"),
        (14, "2025-12", "po_terminie", "2026-01-05"),
        (14, "2026-01", "brak", "2026-02-05"),
        (14, "2026-02", "oczekuje", "2026-03-05"),
    ]
    # on the due day itself the report is still awaited, the day after it is missing
    assert of(case, "2026-02-05", 14)[2] == (14, "2026-01", "oczekuje", "2026-02-05")


def test_periodic_assessments_every_six_months_each_followed_by_a_plan_update() -> None:
    case = [doc(1, "2025-08-25"), handover("2025-08-27"), doc(3, "2025-08-31"),
            doc(5, "2025-09-20"), doc(6, "2025-09-25"),
            doc(15, "2026-02-27"), doc(7, "2026-03-20")]
    got = [i for i in items(case, "2026-09-01") if i[0] in (7, 15)]
    assert got == [
        (7, "2026-02", "po_terminie", "2026-03-13"),  # 14 days after 27.02
        (15, "2026-02", "jest", "2026-02-28"),  # 31.08 + 6 months = 28.02
        (15, "2026-08", "brak", "2026-08-27"),  # six months after the assessment itself
        (15, "2027-02", "oczekuje", "2027-02-27"),  # and the next one is already on the clock
    ]
    # a missed assessment keeps the clock running from its deadline
    assert [i for i in items(case, "2027-03-01") if i[0] == 15][1:] == [
        (15, "2026-08", "brak", "2026-08-27"),
        (15, "2027-02", "brak", "2027-02-27"),
        (15, "2027-08", "oczekuje", "2027-08-27"),
    ]


def test_a_week_without_a_visit_is_flagged() -> None:
    case = [doc(1, "2026-03-02"), handover("2026-03-03"), doc(3, "2026-03-05"),
            visits("2026-03-31", "2026-03-10", "2026-03-17", "2026-03-30")]
    assert of(case, "2026-04-03", 8) == [
        (8, "2026-03", "po_terminie", "2026-03-24"),  # 17.03 → 30.03 is 13 days
        (8, "2026-04", "oczekuje", "2026-04-06"),  # the next visit is due
    ]
    assert of(case, "2026-04-07", 8)[1] == (8, "2026-04", "brak", "2026-04-06")


def test_cooperation_longer_than_two_years_is_flagged_longer_than_three_an_error() -> None:
    case = [doc(1, "2024-01-02"), handover("2024-01-03"), doc(3, "2024-01-08")]
    assert of(case, "2025-12-01", 10) == [(10, None, "oczekuje", "2026-01-08")]
    two = compute("K-1", case, d("2026-02-01"), T)
    [item] = [i for i in two.pozycje if i.zalacznik == 10]
    assert (item.status, item.termin) == ("oczekuje", d("2027-01-08"))
    assert "ponad 2 lata" in item.opis
    assert of(case, "2027-01-09", 10) == [(10, None, "brak", "2027-01-08")]


def test_monitoring_and_a_closed_case() -> None:
    case = [doc(1, "2025-01-02"), handover("2025-01-03"), doc(3, "2025-01-08"),
            doc(5, "2025-01-30"), doc(6, "2025-02-05"), doc(10, "2025-06-30")]
    assert stage(case, "2025-07-01") == "monitoring"
    assert of(case, "2025-09-01", 11) == [(11, None, "brak", "2025-08-30")]
    assert of(case, "2025-09-01", 12) == [(12, None, "oczekuje", "2025-12-30")]
    case += [doc(11, "2025-09-15"), doc(12, "2025-12-01")]
    assert stage(case, "2025-12-01") == "zakończona"
    assert of(case, "2026-06-01", 11) == [(11, None, "po_terminie", "2025-08-30")]
    assert of(case, "2026-06-01", 12) == [(12, None, "jest", "2025-12-30")]
    # reports stop with the end of support: the month of (10) is the last
    assert [i[1] for i in of(case, "2026-06-01", 14)][-1] == "2025-06"
    assert not compute("K-1", case, d("2026-06-01"), T).active


def test_re_enrolment_starts_a_new_cycle_with_its_own_clocks() -> None:
    first = [doc(1, "2025-01-02", asystent="A"), handover("2025-01-03"), doc(3, "2025-01-08"),
             doc(5, "2025-01-30"), doc(6, "2025-02-05"), doc(10, "2025-06-30"),
             doc(11, "2025-07-30"), doc(12, "2025-10-30"), doc(13, "2025-11-03")]
    assert stage(first, "2025-11-04") == "kwalifikacja"
    assert items(first, "2025-11-04") == [(1, None, "oczekuje", None), (2, None, "oczekuje", None),
                                          (3, None, "oczekuje", None)]
    waiting = compute("K-1", first, d("2025-11-04"), T)
    # the new cycle names the last cycle's assistant, and what it waits for
    assert waiting.asystent == "A" and waiting.cykl_od is None and not waiting.active
    assert "po wniosku o ponowne objęcie wsparciem (13) z 03.11.2025; czeka na decyzję " \
           "kierownika" in waiting.pozycje[0].opis
    again = [*first, doc(1, "2025-11-20", asystent="B", postanowienie_sadu=True)]
    assert stage(again, "2025-11-21") == "start"
    assert of(again, "2025-11-24", 2) == [(2, None, "brak", "2025-11-23")] * 2
    # the new cycle's start is counted from its own hand-over (court: 5 days)
    again.append(handover("2025-11-22"))
    assert of(again, "2025-11-28", 3) == [(3, None, "brak", "2025-11-27")]
    checklist = compute("K-1", again, d("2025-11-28"), T)
    assert checklist.asystent == "B" and checklist.cykl_od == d("2025-11-20")


def test_earlier_cycles_in_brief() -> None:
    first = [doc(1, "2025-01-02", asystent="A"), handover("2025-01-03"), doc(3, "2025-01-08"),
             doc(10, "2025-06-30"), doc(12, "2025-10-30"), doc(13, "2025-11-03")]
    assert earlier_cycles(first, d("2025-10-31")) == []  # (13) not yet written: one cycle
    [one] = earlier_cycles(first, d("2025-11-04"))
    # the cycle ended with its first ending, the end of monitoring (12), as the checklist
    # says (`zakonczono`); the request (13) after it opened the next cycle
    assert (one.numer, one.od, one.do, one.asystent, one.dokumentow) == (
        1, d("2025-01-02"), d("2025-10-30"), "A", 6)
    assert one.zakonczenie == ("wniosek o zakończenie monitoringu (12) z 30.10.2025; następnie "
                               "wniosek o ponowne objęcie rodziny wsparciem (13) z 03.11.2025")
    assert compute("K-1", first, d("2025-10-31"), T).zakonczono == one.do
    again = [*first, doc(1, "2025-11-20", asystent="B"), handover("2025-11-21"),
             doc(1, "2026-02-02", asystent="C")]  # another assistant: a cycle of its own
    cycles = earlier_cycles(again, d("2026-03-01"))
    assert [(c.numer, c.asystent, c.dokumentow) for c in cycles] == [(1, "A", 6), (2, "B", 2)]
    assert cycles[1].zakonczenie == "kolejne przydzielenie asystenta (1) z 02.02.2026"


def test_deadlines_are_settings() -> None:
    other_centre = Terminy(rozpoczecie_pracy_dni=14, raport_miesieczny_dzien=10)
    case = [doc(1, "2026-03-02"), handover("2026-03-04"), doc(3, "2026-03-17")]
    assert [i for i in items(case, "2026-03-20", other_centre) if i[0] == 3] == [
        (3, None, "jest", "2026-03-18")]
    assert [i for i in items(case, "2026-03-20", other_centre) if i[0] == 14] == [
        (14, "2026-03", "oczekuje", "2026-04-10")]


@pytest.mark.parametrize(("as_of", "expected"), [
    ("2025-03-04", "start"), ("2025-03-12", "diagnoza i plan"), ("2025-04-10", "współpraca"),
    ("2025-12-19", "monitoring"), ("2026-04-30", "zakończona"), ("2026-05-06", "kwalifikacja"),
])
def test_stages_of_the_example_case(as_of: str, expected: str) -> None:
    from conftest import EXAMPLES

    from pipeline.core.models import IncomingFile
    from pipeline.stages.parse import parse
    from pipeline.stages.validate import validate

    docs = []
    for path in sorted(EXAMPLES.glob("zal*.yaml")):
        incoming = IncomingFile(path, path.read_bytes(), "")
        form = validate(parse(incoming), incoming)
        docs.append(entry(form.zalacznik, form.data, path.name, dict(form.values)))
    assert compute("K-2025-014", sorted(docs, key=lambda x: x.data), d(as_of), T).etap == expected
