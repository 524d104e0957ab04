"""The test PKI (`podpis.yml`, built by certomancer with keys made here, offline) and an
outside signer: pyHanko signing an archived PDF as a family member's or an assistant's
signing software would (an incremental update; validation data embedded or not)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from certomancer.registry import CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CONFIG = Path(__file__).parent / "podpis.yml"
KEYS = ("root", "pz-ca", "po-ca", "qc-ca", "obcy-root", "rodzic", "rodzic2", "asystent",
        "odwolany", "wygasly", "obcy", "pieczec", "tsa")
CA_OF = {"rodzic": "pz-ca", "rodzic2": "po-ca", "asystent": "qc-ca", "odwolany": "qc-ca",
         "wygasly": "qc-ca", "pieczec": "qc-ca"}


@dataclass
class Pki:
    arch: PKIArchitecture
    folder: Path

    def cert(self, label: str) -> Any:
        return self.arch.get_cert(label)

    def signer(self, label: str) -> Any:
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        chain = [self.cert(CA_OF[label])] if label in CA_OF else []
        return signers.SimpleSigner(signing_cert=self.cert(label),
                                    signing_key=self.arch.key_set.get_private_key(label),
                                    cert_registry=SimpleCertificateStore.from_certs(chain))

    def crls(self, at: datetime | None = None) -> list[Any]:
        when = at or datetime.now(UTC)
        return [self.arch.service_registry.get_crl(repo, at_time=when)
                for repo in ("root", "pz-ca", "po-ca", "qc-ca")]

    def anchors(self, target: Path, labels: tuple[str, ...] = ("root",)) -> Path:
        """A trust-anchor folder as a centre keeps it: one PEM per certificate."""
        from asn1crypto import pem

        target.mkdir(parents=True, exist_ok=True)
        for label in labels:
            (target / f"{label}.pem").write_bytes(pem.armor("CERTIFICATE", self.cert(label).dump()))
        return target

    def p12(self, label: str, password: bytes) -> bytes:
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509 import load_der_x509_certificate

        key = serialization.load_pem_private_key((self.folder / f"{label}.key.pem").read_bytes(),
                                                 None)
        cert = load_der_x509_certificate(self.cert(label).dump())
        extra = [load_der_x509_certificate(self.cert(CA_OF[label]).dump())]
        return pkcs12.serialize_key_and_certificates(
            b"pieczec", key, cert, extra,  # type: ignore[arg-type]
            serialization.BestAvailableEncryption(password))

    def timestamper(self) -> Any:
        from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

        return DummyTimeStamper(tsa_cert=self.cert("tsa"),
                                tsa_key=self.arch.key_set.get_private_key("tsa"))

    def sign(self, data: bytes, label: str, field: str = "Podpis1", *,
             embed_crls: bool = False) -> bytes:
        """`data` signed by `label` as an incremental update (PAdES B-B, or B-LT-like with
        the CRLs embedded in the signature)."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers
        from pyhanko_certvalidator import ValidationContext

        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        meta = signers.PdfSignatureMetadata(
            field_name=field, subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=embed_crls,
            validation_context=ValidationContext(
                trust_roots=[self.cert("root")], crls=self.crls(), allow_fetching=False)
            if embed_crls else None)
        out = signers.sign_pdf(writer, meta, signer=self.signer(label))
        return out.getvalue()

    def add_crls(self, data: bytes) -> bytes:
        """An incremental update that adds only validation data: a DSS holding every CA's
        CRL (the revoked signer listed in its CA's), as LTV tools append after signing."""
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation.dss import DocumentSecurityStore

        sig = PdfFileReader(BytesIO(data), strict=False).embedded_signatures[-1]
        out = BytesIO(data)
        DocumentSecurityStore.add_dss(out, sig.pkcs7_content, crls=self.crls(), strict=False)
        return out.getvalue()


def build(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    for label in KEYS:
        key: Any = (rsa.generate_private_key(65537, 2048) if label == "tsa"  # pyHanko's
                    else ec.generate_private_key(ec.SECP256R1()))  # test TSA signs RSA only
        (folder / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    shutil.copy(CONFIG, folder / CONFIG.name)
    config = CertomancerConfig.from_file(str(folder / CONFIG.name), key_search_dir=str(folder))
    return Pki(config.get_pki_arch("podpis"), folder)
