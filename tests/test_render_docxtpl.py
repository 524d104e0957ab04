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
