"""The prepared-template renderer gives what docxtpl's own render path gives, part for part."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import example, make_settings
from docx import Document

from pipeline.core.config import Settings
from pipeline.core.errors import RenderError
from pipeline.core.models import IncomingFile
from pipeline.stages.parse import parse
from pipeline.stages.render import (
    LiteralTemplate,
    context_for,
    jinja_env,
    prepared,
    render_docx,
    template_path,
)
from pipeline.stages.validate import validate


def _context(n: int, settings: Settings) -> dict[str, object]:
    incoming = IncomingFile(example(n), example(n).read_bytes(), "")
    return context_for(validate(parse(incoming), incoming), settings)


def _docxtpl(template: Path, context: dict[str, object], out: Path) -> None:
    """docxtpl's full path: open the package, patch, render, save with python-docx."""
    document = LiteralTemplate(str(template))
    document.render(context, jinja_env=jinja_env(), autoescape=True)
    document.save(str(out))


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


@pytest.mark.parametrize("n", range(1, 17))
def test_prepared_render_equals_docxtpl(n: int, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    context = _context(n, settings)
    template = template_path(n, settings)
    render_docx(template, context, tmp_path / "prepared.docx")
    _docxtpl(template, context, tmp_path / "docxtpl.docx")
    ours, theirs = _parts(tmp_path / "prepared.docx"), _parts(tmp_path / "docxtpl.docx")
    assert sorted(ours) == sorted(theirs)
    # the body, headers and footers byte for byte; docProps/core.xml differs only in
    # python-docx writing an empty <dc:identifier/> that the template does not have
    different = sorted(name for name in ours if ours[name] != theirs[name])
    assert different == ["docProps/core.xml"]
    assert Document(str(tmp_path / "prepared.docx")).core_properties.title


def test_same_data_gives_the_same_bytes(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    context = _context(14, settings)
    render_docx(template_path(14, settings), context, tmp_path / "a.docx")
    render_docx(template_path(14, settings), context, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_an_edited_template_is_prepared_again(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    own = tmp_path / "zal02.docx"
    shutil.copyfile(template_path(2, settings), own)
    context = _context(2, settings)
    render_docx(own, context, tmp_path / "before.docx")
    document = Document(str(own))
    document.add_paragraph("Dopisek ośrodka: {{ rodzina }}")
    document.save(str(own))
    os.utime(own, ns=(1, 1))  # an edit within the same clock tick must not be missed either
    assert prepared(own) is prepared(own)
    render_docx(own, context, tmp_path / "after.docx")
    text = "\n".join(p.text for p in Document(str(tmp_path / "after.docx")).paragraphs)
    assert f"Dopisek ośrodka: {context['rodzina']}" in text


def test_jinja_in_the_properties_takes_docxtpls_full_path(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    own = tmp_path / "zal02.docx"
    document = Document(str(template_path(2, settings)))
    document.core_properties.subject = "Sprawa {{ rodzina }}"
    document.save(str(own))
    assert prepared(own).full_path_only
    context = _context(2, settings)
    render_docx(own, context, tmp_path / "out.docx")
    assert Document(str(tmp_path / "out.docx")).core_properties.subject == f"Sprawa {context['rodzina']}"


def test_a_damaged_template_is_a_render_error(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    broken = tmp_path / "zal02.docx"
    broken.write_bytes(b"PK\x03\x04 to nie jest dokument")
    with pytest.raises(RenderError, match="nie można użyć szablonu zal02.docx"):
        render_docx(broken, _context(2, settings), tmp_path / "out.docx")
