"""The trust anchors a centre configures (`[podpis] zaufane`): a folder of root and
intermediate certificates, PEM or DER, one or more per file. Only certificates that are CAs
can be anchors; an end-entity certificate in the folder is ignored with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509

from pipeline.core.errors import ConfigError

SUFFIXES = (".pem", ".crt", ".cer", ".der")


@dataclass(frozen=True)
class Anchors:
    certificates: tuple[x509.Certificate, ...]
    skipped: tuple[str, ...] = ()  # "<file>: <reason>", for `asysta sprawdz`


def _parse(data: bytes) -> list[x509.Certificate]:
    if pem.detect(data):
        return [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                if kind == "CERTIFICATE"]
    return [x509.Certificate.load(data)]


def load_anchors(folder: Path | None) -> Anchors:
    """Every CA certificate in the folder; ConfigError when it is unset, missing or empty."""
    if folder is None:
        raise ConfigError(["[podpis] zaufane: nie wskazano folderu zaufanych certyfikatów – bez "
                           "niego żaden podpis elektroniczny nie może zostać uznany"])
    if not folder.is_dir():
        raise ConfigError([f"[podpis] zaufane: folder {folder} nie istnieje"])
    found: list[x509.Certificate] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        try:
            certificates = _parse(path.read_bytes())
            for cert in certificates:
                cert.native  # noqa: B018 - parse it all now, not at the first signature
        except (ValueError, TypeError, OSError):
            skipped.append(f"{path.name}: to nie jest certyfikat X.509 (PEM ani DER)")
            continue
        for cert in certificates:
            if cert.ca:
                found.append(cert)
            else:
                skipped.append(f"{path.name}: certyfikat końcowy, nie urzędu certyfikacji – pominięty")
    if not found:
        raise ConfigError([f"[podpis] zaufane: w folderze {folder} nie ma certyfikatów urzędów "
                           "certyfikacji (pliki .pem, .crt, .cer lub .der)"])
    return Anchors(tuple(found), tuple(skipped))
