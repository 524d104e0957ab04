"""Intake: take one file from the inbox, safely, as bytes."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from pathlib import Path

from .config import Settings
from .errors import FormError, Problem
from .models import IncomingFile

ACCEPTED_SUFFIXES = (".yaml", ".yml", ".json", ".pdf")  # .pdf: forms from `asysta formularze`
# Editor and OS litter that is never a form (see STYLE.md: a watched folder is hostile).
IGNORED_PATTERNS = ("~$*", ".~lock.*#", "*.tmp", ".DS_Store", "Thumbs.db", ".*",
                    # a PDF form saved from a browser is written under these names first
                    "*.crdownload", "*.crswap", "*.part", "*.partial", "*.download")
REJECTED_DIR = "odrzucone"


def is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_PATTERNS)


def read(path: Path, settings: Settings) -> IncomingFile:
    """Read a form file without following links and without reading a huge file."""
    # A filled PDF form embeds its font and is far larger than a text form: its own limit.
    is_pdf = path.suffix.lower() == ".pdf"
    limit_kb = settings.przetwarzanie.max_rozmiar_pdf_kb if is_pdf else \
        settings.przetwarzanie.max_rozmiar_kb
    limit = limit_kb * 1024
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        reason = "to dowiązanie symboliczne – wrzuć do folderu sam plik" if path.is_symlink() \
            else f"nie można otworzyć pliku ({exc.strerror})"
        raise FormError([Problem(reason)]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FormError([Problem("to nie jest zwykły plik")])
        if info.st_nlink > 1:  # the same file also lives elsewhere: never read out of the inbox
            raise FormError([Problem(
                "to twarde dowiązanie do pliku spoza folderu – wrzuć do folderu kopię pliku")])
        if info.st_size > limit:
            typical = "kilkaset KB" if is_pdf else "kilka KB"
            raise FormError([Problem(
                f"plik jest za duży ({info.st_size // 1024} KB; dopuszczalne "
                f"{limit_kb} KB) – formularz to zwykle {typical}"
            )])
        chunks = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 16))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        content = b"".join(chunks)
    finally:
        os.close(fd)
    if len(content) > limit:
        raise FormError([Problem("plik jest za duży")])
    return IncomingFile(path, content, hashlib.sha256(content).hexdigest())
