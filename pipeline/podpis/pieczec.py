"""The centre's seal on what it sends (optional, off by default): with `[podpis] pieczec`
(a PKCS#12 file; its password in `pieczec_haslo_plik` or $ASYSTA_PIECZEC_HASLO), a PDF gets
a PAdES signature — B-B, or B-T when `[podpis] tsa` names a time-stamping authority —
appended as an incremental update, so the document's PDF/A-2b identification, XMP and output
intent stay as they were. The sealed copy is written beside the original
(`…_pieczec.pdf`); the archived PDF is never changed (its hash is the register's)."""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path
from typing import Any

from pipeline.core.config import Podpis
from pipeline.core.errors import AsystaError, ConfigError
from pipeline.core.fsutil import replace

PASSWORD_ENV = "ASYSTA_PIECZEC_HASLO"
SEALED = "_pieczec"
FIELD = "PieczecOsrodka"


class SealError(AsystaError):
    """A PDF could not be sealed (unreadable, encrypted, or the time-stamp server failed)."""


def _password(settings: Podpis) -> bytes | None:
    if settings.pieczec_haslo_plik is not None:
        try:
            return settings.pieczec_haslo_plik.read_bytes().rstrip(b"\r\n")
        except OSError:
            raise ConfigError([f"[podpis] pieczec_haslo_plik: nie można odczytać pliku "
                               f"{settings.pieczec_haslo_plik}"]) from None
    value = os.environ.get(PASSWORD_ENV)
    return value.encode("utf-8") if value else None


def load_seal(settings: Podpis) -> Any:
    """The seal's signer; ConfigError naming the setting when it cannot be used."""
    from pyhanko.sign import signers

    if settings.pieczec is None:
        raise ConfigError(["[podpis] pieczec: nie wskazano pliku pieczęci ośrodka (PKCS#12, "
                           ".p12 lub .pfx)"])
    try:
        data = settings.pieczec.read_bytes()
    except OSError:
        raise ConfigError([f"[podpis] pieczec: nie można odczytać pliku {settings.pieczec}"]) \
            from None
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, (), passphrase=_password(settings))
    except (ValueError, TypeError):
        raise ConfigError([f"[podpis] pieczec: pliku {settings.pieczec.name} nie da się otworzyć "
                           "– złe hasło (pieczec_haslo_plik albo zmienna ASYSTA_PIECZEC_HASLO) "
                           "albo to nie jest plik PKCS#12"]) from None


def seal(data: bytes, settings: Podpis, timestamper: Any = None) -> bytes:
    """`data` with the centre's PAdES seal appended (B-T with a time-stamp)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

    signer = load_seal(settings)
    if timestamper is None and settings.tsa:
        timestamper = HTTPTimeStamper(settings.tsa, timeout=20)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason="Pieczęć elektroniczna ośrodka")
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        out = _pdf17_signer(meta, signer, timestamper).sign_pdf(writer)
    except TimestampRequestError:
        raise SealError(f"serwer znaczników czasu ({settings.tsa}) nie odpowiedział – spróbuj "
                        "później albo usuń [podpis] tsa (pieczęć bez znacznika czasu)") from None
    except (PdfError, ValueError, KeyError) as exc:
        raise SealError(f"pliku nie da się opieczętować ({type(exc).__name__}): to nie jest "
                        "poprawny, niezaszyfrowany PDF") from None
    return bytes(out.getvalue())


def _pdf17_signer(meta: Any, signer: Any, timestamper: Any) -> Any:
    """pyHanko's signer, declaring PDF 1.7 with the PAdES (ESIC) extension only: for an
    ECDSA key pyHanko would also register ISO/TS 32002 and raise the file to PDF 2.0, which
    PDF/A-2 (built on PDF 1.7) does not allow; ECDSA signatures are PAdES either way."""
    from pyhanko.sign import signers
    from pyhanko.sign.signers import constants

    class Pdf17Signer(signers.PdfSigner):
        def register_extensions(self, pdf_out: Any, *, md_algorithm: str) -> None:
            pdf_out.ensure_output_version(version=(1, 7))
            pdf_out.register_extension(constants.ESIC_EXTENSION_1)

    return Pdf17Signer(meta, signer=signer, timestamper=timestamper)


def sealed_name(path: Path) -> Path:
    return path.with_name(f"{path.stem}{SEALED}.pdf")


def seal_file(path: Path, settings: Podpis, timestamper: Any = None) -> Path:
    """A sealed copy beside the file; the file itself stays as it is."""
    try:
        data = path.read_bytes()
    except OSError:
        raise SealError(f"nie można odczytać pliku {path}") from None
    if not data.startswith(b"%PDF"):
        raise SealError(f"{path.name} to nie jest plik PDF")
    target = sealed_name(path)
    replace(target, seal(data, settings, timestamper))
    return target


def seal_if_configured(path: Path, settings: Podpis) -> Path | None:
    """What the kierownik sends out (court report, half-yearly figures) gets a sealed copy
    when the centre has a seal; None when it has none."""
    return seal_file(path, settings) if settings.pieczec is not None else None
