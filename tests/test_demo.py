"""The demo centre (pipeline/demo/centre.py): deterministic, valid except the intended bad files, and
its checklists say what the generator meant them to say."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import date

import pytest
from conftest import entry

from pipeline.core.config import Settings, Terminy
from pipeline.core.errors import FormError
from pipeline.demo import centre as demo
from pipeline.documents.overview import checklist_for
from pipeline.flow.watch import Watcher
from pipeline.sprawa.checklist import PROBLEM_STATUSES, compute
from pipeline.sprawa.register import Entry
from pipeline.stages.convert import Converter
from pipeline.stages.parse import parse_text
from pipeline.stages.validate import pesel_problem, validate_mapping

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def centre() -> demo.Centre:
    return demo.build_centre(TODAY)


def _validated(centre: demo.Centre) -> dict[str, tuple[dict | None, list[str]]]:
    out = {}
    for f in centre.files:
        try:
            _, values = validate_mapping(parse_text(f.text, ".yaml"))
            out[f.name] = (values, [])
        except FormError as exc:
            out[f.name] = (None, [str(p) for p in exc.problems])
    return out


def test_deterministic_for_a_date_and_seed() -> None:
    first = demo.generate(TODAY, 7)
    assert first == demo.generate(TODAY, 7)
    assert first != demo.generate(TODAY, 8)
    assert [n for n, _ in first] == sorted(n for n, _ in first)  # names sort in filing order


def test_dates_are_relative_to_today(centre: demo.Centre) -> None:
    later = demo.build_centre(date(2027, 3, 15))
    assert max(f.dzien for f in centre.files) <= TODAY
    assert max(f.dzien for f in later.files) <= date(2027, 3, 15)
    assert (TODAY - min(f.dzien for f in centre.files)).days in range(500, 570)  # ~18 months


def test_all_valid_except_the_intended_bad_ones(centre: demo.Centre) -> None:
    results = _validated(centre)
    invalid = {name for name, (values, _) in results.items() if values is None}
    # the limit case is a valid form the pipeline rejects at filing, not at validation
    intended = {f.name for f in centre.rejected if f.odrzucony != "limit 15 rodzin"}
    assert invalid == intended
    assert len(intended) == 5
    reasons = " ".join(" ".join(results[n][1]) for n in intended)
    for words in ("brak wymaganego pola", "cyfra kontrolna", "nieznane pole", "wcześniejsza niż",
                  "to nie jest poprawna data"):
        assert words in reasons
    assert len(centre.files) > 600 and len(centre.families) == 31  # issue 19: one waits after (13)


def test_every_pesel_is_valid_and_matches_the_birth_date(centre: demo.Centre) -> None:
    for values, _ in _validated(centre).values():
        for row in (values or {}).get("czlonkowie") or []:
            if row.get("pesel"):
                assert pesel_problem(row["pesel"], row.get("data_urodzenia")) is None


def test_the_limit_case(centre: demo.Centre) -> None:
    rodzina, asystent = centre.limit_case
    assert asystent == demo.LIMIT_ASSISTANT
    at_limit = [f for f in centre.families if f.asystent == asystent and f.rodzina != rodzina]
    assert len(at_limit) == 15
    tries = [f for f in centre.files if f.rodzina == rodzina and f.zalacznik == 1]
    assert [t.odrzucony for t in tries] == ["limit 15 rodzin", None]
    assert f"asystent: {asystent}" in tries[0].text and f"asystent: {asystent}" not in tries[1].text


@pytest.mark.parametrize("today", [TODAY, date(2027, 2, 4), date(2026, 6, 28)])
def test_checklists_show_what_the_generator_intended(today: date) -> None:
    centre = demo.build_centre(today)
    docs: dict[str, list[Entry]] = defaultdict(list)
    for f, (values, _) in zip(centre.files, _validated(centre).values(), strict=True):
        if values is not None and not f.odrzucony:
            docs[f.rodzina].append(entry(values.get("zalacznik", 0), values["data"], f.name, values,
                                       values.get("rodzaj", "")))
    stages = set()
    for family in centre.families:
        found = sorted(docs[family.rodzina], key=lambda d: (d.data, d.zalacznik))
        checklist = compute(family.rodzina, found, today, Terminy())
        problems = {(i.zalacznik, i.okres) for i in checklist.pozycje if i.status in PROBLEM_STATUSES}
        assert (checklist.etap, problems) == (family.etap, family.problemy), family.opis
        stages.add(checklist.etap)
    # issue 19: every stage, a family waiting for a new assistant after (13) too
    assert stages == {"kwalifikacja", "start", "diagnoza i plan", "współpraca", "monitoring",
                      "zakończona"}
    assert {z for f in centre.families for z, _ in f.problemy} == {0, 2, 6, 8, 14}
    assert {f.zalacznik for f in centre.files} == set(range(0, 17))  # 0: the closings


def test_cases_closed_before_their_time(centre: demo.Centre) -> None:
    """Three closings (lack of cooperation, a written resignation, moving out) and a refusal
    of consent; where the court had to be told and was not, the checklist says so."""
    closings = [f for f in centre.files if f.zalacznik == 0]
    assert len(closings) == 3 and all(f.name.endswith("_zakonczenie.yaml") for f in closings)
    refusals = [f for f in centre.files if f.zalacznik == 3 and demo.ODMOWA in f.text]
    assert len(refusals) == 1
    closed = {f.rodzina for f in closings} | {refusals[0].rodzina}
    families = {f.rodzina: f for f in centre.families}
    assert {families[c].etap for c in closed} == {"zakończona"}
    told = {c for c in closed if demo.COURT_ITEM not in families[c].problemy}
    # lack of cooperation (court informed), moving out (no duty) and, issue 19, the refusal
    # (telling the court is the kierownik's decision, not a BRAK)
    assert len(told) == 3


@pytest.mark.slow
def test_a_few_families_through_a_watched_inbox(settings: Settings, converter: Converter) -> None:
    centre = demo.build_centre(date.today())
    chosen = {f.rodzina for f in centre.families if "PESEL" in f.opis or "ponowne" in f.opis}
    files = [f for f in centre.files if f.rodzina in chosen]
    watcher = Watcher(settings, converter)
    ready = threading.Event()
    thread = threading.Thread(target=watcher.run, kwargs={"on_ready": ready.set}, daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        demo.drop_in_waves(files, settings.inbox, lambda: sum(watcher.counts.values()),
                           timeout_s=300)
    finally:
        watcher.stop()
        thread.join(30)
    rejected = {o.name for o in watcher.outcomes if o.status == "odrzucony"}
    assert rejected == {f.name for f in files if f.odrzucony}
    assert watcher.counts["przyjety"] == len(files) - len(rejected)
    assert (settings.inbox / "odrzucone" / f"{next(iter(rejected))}.txt").exists()
    for family in (f for f in centre.families if f.rodzina in chosen):
        checklist = checklist_for(settings.outbox, family.rodzina, date.today(), settings)
        assert checklist.etap == family.etap
