"""Where the checklist shows: checklista.json and .pdf, the terminal, outbox/index.html
(rendered in a real headless Chromium), and the 15-family limit at intake."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import copy_examples, entry, example, make_settings, pdf_text, run, squash
from PIL import Image

from pipeline.app.cli import main
from pipeline.core.config import Settings
from pipeline.documents.overview import STATUS_LABELS, write_checklists
from pipeline.sprawa.checklist import STATUSES
from pipeline.stages.convert import Converter

CASE = "K-2025-014"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("lista"))
    outcomes = run(settings, converter, *copy_examples(settings))
    assert all(o.status == "przyjety" for o in outcomes)
    return settings


def test_checklist_json_is_written_with_the_fixed_shape(archive: Settings) -> None:
    data = json.loads((archive.outbox / "rodziny" / CASE / "checklista.json").read_text("utf-8"))
    assert data["rodzina"] == CASE
    assert data["na_dzien"] == date.today().isoformat()
    assert data["etap"] == "kwalifikacja"  # the example case ends with a re-enrolment request
    for item in data["pozycje"]:
        assert set(item) == {"zalacznik", "okres", "status", "termin", "plik", "opis"}
        assert item["status"] in STATUSES


def test_after_a_re_enrolment_the_family_shows_its_last_assistant_and_what_it_waits_for(
        archive: Settings, converter: Converter) -> None:
    """The example case ends with (13): no new assignment yet, and not „—” everywhere."""
    write_checklists(archive, converter, [CASE], date.today())
    folder = archive.outbox / "rodziny" / CASE
    data = json.loads((folder / "checklista.json").read_text("utf-8"))
    assert (data["etap"], data["asystent"], data["cykl_od"]) == ("kwalifikacja", "Katarzyna Żak",
                                                                None)
    assert [(i["zalacznik"], i["status"]) for i in data["pozycje"]] == [
        (1, "oczekuje"), (2, "oczekuje"), (3, "oczekuje")]
    assert all("czeka na" in i["opis"] for i in data["pozycje"])
    page = (archive.outbox / "index.html").read_text(encoding="utf-8")
    row = page[page.index(f'<tr id="r-{CASE}"'):]
    row = row[:row.index("</tr>")]
    assert "Katarzyna Żak" in row and "oczekuje na ponowne przydzielenie asystenta" in row
    assert "czeka na decyzję kierownika" in row and "<td>—</td>" not in row
    # the assistants' table names her: no family in progress, one waiting for a new assignment
    load = page[page.index('<table id="asystenci"'):]
    load = load[:load.index("</table>")]
    assert "Katarzyna Żak" in load and "0 / 15" in load
    assert 'data-label="Czeka na ponowne przydzielenie">1</td>' in load
    # the totals' captions agree with their numbers: one family, one assistant
    totals = page[page.index('id="podsumowanie"'):]
    totals = totals[:totals.index("</ul>")]
    assert "<b>1</b><span>rodzina (w\u00a0toku:\u00a00)" in totals
    assert "<b>1</b><span>asystent rodziny" in totals
    pdf = squash(pdf_text(folder / "checklista.pdf"))
    assert "oczekuje na ponowne przydzielenie asystenta" in pdf
    assert "Katarzyna Żak (w poprzednim cyklu)" in pdf and "2. cykl sprawy" in pdf
    assert "czeka na zał. 1" in pdf and "czeka na zał. 2" in pdf
    assert "Wcześniejsze cykle sprawy" in pdf
    assert "wniosek o ponowne objęcie rodziny wsparciem (13) z" in pdf


def _as_of(settings: Settings, converter: Converter, day: str) -> dict:
    write_checklists(settings, converter, [CASE], date.fromisoformat(day))
    return json.loads((settings.outbox / "rodziny" / CASE / "checklista.json").read_text("utf-8"))


def test_terminal_pdf_and_page_show_the_same_items(archive: Settings, converter: Converter,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = _as_of(archive, converter, "2025-06-01")
    assert data["etap"] == "współpraca"
    assert {"brak", "po_terminie", "jest", "oczekuje"} <= {i["status"] for i in data["pozycje"]}
    for item in data["pozycje"]:
        if item["plik"]:
            assert (archive.outbox / "rodziny" / CASE / item["plik"]).is_file()

    monkeypatch.chdir(archive.outbox.parent)
    code = main(["--inbox", str(archive.inbox), "--outbox", str(archive.outbox),
                 "checklista", CASE, "--na-dzien", "2025-06-01", "--json"])
    assert code == 1  # something is missing
    assert json.loads(capsys.readouterr().out)["pozycje"] == data["pozycje"]

    code = main(["--outbox", str(archive.outbox), "checklista", CASE, "--na-dzien", "2025-06-01"])
    table = squash(capsys.readouterr().out)
    pdf = squash(pdf_text(archive.outbox / "rodziny" / CASE / "checklista.pdf"))
    assert "01.06.2025" in pdf and "współpraca" in pdf
    for item in data["pozycje"]:
        termin = date.fromisoformat(item["termin"]).strftime("%d.%m.%Y") if item["termin"] else "—"
        label = STATUS_LABELS[item["status"]]
        assert termin in table and label in table
        assert squash(item["opis"])[:40] in pdf
        assert (termin if item["termin"] else "bez terminu") in pdf
    counts = {s: sum(1 for i in data["pozycje"] if i["status"] == s) for s in STATUSES}
    assert pdf.count("BRAK") - 2 == counts["brak"]  # plus the summary row and the legend
    page = (archive.outbox / "index.html").read_text(encoding="utf-8")
    for status, n in counts.items():
        assert f'data-status="{status}">{n}</td>' in page


def test_index_page_renders_in_chromium_and_prints_on_a4(archive: Settings, converter: Converter,
                                                         tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.fail("brak przeglądarki chromium (pakiet Debiana chromium; ./run test ją instaluje)")
    _as_of(archive, converter, "2025-06-01")
    url = (archive.outbox / "index.html").as_uri()
    flags = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profil'}"]
    shot = tmp_path / "index.png"
    subprocess.run([*flags, f"--screenshot={shot}", "--window-size=1280,900", url],
                   check=True, capture_output=True, timeout=120)
    dom = subprocess.run([*flags, "--dump-dom", url], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    printed = tmp_path / "index.pdf"
    subprocess.run([*flags, "--no-pdf-header-footer", f"--print-to-pdf={printed}", url],
                   check=True, capture_output=True, timeout=120)
    # the rendered page: the family row, its stage, the assistant's load out of 15
    assert f'data-rodzina="{CASE}"' in dom and "współpraca" in dom and "1 / 15" in dom
    # the screenshot shows the red "brak" and orange "po terminie" alarms; a count of
    # documents present (green on paper) is no alarm and stays uncoloured on the page
    image = Image.open(shot).convert("RGB")
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert (0xF4, 0xCC, 0xCC) in colours and (0xFC, 0xE5, 0xCD) in colours
    assert (0xD9, 0xEA, 0xD3) not in colours
    # printed: A4 landscape pages that carry the same text
    from pypdf import PdfReader

    reader = PdfReader(str(printed))
    box = reader.pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 297 and round(float(box.height) / 72 * 25.4) == 210
    text = "".join(p.extract_text() for p in reader.pages)
    assert CASE in text and "Obciążenie asystentów" in text


def _assignment(case: str, day: str, assistant: str = "Katarzyna Żak") -> str:
    text = example(1).read_text(encoding="utf-8")
    return (text.replace(f"rodzina: {CASE}", f"rodzina: {case}")
            .replace("data: 2025-03-03", f"data: {day}")
            .replace("asystent: Katarzyna Żak", f"asystent: {assistant}"))


def test_sixteenth_family_is_rejected_and_a_closed_case_frees_the_place(
        tmp_path: Path, converter: Converter) -> None:
    settings = make_settings(tmp_path)
    paths = []
    for i in range(1, 16):
        path = settings.inbox / f"przydzial{i:02d}.yaml"
        path.write_text(_assignment(f"L-{i:02d}", "2025-03-03"), encoding="utf-8")
        paths.append(path)
    other = settings.inbox / "inny.yaml"
    other.write_text(_assignment("L-INNY", "2025-03-03", "Jan Ścibor"), encoding="utf-8")
    assert [o.status for o in run(settings, converter, *paths, other)] == ["przyjety"] * 16

    sixteenth = _assignment("L-16", "2026-05-10", "  katarzyna  ŻAK ")  # same person
    [outcome] = run(settings, converter, _drop(settings, "szesnasta.yaml", sixteenth))
    assert outcome.status == "odrzucony"
    explanation = (settings.inbox / "odrzucone" / "szesnasta.yaml.txt").read_text("utf-8")
    assert "prowadzi już 15 rodzin" in explanation
    assert "najwyżej 15" in explanation

    # family L-01 goes through to the end of monitoring: its place is free again
    for n in (3, 10, 12):
        text = example(n).read_text(encoding="utf-8").replace(f"rodzina: {CASE}", "rodzina: L-01")
        [done] = run(settings, converter, _drop(settings, f"l01_{n}.yaml", text))
        assert done.status == "przyjety", done.problems
    [accepted] = run(settings, converter, _drop(settings, "szesnasta2.yaml", sixteenth))
    assert accepted.status == "przyjety", accepted.problems
    page = (settings.outbox / "index.html").read_text(encoding="utf-8")
    assert "15 / 15" in page and "1 / 15" in page


def _drop(settings: Settings, name: str, text: str) -> Path:
    path = settings.inbox / name
    path.write_text(text, encoding="utf-8")
    return path


def test_watcher_recomputes_after_midnight(tmp_path: Path, converter: Converter,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Time passing alone turns "oczekuje" into "brak": the watcher refreshes at midnight."""
    import threading
    import time
    from datetime import timedelta

    import pipeline.flow.derived
    import pipeline.flow.watch
    from pipeline.flow.watch import Watcher

    settings = make_settings(tmp_path)
    today = date.today()
    assigned = today - timedelta(days=3)  # the hand-over (2) is due today
    [outcome] = run(settings, converter,
                    _drop(settings, "p.yaml", _assignment("M-1", assigned.isoformat())))
    assert outcome.status == "przyjety"
    path = settings.outbox / "rodziny" / "M-1" / "checklista.json"

    def handover_status() -> tuple[str, str]:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["na_dzien"], next(i["status"] for i in data["pozycje"] if i["zalacznik"] == 2)

    assert handover_status() == (today.isoformat(), "oczekuje")

    clock = {"today": today}

    class FakeDate(date):
        @classmethod
        def today(cls) -> date:  # type: ignore[override]
            return clock["today"]

    monkeypatch.setattr(pipeline.flow.watch, "date", FakeDate)
    monkeypatch.setattr(pipeline.flow.derived, "date", FakeDate)
    watcher = Watcher(settings, converter)
    ready = threading.Event()
    thread = threading.Thread(target=watcher.run, kwargs={"on_ready": ready.set}, daemon=True)
    thread.start()
    assert ready.wait(30)
    try:
        tomorrow = today + timedelta(days=1)
        clock["today"] = tomorrow
        pdf_path = settings.outbox / "rodziny" / "M-1" / "checklista.pdf"

        def pdf_says_tomorrow() -> bool:
            return tomorrow.strftime("%d.%m.%Y") in squash(pdf_text(pdf_path))

        deadline = time.monotonic() + 60
        while not pdf_says_tomorrow() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert handover_status() == (tomorrow.isoformat(), "brak")
        assert pdf_says_tomorrow() and "BRAK" in squash(pdf_text(pdf_path))
    finally:
        watcher.stop()
        thread.join(30)


def test_the_list_horizon_is_a_setting(tmp_path: Path) -> None:
    """„Do zrobienia” takes what falls due within `[terminy] do_zrobienia_dni` (14 by default),
    both ends included, after every item BRAK or „po terminie” whatever its date."""
    from pipeline.core.config import parse_config
    from pipeline.documents.dashboard import todo_lines
    from pipeline.sprawa.checklist import compute

    docs = [entry(1, date(2026, 3, 2), "zal01.pdf", {"asystent": "A"}),
            entry(2, date(2026, 3, 9), "zal02.pdf", {"dokumenty": [{"nazwa": "wywiad"}]})]
    checklist = compute("K-1", docs, date(2026, 3, 9), make_settings(tmp_path).terminy)
    assert make_settings(tmp_path).terminy.do_zrobienia_dni == 14
    lines = todo_lines([checklist], date(2026, 3, 9), 14)
    assert [(t.item.zalacznik, t.item.status, t.soon) for t in lines] == [
        (2, "po_terminie", False), (3, "oczekuje", True)]  # consent due 19.03
    assert [t.item.zalacznik for t in todo_lines([checklist], date(2026, 3, 9), 9)] == [2]
    assert [t.item.zalacznik for t in todo_lines([checklist], date(2026, 3, 9), 10)] == [2, 3]
    short = parse_config({"terminy": {"do_zrobienia_dni": 3}}, tmp_path)
    assert short.terminy.do_zrobienia_dni == 3
