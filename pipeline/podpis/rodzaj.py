"""Which kind a signature is — podpis zaufany, podpis osobisty, kwalifikowany — told apart by
the signer's certificate: a qualified certificate by its QC statement (QcCompliance) or
a qualified policy, podpis zaufany and podpis osobisty by fragments of the issuer's name or
by policy OIDs, all set in `[podpis]` (the defaults name the Polish issuers' wording)."""

from __future__ import annotations

from asn1crypto import x509

from pipeline.core.config import Podpis

ZAUFANY, OSOBISTY, KWALIFIKOWANY, INNY = "zaufany", "osobisty", "kwalifikowany", "inny"
KIND_NAMES = {ZAUFANY: "podpis zaufany", OSOBISTY: "podpis osobisty",
              KWALIFIKOWANY: "podpis kwalifikowany", INNY: "podpis elektroniczny"}
QC_STATEMENTS = "1.3.6.1.5.5.7.1.3"  # id-pe-qcStatements
QC_COMPLIANCE = bytes.fromhex("060604008e460101")  # DER of the OID 0.4.0.1862.1.1


def _listed(text: str) -> list[str]:
    return [p.strip().casefold() for p in text.split(",") if p.strip()]


def _policies(cert: x509.Certificate) -> set[str]:
    value = cert.certificate_policies_value
    return {p["policy_identifier"].dotted for p in value} if value is not None else set()


def _qc_compliant(cert: x509.Certificate) -> bool:
    for extension in cert["tbs_certificate"]["extensions"]:
        if extension["extn_id"].dotted == QC_STATEMENTS:
            return QC_COMPLIANCE in extension["extn_value"].contents
    return False


def kind_of(cert: x509.Certificate, settings: Podpis) -> str:
    policies = _policies(cert)
    if _qc_compliant(cert) or policies & set(_listed(settings.kwalifikowany_polityki)):
        return KWALIFIKOWANY
    issuer = " ".join(str(v) for v in cert.issuer.native.values()).casefold()
    for kind, names, oids in ((OSOBISTY, settings.osobisty_wystawcy, settings.osobisty_polityki),
                              (ZAUFANY, settings.zaufany_wystawcy, settings.zaufany_polityki)):
        if any(n in issuer for n in _listed(names)) or policies & set(_listed(oids)):
            return kind
    return INNY


def signer_name(cert: x509.Certificate) -> str:
    """The signer's name as the certificate gives it (common name, else given name and
    surname); never logged."""
    subject = cert.subject.native
    name = subject.get("common_name") or " ".join(
        str(subject[k]) for k in ("given_name", "surname") if subject.get(k))
    return " ".join(str(name).split()) or "(certyfikat bez nazwy)"
