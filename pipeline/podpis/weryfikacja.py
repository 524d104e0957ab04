"""Verifying a signed PDF of an archived document, offline, with pyHanko.

What is checked, for every signature in the file:
- integrity: the signature's digest matches the bytes it covers and the CMS signature is
  cryptographically valid;
- that the signed document is asysta's: the file begins with the archived PDF byte for byte
  (a signer adds revisions, never rewrites), and every revision after it only adds
  signatures or validation data (pyHanko's difference analysis: `ModificationLevel` up to
  FORM_FILLING) — a document altered before signing, or changed after, is refused;
- the chain of the signer's certificate to the centre's trust anchors, at the signing time
  (a trusted time-stamp's, else the time the signer's software declared), which must fall
  between the document's filing and the file's arrival;
- revocation, from the validation data in the file (the DSS, the CMS's revocation
  attribute) when there is any; without it the record says plainly
  „nie sprawdzono odwołania certyfikatu”. Nothing is ever fetched.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from asn1crypto import x509

from pipeline.core.config import Podpis
from pipeline.podpis.rodzaj import kind_of, signer_name
from pipeline.podpis.zmiany import signing_changes

NO_REVOCATION = "nie sprawdzono odwołania certyfikatu (w pliku nie ma danych o odwołaniach)"
CLAIMED_TIME = ("czas podpisu podany przez program podpisującego (plik nie ma znacznika "
                "czasu), nie potwierdzony")
ACCEPTED_LEVELS = ("NONE", "LTA_UPDATES", "FORM_FILLING")
TIME_TOLERANCE = timedelta(minutes=10)  # clocks of the signer's machine and ours differ
_CHAIN_REASONS = {
    "NO_CERTIFICATE_CHAIN_FOUND": "certyfikat podpisującego nie pochodzi od zaufanego wystawcy "
                                  "(brak ścieżki do certyfikatów z [podpis] zaufane)",
    "REVOKED_NO_POE": "certyfikat podpisującego został unieważniony (odwołany)",
    "REVOKED_CA_NO_POE": "certyfikat wystawcy podpisującego został unieważniony (odwołany)",
    "OUT_OF_BOUNDS_NO_POE": "certyfikat podpisującego nie był ważny w chwili podpisu (wygasł)",
    "OUT_OF_BOUNDS_NOT_REVOKED": "certyfikat podpisującego nie był ważny w chwili podpisu "
                                 "(wygasł)",
    "EXPIRED": "certyfikat podpisującego wygasł przed złożeniem podpisu",
    "NOT_YET_VALID": "certyfikat podpisującego nie był jeszcze ważny w chwili podpisu",
    "TRY_LATER": "dane o odwołaniach certyfikatów w pliku są niepełne lub nieaktualne",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "dane o odwołaniach certyfikatów w pliku są nieaktualne",
}


@dataclass(frozen=True)
class SignatureCheck:
    """One signature as verified: its signer (name only in memory and the register)."""

    podpisujacy: str
    rodzaj: str
    czas: datetime | None
    problemy: tuple[str, ...]
    niesprawdzone: tuple[str, ...]
    certificate: x509.Certificate = field(repr=False, compare=False)

    @property
    def pieczec(self) -> bool:
        """An organisation's seal rather than a person's signature: the subject names an
        organisation and no person."""
        subject = self.certificate.subject.native
        return "organization_name" in subject and not ({"surname", "given_name"} & set(subject))

    @property
    def ok(self) -> bool:
        return not self.problemy


@dataclass(frozen=True)
class Verification:
    """A signed file's verification: its signatures and what is wrong with the file itself."""

    podpisy: tuple[SignatureCheck, ...]
    problemy: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problemy and bool(self.podpisy) and all(s.ok for s in self.podpisy)

    @property
    def reasons(self) -> list[str]:
        out = list(self.problemy)
        for number, check in enumerate(self.podpisy, 1):
            out += [f"podpis {number}: {p}" for p in check.problemy]
        return out


def is_signed(data: bytes) -> bool:
    """A cheap first look: does the PDF carry a signature dictionary at all?"""
    return data.startswith(b"%PDF") and b"/ByteRange" in data


def _revocation_data(reader: Any, signatures: list[Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """(certificates, CRLs, OCSP responses) the file carries: its DSS and each signature's
    Adobe revocation attribute."""
    from pyhanko.sign.general import NonexistentAttributeError, find_unique_cms_attribute
    from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError

    certs: list[Any] = []
    crls: list[Any] = []
    ocsps: list[Any] = []
    try:
        dss = DocumentSecurityStore.read_dss(reader)
        certs += list(dss.load_certs())
        crls += [c.get_object().data for c in dss.crls]
        ocsps += [o.get_object().data for o in dss.ocsps]
    except NoDSSFoundError:
        pass
    for sig in signatures:
        try:
            archival = find_unique_cms_attribute(sig.signer_info["signed_attrs"],
                                                 "adobe_revocation_info_archival")
        except (NonexistentAttributeError, KeyError, ValueError):
            continue
        crls += [c.dump() for c in archival["crl"] or []]
        ocsps += [o.dump() for o in archival["ocsp"] or []]
    return certs, crls, ocsps


def _document_problems(reader: Any, signatures: list[Any], data: bytes,
                       archived: bytes) -> list[str]:
    """Is the signed file the archived PDF plus signatures and validation data only?"""
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.startswith(archived):
        return ["podpisano inny plik niż dokument w archiwum: dokument zmieniono przed "
                "podpisaniem albo zapisano go na nowo (podpisz plik PDF z archiwum bez zmian)"]
    base = PdfFileReader(BytesIO(archived), strict=False).xrefs.total_revisions - 1
    first = min(sig.signed_revision for sig in signatures)
    return signing_changes(reader, base, first)


def _moment(sig: Any) -> tuple[datetime | None, bool]:
    """The signing time and whether a time-stamp vouches for it."""
    from pyhanko.sign.validation.generic_cms import extract_tst_data_iter

    for stamp in extract_tst_data_iter(sig.signer_info, signed=False):
        return stamp["encap_content_info"]["content"].parsed["gen_time"].native, True
    return sig.self_reported_timestamp, False


def _time_problems(when: datetime | None, created: datetime | None, now: datetime) -> list[str]:
    """A signing time outside [the document's filing, the file's arrival] is not believed:
    the document did not exist before, and a claimed time is the signer's to choose (an
    expired certificate cannot be dated back to before the document)."""
    if when is None:
        return []
    if when > now + TIME_TOLERANCE:
        return ["czas podpisu jest późniejszy niż chwila przyjęcia pliku – niewiarygodny "
                "(zły zegar podpisującego albo zmieniony plik)"]
    if created is not None and when < created - TIME_TOLERANCE:
        return ["czas podpisu jest wcześniejszy niż utworzenie dokumentu w archiwum – "
                "niewiarygodny"]
    return []


def _check(sig: Any, anchors: tuple[x509.Certificate, ...], revinfo: tuple[list[Any], ...],
           settings: Podpis, window: tuple[datetime | None, datetime]) -> SignatureCheck:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    certs, crls, ocsps = revinfo
    created, now = window
    when, stamped = _moment(sig)
    context = ValidationContext(
        trust_roots=list(anchors), other_certs=certs, crls=crls, ocsps=ocsps,
        allow_fetching=False, moment=when or now, retroactive_revinfo=True,
        revocation_mode="hard-fail" if (crls or ocsps) else "soft-fail")
    status = validate_pdf_signature(sig, context)
    problems = _time_problems(when, created, now)
    if not (status.intact and status.valid):
        problems.append("podpis nie zgadza się z treścią pliku (plik uszkodzony albo zmieniony)")
    elif status.revoked:
        problems.append(_CHAIN_REASONS["REVOKED_NO_POE"])
    elif status.trust_problem_indic is not None:
        name = str(getattr(status.trust_problem_indic, "name", status.trust_problem_indic))
        problems.append(_CHAIN_REASONS.get(name, "nie udało się potwierdzić certyfikatu "
                                                 f"podpisującego ({name})"))
    level = status.modification_level
    if level is None or level.name not in ACCEPTED_LEVELS:
        problems.append("plik zmieniono po złożeniu tego podpisu")
    unchecked = []
    if not (crls or ocsps):
        unchecked.append(NO_REVOCATION)
    stamp = status.timestamp_validity
    if not stamped or stamp is None or not stamp.trusted:
        unchecked.append(CLAIMED_TIME)
    cert = status.signing_cert
    return SignatureCheck(signer_name(cert), kind_of(cert, settings), when, tuple(problems),
                          tuple(unchecked), cert)


@contextmanager
def _quiet() -> Iterator[None]:
    """pyHanko logs path-building failures with the certificate's subject: a signer's name
    must never reach a log, so its loggers are silenced while a file is verified."""
    loggers = [logging.getLogger(n) for n in ("pyhanko", "pyhanko_certvalidator")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
        lg.propagate = False
    try:
        yield
    finally:
        for lg, (level, propagate) in zip(loggers, saved, strict=True):
            lg.setLevel(level)
            lg.propagate = propagate


def verify(data: bytes, archived: bytes, anchors: tuple[x509.Certificate, ...], settings: Podpis,
           created: datetime | None = None, now: datetime | None = None) -> Verification:
    """Every signature of `data`, a signed copy of the archived PDF `archived` (filed at
    `created`), as of `now`."""
    with _quiet():
        return _verify(data, archived, anchors, settings, (created, now))


def _verify(data: bytes, archived: bytes, anchors: tuple[x509.Certificate, ...], settings: Podpis,
            window: tuple[datetime | None, datetime | None]) -> Verification:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    created, now = window[0], window[1] or datetime.now().astimezone()
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        signatures = list(reader.embedded_regular_signatures)
    except (PdfError, ValueError, KeyError, TypeError):
        return Verification((), ("pliku PDF nie da się odczytać (jest uszkodzony)",))
    if not signatures:
        return Verification((), ("w pliku nie ma podpisu elektronicznego",))
    try:
        problems = _document_problems(reader, signatures, data, archived)
        revinfo = _revocation_data(reader, signatures)
    except Exception as exc:  # a malformed file breaks the readers in many ways
        return Verification((), (f"pliku PDF nie da się sprawdzić – jest uszkodzony "
                                 f"({type(exc).__name__})",))
    checks = []
    for sig in signatures:
        try:
            checks.append(_check(sig, anchors, revinfo, settings, (created, now)))
        except Exception as exc:  # pyHanko raises many kinds on a malformed signature
            problems.append(f"podpis jest uszkodzony – nie da się go sprawdzić ({type(exc).__name__})")
    return Verification(tuple(checks), tuple(problems))
