"""Convert: DOCX to PDF with LibreOffice, the real converter.

One `soffice` call converts a whole batch (LibreOffice's start-up, about a
second, is paid once per batch, not per file). Each converter owns a private
LibreOffice profile, so it never collides with a desktop LibreOffice or with
another asysta process. A batch that fails is retried file by file, so one bad
document cannot take the others down with it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .errors import ConversionError

PROFILE_SLOTS = 32


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


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "asysta" / "libreoffice"


class Converter:
    """DOCX → PDF through a private LibreOffice profile; use as a context manager."""

    def __init__(self, soffice: str = "", timeout: float = 120.0) -> None:
        self.soffice = find_soffice(soffice)
        self.timeout = timeout
        self._lock_fd: int | None = None
        self.profile = self._claim_profile()

    def _claim_profile(self) -> Path:
        """A profile folder no other running converter uses (locked for our lifetime)."""
        try:
            root = _cache_root()
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError:
            root = Path(tempfile.mkdtemp(prefix="asysta-lo-"))
        for slot in range(PROFILE_SLOTS):
            fd = os.open(root / f"profil-{slot}.lock", os.O_CREAT | os.O_RDWR, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self._lock_fd = fd
            return root / f"profil-{slot}"
        return Path(tempfile.mkdtemp(prefix="asysta-lo-"))

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, files: list[Path], outdir: Path) -> None:
        command = [
            self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
            "--nolockcheck", "--nodefault",
            f"-env:UserInstallation={self.profile.as_uri()}",
            "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(outdir),
            *(str(f) for f in files),
        ]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   start_new_session=True)
        try:
            process.communicate(timeout=self.timeout + 2 * len(files))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()

    def convert(self, files: list[Path], outdir: Path) -> dict[Path, Path | ConversionError]:
        """PDFs for the given DOCX files, in `outdir`; a failure is returned, not raised."""
        results: dict[Path, Path | ConversionError] = {}
        if not files:
            return results
        names = [f.stem for f in files]
        if len(set(names)) != len(names):
            raise ValueError("DOCX files in one batch need distinct names")
        self._run(files, outdir)
        missing = [f for f in files if not self._done(f, outdir)]
        for f in missing:  # one more attempt each, alone: a bad file cannot sink the others
            self._run([f], outdir)
        for f in files:
            pdf = outdir / (f.stem + ".pdf")
            results[f] = pdf if self._done(f, outdir) else ConversionError(
                "LibreOffice nie utworzył pliku PDF (przekroczony czas albo błąd programu)"
            )
        return results

    @staticmethod
    def _done(docx: Path, outdir: Path) -> bool:
        pdf = outdir / (docx.stem + ".pdf")
        try:
            with pdf.open("rb") as handle:
                if handle.read(5) != b"%PDF-":
                    return False
                handle.seek(-1024, os.SEEK_END) if pdf.stat().st_size > 1024 else handle.seek(0)
                return b"%%EOF" in handle.read()
        except OSError:
            return False
