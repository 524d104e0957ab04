"""A batch larger than one `soffice --convert-to` call can take (it stops silently after
about 247 documents, LibreOffice 7.4) converts every document, on both conversion paths:
the warm pool (a Python macro inside LibreOffice) and the `soffice` fallback used without it."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from conftest import pdf_text
from docx import Document

from pipeline.core.errors import ConversionError
from pipeline.stages import soffice
from pipeline.stages.convert import Converter

COUNT = 260  # more than the ~247 of one call


def _batch(folder: Path, count: int = COUNT) -> list[Path]:
    folder.mkdir()
    files = []
    for i in range(count):
        path = folder / f"dok{i:03d}.docx"
        document = Document()
        document.add_paragraph(f"Dokument dok{i:03d}")
        document.save(str(path))
        files.append(path)
    return files


def _assert_all_converted(files: list[Path], results: dict[Path, Path | ConversionError]) -> None:
    failed = [f.name for f in files if not isinstance(results[f], Path)]
    assert failed == []
    for f in files:
        pdf = results[f]
        assert isinstance(pdf, Path) and pdf.name == f.stem + ".pdf"
        with pikepdf.open(pdf) as document:  # a whole PDF, not a leftover name
            assert len(document.pages) == 1
    for f in files[::37] + files[-3:]:  # the tail too: where one call stops
        assert f"Dokument {f.stem}" in pdf_text(results[f])  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_soffice_fallback_converts_every_document_of_a_long_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _batch(tmp_path / "docx")
    calls: list[int] = []
    original = soffice.run_soffice

    def counted(program: str, profile: Path, batch: list[Path], outdir: Path,
                timeout: float) -> None:
        calls.append(len(batch))
        original(program, profile, batch, outdir, timeout)

    monkeypatch.setattr(soffice, "run_soffice", counted)  # counts the real calls
    with Converter(pool=False) as converter:
        results = converter.convert(files, tmp_path)
    _assert_all_converted(files, results)
    assert max(calls) <= soffice.SOFFICE_CHUNK < 247
    assert sum(calls) < 2 * COUNT  # chunks, not a file at a time


@pytest.mark.slow
def test_the_pool_converts_every_document_of_a_long_batch(tmp_path: Path) -> None:
    files = _batch(tmp_path / "docx")
    with Converter(workers=2) as converter:
        assert converter.uses_pool
        results = converter.convert(files, tmp_path)
    _assert_all_converted(files, results)


def test_a_pdf_left_by_an_earlier_run_does_not_pass_for_a_new_one(tmp_path: Path) -> None:
    files = _batch(tmp_path / "docx", 1)
    stale = tmp_path / "dok000.pdf"
    stale.write_bytes(b"%PDF-1.4\n% stale\n%%EOF\n")
    with Converter(pool=False) as converter:
        assert converter.convert(files, tmp_path)[files[0]] == stale
    assert "Dokument dok000" in pdf_text(stale)
