"""Render once, fill many: the prepared templates (each template's jinja compiled once per
run) give exactly the XML parts docxtpl's own, unmodified `DocxTemplate.render` gives —
for all sixteen attachments and every document kind, and for a second and third
document from the same compiled template."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLES, make_settings
from docxtpl import DocxTemplate

from pipeline.core.models import IncomingFile
from pipeline.sprawa.schemas import form_kinds
from pipeline.stages.parse import parse
from pipeline.stages.render import context_for, jinja_env, render_docx, template_path
from pipeline.stages.validate import validate

DOCUMENTS = [*range(1, 17), *form_kinds()]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def _example(document: int | str) -> Path:
    return EXAMPLES / (f"zal{document:02d}.yaml" if isinstance(document, int) else f"{document}.yaml")


@pytest.mark.parametrize("document", DOCUMENTS, ids=str)
def test_prepared_render_equals_docxtpls_own(document: int | str, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    source = _example(document)
    incoming = IncomingFile(source, source.read_bytes(), "")
    form = validate(parse(incoming), incoming)
    template = template_path(form.schema.ident, settings)
    for copy in range(3):  # the same compiled template, filled again with other data
        context = context_for(form, settings)
        context["rodzina"] = f"{context['rodzina']}-{copy}"
        if copy:  # line breaks and a tab typed in values: docxtpl's listing turns them into XML
            for key, value in list(context.items()):
                if isinstance(value, str) and key not in ("rodzina", "data"):
                    context[key] = f"{value}\ndruga linia\tpo tabulatorze"
        ours, theirs = tmp_path / f"ours{copy}.docx", tmp_path / f"docxtpl{copy}.docx"
        render_docx(template, context, ours)
        original = DocxTemplate(str(template))  # docxtpl itself: it compiles every part anew
        original.render(context, jinja_env=jinja_env(), autoescape=True)
        original.save(str(theirs))
        mine, reference = _parts(ours), _parts(theirs)
        assert sorted(mine) == sorted(reference)
        # python-docx writes an empty <dc:identifier/> into core.xml; nothing else differs
        assert [n for n in mine if mine[n] != reference[n]] == ["docProps/core.xml"]
        if copy:
            assert b"<w:br/>" in mine["word/document.xml"] and b"<w:tab/>" in mine["word/document.xml"]
        assert f"{context['rodzina']}".encode() in mine["word/document.xml"] + b"".join(
            mine[n] for n in mine if n.startswith("word/header") or n.startswith("word/footer"))


def _described(template: Path, context: dict[str, object], out: Path) -> bytes:
    from pipeline.pdf.pdfa import PdfMeta

    render_docx(template, context, out, PdfMeta("Tytuł", "Temat", "Ośrodek", "słowa"))
    return out.read_bytes()


@pytest.mark.parametrize("document", DOCUMENTS, ids=str)
def test_a_body_rendered_in_pieces_is_the_same_bytes(document: int | str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: a large body (the summary of thousands of families) is rendered in pieces of
    complete elements, never whole; forced here on every document with pieces of a few
    elements, the DOCX (described, as the pipeline makes it) is byte for byte the same."""
    from pipeline.stages import render_large

    settings = make_settings(tmp_path)
    source = _example(document)
    incoming = IncomingFile(source, source.read_bytes(), "")
    form = validate(parse(incoming), incoming)
    template = template_path(form.schema.ident, settings)
    context = context_for(form, settings)
    whole = _described(template, context, tmp_path / "whole.docx")
    monkeypatch.setattr(render_large, "LARGE", 0)
    for piece in (1, 700, 5000):
        monkeypatch.setattr(render_large, "PIECE", piece)
        assert _described(template, context, tmp_path / f"pieces{piece}.docx") == whole


def test_the_summary_of_a_large_centre_in_pieces_is_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The kierownik's summary of 1,500 families (about 2.6 MB of body text): rendered in
    pieces by default, the same bytes as rendered whole."""
    import dataclasses
    from datetime import date

    from pipeline.documents import zestawienie
    from pipeline.stages import render_large
    from pipeline.stages.render import named_template

    settings = make_settings(tmp_path)
    families = [{"asystent": f"Asystent {i % 70:02d}", "rodzina": f"R-{i:04d}", "etap": "współpraca",
                 "wizyty": i % 5, "godziny": "7,5", "kontakty": 1, "zaleglosci": i % 3,
                 "uwagi": "raport wygenerowany; brak wizyt" if i % 5 == 0 else "raport wygenerowany",
                 "raport": "wygenerowany"} for i in range(1500)]
    families.sort(key=lambda r: (r["asystent"], r["rodzina"]))
    context = {"miesiac": "2026-10", "na_dzien": date(2026, 11, 6),
               "osrodek": dataclasses.asdict(settings.osrodek),
               "grupy": zestawienie.groups(families), "asystenci": []}
    template = named_template("zestawienie.docx", settings)
    pieces = _described(template, context, tmp_path / "pieces.docx")
    with zipfile.ZipFile(tmp_path / "pieces.docx") as package:
        assert package.getinfo("word/document.xml").file_size > render_large.LARGE
    monkeypatch.setattr(render_large, "LARGE", 1 << 40)
    assert _described(template, context, tmp_path / "whole.docx") == pieces
