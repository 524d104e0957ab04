"""The 16 PDF forms in the engines office staff use: pdf.js (Firefox), PDFium (Chrome, Edge)
and poppler/pdftk (Evince, Okular: tests/test_pdfforms.py fills with pdftk throughout and
checks the fonts of the appearances pdftk draws the same way).

Each engine fills every form through its own API and saves it: pdf.js in Node
(annotationStorage, saveDocument), PDFium through pypdfium2's form-fill API, typing key by key
as a person does. The pdf.js-saved forms are shown in headless Chromium by pdf.js's own viewer
with forms enabled; PDFium draws page 1 with its form layer. The saved files go through the
watched inbox, and the typed values, Polish letters and all, must be in the DOCX and the PDF.
The appearance streams an engine writes for what was typed may use the form's embedded font only
(a fallback font draws ą, „ or № with other shapes, or not at all)."""

from __future__ import annotations

import ctypes
import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import Chromium
from conftest import make_settings
from pypdf import PdfReader
from test_pdfforms import (
    NUMBERS,
    RunningWatcher,
    assert_only_the_embedded_font,
    assert_values_in_documents,
    dark_pixels,
    expected_field_names,
    form_values,
    normalised,
    yaml_values,
)

from pipeline import forms as pdfforms
from pipeline.sprawa.schemas import load_schema
from pipeline.stages.convert import Converter

ENGINES = Path(__file__).parent / "engines"
PDFJS = ENGINES / "node_modules" / "pdfjs-dist"
TYPED = "Zażółć gęślą jaźń – ĄĆĘŁŃÓŚŹŻ ąćęłńóśźż „cytat”, ½ etatu, № 5"
SHOTS = (1, 4, 14)  # forms whose page 1 is kept as PNG (pytest's tmp folder) for a person


# -- what is typed -----------------------------------------------------------------------------


def typed_field(n: int) -> str:
    """A free-text field of form `n` that takes TYPED: no closed list, pattern or format."""
    for key, rules in load_schema(n).pola.items():
        meta = rules.get("meta") or {}
        if (rules["type"] == "string" and not rules.get("allowed") and not rules.get("regex")
                and not meta.get("format") and (rules.get("maxlength") or 1000) >= len(TYPED)):
            return key
    raise AssertionError(f"zal{n:02d}: brak pola tekstowego na próbę polskich znaków")


def engine_values(n: int) -> dict[str, str]:
    """The example's values by field name, with Polish test text in one free-text field."""
    return form_values(n) | {typed_field(n): TYPED}


def typed_names(n: int) -> set[str]:
    """The fields of form `n` that get typed text (not ticked boxes)."""
    return {name for name, value in engine_values(n).items() if value not in ("", "tak", "Off")}


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    root = tmp_path_factory.mktemp("puste")
    paths = pdfforms.write_forms(make_settings(root), root / "formularze")
    return dict(zip(NUMBERS, paths, strict=True))


# -- through the watched inbox -----------------------------------------------------------------


def through_the_inbox(filled: dict[int, Path], root: Path, converter: Converter) -> None:
    """The saved forms dropped into a watched inbox: each accepted, with the typed values in
    the DOCX and the PDF made from it."""
    settings = make_settings(root)
    watching = RunningWatcher(settings, converter)
    try:
        for path in filled.values():
            part = settings.inbox / f".{path.name}.kopiowanie"
            shutil.copyfile(path, part)
            part.rename(settings.inbox / path.name)
        watching.wait_for(len(filled))
    finally:
        watching.stop()
    outcomes = {o.name: o for o in watching.watcher.outcomes}
    assert sorted(o.status for o in outcomes.values()) == ["przyjety"] * len(filled), \
        [(o.name, [str(p) for p in o.problems]) for o in outcomes.values()]
    for n, path in filled.items():
        doc = outcomes[path.name].filed
        assert doc is not None
        assert doc.original.read_bytes() == path.read_bytes()
        # the form gives what the YAML example gives, and the Polish test text
        assert normalised(dict(doc.form.values)) == \
            normalised(yaml_values(n) | {typed_field(n): TYPED}), n
        expected = assert_values_in_documents(doc, n)
        assert TYPED in expected


# -- pdf.js (Firefox) --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfjs_filled(blanks: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
                 ) -> dict[int, tuple[Path, dict[str, Any]]]:
    """Every form filled and saved by pdf.js, with what pdf.js listed on each page."""
    node = shutil.which("node")
    if not node or not (PDFJS / "package.json").is_file():
        pytest.fail("brak pdf.js: uruchom testy przez ./run test (instaluje node i pdfjs-dist)")
    out = tmp_path_factory.mktemp("pdfjs")
    jobs = [{"input": str(blanks[n]), "output": str(out / f"pdfjs-{n:02d}.pdf"),
             "values": engine_values(n)} for n in NUMBERS]
    (out / "zadania.json").write_text(json.dumps(jobs, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([node, str(ENGINES / "pdfjs_fill.mjs"), str(out / "zadania.json")],
                            cwd=ENGINES, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    reports = json.loads(result.stdout)
    return {n: (Path(r["output"]), r) for n, r in zip(NUMBERS, reports, strict=True)}


def test_pdfjs_lists_and_fills_every_field_on_every_page(
        pdfjs_filled: dict[int, tuple[Path, dict[str, Any]]]) -> None:
    for n, (path, report) in pdfjs_filled.items():
        assert all(report["pages"]), f"zal{n:02d}: strona bez pól w pdf.js"
        assert set(sum(report["pages"], [])) == expected_field_names(n), n
        assert report["missing"] == [] and set(report["filled"]) == set(engine_values(n)), n
        assert path.stat().st_size > 0


def test_pdfjs_writes_appearances_in_the_embedded_font(
        pdfjs_filled: dict[int, tuple[Path, dict[str, Any]]]) -> None:
    for n, (path, _) in pdfjs_filled.items():
        assert_only_the_embedded_font(path, typed_names(n))
        # and what it stored is what was typed
        fields = PdfReader(path).get_fields() or {}
        assert fields[typed_field(n)]["/V"] == TYPED


def test_pdfjs_forms_through_the_watched_inbox(
        pdfjs_filled: dict[int, tuple[Path, dict[str, Any]]], converter: Converter,
        tmp_path: Path) -> None:
    through_the_inbox({n: path for n, (path, _) in pdfjs_filled.items()}, tmp_path, converter)


class _Files(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript"}  # module scripts need a JavaScript type

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A local web server with pdf.js's viewer page: (its address, the folder it serves)."""
    root = tmp_path_factory.mktemp("www")
    (root / "pdfjs").symlink_to(PDFJS.resolve())
    shutil.copyfile(ENGINES / "pdfjs_view.html", root / "view.html")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Files, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_pdfjs_viewer_in_chromium_has_inputs_on_every_page(
        pdfjs_filled: dict[int, tuple[Path, dict[str, Any]]], web: tuple[str, Path],
        tmp_path: Path) -> None:
    """As Firefox shows it: pdf.js's viewer, forms enabled, draws an input for every field of
    every page, and the saved values are in them."""
    address, root = web
    browser = Chromium(tmp_path / "profil")
    try:
        for n, (path, report) in pdfjs_filled.items():
            shutil.copyfile(path, root / path.name)
            target, session = browser.open(f"{address}/view.html?file=/{path.name}")
            shown = browser.wait_for(session, "formReport")
            assert not [w for w in shown["warnings"] if "Invalid canvas" in w or "błąd" in w], \
                (n, shown["warnings"][:3])
            assert len(shown["pages"]) == len(report["pages"]), n
            for page, fields in zip(shown["pages"], report["pages"], strict=True):
                assert page["error"] is None, (n, page)
                assert page["inputs"] > 0, f"zal{n:02d}: strona {page['page']} bez pól"
                assert set(page["names"]) == set(fields), (n, page["page"])
            values = sum((p["values"] for p in shown["pages"]), [])
            assert TYPED in values, f"zal{n:02d}: wpisanego tekstu nie ma w polu"
            if n in SHOTS:
                (tmp_path / f"pdfjs-{n:02d}.png").write_bytes(
                    browser.screenshot(session, shown["clip"]))
            browser.send("Target.closeTarget", {"targetId": target})
    finally:
        browser.close()
    assert all((tmp_path / f"pdfjs-{n:02d}.png").stat().st_size > 10_000 for n in SHOTS)


# -- PDFium (Chrome, Edge) ---------------------------------------------------------------------


def _utf16(function: Any, *args: Any) -> str:
    size = function(*args, None, 0)
    buffer = (ctypes.c_ushort * (size // 2 + 1))()
    function(*args, buffer, size)
    return bytes(buffer)[:size].decode("utf-16-le").rstrip("\0")


def pdfium_fill(blank: Path, values: dict[str, str], out: Path) -> list[list[str]]:
    """Fill the form as a person does in Chrome: click or focus each field, type the text key
    by key (Enter between lines), pick from the list, tick the box; then save. Returns the
    field names PDFium finds on each page."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    doc = pdfium.PdfDocument(blank)
    try:
        doc.init_forms()
        form = doc.formenv.raw
        pages = []
        for index in range(len(doc)):
            page = doc[index]
            names = []
            for i in range(raw.FPDFPage_GetAnnotCount(page.raw)):
                annot = raw.FPDFPage_GetAnnot(page.raw, i)
                try:
                    name = _utf16(raw.FPDFAnnot_GetFormFieldName, form, annot)
                    names.append(name)
                    if name in values and name != pdfforms.MARKER_FIELD:
                        _pdfium_enter(raw, form, page.raw, annot, values[name])
                finally:
                    raw.FPDFPage_CloseAnnot(annot)
            raw.FORM_ForceToKillFocus(form)
            pages.append(names)
            page.close()
        doc.save(out)
    finally:
        doc.close()
    return pages


def _pdfium_enter(raw: Any, form: Any, page: Any, annot: Any, value: str) -> None:
    kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
    if kind == raw.FPDF_FORMFIELD_CHECKBOX:
        if value != "Off":
            rect = raw.FS_RECTF()
            raw.FPDFAnnot_GetRect(annot, rect)
            x, y = (rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2
            raw.FORM_OnLButtonDown(form, page, 0, x, y)
            raw.FORM_OnLButtonUp(form, page, 0, x, y)
        return
    assert raw.FORM_SetFocusedAnnot(form, annot)
    if kind == raw.FPDF_FORMFIELD_COMBOBOX:
        labels = [_utf16(raw.FPDFAnnot_GetOptionLabel, form, annot, i)
                  for i in range(raw.FPDFAnnot_GetOptionCount(form, annot))]
        assert raw.FORM_SetIndexSelected(form, page, labels.index(value), True)
    else:
        units = value.replace("\n", "\r").encode("utf-16-le")
        for k in range(0, len(units), 2):
            raw.FORM_OnChar(form, page, int.from_bytes(units[k:k + 2], "little"), 0)
    raw.FORM_ForceToKillFocus(form)


@pytest.fixture(scope="module")
def pdfium_filled(blanks: dict[int, Path], tmp_path_factory: pytest.TempPathFactory
                  ) -> dict[int, tuple[Path, list[list[str]]]]:
    out = tmp_path_factory.mktemp("pdfium")
    return {n: (out / f"pdfium-{n:02d}.pdf",
                pdfium_fill(blanks[n], engine_values(n), out / f"pdfium-{n:02d}.pdf"))
            for n in NUMBERS}


def test_pdfium_fills_every_field_on_every_page_and_draws_them(
        pdfium_filled: dict[int, tuple[Path, list[list[str]]]], tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    for n, (path, pages) in pdfium_filled.items():
        assert all(pages), f"zal{n:02d}: strona bez pól w PDFium"
        assert set(sum(pages, [])) == expected_field_names(n), n
        fields = PdfReader(path).get_fields() or {}
        for name, value in engine_values(n).items():
            stored = fields[name].get("/V")
            if value == "Off":
                assert stored in (None, "/Off"), (n, name)
            else:
                assert re.sub(r"\r\n?", "\n", str(stored).lstrip("/")) == value, (n, name)
        # page 1 as Chrome draws it, forms layer included: the typed field has ink
        doc = pdfium.PdfDocument(path)
        try:
            doc.init_forms()
            page = doc[0]
            png = tmp_path / f"pdfium-{n:02d}.png"
            page.render(scale=100 / 72, may_draw_forms=True).to_pil().save(png)
            height = page.get_height()
            page.close()
        finally:
            doc.close()
        first = PdfReader(path).pages[0]
        rects = {str(a.get_object()["/T"]): tuple(float(v) for v in a.get_object()["/Rect"])
                 for a in first["/Annots"]}
        assert dark_pixels(png, rects["rodzina"], 100, height) > 20, n
        if typed_field(n) in rects:
            assert dark_pixels(png, rects[typed_field(n)], 100, height) > 100, n


def test_pdfium_writes_appearances_in_the_embedded_font(
        pdfium_filled: dict[int, tuple[Path, list[list[str]]]]) -> None:
    """Chrome's typing draws „ ” – ½ № and ą ę ł ś ź ż with the form's font (it used a system
    fallback for them before the field font's /DR name was changed for PDFium)."""
    for n, (path, _) in pdfium_filled.items():
        assert_only_the_embedded_font(path, typed_names(n))


def test_pdfium_forms_through_the_watched_inbox(
        pdfium_filled: dict[int, tuple[Path, list[list[str]]]], converter: Converter,
        tmp_path: Path) -> None:
    through_the_inbox({n: path for n, (path, _) in pdfium_filled.items()}, tmp_path, converter)
