"""LibreOffice's command line: finding `soffice`, the export options every PDF gets, and
the fallback converter — `soffice --convert-to` calls — used without Python macros in LibreOffice.

One `soffice --convert-to` call stops silently after about 247 documents (LibreOffice 7.4:
exit code 0, no message, the rest simply not converted), so a batch is given to it in
chunks of `SOFFICE_CHUNK`, and what is still missing afterwards is given again until a
round converts nothing more; only then is a file tried alone, and only then given up.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from pipeline.core.errors import ConversionError

SOFFICE_CHUNK = 200  # files per `soffice --convert-to` call: well under its ~247 limit

# LibreOffice's writer_pdf_Export options for every PDF, in the pool and in the fallback.
PDF_EXPORT: dict[str, bool | int] = {
    "SelectPdfVersion": 2,  # PDF/A-2b (ISO 19005-2, level B): XMP, sRGB output intent, fonts
    "UseTaggedPDF": True,  # structure tree, reading order, headings for screen readers
    "ExportBookmarks": True,  # heading styles become bookmarks
    "DisplayPDFDocumentTitle": True,  # the window shows the title, not the file name
    "ExportFormFields": False,  # an archived document is not a form to fill
    "ExportNotes": False,  # comments left in a centre's template stay out of the archive
}


def pdf_filter_options() -> str:
    """`PDF_EXPORT` in LibreOffice's JSON form: {"Name": {"type": "long", "value": "2"}}."""
    typed = {name: {"type": "boolean", "value": str(value).lower()} if isinstance(value, bool)
             else {"type": "long", "value": str(value)} for name, value in PDF_EXPORT.items()}
    return json.dumps(typed, separators=(",", ":"))


def find_soffice(configured: str = "") -> str:
    candidates = [configured] if configured else ["soffice", "libreoffice"]
    for name in candidates:
        found = shutil.which(name)
        if found:
            return found
    for path in ("/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                 "/opt/libreoffice/program/soffice"):
        if os.access(path, os.X_OK):
            return path
    raise ConversionError(
        "nie znaleziono LibreOffice (soffice) – zainstaluj pakiet libreoffice-writer-nogui "
        "albo podaj ścieżkę w asysta.toml: [przetwarzanie] soffice = \"…\""
    )


def is_pdf(pdf: Path) -> bool:
    try:
        with pdf.open("rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(-1024, os.SEEK_END) if pdf.stat().st_size > 1024 else handle.seek(0)
            return b"%%EOF" in handle.read()
    except OSError:
        return False


def soffice_command(soffice: str, profile: Path, files: list[Path], outdir: Path) -> list[str]:
    """One headless `--convert-to` call on a private profile, with `PDF_EXPORT`."""
    return [
        soffice, "--headless", "--invisible", "--nologo", "--norestore",
        "--nolockcheck", "--nodefault",
        f"-env:UserInstallation={profile.as_uri()}",
        "--convert-to", f"pdf:writer_pdf_Export:{pdf_filter_options()}",
        "--outdir", str(outdir),
        *(str(f) for f in files),
    ]


def run_soffice(soffice: str, profile: Path, files: list[Path], outdir: Path,
                timeout: float) -> None:
    """One call; whatever it leaves running (a hung or lingering instance) is killed."""
    process = subprocess.Popen(soffice_command(soffice, profile, files, outdir),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout + 2 * len(files))
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def convert_all(soffice: str, profile: Path, files: list[Path], outdir: Path,
                timeout: float) -> list[Path]:
    """Convert `files` into `outdir` (PDFs named by their stems); the files that still have
    no PDF at the end. Chunks first, then again what is missing while a round helps, then
    each missing file alone: a bad file cannot sink the others, nor a long batch its tail."""
    for f in files:  # a PDF left by an earlier run must not pass for this one
        (outdir / (f.stem + ".pdf")).unlink(missing_ok=True)
    missing = list(files)
    while missing:
        before = len(missing)
        for chunk in chunks(missing, SOFFICE_CHUNK):
            run_soffice(soffice, profile, chunk, outdir, timeout)
        missing = [f for f in missing if not is_pdf(outdir / (f.stem + ".pdf"))]
        if len(missing) == before:
            break
    for f in missing:
        run_soffice(soffice, profile, [f], outdir, timeout)
    return [f for f in missing if not is_pdf(outdir / (f.stem + ".pdf"))]


def chunks(files: list[Path], size: int) -> Iterator[list[Path]]:
    for start in range(0, len(files), size):
        yield files[start:start + size]
