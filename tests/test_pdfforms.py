"""Fillable PDF forms: generated from the schemas, filled by an independent tool (pdftk, not
pypdf), dropped into a watched inbox and found in the documents; what a person sees on the
page; and every way a PDF is turned away."""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml
from conftest import (
    body_text,
    docx_text,
    drop,
    example,
    leaf_values,
    make_settings,
    pdf_text,
    run,
    squash,
)
from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject, IndirectObject

from pipeline import forms as pdfforms
from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import FormError
from pipeline.core.models import FiledDocument, IncomingFile
from pipeline.core.polish import display, in_words
from pipeline.flow.watch import Watcher
from pipeline.forms import columns as form_columns
from pipeline.forms import embed, spec
from pipeline.forms import layout as form_layout
from pipeline.sprawa.schemas import load_schema
from pipeline.stages.archive import REGISTER_NAME, family_dir
from pipeline.stages.convert import Converter
from pipeline.stages.parse import parse
from pipeline.stages.validate import validate_mapping

NUMBERS = range(1, 17)
POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
PANGRAM = "Zażółć gęślą jaźń – ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż, ½ etatu, 48 m², № 5"


# -- filling a form as a person would, with pdftk ----------------------------------------------


@pytest.fixture(scope="session")
def pdftk() -> str:
    path = shutil.which("pdftk")
    if not path:
        pytest.fail("brak programu pdftk: apt install pdftk-java (./run test instaluje go sam)")
    return path


def typed(value: Any) -> str | None:
    """A value as a person types it into the form: DD.MM.RRRR, decimal comma, a ticked box."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "tak" if value else "Off"  # the checkbox's states
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return str(value).replace(".", ",")
    return str(value)


def form_values(n: int) -> dict[str, str]:
    """The example's values by PDF field name (independent of pipeline.pdfforms)."""
    data = yaml.safe_load(example(n).read_text(encoding="utf-8"))
    out = {"rodzina": data["rodzina"], "data": typed(data["data"])}
    for key, rules in load_schema(n).pola.items():
        value = data.get(key)
        inner = rules.get("schema") or {}
        if rules["type"] == "list" and inner.get("type") == "dict":
            for i, row in enumerate(value or [], 1):
                for column in inner["schema"]:
                    out[f"{key}[{i}]/{column}"] = typed(row.get(column))
        elif rules["type"] == "list":
            out[key] = "\n".join(str(typed(item)) for item in value or [])
        elif rules["type"] == "dict":
            for sub in inner:
                out[f"{key}/{sub}"] = typed((value or {}).get(sub))
        else:
            out[key] = typed(value)
    return {k: v for k, v in out.items() if v is not None}


def xfdf(values: dict[str, str]) -> bytes:
    fields = "".join(f"<field name={quoteattr(k)}><value>{escape(v)}</value></field>\n"
                     for k, v in values.items())
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<xfdf xmlns="http://ns.adobe.com/xfdf/" xml:space="preserve"><fields>\n'
            f"{fields}</fields></xfdf>\n").encode()


def fill(pdftk: str, blank: Path, values: dict[str, str], out: Path) -> Path:
    """pdftk fills the fields and draws their appearance with the form's embedded font."""
    data = out.with_name(out.name + ".xfdf")
    data.write_bytes(xfdf(values))
    subprocess.run([pdftk, str(blank), "fill_form", str(data), "output", str(out)], check=True,
                   capture_output=True, timeout=120)
    data.unlink()
    return out


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("formularze")
    paths = pdfforms.write_forms(make_settings(root), root / "formularze")
    return {n: p for n, p in zip(NUMBERS, paths, strict=True)}


def normalised(values: Any) -> Any:
    """Validated values without the empty ones (a PDF leaves an empty field out, YAML says null)."""
    if isinstance(values, dict):
        return {k: normalised(v) for k, v in values.items() if v not in (None, "", [])}
    if isinstance(values, list):
        return [normalised(v) for v in values]
    return values


def yaml_values(n: int) -> dict[str, Any]:
    incoming = IncomingFile(example(n), example(n).read_bytes(), "")
    return validate_mapping(parse(incoming))[1]


# -- the blank forms ---------------------------------------------------------------------------


def expected_field_names(n: int) -> set[str]:
    names = {"rodzina", "data", pdfforms.MARKER_FIELD}
    for key, rules in load_schema(n).pola.items():
        inner = rules.get("schema") or {}
        if rules["type"] == "list" and inner.get("type") == "dict":
            rows = min(12, rules.get("maxlength") or 40)
            names |= {f"{key}[{i}]/{c}" for i in range(1, rows + 1) for c in inner["schema"]}
        elif rules["type"] == "dict":
            names |= {f"{key}/{sub}" for sub in inner}
        else:
            names.add(key)
    return names


def assert_values_in_documents(doc: FiledDocument, n: int) -> list[str]:
    """Every value of the filed form is printed in its DOCX and its PDF; the values."""
    values = list(leaf_values({k: v for k, v in doc.form.values.items() if k != "zalacznik"}))
    expected = [display(v) for v in values]
    # a value prints in a table as it is, or (a date) in a sentence in words (FORMAT.md,
    # „Daty”); spaces read the same whether breaking or not (names are tied with non-breaking)
    printed = [{display(v), in_words(v)} for v in values]
    flat = squash(docx_text(doc.docx))
    missing = [e for e, ways in zip(expected, printed, strict=True)
               if not any(squash(w) in flat for w in ways)]
    assert not missing, f"zal{n:02d}: wartości nieobecne w DOCX: {missing}"
    # the page footer and code line may fall in the middle of a paragraph on two pages
    bare = "".join(body_text(doc.pdf).split())
    bare = bare.replace("-", "")  # narrow columns are hyphenated (see test_typography)
    missing = [e for e, ways in zip(expected, printed, strict=True)
               if not any("".join(w.split()).replace("-", "") in bare for w in ways)]
    assert not missing, f"zal{n:02d}: wartości nieobecne w PDF: {missing}"
    return expected


@pytest.mark.parametrize("n", NUMBERS)
def test_form_has_a_field_of_the_right_kind_for_every_schema_field(
        n: int, blanks: dict[int, Path]) -> None:
    schema = load_schema(n)
    assert blanks[n].name == f"zal{n:02d}_{schema.nazwa_pliku}.pdf"
    reader = PdfReader(blanks[n])
    fields = reader.get_fields() or {}
    assert set(fields) == expected_field_names(n)
    acroform = reader.trailer["/Root"]["/AcroForm"]
    # every field has its own appearance; with NeedAppearances pdf.js saves none
    assert not acroform.get("/NeedAppearances")
    assert all(page.get("/Annots") for page in reader.pages), "a page without fields"
    assert fields[pdfforms.MARKER_FIELD]["/V"] == pdfforms.marker(schema)
    assert f"wersja={schema.wersja};" in pdfforms.marker(schema)
    widgets = {str(a.get_object()["/T"]): a.get_object() for page in reader.pages
               for a in page.get("/Annots", [])}
    assert widgets[pdfforms.MARKER_FIELD]["/F"] & 2  # hidden
    x1, y1, x2, y2 = (float(v) for v in widgets[pdfforms.MARKER_FIELD]["/Rect"])
    assert x2 > x1 and y2 > y1  # pdf.js stops drawing a page's fields at a 0 × 0 one
    for name, f in fields.items():
        key = name.split("/")[-1].split("[")[0]
        rules = _rules_for(schema.pola, name)
        if rules is None:
            continue
        if rules["type"] == "boolean":
            assert f["/FT"] == "/Btn", name
        elif rules.get("allowed"):
            assert f["/FT"] == "/Ch" and widgets[name]["/Ff"] & (1 << 17), name  # a drop-down
            assert list(widgets[name]["/Opt"]) == ["", *rules["allowed"]], name
        else:
            assert f["/FT"] == "/Tx", name
        if rules["type"] == "date":
            assert "AFDate_KeystrokeEx(\"dd.mm.yyyy\")" in str(widgets[name]["/AA"]["/K"]["/JS"])
            assert widgets[name]["/MaxLen"] == 10
        if rules.get("meta", {}).get("wielowierszowe"):
            assert widgets[name]["/Ff"] & 4096, f"{key}: pole wielowierszowe"
        assert rules["meta"]["etykieta"] in str(widgets[name]["/TU"]), name  # for screen readers
    text = squash(pdf_text(blanks[n]))
    assert squash(schema.tytul.upper()) in text
    assert "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim" in text
    assert f"Załącznik nr {n} do Procedury postępowania" in text


def _rules_for(pola: dict[str, Any], name: str) -> dict[str, Any] | None:
    if name in ("rodzina", "data", pdfforms.MARKER_FIELD):
        return None
    if "[" in name:
        table, column = name.split("[")[0], name.split("/")[-1]
        return pola[table]["schema"]["schema"][column]
    if "/" in name:
        section, sub = name.split("/")
        return pola[section]["schema"][sub]
    return pola[name]


def test_table_headers_wrap_between_words_only(tmp_path: Path) -> None:
    """A column is as wide as its header's longest word: no „pokrewieńs|twa”."""
    settings = make_settings(tmp_path)
    regular, bold = (embed.load_font(p) for p in pdfforms.font_paths())
    tables = 0
    for n in NUMBERS:
        schema = load_schema(n)
        layout = form_layout.Layout(schema, settings.osrodek, regular, bold, {}, None)
        for key, rules in schema.pola.items():
            if not spec.is_table(rules):
                continue
            tables += 1
            columns = rules["schema"]["schema"]
            signature = bool(rules["meta"].get("kolumna_podpisu"))
            widths, _ = layout.column_widths(columns, signature)
            total = sum(widths.values()) + form_columns.NUMBER_W + \
                (form_columns.SIGNATURE_W if signature else 0)
            assert total == pytest.approx(form_layout.CONTENT_W), (n, key)
            for column, column_rules in columns.items():
                label = spec.column_label(column, column_rules)
                lines = bold.wrap(label, form_columns.HEADER_SIZE,
                                  widths[column] - 2 * form_columns.HEADER_PAD)
                assert " ".join(lines) == label, (n, key, lines)
    assert tables >= 10


def test_every_label_and_help_is_printed(blanks: dict[int, Path]) -> None:
    text = squash(pdf_text(blanks[4]))
    for key, rules in load_schema(4).pola.items():
        assert squash(rules["meta"]["etykieta"]) in text, key


def test_forms_are_built_the_same_every_time(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert pdfforms.build_form(8, settings) == pdfforms.build_form(8, settings)


def test_embedded_font_has_every_polish_letter(blanks: dict[int, Path]) -> None:
    from fontTools.ttLib import TTFont

    reader = PdfReader(blanks[1])
    font = reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"]["/" + pdfforms.FIELD_FONT].get_object()
    assert font["/Subtype"] == "/TrueType"
    program = font["/FontDescriptor"]["/FontFile2"].get_object().get_data()
    cmap = TTFont(io.BytesIO(program)).getBestCmap()
    assert all(ord(ch) in cmap for ch in POLISH + "„”–½²№")
    # the encoding names the glyphs, so a reader can encode what is typed
    differences = [str(d) for d in font["/Encoding"]["/Differences"]]
    for glyph in ("/aogonek", "/eogonek", "/lslash", "/Lslash", "/zdotaccent", "/Zacute"):
        assert glyph in differences
    fonts = subprocess.run(["pdffonts", str(blanks[1])], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts if "ZapfDingbats" not in line)


# -- filled forms through the watched inbox ----------------------------------------------------


class RunningWatcher:
    def __init__(self, settings: Settings, converter: Converter) -> None:
        self.watcher = Watcher(settings, converter)
        ready = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, kwargs={"on_ready": ready.set},
                                       daemon=True)
        self.thread.start()
        assert ready.wait(30)

    def wait_for(self, count: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while len(self.watcher.outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.watcher.outcomes) >= count, self.watcher.outcomes

    def stop(self) -> None:
        self.watcher.stop()
        self.thread.join(timeout=30)


def test_sixteen_filled_forms_through_a_watched_inbox(
        blanks: dict[int, Path], pdftk: str, converter: Converter, tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "osrodek")
    filled = {n: fill(pdftk, blanks[n], form_values(n), tmp_path / f"wypelniony-{n:02d}.pdf")
              for n in NUMBERS}
    watching = RunningWatcher(settings, converter)
    try:
        for path in filled.values():
            part = settings.inbox / f".{path.name}.kopiowanie"
            shutil.copyfile(path, part)
            part.rename(settings.inbox / path.name)  # appears complete, as a saved file does
        watching.wait_for(16)
    finally:
        watching.stop()
    outcomes = {o.name: o for o in watching.watcher.outcomes}
    assert sorted(o.status for o in outcomes.values()) == ["przyjety"] * 16, \
        [(o.name, [str(p) for p in o.problems]) for o in outcomes.values()]
    folder = family_dir(settings.outbox, "K-2025-014")
    register = {d["zalacznik"]: d for d in
                json.loads((folder / REGISTER_NAME).read_text(encoding="utf-8"))["dokumenty"]}
    for n in NUMBERS:
        doc = outcomes[filled[n].name].filed
        assert doc is not None
        # the filled PDF is the original, byte for byte, beside the rendered PDF
        assert doc.original.name == doc.pdf.name.replace(".pdf", ".formularz.pdf")
        assert doc.original.read_bytes() == filled[n].read_bytes()
        assert register[n]["plik_zrodlowy"] == doc.original.name
        # the form gives exactly what the YAML example gives
        assert normalised(dict(doc.form.values)) == normalised(yaml_values(n)), n
        assert_values_in_documents(doc, n)
    assert not [p for p in settings.inbox.iterdir() if p.is_file() and p.suffix == ".pdf"]
    for n in NUMBERS:  # what pdftk drew for the typed values is in the form's own font
        assert_only_the_embedded_font(filled[n], {k for k, v in form_values(n).items()
                                                  if v not in ("", "tak", "Off")})


# -- what is drawn on the page -----------------------------------------------------------------


def appearance_fonts(path: Path) -> dict[str, list[IndirectObject | None]]:
    """For every text and choice field with a drawn appearance: the fonts (as references) that
    its Tf operators select; None for a font that is not an indirect object."""
    reader = PdfReader(path)
    out: dict[str, list[IndirectObject | None]] = {}
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            widget = annot.get_object()
            if widget.get("/FT") not in ("/Tx", "/Ch") or "/AP" not in widget:
                continue
            stream = widget["/AP"]["/N"].get_object()
            resources = stream.get("/Resources")
            fonts = resources.get_object().get("/Font") if resources else None
            fonts = fonts.get_object() if fonts else DictionaryObject()
            used = []
            for operands, operator in ContentStream(stream, reader).operations:
                if operator == b"Tf":
                    ref = fonts.raw_get(operands[0]) if operands[0] in fonts else None
                    used.append(ref if isinstance(ref, IndirectObject) else None)
            out[str(widget["/T"])] = used
    return out


def assert_only_the_embedded_font(path: Path, typed_names: set[str]) -> None:
    reader = PdfReader(path)
    field_font = reader.trailer["/Root"]["/AcroForm"]["/DR"]["/Font"].raw_get(
        "/" + pdfforms.FIELD_FONT)
    program = field_font.get_object()["/FontDescriptor"]["/FontFile2"]
    assert program.get_object().get_data(), "czcionka pól nie jest osadzona"
    fonts = appearance_fonts(path)
    drawn = {name for name, used in fonts.items() if used}
    assert typed_names <= drawn, f"{path.name}: bez wyglądu: {sorted(typed_names - drawn)}"
    foreign = {name: used for name, used in fonts.items()
               if any(ref is None or ref.idnum != field_font.idnum for ref in used)}
    assert not foreign, f"{path.name}: pola rysowane inną czcionką: {sorted(foreign)}"




def drawn_text(pdf: Path) -> str:
    """The text poppler draws, field appearances included (pypdf's extract_text skips them)."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def dark_pixels(png: Path, rect: tuple[float, float, float, float], dpi: int,
                page_height: float) -> int:
    """Dark pixels inside a field's rectangle (PDF points, origin bottom left)."""
    from PIL import Image

    scale = dpi / 72
    x1, y1, x2, y2 = rect
    box = (round(x1 * scale) + 2, round((page_height - y2) * scale) + 2,  # inside the border
           round(x2 * scale) - 2, round((page_height - y1) * scale) - 2)
    with Image.open(png) as image:
        return sum(image.convert("L").crop(box).histogram()[:110])


def render_page(pdf: Path, out: Path, dpi: int = 100) -> Path:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile",
                    str(pdf), str(out)], check=True)
    return out.with_suffix(".png")


def test_filled_text_is_drawn_on_the_page_not_only_stored(
        blanks: dict[int, Path], pdftk: str, tmp_path: Path) -> None:
    values = form_values(1) | {"asystent": PANGRAM, "za_zyciem": "tak",
                               "podstawa": "ustawa „Za życiem”"}
    filled = fill(pdftk, blanks[1], values, tmp_path / "zal01.pdf")
    # the text layer comes from the fields' appearance streams, in the embedded font
    text = drawn_text(filled)
    assert PANGRAM in text
    assert "ustawa „Za życiem”" in text
    assert "K-2025-014" in text and "03.03.2025" in text
    assert PANGRAM not in drawn_text(blanks[1])
    assert_only_the_embedded_font(filled, {"asystent", "podstawa", "rodzina", "data"})
    # and the pixels: the blank field is empty, the filled one has ink
    reader = PdfReader(filled)
    page = reader.pages[0]
    rects = {str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
             for a in page["/Annots"]}
    height = float(page.mediabox.height)
    blank_png = render_page(blanks[1], tmp_path / "pusty")
    filled_png = render_page(filled, tmp_path / "wypelniony")
    for name in ("asystent", "za_zyciem", "podstawa", "czlonkowie[1]/imie_nazwisko"):
        assert dark_pixels(blank_png, tuple(rects[name]), 100, height) == 0, name
        assert dark_pixels(filled_png, tuple(rects[name]), 100, height) > 20, name
    assert pdfforms.read_form(filled.read_bytes())["asystent"] == PANGRAM


def test_a_reader_that_redraws_the_fields_uses_the_embedded_font(
        blanks: dict[int, Path], pdftk: str, tmp_path: Path) -> None:
    """Filled without appearance streams (as some programs save): NeedAppearances makes the
    reader draw the fields itself, with the form's font, Polish letters included."""
    values = form_values(1) | {"asystent": PANGRAM, "za_zyciem": "tak"}
    data = tmp_path / "dane.xfdf"
    data.write_bytes(xfdf(values))
    filled = tmp_path / "bez-wygladu.pdf"
    subprocess.run([pdftk, str(blanks[1]), "fill_form", str(data), "output", str(filled),
                    "need_appearances"], check=True, capture_output=True, timeout=120)
    assert PANGRAM in drawn_text(filled)
    page = PdfReader(filled).pages[0]
    rects = {str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]]
             for a in page["/Annots"]}
    png = render_page(filled, tmp_path / "bez-wygladu")
    assert dark_pixels(png, tuple(rects["asystent"]), 100, float(page.mediabox.height)) > 20


# -- reading: Polish representations -----------------------------------------------------------


def test_polish_dates_numbers_checkboxes_lists_and_empty_rows(
        blanks: dict[int, Path], pdftk: str, tmp_path: Path) -> None:
    values = form_values(4) | {
        "data": "1.4.2025 r.",
        "data_rozpoczecia_wspolpracy": "2025-04-02",  # the ISO form is understood too
        "liczba_izb": " 3 ",
        "powierzchnia_m2": "48,5",
        "zadluzenie_mieszkaniowe": "3 840,50",
        "niebieska_karta": "tak",
        "czlonkowie[2]/imie_nazwisko": "", "czlonkowie[2]/pokrewienstwo": "",
        "czlonkowie[2]/data_urodzenia": "", "czlonkowie[2]/pesel": "",
        "czlonkowie[2]/nauka_praca": "",
    }
    filled = fill(pdftk, blanks[4], values, tmp_path / "zal04.pdf")
    document = pdfforms.read_form(filled.read_bytes())
    assert document["zalacznik"] == 4 and document["rodzina"] == "K-2025-014"
    assert document["data"] == "2025-04-01"
    assert document["data_rozpoczecia_wspolpracy"] == "2025-04-02"
    assert document["liczba_izb"] == 3
    assert document["powierzchnia_m2"] == 48.5
    assert document["zadluzenie_mieszkaniowe"] == 3840.5
    assert document["niebieska_karta"] is True
    example_members = yaml.safe_load(example(4).read_text(encoding="utf-8"))["czlonkowie"]
    assert [m["imie_nazwisko"] for m in document["czlonkowie"]] == \
        [example_members[0]["imie_nazwisko"], *[m["imie_nazwisko"] for m in example_members[2:]]]
    schema, checked = validate_mapping(document)
    assert checked["data"] == date(2025, 4, 1)

    lines = form_values(14) | {"instytucje": "- Szkoła Podstawowa nr 2\n\n• Poradnia\n  \n",
                               "miesiac": "4.2025"}
    report = pdfforms.read_form(fill(pdftk, blanks[14], lines, tmp_path / "z14.pdf").read_bytes())
    assert report["instytucje"] == ["Szkoła Podstawowa nr 2", "Poradnia"]
    assert report["miesiac"] == "2025-04"

    visits = form_values(8) | {"wizyty[1]/godzina_od": "9.00", "wizyty[1]/godzina_do": "9:45"}
    card = pdfforms.read_form(fill(pdftk, blanks[8], visits, tmp_path / "z08.pdf").read_bytes())
    assert (card["wizyty"][0]["godzina_od"], card["wizyty"][0]["godzina_do"]) == ("09:00", "09:45")
    unchecked = pdfforms.read_form(blanks[1].read_bytes())
    assert unchecked == {"zalacznik": 1, "postanowienie_sadu": False, "za_zyciem": False}


# -- rejections --------------------------------------------------------------------------------


def rejected_reason(settings: Settings, converter: Converter, path: Path) -> str:
    [outcome] = run(settings, converter, path)
    assert outcome.status == "odrzucony"
    assert outcome.rejected_to is not None and outcome.rejected_to.exists()
    explanation = outcome.rejected_to.with_name(outcome.rejected_to.name + ".txt")
    text = explanation.read_text(encoding="utf-8")
    assert "program" in text and "PDF" in text  # what to do, for a PDF
    return text


def test_invalid_values_are_named_by_their_labels(
        blanks: dict[int, Path], pdftk: str, settings: Settings, converter: Converter) -> None:
    values = form_values(4) | {"data_rozpoczecia_wspolpracy": "31.02.2025",
                               "liczba_izb": "dużo", "adres": "",
                               "czlonkowie[3]/data_urodzenia": "15.13.2015"}
    filled = fill(pdftk, blanks[4], values, settings.inbox / "karta.pdf")
    text = rejected_reason(settings, converter, filled)
    assert "„Data rozpoczęcia współpracy” (data_rozpoczecia_wspolpracy): to nie jest poprawna " \
           "data" in text
    assert "DD.MM.RRRR" in text
    assert "„Liczba izb” (liczba_izb): zły rodzaj wartości – oczekiwano: liczba całkowita" in text
    assert "„Adres zamieszkania rodziny” (adres): brak wymaganego pola" in text
    assert "„Członkowie rodziny › poz. 3 › Data urodzenia” (czlonkowie[3].data_urodzenia)" in text
    log = (settings.outbox / "dziennik.jsonl").read_text(encoding="utf-8")
    for value in ("Wójcik", "Źródlana", "31.02.2025", "dużo"):
        assert value not in log and value not in text
    assert journal.read(settings.outbox)[-1]["rodzina"] == "K-2025-014"


def test_a_pdf_that_is_not_a_form_is_rejected(settings: Settings, converter: Converter) -> None:
    [accepted] = run(settings, converter, drop(settings, "a.yaml", example(1).read_bytes()))
    assert accepted.filed
    document = drop(settings, "dokument.pdf", accepted.filed.pdf.read_bytes())
    assert "nie jest formularzem asysta" in rejected_reason(settings, converter, document)
    text_file = drop(settings, "notatka.pdf", "To nie jest PDF.")
    assert "nie jest dokumentem PDF" in rejected_reason(settings, converter, text_file)


def test_encrypted_and_broken_pdfs_are_rejected(
        blanks: dict[int, Path], pdftk: str, settings: Settings, converter: Converter,
        tmp_path: Path) -> None:
    filled = fill(pdftk, blanks[1], form_values(1), tmp_path / "dobry.pdf")
    locked = settings.inbox / "zaszyfrowany.pdf"
    subprocess.run([pdftk, str(filled), "output", str(locked), "user_pw", "tajne"], check=True)
    assert "zaszyfrowany" in rejected_reason(settings, converter, locked)
    owner_only = settings.inbox / "zabezpieczony.pdf"
    subprocess.run([pdftk, str(filled), "output", str(owner_only), "owner_pw", "tajne"],
                   check=True)
    assert "zaszyfrowany" in rejected_reason(settings, converter, owner_only)
    content = filled.read_bytes()
    cut = drop(settings, "urwany.pdf", content[: len(content) * 2 // 3])
    assert "uszkodzony albo niekompletny" in rejected_reason(settings, converter, cut)
    junk = drop(settings, "smieci.pdf", b"%PDF-1.7\n" + b"\x00\x13garbage" * 200)
    assert "uszkodzony albo niekompletny" in rejected_reason(settings, converter, junk)


def own_schemas(tmp_path: Path, change: str) -> Path:
    folder = tmp_path / "moje_formularze"
    folder.mkdir(parents=True)
    text = load_schema(1).source.read_text(encoding="utf-8")
    if change == "wersja":
        text = text.replace("wersja: 1\n", "wersja: 2\n")
    else:  # a closed list changed, the version forgotten
        text = text.replace("      - wniosek instytucji zewnętrznej\n", "")
    (folder / "zal01.yaml").write_text(text, encoding="utf-8")
    return folder


def test_a_form_from_another_schema_version_is_rejected(
        blanks: dict[int, Path], pdftk: str, settings: Settings, converter: Converter,
        tmp_path: Path) -> None:
    # made from the centre's schema version 2, read where version 1 is in force
    newer = settings.with_folders(formularze=own_schemas(tmp_path / "a", "wersja"))
    (tmp_path / "v2.pdf").write_bytes(pdfforms.build_form(1, newer))
    filled = fill(pdftk, tmp_path / "v2.pdf", form_values(1), tmp_path / "v2-wypelniony.pdf")
    assert pdfforms.read_form(filled.read_bytes(), newer.foldery.formularze)["asystent"]
    text = rejected_reason(settings, converter, drop(settings, "zal01.pdf", filled.read_bytes()))
    assert "nieaktualnej wersji (wersja formularza 2, obowiązuje wersja 1)" in text
    # and the other way round: an old form where version 2 is in force
    old = fill(pdftk, blanks[1], form_values(1), tmp_path / "stary.pdf").read_bytes()
    with pytest.raises(FormError, match="wersja formularza 1, obowiązuje wersja 2"):
        pdfforms.read_form(old, newer.foldery.formularze)
    # a schema changed without a new version is caught by the fingerprint
    changed = own_schemas(tmp_path / "b", "lista")
    with pytest.raises(FormError, match="powstał z innego schematu"):
        pdfforms.read_form(old, changed)


def test_size_limit_for_pdf_forms_is_its_own(
        blanks: dict[int, Path], pdftk: str, tmp_path: Path, converter: Converter) -> None:
    filled = fill(pdftk, blanks[1], form_values(1), tmp_path / "zal01.pdf")
    roomy = make_settings(tmp_path / "a", max_rozmiar_kb=1)  # text forms: 1 KB
    [outcome] = run(roomy, converter, drop(roomy, "zal01.pdf", filled.read_bytes()))
    assert outcome.status == "przyjety", outcome.problems
    tight = make_settings(tmp_path / "b", max_rozmiar_pdf_kb=10)
    [outcome] = run(tight, converter, drop(tight, "zal01.pdf", filled.read_bytes()))
    assert outcome.status == "odrzucony"
    assert "plik jest za duży" in str(outcome.problems[0]) and "10 KB" in str(outcome.problems[0])


# -- the archive keeps the filled PDF ----------------------------------------------------------


def test_pdf_original_versions_and_duplicates(
        blanks: dict[int, Path], pdftk: str, settings: Settings, converter: Converter,
        tmp_path: Path) -> None:
    first = fill(pdftk, blanks[1], form_values(1), tmp_path / "a.pdf")
    [one] = run(settings, converter, drop(settings, "a.pdf", first.read_bytes()))
    [same] = run(settings, converter, drop(settings, "b.pdf", first.read_bytes()))
    corrected = fill(pdftk, blanks[1], form_values(1) | {"asystent": "Katarzyna Żak-Nowicka"},
                     tmp_path / "c.pdf")
    [two] = run(settings, converter, drop(settings, "c.pdf", corrected.read_bytes()))
    assert (one.status, same.status, two.status) == ("przyjety", "duplikat", "przyjety")
    folder = family_dir(settings.outbox, "K-2025-014")
    stem = "zal01_2025-03-03_przydzielenie-asystenta"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("zal")) == [
        f"{stem}.docx", f"{stem}.formularz.pdf", f"{stem}.pdf",
        f"{stem}_v2.docx", f"{stem}_v2.formularz.pdf", f"{stem}_v2.pdf",
    ]
    assert "Katarzyna Żak-Nowicka" in pdf_text(folder / f"{stem}_v2.pdf").replace("\xa0", " ")  # a tied name
    assert (folder / f"{stem}_v2.formularz.pdf").read_bytes() == corrected.read_bytes()


# -- pre-filled from the archive ---------------------------------------------------------------


def test_forms_prefilled_from_the_family_folder(
        pdftk: str, settings: Settings, converter: Converter, tmp_path: Path) -> None:
    [outcome] = run(settings, converter, drop(settings, "zal01.yaml", example(1).read_bytes()))
    assert outcome.status == "przyjety"
    folder = tmp_path / "formularze"
    paths = pdfforms.write_forms(settings, folder, [2, 3, 8], rodzina="K-2025-014")
    assert [p.parent for p in paths] == [folder / "K-2025-014"] * 3
    assert stat.S_IMODE((folder / "K-2025-014").stat().st_mode) == 0o700  # personal data
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in paths)
    zal02, zal03, zal08 = paths
    fields = {k: v.get("/V") for k, v in (PdfReader(zal02).get_fields() or {}).items()}
    assert fields["rodzina"] == "K-2025-014"
    assert fields["asystent"] == "Katarzyna Żak"
    assert fields["pracownik_socjalny"] == "Małgorzata Ćwiklińska"
    assert fields["adres"] == "ul. Źródlana 7 m. 3, 66-210 Łęgowo Śląskie"
    assert fields["nazwa_rodziny"] == "Agnieszka Wójcik, Łukasz Wójcik"
    assert fields.get("data") is None and fields.get("data_przydzielenia") is None
    members = {k: v.get("/V") for k, v in (PdfReader(zal03).get_fields() or {}).items()}
    assert members["czlonkowie[4]/imie_nazwisko"] == "Jędrzej Wójcik"
    assert members["czlonkowie[4]/pokrewienstwo"] == "syn"
    # the pre-filled values are drawn on the page by the form's own appearance streams
    text = squash(drawn_text(zal02))
    assert "Katarzyna Żak" in text and "ul. Źródlana 7 m. 3, 66-210 Łęgowo Śląskie" in text
    assert "Katarzyna Żak" in drawn_text(zal08) and "Jędrzej Wójcik" in drawn_text(zal03)
    # staff fill the rest; what was pre-filled goes through as typed by them
    rest = {k: v for k, v in form_values(2).items() if k not in fields or not fields[k]}
    filled = fill(pdftk, zal02, rest, settings.inbox / "protokol.pdf")
    [accepted] = run(settings, converter, filled)
    assert accepted.status == "przyjety", accepted.problems
    assert accepted.filed and accepted.filed.form.values["asystent"] == "Katarzyna Żak"


def test_prefill_needs_a_known_family(settings: Settings, tmp_path: Path) -> None:
    from pipeline.core.errors import AsystaError

    with pytest.raises(AsystaError, match="nie ma jeszcze dokumentów rodziny K-9"):
        pdfforms.write_forms(settings, tmp_path, rodzina="K-9")
    with pytest.raises(AsystaError, match="niepoprawny numer sprawy"):
        pdfforms.write_forms(settings, tmp_path, rodzina="../x")


# -- the command -------------------------------------------------------------------------------


def test_command_writes_the_forms(tmp_path: Path) -> None:
    import os
    import sys

    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    result = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "formularze", "--katalog",
                             "druki", "--wiersze", "3", "8", "1"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (tmp_path / "druki").iterdir()) == [
        "zal01_przydzielenie-asystenta.pdf", "zal08_karta-pracy-asystenta.pdf"]
    fields = PdfReader(tmp_path / "druki" / "zal08_karta-pracy-asystenta.pdf").get_fields() or {}
    assert "wizyty[3]/data" in fields and "wizyty[4]/data" not in fields
    assert "Gotowe formularze PDF: 2 (puste)" in result.stdout
    unknown = subprocess.run([sys.executable, "-m", "pipeline.app.cli", "formularze", "--rodzina",
                              "K-1"], cwd=tmp_path, env=env, capture_output=True, text=True,
                             timeout=300)
    assert unknown.returncode == 2 and "nie ma jeszcze dokumentów rodziny K-1" in unknown.stderr


def test_browser_downloads_in_progress_are_left_alone() -> None:
    from pipeline.stages.intake import is_ignored

    for name in ("zal08.pdf.crdownload", "zal08.pdf.crswap", "zal08.pdf.part", "a.pdf.download"):
        assert is_ignored(name), name
    assert not is_ignored("zal08.pdf")
