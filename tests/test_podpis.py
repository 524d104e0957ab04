"""Electronically signed documents back into the archive, through a running watcher, with
a real PKI made by certomancer (tests/pki/podpis.yml) and no network: documents filed by the
real pipeline, signed by pyHanko as a family's or an assistant's signing software would,
dropped into the scan folder; each case of issue 23 (two signatures, one of two required,
validation data added after signing, altered before or after signing, revoked, expired,
untrusted root, not an asysta document) verified, filed untouched or set aside."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from conftest import example, make_settings, pdf_text, squash
from pki import Pki, build
from pypdf import PdfReader, PdfWriter

from pipeline.app.privacy import delete_family, export_family
from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.documents.overview import checklist_for
from pipeline.documents.podpis_nota import NOTE_TITLE
from pipeline.documents.teczka import E_SIGNED_NOTE, build_teczka
from pipeline.flow.process import process_files
from pipeline.flow.watch import Watcher
from pipeline.podpis.weryfikacja import NO_REVOCATION
from pipeline.scans import elektroniczne, skany, stan
from pipeline.sprawa.register import Entry, Register, e_signed, family_dir
from pipeline.stages.convert import Converter

CASE = "K-2025-014"
NAMES = ("Agnieszka Wójcik", "Łukasz Wójcik", "Katarzyna Żak", "Jan Odwołany", "Jan Wygasły")


@dataclass
class Centre:
    settings: Settings
    pki: Pki
    running: Running

    def entry(self, n: int) -> Entry:
        register = Register.load(family_dir(self.settings.outbox, CASE))
        return next(e for e in register.current() if e.zalacznik == n)

    def pdf(self, n: int) -> bytes:
        return (family_dir(self.settings.outbox, CASE) / self.entry(n).pdf).read_bytes()

    def drop(self, name: str, data: bytes) -> skany.ScanOutcome:
        """The file written into the watched scan folder; the watcher's outcome for it."""
        before = len(self.running.watcher.scan_outcomes)
        (self.settings.scans / name).write_bytes(data)
        return self.running.wait_for(before + 1)


class Running:
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.ready = threading.Event()
        self.thread = threading.Thread(target=watcher.run, kwargs={"on_ready": self.ready.set},
                                       daemon=True)

    def wait_for(self, count: int, timeout: float = 120) -> skany.ScanOutcome:
        deadline = time.monotonic() + timeout
        while len(self.watcher.scan_outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.watcher.scan_outcomes) >= count, list(self.watcher.scan_outcomes)
        return self.watcher.scan_outcomes[-1]


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Iterator[Centre]:
    root = tmp_path_factory.mktemp("podpis")
    pki = build(root / "pki")
    settings = make_settings(root)
    settings = dataclasses.replace(settings, podpis=dataclasses.replace(
        settings.podpis, zaufane=pki.anchors(root / "zaufane")))
    paths = []
    for n in (1, 3, 6):
        path = settings.inbox / f"zal{n:02d}.yaml"
        path.write_text(example(n).read_text(encoding="utf-8"), encoding="utf-8")
        paths.append(path)
    assert [o.status for o in process_files(paths, settings, converter)] == ["przyjety"] * 3
    running = Running(Watcher(settings, converter))
    running.thread.start()
    try:
        assert running.ready.wait(60)
        yield Centre(settings, pki, running)
    finally:
        running.watcher.stop()
        running.thread.join(timeout=60)


def folder_state(centre: Centre) -> dict[str, str]:
    folder = family_dir(centre.settings.outbox, CASE)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()
            if p.suffix in (".pdf", ".json", ".docx") and not p.name.startswith("checklista")}


def assert_no_names(centre: Centre, caplog: pytest.LogCaptureFixture) -> None:
    """The signers' names are in the register only: never in the journal or a log."""
    text = (centre.settings.outbox / journal.JOURNAL_NAME).read_text(encoding="utf-8")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for name in NAMES:
        assert name not in text and name not in logged


# -- filed ----------------------------------------------------------------------------------


def test_two_signatures_verified_filed_untouched_and_the_document_signed(
        centre: Centre, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    settings = centre.settings
    register = Register.load(family_dir(settings.outbox, CASE))
    unsigned = stan.add_unsigned(checklist_for(settings.outbox, CASE, date.today(), settings),
                                 register, date.today(), settings.skany.dni_na_podpis)
    assert [i for i in unsigned.pozycje if i.status == "niepodpisany" and i.zalacznik == 3]

    signed = centre.pki.sign(centre.pki.sign(centre.pdf(3), "rodzic"), "asystent", "Podpis2")
    outcome = centre.drop("zgoda_podpisana.pdf", signed)

    assert outcome.status == "przyjety", outcome.problems
    assert not (settings.scans / "zgoda_podpisana.pdf").exists()
    entry = centre.entry(3)
    [record] = e_signed(entry)
    kept = family_dir(settings.outbox, CASE) / record.plik
    assert record.plik == entry.pdf.replace(".pdf", "_podpisany_elektronicznie.pdf")
    assert kept.read_bytes() == signed  # byte for byte
    assert kept.stat().st_mode & 0o777 == 0o600
    assert record.sha256 == hashlib.sha256(signed).hexdigest() and record.komplet
    assert [(s.podpisujacy, s.rola, s.rodzaj, s.wynik) for s in record.podpisy] == [
        ("Agnieszka Wójcik", "rodzina", "zaufany", "ważny"),
        ("Katarzyna Żak", "asystent", "kwalifikowany", "ważny")]
    assert all(NO_REVOCATION in s.niesprawdzone for s in record.podpisy)
    assert all(s.czas.startswith(str(date.today().year)) for s in record.podpisy)

    # niepodpisany clears; the checklist, checklista.pdf and the dashboard say so
    register = Register.load(family_dir(settings.outbox, CASE))
    checklist = checklist_for(settings.outbox, CASE, date.today(), settings)
    assert not [i for i in stan.add_unsigned(checklist, register, date.today(), 14).pozycje
                if i.status == "niepodpisany" and i.zalacznik == 3]
    [item] = [i for i in checklist.pozycje if i.plik == entry.pdf]
    assert "podpisany elektronicznie" in item.opis
    assert item.status in ("podpisany_elektronicznie", "po_terminie")
    folder = family_dir(settings.outbox, CASE)
    saved = json.loads((folder / "checklista.json").read_text(encoding="utf-8"))
    assert any("podpisany elektronicznie" in p["opis"] for p in saved["pozycje"])
    assert "podpisany elektronicznie" in pdf_text(folder / "checklista.pdf")
    assert "podpisany elektronicznie" in (settings.outbox / "index.html").read_text("utf-8")

    events = [e for e in journal.read(settings.outbox) if e.get("akcja") == "podpis_przyjeto"]
    assert events[-1]["rodzaje"] == ["zaufany", "kwalifikowany"] and events[-1]["komplet"]
    assert_no_names(centre, caplog)

    # the same file again creates nothing new
    again = centre.drop("zgoda_jeszcze_raz.pdf", signed)
    assert again.status == "duplikat"
    assert len(e_signed(centre.entry(3))) == 1


def test_one_of_two_required_signatures_then_the_second(centre: Centre) -> None:
    settings = centre.settings
    once = centre.pki.sign(centre.pdf(6), "rodzic2")  # podpis osobisty of the family
    outcome = centre.drop("plan_rodzina.pdf", once)
    assert outcome.status == "przyjety", outcome.problems
    [record] = e_signed(centre.entry(6))
    assert [(s.rola, s.rodzaj) for s in record.podpisy] == [("rodzina", "osobisty")]
    assert record.brakuje == ("asystent",) and not record.komplet
    # no paper scan has come, but the family signs electronically: `niepodpisany` is shown
    assert not stan.scanning(settings.outbox)
    checklist = checklist_for(settings.outbox, CASE, date.today(), settings)
    [item] = [i for i in checklist.pozycje if i.status == "niepodpisany" and i.zalacznik == 6]
    assert "brak podpisu: asystent" in item.opis

    both = centre.pki.sign(once, "asystent", "Podpis2")  # the assistant signs the same file
    outcome = centre.drop("plan_oboje.pdf", both)
    assert outcome.status == "przyjety", outcome.problems
    first, second = e_signed(centre.entry(6))
    assert second.plik.endswith("_podpisany_elektronicznie_v2.pdf") and second.komplet
    assert (family_dir(settings.outbox, CASE) / first.plik).read_bytes() == once


def test_validation_data_added_after_signing_is_accepted_and_revocation_checked(
        centre: Centre) -> None:
    signed = centre.pki.add_crls(centre.pki.sign(centre.pdf(1), "asystent"))
    outcome = centre.drop("przydzielenie.pdf", signed)
    assert outcome.status == "przyjety", outcome.problems
    [record] = e_signed(centre.entry(1))
    [signer] = record.podpisy
    assert NO_REVOCATION not in signer.niesprawdzone  # the CRLs in the file were used
    assert record.komplet  # an attachment with no setting needs one signature of anyone


def test_teczka_prints_the_verification_note_and_eksport_has_the_signed_file(
        centre: Centre, tmp_path: Path) -> None:
    if not e_signed(centre.entry(3)):  # run alone (-k): the consent signed here
        signed = centre.pki.sign(centre.pki.sign(centre.pdf(3), "rodzic"), "asystent", "P2")
        assert centre.drop("zgoda.pdf", signed).status == "przyjety"
    teczka = build_teczka(centre.settings, CASE)
    text = pdf_text(teczka.path)
    assert NOTE_TITLE in text
    assert squash(E_SIGNED_NOTE) in squash(PdfReader(teczka.path).pages[1].extract_text())
    assert "Agnieszka Wójcik (rodzina)" in text and "usuwa podpis elektroniczny" in text
    assert b"pdfaid:part" in bytes(PdfReader(teczka.path).trailer["/Root"]["/Metadata"]
                                   .get_object().get_data())
    names = zipfile.ZipFile(export_family(centre.settings, CASE, tmp_path / "e.zip")).namelist()
    assert f"{CASE}/{e_signed(centre.entry(3))[0].plik}" in names


# -- refused --------------------------------------------------------------------------------


def _with_text(data: bytes, text: str) -> bytes:
    """An incremental update that draws text on the first page (a visible change)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    font = generic.DictionaryObject({
        generic.NameObject("/Type"): generic.NameObject("/Font"),
        generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
        generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica")})
    stream = generic.StreamObject(stream_data=f"BT /Zmiana 24 Tf 100 400 Td ({text}) Tj ET"
                                  .encode("ascii"))
    resources = generic.DictionaryObject({generic.NameObject("/Font"): generic.DictionaryObject(
        {generic.NameObject("/Zmiana"): writer.add_object(font)})})
    writer.add_stream_to_page(0, writer.add_object(stream), resources=resources)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _resaved(data: bytes) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(data)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _damaged(signed: bytes, after: int) -> bytes:
    """One hexadecimal digit of the signature's value changed."""
    at = signed.index(b"/Contents <", after) + len(b"/Contents <") + 400
    return signed[:at] + (b"1" if signed[at:at + 1] == b"0" else b"0") + signed[at + 1:]


def _foreign(pki: Pki) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 700, "Pismo spoza archiwum")
    canvas.showPage()
    canvas.save()
    return pki.sign(out.getvalue(), "asystent")


REFUSED = {  # case → (how the file is made from zal. 3's PDF, a words of the reason)
    "zmieniony_po_podpisie": (lambda c, pdf: _with_text(c.pki.sign(pdf, "rodzic"), "DOPISEK"),
                              "zmieniono po złożeniu"),
    "zmieniony_przed_podpisem": (lambda c, pdf: c.pki.sign(_with_text(pdf, "DOPISEK"), "rodzic"),
                                 "zmieniono treść dokumentu"),
    "zapisany_na_nowo": (lambda c, pdf: c.pki.sign(_resaved(pdf), "rodzic"),
                         "podpisano inny plik"),
    "odwolany": (lambda c, pdf: c.pki.add_crls(c.pki.sign(pdf, "odwolany")), "unieważniony"),
    "wygasly": (lambda c, pdf: c.pki.sign(pdf, "wygasly"), "wygasł"),
    "obcy_wystawca": (lambda c, pdf: c.pki.sign(pdf, "obcy"), "zaufanego wystawcy"),
    "nie_z_archiwum": (lambda c, pdf: _foreign(c.pki), "nie ma kodu dokumentu"),
    "uszkodzony_podpis": (lambda c, pdf: _damaged(c.pki.sign(pdf, "rodzic"), len(pdf)),
                          "podpis jest uszkodzony"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_with_a_reason_nothing_lost(centre: Centre, case: str,
                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    make, words = REFUSED[case]
    data = make(centre, centre.pdf(3))
    before = folder_state(centre)
    outcome = centre.drop(f"{case}.pdf", data)

    assert outcome.status == "nierozpoznany"
    assert any(words in str(p) for p in outcome.problems), outcome.problems
    assert not (centre.settings.scans / f"{case}.pdf").exists()
    assert outcome.explanation is not None
    kept = outcome.explanation.with_suffix(".pdf")
    assert kept.parent.name == "nierozpoznane" and kept.read_bytes() == data
    assert oct(kept.stat().st_mode & 0o777) == oct(0o600)
    why = outcome.explanation.read_text(encoding="utf-8")
    assert words in why and "Co zrobić" in why
    assert folder_state(centre) == before  # nothing filed, the register unchanged
    assert journal.read(centre.settings.outbox)[-1]["akcja"] in ("podpis_odrzucono",)
    assert_no_names(centre, caplog)


def test_no_trust_anchors_configured_refuses_naming_the_setting(centre: Centre,
                                                                tmp_path: Path) -> None:
    settings = dataclasses.replace(centre.settings, podpis=dataclasses.replace(
        centre.settings.podpis, zaufane=None), foldery=dataclasses.replace(
        centre.settings.foldery, skany=tmp_path / "skany"))
    (tmp_path / "skany").mkdir()
    path = tmp_path / "skany" / "zgoda.pdf"
    path.write_bytes(centre.pki.sign(centre.pdf(3), "rodzic"))
    [outcome] = skany.process_scans([path], settings)
    assert outcome.status == "nierozpoznany"
    assert "[podpis] zaufane" in str(outcome.problems[0])


def test_roles_and_required_signatures() -> None:
    entry = Entry(3, date(2025, 3, 12), 1, "x.pdf", dane={"asystent": "Katarzyna  Żak",
                                                          "pracownik_socjalny": "Ewa Nowak"})
    assert elektroniczne.role_of("katarzyna żak", entry, "Elżbieta Kędzierska") == "asystent"
    assert elektroniczne.role_of("Ewa Nowak", entry, "") == "pracownik"
    assert elektroniczne.role_of("Elżbieta Kędzierska", entry, "Elżbieta Kędzierska") == "kierownik"
    assert elektroniczne.role_of("Agnieszka Wójcik", entry, "") == "rodzina"
    need = ("rodzina", "asystent")
    assert elektroniczne.missing_roles(["rodzina", "asystent"], need) == ()
    assert elektroniczne.missing_roles(["rodzina", "rodzina"], need) == ("asystent",)
    assert elektroniczne.missing_roles(["asystent"], ("asystent", "dowolny")) == ("dowolny",)
    assert elektroniczne.missing_roles([], ("dowolny",)) == ("dowolny",)


def test_usun_lists_the_families_set_aside_signed_files(centre: Centre) -> None:
    """Last in this module: the family's documentation is deleted."""
    outcome = centre.drop("obcy_przed_usunieciem.pdf", centre.pki.sign(centre.pdf(3), "obcy"))
    assert outcome.status == "nierozpoznany" and outcome.explanation is not None
    result = delete_family(centre.settings, CASE)
    listed = [path for path, _ in result.listed]
    assert str(outcome.explanation.with_suffix(".pdf")) in listed
    assert not family_dir(centre.settings.outbox, CASE).exists()
