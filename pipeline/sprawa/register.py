"""The family's register `outbox/rodziny/<rodzina>/rejestr.json`: what was filed, typed.

Every feature reads the archive through this module: the checklist, the binder,
the monthly reports, the pre-filled forms, the duplicate check. It holds the one
rule for „the newest version of a document” (`Register.current`): a document is
an attachment of one date (a monthly report, 14, is one per month, whatever its date:
the assistant's report filed after a generated one is its new version); a second
form for it is a new version (`_v2`, `_v3`…) and the highest version is the
current one. A register that cannot be read is a `RegisterError` naming the
family, never a traceback. Writing stays the archive's commit (`archive.file_document`
replaces the file atomically with `Register.to_bytes`); keys this version does
not know (added by a later one) are kept as they are.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.core.errors import RegisterError

FAMILIES_DIR = "rodziny"
REGISTER_NAME = "rejestr.json"
TECZKA_NAME = "teczka.pdf"  # the case binder in the family's folder (`asysta teczka`)
MONTHLY_REPORT = 14  # its month (`miesiac`) is part of what the document is

# The keys of an entry as the archive writes them, in this order.
_KEYS = ("zalacznik", "rodzaj", "data", "wersja", "docx", "pdf", "plik_zrodlowy", "sha256",
         "wersja_schematu", "przyjeto", "dane")
NOT_NUMBERED = 0  # `zalacznik` of a document kind beyond the sixteen (`rodzaj` names it)
SUBJECT_FIELD = "temat"  # a kind's subject: two documents of one date and kind, two subjects


def family_dir(outbox: Path, rodzina: str) -> Path:
    return outbox / FAMILIES_DIR / rodzina


def families(outbox: Path) -> list[str]:
    """The case numbers in the archive: the family folders that hold a register."""
    root = outbox / FAMILIES_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / REGISTER_NAME).is_file())


@dataclass(frozen=True)
class Entry:
    """One filed form: its attachment, date and version, its three files, its hash and
    its validated values. A document kind beyond the sixteen (a closing, a service note…)
    has `zalacznik` NOT_NUMBERED and its kind in `rodzaj`."""

    zalacznik: int
    data: date
    wersja: int
    pdf: str
    docx: str = ""
    plik_zrodlowy: str = ""
    sha256: str = ""
    wersja_schematu: int | None = None
    przyjeto: str | None = None  # ISO time with offset
    dane: Mapping[str, Any] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys of a later version
    rodzaj: str = ""  # the kind of a document that is not a numbered attachment

    @functools.cached_property  # asked for many times by the checklist: its values never change
    def document(self) -> tuple[int, date, str]:
        """What the versions are versions of: an attachment of one date (and month), or a
        document of one kind, date (and subject, `temat`, for a kind that has one: two notes
        of one day about two matters are two documents)."""
        if self.rodzaj:
            subject = self.dane.get(SUBJECT_FIELD)
            if isinstance(subject, str) and subject.strip():
                return self.zalacznik, self.data, f"{self.rodzaj}:{' '.join(subject.split()).casefold()}"
            return self.zalacznik, self.data, self.rodzaj
        month = self.dane.get("miesiac") if self.zalacznik == MONTHLY_REPORT else None
        if isinstance(month, str) and month:  # one report per family and month, whatever its date
            return self.zalacznik, date.min, month
        return self.zalacznik, self.data, ""

    @property
    def files(self) -> tuple[str, str, str]:
        return self.docx, self.pdf, self.plik_zrodlowy

    def to_json(self) -> dict[str, Any]:
        kind = {"rodzaj": self.rodzaj} if self.rodzaj else {}
        values = {"zalacznik": self.zalacznik, **kind, "data": self.data.isoformat(),
                  "wersja": self.wersja, "docx": self.docx, "pdf": self.pdf,
                  "plik_zrodlowy": self.plik_zrodlowy, "sha256": self.sha256,
                  "wersja_schematu": self.wersja_schematu, "przyjeto": self.przyjeto,
                  "dane": dict(self.dane)}
        return {**values, **self.extra}

    @classmethod
    def from_json(cls, raw: Any) -> Entry:
        """ValueError when the entry is not one the archive writes."""
        if not isinstance(raw, dict):
            raise ValueError("entry")
        zalacznik, wersja, data = raw.get("zalacznik"), raw.get("wersja"), raw.get("data")
        pdf, docx, source, sha256 = (raw.get(k, "") for k in ("pdf", "docx", "plik_zrodlowy",
                                                             "sha256"))
        schema, przyjeto, dane = raw.get("wersja_schematu"), raw.get("przyjeto"), raw.get("dane", {})
        rodzaj = raw.get("rodzaj", "")
        if not (isinstance(zalacznik, int) and isinstance(wersja, int) and _is_int(zalacznik)
                and _is_int(wersja) and isinstance(data, str) and isinstance(dane, dict)
                and all(isinstance(t, str) for t in (pdf, docx, source, sha256))
                and (schema is None or _is_int(schema))
                and (przyjeto is None or isinstance(przyjeto, str))
                and isinstance(rodzaj, str)):
            raise ValueError("entry")
        return cls(zalacznik, date.fromisoformat(data), wersja, pdf=pdf, docx=docx,
                   plik_zrodlowy=source, sha256=sha256, wersja_schematu=schema,
                   przyjeto=przyjeto, dane=dane, rodzaj=rodzaj,
                   extra={k: v for k, v in raw.items() if k not in _KEYS})


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _order(entry: Entry) -> tuple[int, str, date, int]:
    return entry.zalacznik, entry.rodzaj, entry.data, entry.wersja


@dataclass(frozen=True)
class Register:
    """A family's filed documents, every version, in the order the archive keeps them
    (attachment, date, version)."""

    rodzina: str
    entries: tuple[Entry, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)  # top-level keys of a later version

    @classmethod
    def load(cls, folder: Path) -> Register:
        """The register of a family folder (empty when there is none yet). A damaged one is
        a RegisterError; a disk that cannot be read stays an OSError (the machine's fault)."""
        rodzina = folder.name
        try:
            raw = (folder / REGISTER_NAME).read_bytes()
        except FileNotFoundError:
            return cls(rodzina)
        try:
            return cls.from_json(rodzina, json.loads(raw.decode("utf-8")))
        except (ValueError, RecursionError):  # JSON, UTF-8 and date errors are ValueErrors
            raise RegisterError(rodzina) from None

    @classmethod
    def from_json(cls, rodzina: str, data: Any) -> Register:
        if not isinstance(data, dict) or not isinstance(data.get("dokumenty", []), list):
            raise ValueError("register")
        entries = tuple(Entry.from_json(e) for e in data.get("dokumenty", []))
        name = data.get("rodzina", rodzina)
        return cls(name if isinstance(name, str) else rodzina, entries,
                   {k: v for k, v in data.items() if k not in ("rodzina", "dokumenty")})

    def to_bytes(self) -> bytes:
        record = {"rodzina": self.rodzina, "dokumenty": [e.to_json() for e in self.entries],
                  **self.extra}
        return json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8")

    def with_entry(self, entry: Entry) -> Register:
        """This register with one more entry; an entry for the same original file (an
        earlier run that stopped half-way) is replaced."""
        kept = [e for e in self.entries if e.plik_zrodlowy != entry.plik_zrodlowy]
        return replace(self, entries=tuple(sorted([*kept, entry], key=_order)))

    # -- reading ---------------------------------------------------------------------

    def current(self) -> list[Entry]:
        """THE newest version of each document (highest `wersja` of an attachment of one
        date, and of one month for a monthly report), in the order of the procedure:
        attachment number, then date."""
        return newest_versions(self.entries)

    def newest(self, zalacznik: int, until: date | None = None) -> Entry | None:
        """The latest current document of an attachment, dated `until` or earlier."""
        return max((e for e in self.current() if e.zalacznik == zalacznik
                    and (until is None or e.data <= until)),
                   key=lambda e: (e.data, e.wersja), default=None)

    def for_month(self, month: str) -> list[Entry]:
        """The current monthly reports (14) for a month `RRRR-MM`, oldest first."""
        reports = [e for e in self.current()
                   if e.zalacznik == MONTHLY_REPORT and e.document[2] == month]
        return sorted(reports, key=lambda e: (e.data, e.wersja))

    def of_kind(self, rodzaj: str) -> list[Entry]:
        """The current documents of a kind beyond the sixteen, oldest first."""
        return sorted((e for e in self.current() if e.rodzaj == rodzaj),
                      key=lambda e: (e.data, e.wersja))

    def find(self, sha256: str) -> Entry | None:
        """The entry of a file with these very bytes, if one was filed."""
        return next((e for e in self.entries if e.sha256 == sha256), None)


def _recency(entry: Entry) -> tuple[int, date, str]:
    # the version first; two entries of one version (filed before reports were one document
    # per month) by date and time of filing
    return entry.wersja, entry.data, entry.przyjeto or ""


def newest_versions(entries: Iterable[Entry]) -> list[Entry]:
    """See `Register.current`."""
    newest: dict[tuple[int, date, str], Entry] = {}
    for entry in entries:
        held = newest.get(entry.document)
        if held is None or _recency(entry) > _recency(held):
            newest[entry.document] = entry
    return [newest[key] for key in sorted(newest)]


# -- electronic signatures (`pipeline.podpis`): a record of each verified signed file --------

E_SIGNED_KEY = "podpisy_elektroniczne"  # the key of an entry that lists its signed files


@dataclass(frozen=True)
class Signer:
    """One verified signature of a signed file: who (from the certificate), in what role,
    which kind, when, and what the verification could not check."""

    podpisujacy: str
    rola: str  # rodzina / asystent / pracownik / kierownik
    rodzaj: str  # zaufany / osobisty / kwalifikowany / inny
    czas: str  # ISO; the time-stamp's, else the signer's own claim
    wynik: str  # "ważny"
    niesprawdzone: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"podpisujacy": self.podpisujacy, "rola": self.rola, "rodzaj": self.rodzaj,
                "czas": self.czas, "wynik": self.wynik, "niesprawdzone": list(self.niesprawdzone)}

    @classmethod
    def from_json(cls, raw: Any) -> Signer | None:
        if not isinstance(raw, dict):
            return None
        texts = [raw.get(k) for k in ("podpisujacy", "rola", "rodzaj", "czas", "wynik")]
        notes = raw.get("niesprawdzone", [])
        if not all(isinstance(t, str) for t in texts) or not isinstance(notes, list):
            return None
        who, role, kind, when, result = (str(t) for t in texts)
        return cls(who, role, kind, when, result, tuple(str(n) for n in notes))


@dataclass(frozen=True)
class ESigned:
    """A signed PDF of a document, kept byte for byte beside it, and its verification."""

    plik: str
    sha256: str
    przyjeto: str
    podpisy: tuple[Signer, ...]
    brakuje: tuple[str, ...] = ()  # required roles no signature stands for

    @property
    def komplet(self) -> bool:
        return not self.brakuje

    def to_json(self) -> dict[str, Any]:
        return {"plik": self.plik, "sha256": self.sha256, "przyjeto": self.przyjeto,
                "podpisy": [s.to_json() for s in self.podpisy], "komplet": self.komplet,
                "brakuje": list(self.brakuje)}

    @classmethod
    def from_json(cls, raw: Any) -> ESigned | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("plik"), str):
            return None
        signers = raw.get("podpisy", [])
        missing = raw.get("brakuje", [])
        if not isinstance(signers, list) or not isinstance(missing, list):
            return None
        return cls(raw["plik"], str(raw.get("sha256", "")), str(raw.get("przyjeto", "")),
                   tuple(s for s in (Signer.from_json(r) for r in signers) if s is not None),
                   tuple(str(m) for m in missing))


def e_signed(entry: Entry) -> list[ESigned]:
    """The verified signed files of a document, oldest first (none in an older register)."""
    raw = entry.extra.get(E_SIGNED_KEY)
    if not isinstance(raw, list):
        return []
    return [s for s in (ESigned.from_json(r) for r in raw) if s is not None]


def complete_e_signed(entry: Entry) -> ESigned | None:
    """The newest signed file with every signature the attachment requires, if any."""
    done = [s for s in e_signed(entry) if s.komplet]
    return done[-1] if done else None


def with_e_signed(entry: Entry, record: ESigned) -> Entry:
    """The entry with one more signed file (one of the same name is replaced)."""
    kept = [s.to_json() for s in e_signed(entry) if s.plik != record.plik]
    return replace(entry, extra={**entry.extra, E_SIGNED_KEY: [*kept, record.to_json()]})
