"""A centre's own Word template (`[foldery] szablony`) as a first-class path.

The template is tests/samples/wlasny_szablon_zal02.docx, written as Word writes
one (tags split across runs, `proofErr`, tags in the header, footer and a table
row loop); each case is a variant made by the same builder, split the same way.
Everything runs through the real pipeline and LibreOffice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import EXAMPLES, docx_text, make_settings, pdf_text, squash
from docx import Document
from jinja2.defaults import DEFAULT_FILTERS
from own_template import FIXTURE, build

from pipeline.app import cli
from pipeline.app.checks import template_mismatch, template_review
from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.flow.watch import Watcher
from pipeline.stages.convert import Converter
from pipeline.stages.holding import HOLD_DIR
from pipeline.stages.intake import REJECTED_DIR
from pipeline.stages.render import jinja_env

FORMAT_MD = Path(__file__).parents[1] / "formularze" / "FORMAT.md"
EXAMPLE = (EXAMPLES / "zal02.yaml").read_text(encoding="utf-8")
# what staff must never read: English exception names and jinja's own words
ENGLISH = re.compile(r"Error\b|Exception|Traceback|undefined|unexpected|expected|"
                     r"has no attribute|No filter", re.I)

BROKEN_BRACE = {"spotkania|pl }}": "spotkania|pl }"}
UNKNOWN_FILTER = {"{{ nazwa_rodziny|pl }}": "{{ nazwa_rodziny|pll }}"}
UNCLOSED_BLOCK = {"{%p endif %}": ""}
BROKEN_IN_FOOTER = {"zina }}": "zina }"}
MISSPELLED = {"asystent": "asystnet"}
WITHOUT_ADRES = {"{{ adres": "{{ nazwa_rodziny"}
RAW = {" |pl }}": " }}", "{{ postanowienie_sadu|pl }}": "{{ postanowienie_sadu }}",
       "spotkania|pl }}": "spotkania }}"}
FAILS_ON_AN_EMPTY_ROW_NOTE = {"uwagi|pl }}": "uwagi.upper() }}"}  # None has no .upper()


def own(settings: Settings, root: Path, changes: dict[str, str] | None = None) -> Settings:
    """Settings whose [foldery] szablony holds this zal02.docx (the fixture or a variant)."""
    folder = root / "szablony"
    folder.mkdir(exist_ok=True)
    if changes:
        build(folder / "zal02.docx", changes)
    else:
        shutil.copyfile(FIXTURE, folder / "zal02.docx")
    return settings.with_folders(szablony=folder)


def write_config(root: Path) -> Path:
    config = root / "asysta.toml"
    config.write_text('[foldery]\ninbox = "inbox"\noutbox = "outbox"\nszablony = "szablony"\n',
                      encoding="utf-8")
    return config


def form_without_note_in_row(n: int) -> str:
    """The example with no `uwagi` in row n (1-based) of the documents table."""
    lines = EXAMPLE.splitlines()
    seen = 0
    out = []
    for line in lines:
        if line.startswith("    uwagi:"):
            seen += 1
            if seen == n:
                continue
        out.append(line)
    return "\n".join(out) + "\n"


# -- the fixture ---------------------------------------------------------------------------


def test_the_fixture_is_split_the_way_word_splits_tags(tmp_path: Path) -> None:
    with zipfile.ZipFile(FIXTURE) as package:
        body = package.read("word/document.xml").decode("utf-8")
        footer = next(package.read(n).decode() for n in package.namelist() if "footer" in n)
    assert body.count("<w:proofErr") >= 8 and "_GoBack" in body
    assert "{{ rodzina }}" not in body and "{{ asystent|pl }}" not in body  # split in runs
    assert "{{ rodzina }}" not in footer
    text = docx_text(FIXTURE)
    assert "Sprawa nr {{ rodzina }} z dnia {{ data|pl }}" in text  # as Word shows it
    assert "{{ w.data_dokumentu|pl }}" in text and "{%tr for w in dokumenty %}" in text
    # the stored file is what the builder makes (regenerate: python tests/own_template.py)
    assert docx_text(build(tmp_path / "again.docx")) == text


def test_the_own_template_fills_through_the_pipeline(tmp_path: Path, converter: Converter) -> None:
    settings = own(make_settings(tmp_path), tmp_path)
    assert template_review(2, settings) == ([], [])
    (settings.inbox / "zal02.yaml").write_text(EXAMPLE, encoding="utf-8")
    outcomes = list(Watcher(settings, converter).run_once())
    assert [o.status for o in outcomes] == ["przyjety"], outcomes
    filed = outcomes[0].filed
    assert filed is not None
    docx = docx_text(filed.docx)
    assert "Sprawa nr K-2025-014 z dnia 05.03.2025" in docx
    assert "Asystenta przydzielono 03.03.2025; postanowienie sądu: nie; pierwsze spotkanie: " \
           "12.03.2025." in docx
    assert "Rodzina: Agnieszka i Łukasz Wójcikowie, zamieszkała: ul. Źródlana 7 m. 3" in docx
    assert "Wniosek pracownika socjalnego o przydzielenie asystenta rodziny" in docx
    assert "26.02.2025" in docx and "Uwagi pracownika socjalnego: Rodzina została" in docx
    assert "Sprawa K-2025-014 – 05.03.2025" in docx  # the footer
    header = "\n".join(p.text for p in Document(str(filed.docx)).sections[0].header.paragraphs)
    assert "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim" in header
    assert "{{" not in docx and "{%" not in docx
    pdf = squash(pdf_text(filed.pdf))
    assert "Sprawa nr K-2025-014 z dnia 05.03.2025" in pdf
    assert "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim" in pdf


# -- values printed raw ---------------------------------------------------------------------


def test_values_without_pl_are_warned_about_and_do_print_raw(tmp_path: Path,
                                                            converter: Converter) -> None:
    settings = own(make_settings(tmp_path), tmp_path, RAW)
    errors, warnings = template_review(2, settings)
    assert errors == []
    assert len(warnings) == 3, warnings
    date_warning, bool_warning, empty_warning = warnings
    assert date_warning.startswith("zal02.docx: {{ data_przydzielenia }} (akapit: „Asystenta "
                                   "przydzielono {{ data_przydzielenia }}; postanowienie sądu")
    assert "2025-02-26 zamiast 26.02.2025" in date_warning
    assert "dopisz filtr |pl: {{ data_przydzielenia|pl }}" in date_warning
    assert "{{ postanowienie_sadu }}" in bool_warning and "True/False" in bool_warning
    assert "{{ termin_pierwszego_spotkania }}" in empty_warning
    # the guarded `{%p if uwagi %}…{{ uwagi }}` and the `|pl` tags are not warned about
    assert not any("{{ uwagi }}" in w or "{{ w." in w for w in warnings)
    # …and the warnings are true: this is what the document then says
    (settings.inbox / "zal02.yaml").write_text(EXAMPLE, encoding="utf-8")
    outcome = list(Watcher(settings, converter).run_once())[0]
    assert outcome.status == "przyjety" and outcome.filed
    assert "Asystenta przydzielono 2025-03-03; postanowienie sądu: False" in docx_text(outcome.filed.docx)


def test_an_empty_optional_value_without_pl_prints_none(tmp_path: Path,
                                                        converter: Converter) -> None:
    settings = own(make_settings(tmp_path), tmp_path, RAW)
    form = EXAMPLE.replace("termin_pierwszego_spotkania: 2025-03-12\n", "")
    (settings.inbox / "zal02.yaml").write_text(form, encoding="utf-8")
    outcome = list(Watcher(settings, converter).run_once())[0]
    assert outcome.status == "przyjety" and outcome.filed
    assert "pierwsze spotkanie: None." in docx_text(outcome.filed.docx)


def test_sprawdz_lists_warnings_and_errors(tmp_path: Path) -> None:
    own(make_settings(tmp_path), tmp_path, RAW)
    build(tmp_path / "szablony" / "zal06.docx", None)  # a zal02 template where zal06 belongs
    write_config(tmp_path)
    result = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "sprawdz"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "! zal02.docx: {{ data_przydzielenia }} (akapit: „Asystenta przydzielono" in out
    assert "! zal02.docx: {{ postanowienie_sadu }}" in out
    assert "✗ zal06.docx: pole „cel_glowny” ze schematu nie jest drukowane w szablonie" in out
    assert "✗ zal06.docx: pole „cele” ze schematu" in out and "„cele[].cel”" not in out
    assert "✗ zal06.docx: szablon używa zmiennej „dokumenty”, której nie ma w schemacie " \
           "(akapit lub wiersz tabeli ze znacznikiem, tuż przed „{{ w.nazwa }}”)" in out
    assert "załącznik 2: schemat, szablon i przykład są zgodne" in out  # a warning is no failure
    assert not ENGLISH.search(out), out


# -- a template that would lose data or reject every form: no start --------------------------


@pytest.mark.parametrize("changes, expected", [
    (MISSPELLED, "zal02.docx: szablon używa zmiennej „asystnet”, której nie ma w schemacie "
                 "(akapit: „Dokumenty przekazuje {{ pracownik_socjalny|pl }}, przyjmuje "
                 "{{ asystnet|pl }}.”) – czy chodziło o „asystent”?"),
    (WITHOUT_ADRES, "zal02.docx: pole „adres” ze schematu nie jest drukowane w szablonie – "
                    "dane z formularza by przepadły; dopisz {{ adres|pl }}"),
], ids=["zmienna-z-literowka", "brak-pola-adres"])
@pytest.mark.parametrize("command", [["przetworz", "zal02.yaml"], ["obserwuj", "--raz"]])
def test_a_mismatched_template_stops_the_start(tmp_path: Path, changes: dict[str, str],
                                               expected: str, command: list[str],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    settings = own(make_settings(tmp_path), tmp_path, changes)
    assert expected in template_mismatch(2, settings)  # what `asysta sprawdz` prints
    form = settings.inbox / "zal02.yaml"
    form.write_text(EXAMPLE, encoding="utf-8")
    if command[0] == "przetworz":
        command = ["przetworz", str(form)]
    code = cli.main(["--konfiguracja", str(write_config(tmp_path)), *command])
    err = capsys.readouterr().err
    assert code == cli.EXIT_USAGE
    assert f"✗ {expected}" in squash(err)
    assert "asysta sprawdz" in err and not ENGLISH.search(err), err
    # nothing was taken: the caseworker's valid file waits in the inbox, unchanged
    assert form.read_text(encoding="utf-8") == EXAMPLE
    assert not (settings.inbox / REJECTED_DIR).exists()
    assert not (settings.outbox / "rodziny").exists()


# -- tag errors point at the paragraph -------------------------------------------------------


@pytest.mark.parametrize("changes, expected", [
    (BROKEN_BRACE, "szablon zal02.docx ma błąd w znacznikach: znacznik „{{ termin_pierwszego_"
                   "spotkania|pl }” jest niedomknięty albo uszkodzony"),
    (UNKNOWN_FILTER, "szablon zal02.docx ma błąd w znacznikach: nieznany filtr „pll” "
                     "(filtry programu: odmiana, osoba, pl, slownie) (akapit: „Rodzina: "
                     "{{ nazwa_rodziny|pll }}, zamieszkała: {{ adres|pl }}.”)"),
    (UNCLOSED_BLOCK, "szablon zal02.docx ma błąd w znacznikach: blok „{% if uwagi %}” nie jest "
                     "zamknięty – brakuje {% endif %} (akapit lub wiersz tabeli ze znacznikiem, "
                     "tuż przed „Uwagi pracownika socjalnego: {{ uwagi }}”)"),
    (BROKEN_IN_FOOTER, "szablon zal02.docx ma błąd w znacznikach: znacznik „{{ rodzina }” jest "
                       "niedomknięty albo uszkodzony – sprawdź nawiasy {{ }} i {% %} oraz "
                       "cudzysłowy w stopce (akapit: „Sprawa {{ rodzina }…”)"),
], ids=["nawias", "filtr", "blok", "stopka"])
def test_a_tag_error_names_the_paragraph(tmp_path: Path, changes: dict[str, str],
                                         expected: str) -> None:
    settings = own(make_settings(tmp_path), tmp_path, changes)
    problems = template_mismatch(2, settings)
    assert len(problems) == 1 and problems[0].startswith(expected), problems
    assert not re.search(r"wiersz \d", problems[0]) and not ENGLISH.search(problems[0])


def test_a_broken_brace_shows_the_text_before_it(tmp_path: Path) -> None:
    settings = own(make_settings(tmp_path), tmp_path, BROKEN_BRACE)
    (problem,) = template_mismatch(2, settings)
    assert "(akapit: „…sądu: {{ postanowienie_sadu|pl }}; pierwsze spotkanie: " \
           "{{ termin_pierwszego_spotkania|pl }…”)" in problem
    assert "Dokument" not in problem  # not the table docxtpl glued on after the broken tag


# -- a template error met while processing: held for the administrator ------------------------


def test_a_template_error_while_processing_holds_the_form_until_the_template_is_fixed(
        tmp_path: Path, converter: Converter) -> None:
    settings = own(make_settings(tmp_path, przeglad_s=0.2), tmp_path, FAILS_ON_AN_EMPTY_ROW_NOTE)
    assert template_review(2, settings)[0] == []  # nothing a static check can see
    (settings.inbox / "pelny.yaml").write_text(EXAMPLE, encoding="utf-8")
    (settings.inbox / "bez_uwagi.yaml").write_text(form_without_note_in_row(3), encoding="utf-8")
    outcomes = {o.name: o for o in Watcher(settings, converter).run_once()}
    assert outcomes["pelny.yaml"].status == "przyjety"
    held = outcomes["bez_uwagi.yaml"]
    assert held.status == "pozostawiony"
    folder = settings.inbox / HOLD_DIR
    assert held.rejected_to == folder / "bez_uwagi.yaml"
    assert (folder / "bez_uwagi.yaml").read_text(encoding="utf-8") == form_without_note_in_row(3)
    assert not (settings.inbox / REJECTED_DIR).exists()  # not the caseworker's fault
    note = (folder / "bez_uwagi.yaml.txt").read_text(encoding="utf-8")
    assert "błąd szablonu — nie Twojego pliku" in note
    assert "szablon zal02.docx nie daje się wypełnić" in note
    assert "wartość jest w tym formularzu pusta, a znacznik używa na niej „upper”" in note
    assert "(akapit: „{{ w.uwagi.upper() }}”)" in note
    assert "nic nie trzeba w nim zmieniać" in note and "Notatnik" not in note
    assert not ENGLISH.search(note), note
    assert not ENGLISH.search(str(held.problems[0]))
    events = [e for e in journal.read(settings.outbox) if e.get("akcja") == "blad_szablonu"]
    assert events and events[0]["plik"] == "bez_uwagi.yaml" and events[0]["szablon"] == "zal02.docx"
    # run again with the same template: the form stays where it is
    assert list(Watcher(settings, converter).run_once()) == []
    assert (folder / "bez_uwagi.yaml").exists()
    # the administrator fixes the template: the form is taken again by itself
    shutil.copyfile(FIXTURE, settings.foldery.szablony / "zal02.docx")  # type: ignore[operator]
    again = list(Watcher(settings, converter).run_once())
    assert [(o.name, o.status) for o in again] == [("bez_uwagi.yaml", "przyjety")]
    assert sorted(p.name for p in folder.iterdir()) == []
    assert not (settings.inbox / "bez_uwagi.yaml").exists()


def test_a_running_watcher_takes_a_held_form_once_the_template_is_fixed(
        tmp_path: Path, converter: Converter) -> None:
    settings = own(make_settings(tmp_path, przeglad_s=0.2), tmp_path, FAILS_ON_AN_EMPTY_ROW_NOTE)
    watcher = Watcher(settings, converter)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        (settings.inbox / "bez_uwagi.yaml").write_text(form_without_note_in_row(2), encoding="utf-8")
        _wait(lambda: len(watcher.outcomes) >= 1)
        assert watcher.outcomes[0].status == "pozostawiony"
        assert (settings.inbox / HOLD_DIR / "bez_uwagi.yaml").exists()
        shutil.copyfile(FIXTURE, settings.foldery.szablony / "zal02.docx")  # type: ignore[operator]
        _wait(lambda: len(watcher.outcomes) >= 2)
        assert watcher.outcomes[1].status == "przyjety" and watcher.outcomes[1].name == "bez_uwagi.yaml"
    finally:
        watcher.stop()
        thread.join(timeout=30)
    assert not (settings.inbox / HOLD_DIR / "bez_uwagi.yaml").exists()


def _wait(condition: Callable[[], bool], timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


@pytest.mark.parametrize("changes, expected", [
    (WITHOUT_ADRES, "pole „adres” ze schematu nie jest drukowane w szablonie"),
    (BROKEN_BRACE, "znacznik „{{ termin_pierwszego_spotkania|pl }” jest niedomknięty"),
], ids=["brak-pola", "nawias"])
def test_a_template_broken_while_the_watcher_runs_holds_forms(
        tmp_path: Path, converter: Converter, changes: dict[str, str], expected: str) -> None:
    """The start-up check passed; then the template was edited. No form loses data."""
    settings = own(make_settings(tmp_path), tmp_path)
    build(settings.foldery.szablony / "zal02.docx", changes)  # type: ignore[operator]
    (settings.inbox / "zal02.yaml").write_text(EXAMPLE, encoding="utf-8")
    (outcome,) = Watcher(settings, converter).run_once()
    assert outcome.status == "pozostawiony"
    note = (settings.inbox / HOLD_DIR / "zal02.yaml.txt").read_text(encoding="utf-8")
    assert "błąd szablonu — nie Twojego pliku" in note and expected in note
    assert not (settings.outbox / "rodziny").exists()


def test_a_held_form_is_printed_in_polish_by_przetworz(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    settings = own(make_settings(tmp_path), tmp_path, FAILS_ON_AN_EMPTY_ROW_NOTE)
    write_config(tmp_path)
    (settings.inbox / "bez_uwagi.yaml").write_text(form_without_note_in_row(1), encoding="utf-8")
    code = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "przetworz", "inbox/bez_uwagi.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert code.returncode == 1, code.stdout + code.stderr
    out = squash(code.stdout)
    assert f"! pozostawiono bez_uwagi.yaml w folderze {settings.inbox / HOLD_DIR}: błąd szablonu " \
           "zal02.docx — nie Twojego pliku" in out
    assert not ENGLISH.search(code.stdout + code.stderr), code.stdout + code.stderr


# -- the documentation -------------------------------------------------------------------------


def test_format_md_documents_every_filter_and_the_word_example() -> None:
    text = FORMAT_MD.read_text(encoding="utf-8")
    for name in sorted(set(jinja_env().filters) - set(DEFAULT_FILTERS)):
        assert f"`|{name}`" in text, name
    for shown in ("Sprawa nr {{ rodzina }} z dnia {{ data|pl }}", "{%tr for w in dokumenty %}",
                  "{%p if uwagi %}", "2025-02-26", "False", "None", HOLD_DIR,
                  "tests/samples/wlasny_szablon_zal02.docx"):
        assert shown in text, shown
