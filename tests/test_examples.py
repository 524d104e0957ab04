"""All sixteen examples through the real pipeline: what a person reads in the DOCX and PDF."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import (
    body_text,
    copy_examples,
    docx_text,
    example,
    leaf_values,
    make_settings,
    pdf_text,
    squash,
)

from pipeline.app.checks import template_mismatch
from pipeline.core.models import FiledDocument, IncomingFile
from pipeline.core.polish import NBSP, display, in_words
from pipeline.sprawa.schemas import iter_fields, load_schema
from pipeline.stages.convert import Converter
from pipeline.stages.parse import parse
from pipeline.stages.validate import validate

NUMBERS = range(1, 17)


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> dict[int, FiledDocument]:
    """The sixteen examples processed once, in one batch, as `asysta przetworz` does."""
    from pipeline.flow.process import process_files

    settings = make_settings(tmp_path_factory.mktemp("przyklady"))
    outcomes = process_files(copy_examples(settings), settings, converter)
    assert [o.status for o in outcomes] == ["przyjety"] * 16, [o.problems for o in outcomes]
    return {o.filed.form.zalacznik: o.filed for o in outcomes if o.filed}


def expected_texts(n: int) -> list[tuple[str, ...]]:
    """Every value of the example as the document prints it: in a table, or (a date) in a
    sentence in words (FORMAT.md, „Daty”); spaces read the same whether breaking or not."""
    incoming = IncomingFile(example(n), example(n).read_bytes(), "")
    form = validate(parse(incoming), incoming)
    values = {k: v for k, v in form.values.items() if k != "zalacznik"}
    return [tuple(squash(t) for t in {display(v), in_words(v)}) for v in leaf_values(values)]


@pytest.mark.parametrize("n", NUMBERS)
def test_example_is_complete_and_consistent(n: int) -> None:
    """Each example fills every field of its schema, for the same fictional case."""
    raw = yaml.safe_load(example(n).read_text(encoding="utf-8"))
    assert raw["zalacznik"] == n and raw["rodzina"] == "K-2025-014"
    schema = load_schema(n)
    for key, rules in iter_fields(schema.pola):
        assert rules["meta"]["etykieta"] and rules["meta"]["pomoc"], key
    top_level = set(schema.pola)
    assert top_level <= set(raw), f"pola bez wartości w przykładzie: {top_level - set(raw)}"
    text = example(n).read_text(encoding="utf-8")
    assert any(ch in text for ch in "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")


@pytest.mark.parametrize("n", NUMBERS)
def test_template_matches_schema(n: int, settings) -> None:  # type: ignore[no-untyped-def]
    assert template_mismatch(n, settings) == []


@pytest.mark.parametrize("n", NUMBERS)
def test_docx_shows_title_case_and_every_value(n: int, filed: dict[int, FiledDocument]) -> None:
    doc = filed[n]
    text = docx_text(doc.docx)
    schema = load_schema(n)
    flat = squash(text)  # non-breaking spaces in fixed texts („nr 2”, „Z RODZINĄ”) read as spaces
    assert schema.tytul.upper() in flat
    assert f"Załącznik nr {n} do Procedury postępowania" in flat
    assert "Numer sprawy: K-2025-014" in text
    assert "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim" in text
    missing = [v for v in expected_texts(n) if not any(t in flat for t in v)]
    assert not missing, f"wartości nieobecne w DOCX: {missing}"


@pytest.mark.parametrize("n", NUMBERS)
def test_pdf_shows_title_case_and_every_value(n: int, filed: dict[int, FiledDocument]) -> None:
    doc = filed[n]
    # the page footer and code line may fall in the middle of a paragraph on two pages
    text = squash(body_text(doc.pdf))
    schema = load_schema(n)
    assert squash(schema.tytul.upper()) in text
    assert "K-2025-014" in text
    # LibreOffice wraps a cell's text after a dash, and hyphenates in narrow columns:
    # compare without spaces and hyphens (tests/test_typography.py checks the breaks)
    bare = re.sub(r"[\s-]+", "", text)
    missing = [v for v in expected_texts(n) if not any(re.sub(r"[\s-]+", "", t) in bare for t in v)]
    assert not missing, f"wartości nieobecne w PDF: {missing}"


@pytest.mark.parametrize("n", NUMBERS)
def test_archive_names_sort_by_attachment_and_date(n: int, filed: dict[int, FiledDocument]) -> None:
    doc = filed[n]
    stem = f"zal{n:02d}_{doc.form.data.isoformat()}_{doc.form.schema.nazwa_pliku}"
    assert doc.docx.name == f"{stem}.docx"
    assert doc.pdf.name == f"{stem}.pdf"
    assert doc.original.read_bytes() == example(n).read_bytes()  # byte for byte


def test_documents_carry_their_dates_in_polish_form(filed: dict[int, FiledDocument]) -> None:
    doc = filed[1]
    assert display(date(2025, 3, 3)) == "03.03.2025"  # in tables
    # in the header, as in every sentence: in words (FORMAT.md, „Daty”)
    assert "Łęgowo Śląskie, dnia 3 marca 2025 r." in docx_text(doc.docx).replace(NBSP, " ")
    assert "Łęgowo Śląskie, dnia 3 marca 2025 r." in pdf_text(doc.pdf).replace(NBSP, " ")


def test_pdf_pages_render_with_polish_letters(filed: dict[int, FiledDocument], tmp_path: Path) -> None:
    """pdftoppm draws each page; the text layer says the glyphs are real Polish letters."""
    import subprocess

    doc = filed[6]
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(doc.pdf), str(tmp_path / "s")], check=True)
    pages = sorted(tmp_path.glob("s-*.png"))
    assert pages and all(p.stat().st_size > 5000 for p in pages)
    fonts = subprocess.run(["pdffonts", str(doc.pdf)], capture_output=True, text=True).stdout
    assert "Liberation" in fonts or "DejaVu" in fonts or "Arial" in fonts
    assert "emb" in fonts.splitlines()[0] and " yes " in fonts  # fonts embedded
    assert "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim" in pdf_text(doc.pdf)
