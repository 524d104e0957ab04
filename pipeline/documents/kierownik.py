"""The one path for a document the kierownik gets (not a filed form): named template →
metadata → DOCX → PDF/A → versioned file. The monthly reports' summary (zestawienie), the
half-yearly figures (sprawozdanie), the court report (sad, filed in the family's folder
through the archive) and the checklists' PDFs (overview, converted in one batch) are made
by it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.fsutil import ensure_private_dir
from pipeline.pdf.pdfa import PdfMeta
from pipeline.stages.archive import write_versioned
from pipeline.stages.convert import Converter
from pipeline.stages.render import named_template, render_docx


def render_described(settings: Settings, template: str, context: dict[str, Any], meta: PdfMeta,
                     docx: Path) -> Path:
    """The first steps of the path: the named template rendered to `docx`, its metadata set
    (a batch, like the checklists' PDFs, converts many of them at once)."""
    render_docx(named_template(template, settings), context, docx, meta)
    return docx


def template_docx_pdf(settings: Settings, converter: Converter, template: str,
                      context: dict[str, Any], meta: PdfMeta) -> tuple[bytes, bytes] | None:
    """The DOCX and the PDF/A of a named template: rendered, described and converted in a
    private work folder; None when the conversion failed."""
    ensure_private_dir(settings.outbox)
    with tempfile.TemporaryDirectory(prefix=f".{Path(template).stem}-{os.getpid()}-",
                                     dir=settings.outbox) as work:
        docx = render_described(settings, template, context, meta,
                                Path(work) / Path(template).with_suffix(".docx").name)
        pdf = converter.convert([docx], Path(work))[docx]
        return (docx.read_bytes(), pdf.read_bytes()) if isinstance(pdf, Path) else None


def template_pdf(settings: Settings, converter: Converter, template: str,
                 context: dict[str, Any], meta: PdfMeta) -> bytes | None:
    """The PDF/A of a named template (see `template_docx_pdf`)."""
    made = template_docx_pdf(settings, converter, template, context, meta)
    return made[1] if made else None


def write_document(settings: Settings, converter: Converter, template: str,
                   context: dict[str, Any], meta: PdfMeta, folder: Path, stem: str) -> Path | None:
    """The kierownik's PDF from a named template, written as `<stem>.pdf` (or `_v2`…)."""
    pdf = template_pdf(settings, converter, template, context, meta)
    return None if pdf is None else write_versioned(folder, stem, ".pdf", pdf)
