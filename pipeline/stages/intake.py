"""Intake: take one file from the inbox, safely, as bytes."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import stat
from pathlib import Path

from pipeline.core.config import Settings
from pipeline.core.errors import FormError, Problem
from pipeline.core.models import IncomingFile

ACCEPTED_SUFFIXES = (".yaml", ".yml", ".json", ".pdf")  # .pdf: forms from `asysta formularze`
# Editor and OS litter that is never a form (a watched folder is hostile).
IGNORED_PATTERNS = ("~$*", ".~lock.*#", "*.tmp", ".DS_Store", "Thumbs.db", ".*",
                    # a PDF form saved from a browser is written under these names first
                    "*.crdownload", "*.crswap", "*.part", "*.partial", "*.download")
REJECTED_DIR = "odrzucone"


def is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in IGNORED_PATTERNS)


def _kind(mode: int) -> str:
    """What a non-regular file is, in the words of the explanation."""
    if stat.S_ISFIFO(mode):
        return "potok nazwany (FIFO)"
    if stat.S_ISSOCK(mode):
        return "gniazdo (socket)"
    if stat.S_ISCHR(mode):
        return "urządzenie znakowe"
    if stat.S_ISBLK(mode):
        return "urządzenie blokowe"
    if stat.S_ISDIR(mode):
        return "folder"
    return "plik specjalny"


def open_regular(path: Path) -> tuple[int, os.stat_result]:
    """Open a regular file for reading, never blocking and never following a link: `lstat`
    first (a FIFO, socket or device is not even opened: opening a FIFO can wait for a writer
    and opening a device can act on it), then O_NONBLOCK | O_NOFOLLOW, then `fstat` to be
    sure the file opened is the one looked at. FormError with the reason otherwise."""
    try:
        before = os.lstat(path)
    except OSError as exc:
        raise FormError([Problem(f"nie można otworzyć pliku ({exc.strerror})")]) from None
    if stat.S_ISLNK(before.st_mode):
        raise FormError([Problem("to dowiązanie symboliczne – wrzuć do folderu sam plik")])
    if not stat.S_ISREG(before.st_mode):
        raise FormError([Problem(
            f"to nie jest zwykły plik, tylko {_kind(before.st_mode)} – program takich plików nie "
            "otwiera (czytanie mogłoby wstrzymać obsługę folderu); wrzucaj do folderu inbox "
            "tylko pliki formularzy")])
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        reason = "to dowiązanie symboliczne – wrzuć do folderu sam plik" if path.is_symlink() \
            else f"nie można otworzyć pliku ({exc.strerror})"
        raise FormError([Problem(reason)]) from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise FormError([Problem("plik został podmieniony w trakcie odczytu – wrzuć go ponownie")])
    return fd, info


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks = []
    remaining = limit + 1
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def sha256_of(path: Path, limit: int) -> str | None:
    """The hash of a regular file of at most `limit` bytes, read as safely as a form is
    (None for anything else, or when it cannot be read)."""
    try:
        fd, info = open_regular(path)
    except FormError:
        return None
    try:
        if info.st_size > limit:
            return None
        content = _read_at_most(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)
    return hashlib.sha256(content).hexdigest() if len(content) <= limit else None


def read(path: Path, settings: Settings) -> IncomingFile:
    """Read a form file without following links, without blocking and without reading a
    huge file."""
    # A filled PDF form embeds its font and is far larger than a text form: its own limit.
    is_pdf = path.suffix.lower() == ".pdf"
    limit_kb = settings.przetwarzanie.max_rozmiar_pdf_kb if is_pdf else \
        settings.przetwarzanie.max_rozmiar_kb
    limit = limit_kb * 1024
    fd, info = open_regular(path)
    try:
        if info.st_nlink > 1:  # the same file also lives elsewhere: never read out of the inbox
            raise FormError([Problem(
                "to twarde dowiązanie do pliku spoza folderu – wrzuć do folderu kopię pliku")])
        if info.st_size > limit:
            typical = "kilkaset KB" if is_pdf else "kilka KB"
            raise FormError([Problem(
                f"plik jest za duży ({info.st_size // 1024} KB; dopuszczalne "
                f"{limit_kb} KB) – formularz to zwykle {typical}"
            )])
        content = _read_at_most(fd, limit)
    finally:
        os.close(fd)
    if len(content) > limit:
        raise FormError([Problem("plik jest za duży")])
    return IncomingFile(path, content, hashlib.sha256(content).hexdigest())
