"""What the archive says about the signatures of its documents: the signed paper scans
a register entry lists (`skany`), the electronically signed files (`podpisy_elektroniczne`,
`pipeline.sprawa.register.ESigned`), and the checklist's `niepodpisany` and
`podpisany_elektronicznie` that follow from them. Also the one lookup from a page code to
the register entry it names."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.polish import pl_date
from pipeline.pdf import kod
from pipeline.sprawa.checklist import Checklist, Item
from pipeline.sprawa.register import (
    REGISTER_NAME,
    Entry,
    Register,
    complete_e_signed,
    e_signed,
    family_dir,
)
from pipeline.sprawa.schemas import is_case_number

SCANS_KEY = "skany"  # the key of a register entry that lists its signed scans
ORIGINALS_DIR = "skany"  # outbox/skany/: every batch, byte for byte
E_SIGNED_STATUS = "podpisany_elektronicznie"


@dataclass(frozen=True)
class SignedScan:
    """One signed scan of a document, as its register entry records it."""

    plik: str
    strony: tuple[int, ...]  # the document's pages it holds, in order
    stron: int  # how many pages the document has
    partia: str  # SHA-256 of the batch it came from
    przyjeto: str = ""

    @property
    def komplet(self) -> bool:
        return set(self.strony) == set(range(1, self.stron + 1))

    def to_json(self) -> dict[str, Any]:
        return {"plik": self.plik, "strony": list(self.strony), "stron": self.stron,
                "komplet": self.komplet, "partia": self.partia, "przyjeto": self.przyjeto}

    @classmethod
    def from_json(cls, raw: Any) -> SignedScan | None:
        if not isinstance(raw, dict):
            return None
        plik, strony, stron = raw.get("plik"), raw.get("strony"), raw.get("stron")
        if not (isinstance(plik, str) and isinstance(stron, int) and isinstance(strony, list)
                and all(isinstance(s, int) for s in strony)):
            return None
        return cls(plik, tuple(strony), stron, str(raw.get("partia", "")),
                   str(raw.get("przyjeto", "")))


def scans_of(entry: Entry) -> list[SignedScan]:
    """The signed scans of a document, oldest first (none for a register without them)."""
    raw = entry.extra.get(SCANS_KEY)
    if not isinstance(raw, list):
        return []
    return [s for s in (SignedScan.from_json(r) for r in raw) if s is not None]


def complete_scan(entry: Entry) -> SignedScan | None:
    """The newest scan holding every page of the document, if there is one."""
    complete = [s for s in scans_of(entry) if s.komplet]
    return complete[-1] if complete else None


def binder_pdf(entry: Entry) -> tuple[str, bool]:
    """The PDF of a document for the binder: its complete signed scan where there is one
    (and True), else the unsigned PDF."""
    scan = complete_scan(entry)
    return (scan.plik, True) if scan else (entry.pdf, False)


def scanning(outbox: Path) -> bool:
    """Has the archive received a scan batch? Until the copier's folder is in use, no document
    is `niepodpisany` (an archive that does not scan is not flooded with them)."""
    try:
        with os.scandir(outbox / ORIGINALS_DIR) as entries:
            return any(e.is_file() and not e.name.startswith(".") for e in entries)
    except OSError:
        return False


def add_unsigned(checklist: Checklist, register: Register, as_of: date, days: int) -> Checklist:
    """The checklist with a `niepodpisany` item for each current document dated `days` or
    more before `as_of` that has neither a complete signed scan nor a signed file with every
    required signature."""
    items = []
    for entry in register.current():
        due = entry.data + timedelta(days=days)
        if (entry.data > as_of or due > as_of or complete_scan(entry) is not None
                or complete_e_signed(entry) is not None):
            continue
        items.append(Item(entry.zalacznik, None, "niepodpisany", due, entry.pdf,
                          f"{document_name(entry).capitalize()} z {pl_date(entry.data)}: "
                          f"{_unsigned_detail(entry)}"))
    if not items:
        return checklist
    return replace(checklist, pozycje=(*checklist.pozycje, *items))


def _unsigned_detail(entry: Entry) -> str:
    signed = e_signed(entry)
    if signed:
        return (f"podpisany elektronicznie, brak podpisu: {', '.join(signed[-1].brakuje)} "
                "(wrzuć plik z brakującym podpisem do folderu skanów)")
    scans = scans_of(entry)
    have = sorted({n for s in scans for n in s.strony})
    stron = scans[-1].stron if scans else 0
    missing = [n for n in range(1, stron + 1) if n not in have]
    detail = (f"skan niepełny – brak stron {', '.join(map(str, missing))}" if scans
              else "brak skanu podpisanego dokumentu")
    return f"{detail} (wrzuć skan do folderu skanów)"


def mark_e_signed(checklist: Checklist, register: Register) -> Checklist:
    """The checklist with the item of each document signed electronically with every
    required signature shown as `podpisany_elektronicznie` (a late one stays `po_terminie`,
    its description says it is signed)."""
    signed = {e.pdf: s for e in register.current() if (s := complete_e_signed(e)) is not None}
    if not signed:
        return checklist
    items = []
    for item in checklist.pozycje:
        record = signed.get(item.plik or "")
        if record is not None and item.status in ("jest", "po_terminie"):
            note = f"podpisany elektronicznie ({record.plik})"
            status: Any = E_SIGNED_STATUS if item.status == "jest" else item.status
            item = replace(item, status=status, opis=f"{item.opis} – {note}")
        items.append(item)
    return replace(checklist, pozycje=tuple(items))


def add_signatures(checklist: Checklist, outbox: Path, register: Register, as_of: date,
                   days: int) -> Checklist:
    """Both: electronically signed documents marked, and the unsigned ones listed once the
    archive takes signed documents (the copier's folder is in use, or this family has
    a document signed electronically)."""
    checklist = mark_e_signed(checklist, register)
    if not scanning(outbox) and not any(e_signed(e) for e in register.entries):
        return checklist
    return add_unsigned(checklist, register, as_of, days)


def safe_stem(name: str) -> str:
    """An incoming file's name as part of a file name: letters, digits, dots and dashes."""
    return re.sub(r"[^\w.-]+", "_", Path(name).stem)[:60] or "skan"


def document_name(entry: Entry) -> str:
    return f"dokument „{entry.rodzaj}”" if entry.rodzaj else f"załącznik nr {entry.zalacznik}"


def entry_of(settings: Settings, identity: kod.Identity) -> tuple[Entry | None, str]:
    """The register entry a code names, or the reason it cannot be filed."""
    what = (f"dokument „{identity.rodzaj}”" if identity.rodzaj
            else f"załącznik nr {identity.zalacznik}")
    named = f"{what} z {pl_date(identity.data)}, wersja {identity.wersja}"
    if not is_case_number(identity.rodzina) or not (
            family_dir(settings.outbox, identity.rodzina) / REGISTER_NAME).is_file():
        return None, f"kod wskazuje sprawę {identity.rodzina}, której nie ma w archiwum ({named})"
    register = Register.load(family_dir(settings.outbox, identity.rodzina))
    for entry in register.entries:
        if ((entry.rodzaj or str(entry.zalacznik)) == identity.document
                and entry.data == identity.data and entry.wersja == identity.wersja):
            expected = kod.check(identity.rodzina, entry.zalacznik, entry.rodzaj, entry.data,
                                 entry.wersja, entry.sha256)
            if expected != identity.kontrola:
                return None, (f"kod kontrolny nie zgadza się z dokumentem w archiwum sprawy "
                              f"{identity.rodzina} ({named}) – to nie jest wydruk dokumentu "
                              "z tego archiwum")
            return entry, ""
    return None, f"w archiwum sprawy {identity.rodzina} nie ma dokumentu: {named}"


