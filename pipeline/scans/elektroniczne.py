"""Electronically signed PDFs in the scan folder: a document of the archive signed with
podpis zaufany, podpis osobisty or a qualified signature comes back verified.

The file is recognised by the code on its first page (as a paper scan is), verified offline
(`pipeline.podpis.weryfikacja`: the archived PDF plus signatures only, every signature's
integrity, its chain to `[podpis] zaufane` at the signing time, revocation from the data
in the file) and filed untouched beside its document as `…_podpisany_elektronicznie.pdf`
(a later file with more signatures: `…_v2`), with a verification record in the register
(`podpisy_elektroniczne`: each signer's name, role, kind and time, what was not checked,
which required signatures are missing). The signer's name stays in the register: the
journal gets the case, the attachment, the count and the kinds.

A file that does not verify is set aside in `nierozpoznane/`, byte for byte, with a Polish
`.txt` saying what failed and what to do; nothing is filed from it.
"""

from __future__ import annotations

import contextlib
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.core.errors import ConfigError, ResourceError
from pipeline.core.fsutil import ensure_private_dir, replace, write_new
from pipeline.core.signers import required_signers
from pipeline.pdf import kod
from pipeline.podpis.rodzaj import KIND_NAMES
from pipeline.podpis.weryfikacja import SignatureCheck, Verification, verify
from pipeline.podpis.zaufane import load_anchors
from pipeline.scans.stan import entry_of, safe_stem
from pipeline.scans.strony import decode
from pipeline.sprawa.register import (
    E_SIGNED_KEY,
    Entry,
    ESigned,
    Register,
    Signer,
    e_signed,
    family_dir,
    with_e_signed,
)
from pipeline.stages import archive
from pipeline.stages.archive import archive_lock

E_SIGNED = "_podpisany_elektronicznie"
UNREAD_DIR = "nierozpoznane"
CODE_PAGES = 3  # the code is looked for on the first pages (every page carries it)
ANY = "dowolny"
SEAL = "pieczec"  # an organisation's electronic seal (the centre's own, or a court's)


@dataclass(frozen=True)
class SignedFiled:
    rodzina: str
    entry: Entry
    record: ESigned
    new: bool  # False: these very bytes were filed before


@dataclass(frozen=True)
class SignedResult:
    """What happened to one signed PDF: filed, or set aside with the reasons."""

    filed: SignedFiled | None = None
    reasons: tuple[str, ...] = ()
    explanation: Path | None = None


def find_code(content: bytes, dpi: int) -> kod.PageCode | None:
    """The code on the first pages of a PDF (rendered as the copier's scans are)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        for index in range(min(len(document), CODE_PAGES)):
            page = document[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            code = decode(image)[0]
            if code is not None:
                return code
    finally:
        document.close()
    return None


def _norm(text: object) -> str:
    return " ".join(str(text or "").split()).casefold()


def role_of(name: str, entry: Entry, kierownik: str) -> str:
    """Who a person signing is for this document: its assistant, its social worker, the
    centre's head, or (anyone else) the family."""
    who = _norm(name)
    for role, value in (("asystent", entry.dane.get("asystent")),
                        ("pracownik", entry.dane.get("pracownik_socjalny")),
                        ("kierownik", kierownik)):
        if who and who == _norm(value):
            return role
    return "rodzina"


def missing_roles(roles: list[str], required: tuple[str, ...]) -> tuple[str, ...]:
    """The required roles no signature stands for (each signature counts once)."""
    left = list(roles)
    missing = []
    for role in sorted(required, key=lambda r: r == ANY):  # named roles first
        match = next((r for r in left if role in (r, ANY)), None)
        if match is None:
            missing.append(role)
        else:
            left.remove(match)
    return tuple(missing)


def _record(name: str, sha256: str, checks: tuple[SignatureCheck, ...], entry: Entry,
            settings: Settings) -> ESigned:
    signers = tuple(Signer(c.podpisujacy, SEAL if c.pieczec else role_of(
        c.podpisujacy, entry, settings.osrodek.kierownik), c.rodzaj,
        c.czas.isoformat() if c.czas else "", "ważny", c.niesprawdzone) for c in checks)
    required = required_signers(settings.podpis.wymagane).get(entry.zalacznik, (ANY,))
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    return ESigned(name, sha256, now, signers, missing_roles([s.rola for s in signers], required))


def _slot(folder: Path, entry: Entry, content: bytes) -> str:
    """The first free name; a file no record names holding these very bytes (a run killed
    before its register entry) is taken again."""
    stem = Path(entry.pdf).stem
    taken = {r.plik for r in e_signed(entry)}
    version = 1
    while True:
        name = f"{archive.versioned(stem + E_SIGNED, version)}.pdf"
        path = folder / name
        if name not in taken and (not path.exists() or path.read_bytes() == content):
            return name
        version += 1


def _file(settings: Settings, rodzina: str, entry: Entry, content: bytes, sha256: str,
          result: Verification) -> SignedFiled:
    """Under the archive lock: the file byte for byte, then the register (the commit)."""
    folder = family_dir(settings.outbox, rodzina)
    with archive_lock(settings.outbox):
        register = Register.load(folder)
        current = next(e for e in register.entries if e.plik_zrodlowy == entry.plik_zrodlowy)
        done = next((r for r in e_signed(current) if r.sha256 == sha256), None)
        if done is not None:
            return SignedFiled(rodzina, current, done, new=False)
        name = _slot(folder, current, content)
        archive.write_family_file(settings.outbox, rodzina, name, content)
        record = _record(name, sha256, result.podpisy, current, settings)
        updated = with_e_signed(current, record)
        archive.record_extra(settings.outbox, rodzina, {
            current.plik_zrodlowy: {E_SIGNED_KEY: updated.extra[E_SIGNED_KEY]}})
        journal.log(settings.outbox, "podpis_przyjeto", plik=name, rodzina=rodzina,
                    wynik="przyjety", zalacznik=current.zalacznik, dokument=current.pdf,
                    podpisy=len(record.podpisy), rodzaje=[s.rodzaj for s in record.podpisy],
                    komplet=record.komplet, brakuje=list(record.brakuje))
    return SignedFiled(rodzina, updated, record, new=True)


def _set_aside(settings: Settings, name: str, content: bytes, sha256: str,
               reasons: list[str], rodzina: str | None = None) -> SignedResult:
    """The file, unchanged, in nierozpoznane/ with a Polish explanation beside it."""
    folder = settings.scans / UNREAD_DIR
    ensure_private_dir(folder)
    base = f"{safe_stem(name)}_{sha256[:8]}"
    kept = folder / f"{base}.pdf"
    if not kept.exists():
        write_new(kept, content)
    lines = [f"Plik „{name}” ({datetime.now():%Y-%m-%d %H:%M}) jest podpisany elektronicznie, "
             "ale nie został przyjęty do archiwum.", "", "Powody:"]
    lines += [f"– {r}." for r in reasons]
    lines += ["", "Co zrobić: podpisany musi być plik PDF dokumentu z archiwum, bez żadnych zmian",
              "(pobierz go z folderu sprawy i podpisz ponownie); podpis musi pochodzić od",
              "zaufanego wystawcy (lista w [podpis] zaufane) i być złożony certyfikatem ważnym",
              "i nieunieważnionym. Gdy plik jest w porządku, a wystawcy brak na liście, poproś",
              "administratora o dodanie jego certyfikatu (README, „Podpis elektroniczny”).",
              f"Oryginał pliku, bez zmian: {kept}"]
    explanation = folder / f"{base}.txt"
    replace(explanation, ("\n".join(lines) + "\n").encode("utf-8"))
    with contextlib.suppress(ResourceError):
        journal.log(settings.outbox, "podpis_odrzucono", plik=name, rodzina=rodzina,
                    wynik="odlozony", zapisano_jako=kept.name, powodow=len(reasons))
    return SignedResult(reasons=tuple(reasons), explanation=explanation)


def _filed_at(entry: Entry) -> datetime | None:
    """When the document was filed (an older register's time without offset is local)."""
    try:
        filed = datetime.fromisoformat(entry.przyjeto) if entry.przyjeto else None
    except ValueError:
        return None
    return filed.astimezone() if filed is not None else None


def process_signed(name: str, content: bytes, settings: Settings) -> SignedResult:
    """Verify a signed PDF and file it beside its document, or set it aside."""
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        code = find_code(content, settings.skany.dpi)
    except Exception:  # pdfium raises many kinds on a damaged file
        code = None
    if code is None:
        return _set_aside(settings, name, content, sha256, [
            "na pierwszych stronach nie ma kodu dokumentu z programu asysta – to nie jest "
            "dokument z tego archiwum (albo kod jest nieczytelny)"])
    entry, reason = entry_of(settings, code.identity)
    rodzina = code.identity.rodzina
    if entry is None:
        return _set_aside(settings, name, content, sha256, [reason])
    folder = family_dir(settings.outbox, rodzina)
    try:
        archived = (folder / entry.pdf).read_bytes()
        anchors = load_anchors(settings.podpis.zaufane)
    except FileNotFoundError:
        return _set_aside(settings, name, content, sha256, [
            f"w archiwum sprawy {rodzina} brak pliku {entry.pdf}"], rodzina)
    except ConfigError as exc:
        return _set_aside(settings, name, content, sha256, list(exc.problems), rodzina)
    result = verify(content, archived, anchors.certificates, settings.podpis, _filed_at(entry))
    if not result.ok:
        return _set_aside(settings, name, content, sha256, result.reasons, rodzina)
    return SignedResult(_file(settings, code.identity.rodzina, entry, content, sha256, result))


def summary(filed: SignedFiled) -> str:
    """One line for the terminal: no names, the kinds and what is missing."""
    kinds = ", ".join(KIND_NAMES.get(s.rodzaj, s.rodzaj) for s in filed.record.podpisy)
    missing = (f"; brak podpisu: {', '.join(filed.record.brakuje)}" if filed.record.brakuje
               else "")
    return f"{filed.rodzina}/{filed.record.plik} ({kinds}{missing})"
