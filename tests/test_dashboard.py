"""The morning page `outbox/index.html` and the family's `checklista.pdf`, on the demo centre.

The demo centre (pipeline/demo/centre.py) goes once through `asysta demo` — the watched inbox,
the month's reports, the after-batch steps — and its page is loaded in Debian's headless
Chromium (tests/browser.py) at 1400 px and at a phone's 390 px. What the page says is
checked against what the checklists (`checklista.json`) and the generator's intended
problems (`DemoFamily.problemy`) say; the filters are used as a person uses them; the page
is printed to PDF as Chromium prints it."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser import Chromium, Page
from conftest import OSRODEK, pdf_text, squash

from pipeline.core.config import Settings
from pipeline.demo import centre as demo
from pipeline.sprawa.register import families, family_dir

pytestmark = pytest.mark.slow
TODO = ("brak", "po_terminie", "niepodpisany")  # on the list whatever their date


@pytest.fixture(scope="module")
def centre(demo_outbox: Settings) -> tuple[Settings, demo.Centre]:
    """The demo centre as `asysta demo` makes it, on today's date (conftest: once a session)."""
    return demo_outbox, demo.build_centre(date.today())


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    chromium = Chromium(tmp_path_factory.mktemp("profil"))
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def wide(centre: tuple[Settings, demo.Centre], browser: Chromium) -> Iterator[Page]:
    page = browser.page((centre[0].outbox / "index.html").as_uri(), 1400)
    yield page
    page.close()


@pytest.fixture(scope="module")
def narrow(centre: tuple[Settings, demo.Centre], browser: Chromium) -> Iterator[Page]:
    page = browser.page((centre[0].outbox / "index.html").as_uri(), 390, 844)
    yield page
    page.close()


def _checklists(settings: Settings) -> dict[str, dict[str, Any]]:
    return {r: json.loads((family_dir(settings.outbox, r) / "checklista.json").read_text("utf-8"))
            for r in families(settings.outbox)}


_LINES = """Array.from(document.querySelectorAll('#do-zrobienia li[data-rodzina]')).map(li => ({
  rodzina: li.dataset.rodzina, zalacznik: +li.dataset.zalacznik, okres: li.dataset.okres || null,
  termin: li.dataset.termin || null, status: li.dataset.status, rodzaj: li.dataset.rodzaj,
  asystent: li.closest('.grupa').querySelector('h3').firstChild.textContent.trim(),
  widoczny: li.getClientRects().length > 0}))"""
_ROWS = """Array.from(document.querySelectorAll('#rodziny tbody tr[data-rodzina]')).map(tr => ({
  rodzina: tr.dataset.rodzina, asystent: tr.dataset.asystent, etap: tr.dataset.etap,
  widoczny: tr.getClientRects().length > 0}))"""


def _set(page: Page, name: str, value: str) -> None:
    """Choose a filter's value as a person does: the control changes, then its events fire."""
    page.eval(f"""(() => {{ const el = document.getElementById('filtry').elements[{json.dumps(name)}];
        el.value = {json.dumps(value)};
        el.dispatchEvent(new Event('input', {{bubbles: true}}));
        el.dispatchEvent(new Event('change', {{bubbles: true}})); }})()""")


def _overflow(page: Page) -> dict[str, Any]:
    return dict(page.eval("""(() => {
        const width = window.innerWidth, wide = [];
        for (const el of document.querySelectorAll('body *')) {
          const box = el.getBoundingClientRect();
          if (box.width && (box.right > width + 0.5 || box.left < -0.5))
            wide.push(el.tagName + '.' + el.className + ' ' + Math.round(box.right));
        }
        return {scroll: document.scrollingElement.scrollWidth, inner: width, wide: wide.slice(0, 8)};
      })()"""))


def test_nothing_runs_off_a_phone_screen(narrow: Page) -> None:
    assert narrow.eval("innerWidth") == 390
    closed = _overflow(narrow)
    assert closed["scroll"] <= closed["inner"] and not closed["wide"], closed
    # the documents behind every family's disclosure, opened, fit too (long file names wrap)
    narrow.eval("document.querySelectorAll('details').forEach(d => d.open = true)")
    try:
        opened = _overflow(narrow)
        assert opened["scroll"] <= opened["inner"] and not opened["wide"], opened
    finally:
        narrow.eval("document.querySelectorAll('details').forEach(d => d.open = false)")
    # families are cards there, not a table's columns: no column headers shown
    assert narrow.eval("getComputedStyle(document.querySelector('#rodziny thead')).display") == "none"


def test_the_wide_page_fits_and_shows_the_list_first(wide: Page) -> None:
    layout = _overflow(wide)
    assert layout["scroll"] <= layout["inner"] and not layout["wide"], layout
    order = wide.eval("Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
    assert order[0] == "do-zrobienia" and "rodziny-sekcja" in order and "obciazenie" in order


def test_a_closing_item_is_named_not_numbered(wide: Page) -> None:
    """The court-information items of the demo's closed cases have no attachment number."""
    labels = wide.eval("Array.from(document.querySelectorAll('#do-zrobienia .zal'))"
                       ".map(e => e.textContent)")
    assert "zakończenie" in labels and "zał. 0" not in labels


def test_the_list_holds_exactly_what_the_checklists_say(centre: tuple[Settings, demo.Centre],
                                                       wide: Page) -> None:
    settings, _ = centre
    today = date.today()
    horizon = today + timedelta(days=settings.terminy.do_zrobienia_dni)
    expected: Counter[tuple[Any, ...]] = Counter()
    assistants = {}
    for rodzina, data in _checklists(settings).items():
        assert data["na_dzien"] == today.isoformat()
        assistants[rodzina] = data["asystent"] or "bez asystenta"
        for item in data["pozycje"]:
            due = date.fromisoformat(item["termin"]) if item["termin"] else None
            if item["status"] in TODO:
                expected[(rodzina, item["zalacznik"], item["okres"], item["termin"],
                          item["status"])] += 1
            elif item["status"] == "oczekuje" and due and today <= due <= horizon:
                expected[(rodzina, item["zalacznik"], item["okres"], item["termin"],
                          "oczekuje")] += 1
    lines = wide.eval(_LINES)
    shown = Counter((li["rodzina"], li["zalacznik"], li["okres"], li["termin"], li["status"])
                    for li in lines)
    assert shown == expected
    assert sum(1 for s in expected if s[4] in TODO) >= 5  # the demo's problems are there
    for li in lines:  # grouped under the family's assistant, problems before what is due
        assert li["asystent"] == assistants[li["rodzina"]]
    for name in {li["asystent"] for li in lines}:
        kinds = [li["rodzaj"] for li in lines if li["asystent"] == name]
        assert kinds == sorted(kinds, key=lambda k: k != "problem")


def test_each_demo_family_shows_the_problems_the_generator_meant(
        centre: tuple[Settings, demo.Centre], wide: Page) -> None:
    settings, intended = centre
    lines = wide.eval(_LINES)
    rows = {r["rodzina"]: r for r in wide.eval(_ROWS)}
    assert set(rows) == {f.rodzina for f in intended.families}
    for family in intended.families:
        shown = {(li["zalacznik"], li["okres"]) for li in lines
                 if li["rodzina"] == family.rodzina and li["rodzaj"] == "problem"}
        assert shown == family.problemy, family.opis
        assert rows[family.rodzina]["etap"] == family.etap, family.opis
    # zero counts are plain; a non-zero BRAK or „po terminie” count is an alarm
    cells = wide.eval("""Array.from(document.querySelectorAll('#rodziny td[data-status]')).map(td =>
        [td.dataset.status, +td.textContent, getComputedStyle(td).backgroundColor])""")
    plain = {colour for _, n, colour in cells if n == 0}
    assert plain == {"rgba(0, 0, 0, 0)"}
    assert {(s, c) for s, n, c in cells if n and s == "brak"} == {("brak", "rgb(244, 204, 204)")}
    assert {c for s, n, c in cells if s in ("jest", "oczekuje")} == {"rgba(0, 0, 0, 0)"}


def test_filters_and_search_by_case_number(centre: tuple[Settings, demo.Centre],
                                           wide: Page) -> None:
    settings, intended = centre
    data = _checklists(settings)
    options = wide.eval("Array.from(document.querySelectorAll('#filtry select[name=asystent] "
                        "option')).map(o => [o.value, o.textContent])")
    people = {value: name for value, name in options if value}
    assert set(people.values()) == {f.asystent for f in intended.families}
    try:
        for value, name in people.items():
            _set(wide, "asystent", value)
            rows, lines = wide.eval(_ROWS), wide.eval(_LINES)
            assert {r["rodzina"] for r in rows if r["widoczny"]} == {
                r for r, d in data.items() if d["asystent"] == name}
            assert all(li["widoczny"] == (li["asystent"] == name) for li in lines)
            assert wide.eval("document.getElementById('wynik').textContent").startswith(
                f"Pokazano rodzin: {sum(1 for d in data.values() if d['asystent'] == name)} z ")
        _set(wide, "asystent", "")
        for stage in {d["etap"] for d in data.values()}:
            _set(wide, "etap", stage)
            assert {r["rodzina"] for r in wide.eval(_ROWS) if r["widoczny"]} == {
                r for r, d in data.items() if d["etap"] == stage}
        _set(wide, "etap", "monitoring")
        _set(wide, "asystent", next(v for v, n in people.items() if n == demo.LIMIT_ASSISTANT))
        assert not any(r["widoczny"] for r in wide.eval(_ROWS))  # hers are all in cooperation
        assert not wide.eval("document.getElementById('nic-do-zrobienia').hidden")
        wide.eval("document.getElementById('filtry').reset()")
        wide.eval("new Promise(r => setTimeout(r, 50))")
        assert all(r["widoczny"] for r in wide.eval(_ROWS))
        case = next(iter(data))
        _set(wide, "szukaj", case.lower()[-5:])  # a part of the number, in any letter case
        assert [r["rodzina"] for r in wide.eval(_ROWS) if r["widoczny"]] == [
            r for r in data if case.lower()[-5:] in r.lower()]
        assert {li["rodzina"] for li in wide.eval(_LINES) if li["widoczny"]} <= {case}
    finally:
        wide.eval("document.getElementById('filtry').reset()")


def test_a_list_line_leads_to_its_family_even_when_filtered_out(wide: Page) -> None:
    first = wide.eval(_LINES)[0]
    try:
        _set(wide, "szukaj", "nie-ma-takiej-sprawy")
        wide.eval(f"location.hash = 'r-{first['rodzina']}'")
        wide.eval("new Promise(r => setTimeout(r, 100))")
        assert wide.eval(f"document.getElementById('r-{first['rodzina']}').getClientRects()"
                         ".length") == 1
    finally:
        wide.eval("history.replaceState(null, '', location.pathname)")
        wide.eval("document.getElementById('filtry').reset()")


def test_printed_on_a4_landscape_the_list_comes_first(wide: Page, tmp_path: Path) -> None:
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(wide.print_pdf())
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)
    first = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    lines = [line.replace("\xa0", " ").strip() for line in first.splitlines() if line.strip()]
    # the centre's name and the date, then the list: no filters, no totals before it
    assert lines[0].startswith(OSRODEK["nazwa"]) and lines[1].startswith("Stan na dzień")
    assert lines[2] == "Do zrobienia"
    assert "Asystent" not in first.split("Do zrobienia")[0]
    first_line = wide.eval(_LINES)[0]
    assert first_line["rodzina"] in first
    everything = squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                       text=True, check=True).stdout)
    assert everything.index("Do zrobienia") < everything.index("Rodziny") < everything.index(
        "Obciążenie asystentów")


def test_checklista_pdf_shows_the_whole_cycle_and_the_earlier_ones(
        centre: tuple[Settings, demo.Centre]) -> None:
    settings, intended = centre
    data = _checklists(settings)
    for rodzina, checklist in data.items():
        text = squash(pdf_text(family_dir(settings.outbox, rodzina) / "checklista.pdf"))
        for item in checklist["pozycje"]:
            assert squash(item["opis"])[:40] in text, (rodzina, item["opis"])
            if item["termin"]:
                assert date.fromisoformat(item["termin"]).strftime("%d.%m.%Y") in text
            else:  # an item without a deadline says what it waits for, or that it has none
                assert "czeka na" in item["opis"] or item["status"] != "oczekuje"
            if item["plik"]:
                assert item["plik"] in text.replace(" ", "")  # long names wrap in the cell
    reenrolled = intended.teczka
    text = squash(pdf_text(family_dir(settings.outbox, reenrolled) / "checklista.pdf"))
    assert "Wcześniejsze cykle sprawy" in text and "2. cykl sprawy, od" in text
    assert "wniosek o ponowne objęcie rodziny wsparciem (13) z" in text
    family = next(f for f in intended.families if f.rodzina == reenrolled)
    assert text.count(family.asystent) >= 2  # this cycle's and the earlier one's
    single = next(r for r in data if r != reenrolled)
    assert "Wcześniejsze cykle" not in squash(
        pdf_text(family_dir(settings.outbox, single) / "checklista.pdf"))
