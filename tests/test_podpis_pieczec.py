"""The centre's seal (`[podpis] pieczec`, `asysta podpisz`): a PAdES signature appended to
a filed document keeps its PDF/A-2b identification and output intent, verifies (B-B, and
B-T with a time-stamp from the test PKI's TSA), and comes back through the scan folder as
an electronically signed document. Also the `[podpis]` settings and the signature kinds."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from conftest import example, make_settings
from pki import Pki, build
from pypdf import PdfReader
from test_pdfa import xmp, xmp_value

from pipeline.app.cli import main
from pipeline.core.config import Podpis, Settings, parse_config
from pipeline.core.errors import ConfigError
from pipeline.flow.process import process_files
from pipeline.podpis import pieczec
from pipeline.podpis.rodzaj import INNY, KWALIFIKOWANY, OSOBISTY, ZAUFANY, kind_of
from pipeline.podpis.weryfikacja import CLAIMED_TIME, verify
from pipeline.podpis.zaufane import load_anchors
from pipeline.scans import skany
from pipeline.sprawa.register import Entry, Register, e_signed, family_dir
from pipeline.stages.convert import Converter

PASSWORD = "hasło pieczęci"


@dataclass(frozen=True)
class Sealing:
    settings: Settings
    pki: Pki
    pdf: Path  # a filed PDF/A-2b document


@pytest.fixture(scope="module")
def sealing(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Sealing:
    root = tmp_path_factory.mktemp("pieczec")
    pki = build(root / "pki")
    (root / "pieczec.p12").write_bytes(pki.p12("pieczec", PASSWORD.encode("utf-8")))
    (root / "pieczec.haslo").write_text(PASSWORD + "\n", encoding="utf-8")
    settings = make_settings(root)
    settings = dataclasses.replace(settings, podpis=dataclasses.replace(
        settings.podpis, zaufane=pki.anchors(root / "zaufane"), pieczec=root / "pieczec.p12",
        pieczec_haslo_plik=root / "pieczec.haslo"))
    paths = []
    for n in (1, 6):  # the assignment (for the court report) and the plan
        path = settings.inbox / f"zal{n:02d}.yaml"
        path.write_text(example(n).read_text(encoding="utf-8"), encoding="utf-8")
        paths.append(path)
    assert [o.status for o in process_files(paths, settings, converter)] == ["przyjety"] * 2
    entry = plan_of(settings)
    return Sealing(settings, pki, family_dir(settings.outbox, "K-2025-014") / entry.pdf)


def plan_of(settings: Settings) -> Entry:
    register = Register.load(family_dir(settings.outbox, "K-2025-014"))
    return next(e for e in register.current() if e.zalacznik == 6)


def check_pdfa_kept(data: bytes) -> None:
    reader = PdfReader(BytesIO(data))
    text = xmp(reader)
    assert xmp_value(text, "pdfaid:part") == "2"
    assert xmp_value(text, "pdfaid:conformance") == "B"
    root = reader.trailer["/Root"]
    assert reader.pdf_header <= "%PDF-1.7" and str(root.get("/Version", "/1.7")) <= "/1.7"
    [intent] = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent
    for page in reader.pages:  # PDF/A: every annotation printable; a widget without an
        for annot in page.get("/Annots") or []:  # appearance only when it has no area
            annot = annot.get_object()
            assert int(annot["/F"]) & 4 and not int(annot["/F"]) & 2
            rect = [float(v) for v in annot["/Rect"]]
            assert "/AP" in annot or (rect[0] == rect[2] and rect[1] == rect[3])


def test_seal_b_b_keeps_pdfa_and_verifies(sealing: Sealing) -> None:
    original = sealing.pdf.read_bytes()
    target = pieczec.seal_file(sealing.pdf, sealing.settings.podpis)
    assert sealing.pdf.read_bytes() == original  # the archived PDF is never changed
    assert target.name == f"{sealing.pdf.stem}_pieczec.pdf"
    assert target.stat().st_mode & 0o777 == 0o600
    sealed = target.read_bytes()
    assert sealed.startswith(original)  # an incremental update
    check_pdfa_kept(sealed)
    anchors = load_anchors(sealing.settings.podpis.zaufane).certificates
    result = verify(sealed, original, anchors, sealing.settings.podpis)
    assert result.ok, result.reasons
    [check] = result.podpisy
    assert check.pieczec and check.rodzaj == KWALIFIKOWANY
    assert CLAIMED_TIME in check.niesprawdzone  # B-B: no time-stamp


def test_a_signing_time_outside_the_documents_life_is_not_believed(sealing: Sealing) -> None:
    original = sealing.pdf.read_bytes()
    sealed = pieczec.seal(original, sealing.settings.podpis)
    anchors = load_anchors(sealing.settings.podpis.zaufane).certificates
    podpis = sealing.settings.podpis
    now = datetime.now().astimezone()
    assert verify(sealed, original, anchors, podpis, created=now - timedelta(days=1)).ok
    early = verify(sealed, original, anchors, podpis, created=now + timedelta(days=1))
    assert not early.ok and "wcześniejszy niż utworzenie dokumentu" in early.reasons[0]
    late = verify(sealed, original, anchors, podpis, now=now - timedelta(days=1))
    assert not late.ok and "późniejszy niż chwila przyjęcia" in late.reasons[0]


def test_seal_b_t_with_a_time_stamp(sealing: Sealing) -> None:
    original = sealing.pdf.read_bytes()
    sealed = pieczec.seal(original, sealing.settings.podpis, sealing.pki.timestamper())
    check_pdfa_kept(sealed)
    anchors = load_anchors(sealing.settings.podpis.zaufane).certificates
    result = verify(sealed, original, anchors, sealing.settings.podpis)
    assert result.ok, result.reasons
    [check] = result.podpisy
    assert CLAIMED_TIME not in check.niesprawdzone  # the TSA (under the trusted root) vouches
    assert check.czas is not None and check.czas.date() <= date.today()


def test_sealed_copy_comes_back_through_the_scan_folder(sealing: Sealing) -> None:
    sealed = pieczec.seal(sealing.pdf.read_bytes(), sealing.settings.podpis)
    sealing.settings.scans.mkdir(parents=True, exist_ok=True)
    path = sealing.settings.scans / "plan_z_pieczecia.pdf"
    path.write_bytes(sealed)
    [outcome] = skany.process_scans([path], sealing.settings)
    assert outcome.status == "przyjety", outcome.problems
    [record] = e_signed(plan_of(sealing.settings))
    assert [s.rola for s in record.podpisy] == ["pieczec"]
    assert record.brakuje == ("rodzina", "asystent")  # a plan needs the family and assistant
    kept = family_dir(sealing.settings.outbox, "K-2025-014") / record.plik
    assert hashlib.sha256(kept.read_bytes()).digest() == hashlib.sha256(sealed).digest()


def test_asysta_podpisz_with_the_password_from_the_environment(
        sealing: Sealing, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "asysta.toml"
    seal = sealing.settings.podpis.pieczec
    assert seal is not None
    config.write_text(f'[podpis]\npieczec = "{seal}"\n', encoding="utf-8")
    copy = tmp_path / "sprawozdanie.pdf"
    copy.write_bytes(sealing.pdf.read_bytes())
    monkeypatch.setenv(pieczec.PASSWORD_ENV, PASSWORD)
    assert main(["-k", str(config), "podpisz", str(copy)]) == 0
    assert "opieczętowano" in capsys.readouterr().out
    check_pdfa_kept((tmp_path / "sprawozdanie_pieczec.pdf").read_bytes())

    monkeypatch.setenv(pieczec.PASSWORD_ENV, "złe hasło")
    assert main(["-k", str(config), "podpisz", str(copy)]) == 2
    assert "złe hasło" in capsys.readouterr().err
    (tmp_path / "tekst.pdf").write_text("to nie PDF", encoding="utf-8")
    monkeypatch.setenv(pieczec.PASSWORD_ENV, PASSWORD)
    assert main(["-k", str(config), "podpisz", str(tmp_path / "tekst.pdf")]) == 1
    assert "to nie jest plik PDF" in capsys.readouterr().err


def test_settings_are_checked_and_anchors_loaded(sealing: Sealing, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as bad:
        parse_config({"podpis": {"wymagane": "3=rodzina+sasiad"}}, tmp_path)
    assert "[podpis] wymagane" in str(bad.value)
    settings = parse_config({"podpis": {"zaufane": "zaufane", "wymagane": "15=asystent+kierownik"}},
                            tmp_path)
    assert settings.podpis.zaufane == tmp_path / "zaufane"
    with pytest.raises(ConfigError, match="nie istnieje"):
        load_anchors(settings.podpis.zaufane)
    folder = tmp_path / "zaufane"
    folder.mkdir()
    (folder / "root.der").write_bytes(sealing.pki.cert("root").dump())  # DER as well as PEM
    (folder / "osoba.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\n" + base64
                                       .encodebytes(sealing.pki.cert("rodzic").dump())
                                       + b"-----END CERTIFICATE-----\n")
    (folder / "smieci.crt").write_bytes(b"nie certyfikat")
    anchors = load_anchors(folder)
    assert len(anchors.certificates) == 1
    assert len(anchors.skipped) == 2


def test_kinds_by_issuer_and_policy(sealing: Sealing) -> None:
    settings = Podpis()
    kinds = {label: kind_of(sealing.pki.cert(label), settings)
             for label in ("rodzic", "rodzic2", "asystent", "obcy")}
    assert kinds == {"rodzic": ZAUFANY, "rodzic2": OSOBISTY, "asystent": KWALIFIKOWANY,
                     "obcy": INNY}
    renamed = Podpis(zaufany_wystawcy="nic takiego", kwalifikowany_polityki="")
    assert kind_of(sealing.pki.cert("rodzic"), renamed) == INNY
    assert kind_of(sealing.pki.cert("asystent"), renamed) == INNY


def test_sprawdz_reports_the_anchors_and_the_seal(sealing: Sealing) -> None:
    from pipeline.podpis.polecenie import check_lines

    lines = check_lines(sealing.settings)
    assert [level for level, _ in lines] == ["ok", "ok"]
    assert "1 zaufanych certyfikatów" in lines[0][1] and "ważny do 2050-01-01" in lines[1][1]
    bare = dataclasses.replace(sealing.settings, podpis=Podpis())
    [(level, text)] = check_lines(bare)
    assert level == "uwaga" and "[podpis] zaufane" in text


def test_register_record_round_trips_and_older_registers_read() -> None:
    from pipeline.sprawa.register import (
        E_SIGNED_KEY,
        ESigned,
        Signer,
        complete_e_signed,
        with_e_signed,
    )

    old = Register.from_json("K-1", {"dokumenty": [{
        "zalacznik": 3, "data": "2025-03-12", "wersja": 1, "pdf": "a.pdf"}]})
    [entry] = old.entries
    assert e_signed(entry) == [] and complete_e_signed(entry) is None  # no key: nothing signed
    record = ESigned("a_podpisany_elektronicznie.pdf", "ab" * 32, "2026-12-05T10:00:00+01:00",
                     (Signer("Jan Nowak", "rodzina", "zaufany", "2026-12-05T09:59:00+01:00",
                             "ważny", ("nie sprawdzono odwołania certyfikatu",)),),
                     ("asystent",))
    signed = with_e_signed(entry, record)
    again = Register.from_json("K-1", json.loads(
        Register("K-1", (signed,)).to_bytes()))
    [back] = e_signed(again.entries[0])
    assert back == record and not back.komplet
    # a damaged or future-shaped record is skipped, the entry still reads
    odd = Entry.from_json({**entry.to_json(), E_SIGNED_KEY: [{"plik": 5}, "x",
                                                            {"plik": "b.pdf", "podpisy": "?"}]})
    assert e_signed(odd) == []


def test_the_court_report_gets_a_sealed_copy(sealing: Sealing, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    podpis = sealing.settings.podpis
    config = tmp_path / "asysta.toml"
    config.write_text(f'[osrodek]\nnazwa = "GOPS"\n[podpis]\npieczec = "{podpis.pieczec}"\n'
                      f'pieczec_haslo_plik = "{podpis.pieczec_haslo_plik}"\n', encoding="utf-8")
    code = main(["-k", str(config), "--inbox", str(sealing.settings.inbox), "--outbox",
                 str(sealing.settings.outbox), "sad", "K-2025-014", "--od", "2025-04-01",
                 "--do", "2025-06-30"])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, captured
    folder = family_dir(sealing.settings.outbox, "K-2025-014")
    report = folder / "sprawozdanie-sad_2025-06-30.pdf"
    sealed = folder / "sprawozdanie-sad_2025-06-30_pieczec.pdf"
    assert "z pieczęcią elektroniczną ośrodka" in out and sealed.is_file()
    anchors = load_anchors(podpis.zaufane).certificates
    result = verify(sealed.read_bytes(), report.read_bytes(), anchors, podpis)
    assert result.ok, result.reasons
    check_pdfa_kept(sealed.read_bytes())
