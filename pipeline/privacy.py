"""Data subjects' rights and the end of retention: `asysta eksport` and `asysta usun`.

An export is one ZIP of the family's whole folder (documents, originals,
register, checklist) for an access request; a deletion removes the folder
after the end of retention. Both are logged with the case number only.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

from . import journal
from .archive import archive_lock, family_dir
from .config import Settings
from .errors import AsystaError
from .fsutil import ensure_private_dir, write_new
from .overview import Expired, all_checklists, expired_cases, write_index

EXPORT_DIR = "eksport"


class PrivacyError(AsystaError):
    pass


def _existing(settings: Settings, rodzina: str) -> Path:
    folder = family_dir(settings.outbox, rodzina)
    if not rodzina or "/" in rodzina or rodzina.startswith(".") or not folder.is_dir():
        raise PrivacyError(f"w archiwum nie ma rodziny {rodzina}")
    return folder


def export_family(settings: Settings, rodzina: str, target: Path | None = None) -> Path:
    """A ZIP of everything the archive holds about a family (owner-only permissions)."""
    folder = _existing(settings, rodzina)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                archive.write(path, f"{rodzina}/{path.relative_to(folder)}")
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    if target is None:
        ensure_private_dir(settings.outbox / EXPORT_DIR)
        target = settings.outbox / EXPORT_DIR / f"{rodzina}_{stamp}.zip"
    write_new(target, buffer.getvalue())
    journal.log(settings.outbox, "eksport", rodzina=rodzina, plik=target.name,
                wynik="wykonano", plikow=len(zipfile.ZipFile(target).namelist()))
    return target


def delete_family(settings: Settings, rodzina: str) -> int:
    """Remove a family's folder from the archive; returns how many files it held."""
    folder = _existing(settings, rodzina)
    with archive_lock(settings.outbox):
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder)
    journal.log(settings.outbox, "usunieto", rodzina=rodzina, wynik="wykonano", plikow=count)
    write_index(settings, date.today())
    return count


def expired(settings: Settings, as_of: date) -> list[Expired]:
    """Closed cases whose retention period has ended."""
    return expired_cases(all_checklists(settings, as_of), as_of, settings.terminy.przechowywanie_lat)
