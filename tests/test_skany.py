"""Signed paper back into the archive, with real scans made here: the filed PDFs printed to
images by poppler (200 and 300 dpi, greyscale), then what a copier does to them (turned
90/180°, skewed 1–3°, blurred, noisy, JPEG quality 60, a page upside down, a blank page,
a page from elsewhere), joined into one multi-page PDF by img2pdf and dropped into the
watched scan folder."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import img2pdf
import pytest
import yaml
import zxingcpp
from conftest import example, make_settings, pdf_text, squash
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from pypdf import PdfReader

from pipeline.app.privacy import export_family
from pipeline.core import journal
from pipeline.core.config import Settings, parse_config
from pipeline.core.errors import ConfigError
from pipeline.documents.banner import STATE_DIR
from pipeline.documents.overview import checklist_for
from pipeline.documents.teczka import SIGNED_NOTE, build_teczka
from pipeline.flow.process import process_files
from pipeline.flow.watch import Watcher
from pipeline.pdf import kod
from pipeline.scans import skany
from pipeline.sprawa.register import Entry, Register, family_dir
from pipeline.stages.convert import Converter

ASSISTANT = "Katarzyna Żak"
A, B, C = "K-2025-014", "K-2025-020", "K-2025-031"
# The documents of each family; the batch holds those marked True (ten of them).
FAMILIES: dict[str, dict[int, bool]] = {
    A: {1: True, 2: False, 4: True, 5: True, 6: False, 8: True},
    B: {1: True, 4: True, 6: True, 7: True, 14: False},
    C: {1: False, 5: True, 8: True, 16: False},
}
# The visit logs (8) run over many pages: the visits repeated, their texts made longer.
LONG_VISITS = {A: (6, 3), C: (7, 3)}


# -- the archive the scans come back to -------------------------------------------------


def _form(n: int, case: str) -> str:
    data = yaml.safe_load(example(n).read_text(encoding="utf-8"))
    data["rodzina"] = case
    if n == 8 and case in LONG_VISITS:
        times, longer = LONG_VISITS[case]
        data["wizyty"] = [dict(v, dzialania=(v["dzialania"] + " ") * longer)
                          for v in data["wizyty"]] * times
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return text if case == A else text.replace(ASSISTANT, f"Asystentka {case[-3:]}")


@dataclass(frozen=True)
class Doc:
    rodzina: str
    zalacznik: int
    pdf: Path
    pages: int
    entry: Entry


@dataclass(frozen=True)
class Centre:
    settings: Settings
    docs: dict[tuple[str, int], Doc]


def _centre(root: Path, converter: Converter, **przetwarzanie: object) -> Centre:
    settings = make_settings(root, **przetwarzanie)
    paths = []
    for case, numbers in FAMILIES.items():
        for n in numbers:
            path = settings.inbox / f"{case}_{n:02d}.yaml"
            path.write_text(_form(n, case), encoding="utf-8")
            paths.append(path)
    outcomes = process_files(paths, settings, converter)
    assert [o.status for o in outcomes] == ["przyjety"] * len(paths), [o.problems for o in outcomes]
    docs = {}
    for case in FAMILIES:
        for entry in Register.load(family_dir(settings.outbox, case)).current():
            pdf = family_dir(settings.outbox, case) / entry.pdf
            docs[case, entry.zalacznik] = Doc(case, entry.zalacznik, pdf,
                                              len(PdfReader(pdf).pages), entry)
    return Centre(settings, docs)


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Centre:
    return _centre(tmp_path_factory.mktemp("skany"), converter)


# -- printing, and what a copier does -----------------------------------------------------


@cache
def printed(pdf: Path, dpi: int) -> tuple[bytes, ...]:
    """The pages of a PDF as poppler prints them: greyscale at `dpi` (PGM, unpacked)."""
    with_dir = pdf.parent.parent.parent.parent / f"druk_{pdf.parent.name}_{pdf.stem}_{dpi}"
    with_dir.mkdir(exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(with_dir / "s")],
                   check=True)
    return tuple(p.read_bytes() for p in sorted(with_dir.glob("s-*.pgm")))


@dataclass(frozen=True)
class Copier:
    """What happens to one sheet on its way through the copier."""

    turn: int = 0  # 90, 180, 270
    skew: float = 0.0  # degrees
    blur: float = 0.0
    noise: float = 0.0
    quality: int = 60
    cover_code: bool = False  # a sticky note over the QR code


def scanned(page: bytes, dpi: int, copier: Copier) -> bytes:
    image = Image.open(io.BytesIO(page)).convert("L")
    if copier.cover_code:
        draw = ImageDraw.Draw(image)
        side = round(25 / 25.4 * dpi)
        draw.rectangle((0, image.height - side, side, image.height), fill=255)
    if copier.skew:
        image = image.rotate(copier.skew, resample=Image.Resampling.BICUBIC, expand=True,
                             fillcolor=255)
    if copier.turn:
        image = image.rotate(copier.turn, expand=True)
    if copier.blur:
        image = image.filter(ImageFilter.GaussianBlur(copier.blur))
    if copier.noise:
        noise = Image.effect_noise(image.size, copier.noise)
        image = ImageChops.add(image, noise, scale=1.0, offset=-128)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=copier.quality, dpi=(dpi, dpi))
    return out.getvalue()


def blank_sheet(dpi: int) -> bytes:
    image = Image.effect_noise((round(8.27 * dpi), round(11.69 * dpi)), 6)
    image = ImageChops.add(Image.new("L", image.size, 250), image, offset=-128)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=60, dpi=(dpi, dpi))
    return out.getvalue()


def decode(image: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))]


@dataclass
class Sheet:
    """One page of a batch and what it is."""

    jpeg: bytes
    doc: tuple[str, int] | None  # None: foreign or blank
    page: int = 0
    kind: str = "dokument"  # "dokument", "obca", "pusta"


def mixed_batch(centre: Centre, seed: int = 5) -> list[Sheet]:
    """Ten documents of three families, their pages interleaved the way a pile is: documents
    in a shuffled order, one fed backwards; every copier effect; one page upside down, one
    page whose code is covered, a blank page and a foreign page."""
    rng = random.Random(seed)
    chosen = [(case, n) for case, numbers in FAMILIES.items() for n, scan in numbers.items()
              if scan]
    rng.shuffle(chosen)
    effects = [Copier(skew=1.2), Copier(skew=-2.5, blur=0.6), Copier(turn=90, skew=1.5),
               Copier(noise=18, skew=-1.0), Copier(turn=270), Copier(skew=3.0, noise=10),
               Copier(blur=0.8), Copier()]
    sheets: list[Sheet] = []
    for index, key in enumerate(chosen):
        doc = centre.docs[key]
        dpi = 300 if index % 3 == 0 else 200
        pages = list(enumerate(printed(doc.pdf, dpi), 1))
        if index == 1:
            pages.reverse()  # the pile was turned over
        for number, png in pages:
            copier = rng.choice(effects)
            sheets.append(Sheet(scanned(png, dpi, copier), key, number))
    # one page upside down, one with its code covered (it follows its predecessor)
    upside = next(s for s in sheets if s.doc == chosen[2])
    upside.jpeg = scanned(printed(centre.docs[chosen[2]].pdf, 200)[upside.page - 1], 200,
                          Copier(turn=180, skew=-1.5))
    long_doc = (C, 8)
    covered = next(s for s in sheets if s.doc == long_doc and s.page == 3)
    covered.jpeg = scanned(printed(centre.docs[long_doc].pdf, 200)[2], 200,
                           Copier(cover_code=True, skew=1.0))
    # a foreign page after the last page of a document, and a blank page
    foreign_page = printed(family_dir(centre.settings.outbox, A) / "checklista.pdf", 200)[0]
    last = max(i for i, s in enumerate(sheets) if s.doc == chosen[4]
               and s.page == centre.docs[chosen[4]].pages)
    sheets.insert(last + 1, Sheet(scanned(foreign_page, 200, Copier(skew=2.0)), None,
                                  kind="obca"))
    sheets.insert(len(sheets) // 2, Sheet(blank_sheet(200), None, kind="pusta"))
    return sheets


def assemble(sheets: list[Sheet]) -> bytes:
    return img2pdf.convert([s.jpeg for s in sheets])


# -- running the watcher ---------------------------------------------------------------


class Running:
    def __init__(self, watcher: Watcher) -> None:
        self.watcher = watcher
        self.ready = threading.Event()
        self.thread = threading.Thread(target=watcher.run, kwargs={"on_ready": self.ready.set},
                                       daemon=True)

    def wait_for(self, count: int, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while len(self.watcher.scan_outcomes) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.watcher.scan_outcomes) >= count, list(self.watcher.scan_outcomes)


@dataclass(frozen=True)
class Filed:
    sheets: list[Sheet]
    data: bytes  # the batch as dropped
    outcome: skany.ScanOutcome


@pytest.fixture(scope="module")
def filed(centre: Centre, converter: Converter) -> Filed:
    """The 40-page batch, dropped into the scan folder of a running watcher."""
    sheets = mixed_batch(centre)
    settings = centre.settings
    running = Running(Watcher(settings, converter))
    running.thread.start()
    try:
        assert running.ready.wait(60)
        assert settings.scans.is_dir()
        data = assemble(sheets)
        (settings.scans / "Skan_kopiarka_0001.pdf").write_bytes(data)
        running.wait_for(1)
    finally:
        running.watcher.stop()
        running.thread.join(timeout=60)
    [outcome] = running.watcher.scan_outcomes
    return Filed(sheets, data, outcome)


def xmp_of(reader: PdfReader) -> bytes:
    return bytes(reader.trailer["/Root"]["/Metadata"].get_object().get_data())


def signed_pages(pdf: Path) -> list[str]:
    """The code read from each page of a filed signed scan ("" where none is readable)."""
    out = []
    document = __import__("pypdfium2").PdfDocument(pdf)
    for index in range(len(document)):
        image = document[index].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        found = zxingcpp.read_barcodes(image)
        out.append(found[0].text if found else "")
        assert not found or abs(found[0].orientation) <= 5, "strona skanu nie stoi prosto"
    return out


# -- the code on every page --------------------------------------------------------------


def test_every_page_of_every_document_carries_its_code(centre: Centre) -> None:
    # before the first scan batch, nothing is `niepodpisany` (an archive that does not scan)
    assert not skany.scanning(centre.settings.outbox)
    assert not [i for i in checklist_for(centre.settings.outbox, A, date.today(), centre.settings)
                .pozycje if i.status == "niepodpisany"]
    for (case, n), doc in centre.docs.items():
        entry = doc.entry
        pages = printed(doc.pdf, 200)
        assert len(pages) == doc.pages
        for number, png in enumerate(pages, 1):
            [text] = decode(png)
            code = kod.parse(text)
            assert code is not None, text
            assert (code.identity.rodzina, code.identity.zalacznik, code.identity.data,
                    code.identity.wersja) == (case, n, entry.data, entry.wersja)
            assert (code.strona, code.stron) == (number, doc.pages)
            assert code.identity.kontrola == kod.check(case, n, "", entry.data, entry.wersja,
                                                       entry.sha256)
        # the line beside it, for a person, in the PDF's text; no personal data in the code
        text = "".join(p.extract_text() for p in PdfReader(doc.pdf).pages)
        assert f"asysta · {case} · zał. {n}" in text
        assert ASSISTANT not in "".join(decode(pages[0]))


def test_the_code_is_drawn_in_the_corner_margin_and_the_pages_are_kept(centre: Centre) -> None:
    doc = centre.docs[A, 6]
    data = doc.pdf.read_bytes()
    # an incremental update: the converted document's bytes come first, unchanged
    reader = PdfReader(doc.pdf)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert data.count(b"%%EOF") >= 2
    image = Image.open(io.BytesIO(printed(doc.pdf, 200)[0]))
    [found] = zxingcpp.read_barcodes(image)
    xs = [p.x for p in (found.position.top_left, found.position.bottom_right)]
    ys = [p.y for p in (found.position.top_left, found.position.bottom_right)]
    mm = 25.4 / 200
    assert max(xs) * mm < 20 and (image.height - min(ys)) * mm < 21  # bottom-left, in the margin
    assert (max(xs) - min(xs)) * mm >= 14.5  # at least 15 mm square (less the quiet zone)


def test_payload_round_trip_and_foreign_codes() -> None:
    identity = kod.Identity("K-2025-014", 6, date(2025, 4, 10), 2, "a1b2c3")
    code = kod.parse(kod.payload(identity, 2, 5))
    assert code == kod.PageCode(identity, 2, 5)
    kind = kod.Identity("K-2025-014", 0, date(2025, 4, 10), 1, "a1b2c3", "notatka")
    assert kod.parse(kod.payload(kind, 1, 1)) == kod.PageCode(kind, 1, 1)
    for text in ("https://example.org", "AS1|K|6|20251340|1|1/1|a1b2c3", "AS1|K|6|20250410|1|3/2|a1b2c3",
                 ""):
        assert kod.parse(text) is None


# -- the done-when batch -----------------------------------------------------------------


def test_forty_page_batch_is_filed_completely_and_in_order(
        centre: Centre, filed: Filed) -> None:
    sheets, outcome = filed.sheets, filed.outcome
    settings = centre.settings
    assert outcome.status == "czesciowo"  # ten documents filed, a foreign page set aside
    scanned_docs = {(c, n) for c, numbers in FAMILIES.items() for n, s in numbers.items() if s}
    # every page of the ten documents, a foreign page and a blank one: forty pages or more,
    # as long as the documents' layout makes them
    assert len(sheets) == sum(centre.docs[key].pages for key in scanned_docs) + 2 >= 40
    assert {(f.rodzina, f.entry.zalacznik) for f in outcome.filed} == scanned_docs
    for key in scanned_docs:
        doc = centre.docs[key]
        register = Register.load(family_dir(settings.outbox, key[0]))
        [entry] = [e for e in register.current() if e.zalacznik == key[1]]
        scan = skany.complete_scan(entry)
        assert scan is not None and scan.strony == tuple(range(1, doc.pages + 1))
        path = family_dir(settings.outbox, key[0]) / scan.plik
        assert path.name == doc.pdf.stem + "_podpisany.pdf"
        codes = signed_pages(path)
        assert len(codes) == doc.pages
        for number, text in enumerate(codes, 1):
            if key == (C, 8) and number == 3:
                assert text == ""  # its code was covered: it followed page 2
                continue
            code = kod.parse(text)
            assert code is not None and code.strona == number, (key, number, text)
        assert PdfReader(path).metadata.title.endswith("skan podpisanego dokumentu")
        assert b"pdfaid:part" in xmp_of(PdfReader(path))
    # the foreign page and the blank page are reported, nothing is lost
    foreign = next(i for i, s in enumerate(sheets, 1) if s.kind == "obca")
    blank = next(i for i, s in enumerate(sheets, 1) if s.kind == "pusta")
    assert [s.page.number for s in outcome.set_aside] == [foreign]
    assert outcome.blank == [blank]
    assert outcome.explanation is not None
    text = outcome.explanation.read_text(encoding="utf-8")
    assert f"Strona {foreign} " in text and "nie udało się odczytać kodu" in text
    assert f"Puste strony (pominięte): {blank}." in text
    thumbnail = outcome.explanation.parent / f"{outcome.explanation.stem}_strona_{foreign:03d}.png"
    assert Image.open(thumbnail).format == "PNG"
    # the batch itself, byte for byte; the scan folder is empty again
    [original] = (settings.outbox / "skany").iterdir()
    assert original.read_bytes() == filed.data
    assert [p.name for p in settings.scans.iterdir() if p.is_file()] == []


def test_journal_tells_every_scan_filed_and_set_aside(
        centre: Centre, filed: Filed) -> None:
    log = list(journal.read(centre.settings.outbox))
    accepted = [e for e in log if e["akcja"] == "skan_przyjeto"]
    assert len(accepted) == 10 and all(e["komplet"] for e in accepted)
    [aside] = [e for e in log if e["akcja"] == "skan_odlozono"]
    assert aside["strony"] == [s.page.number for s in filed.outcome.set_aside]
    [batch] = [e for e in log if e["akcja"] == "skan_partia"]
    assert batch["strony"] == len(filed.sheets) and batch["puste"] == filed.outcome.blank
    everything = json.dumps(log, ensure_ascii=False)
    assert ASSISTANT not in everything and "Asystentka" not in everything
    assert journal.verify(centre.settings.outbox)[1] is None


def test_checklist_names_the_documents_not_signed(
        centre: Centre, filed: Filed) -> None:
    settings = centre.settings
    for case, numbers in FAMILIES.items():
        checklist = checklist_for(settings.outbox, case, date.today(), settings)
        unsigned = {(i.zalacznik, i.plik) for i in checklist.pozycje if i.status == "niepodpisany"}
        expected = {(n, centre.docs[case, n].entry.pdf) for n, scan in numbers.items() if not scan}
        assert unsigned == expected
        data = json.loads((family_dir(settings.outbox, case) / "checklista.json").read_text("utf-8"))
        assert {(i["zalacznik"], i["plik"]) for i in data["pozycje"]
                if i["status"] == "niepodpisany"} == expected
        assert data["liczniki"]["niepodpisany"] == len(expected)
        # the checklist's PDF and the overview page show them too
        printed_list = squash(pdf_text(family_dir(settings.outbox, case) / "checklista.pdf"))
        assert f"niepodpisany: {len(expected)}" in printed_list
        for n in {n for n, _ in expected}:
            assert f"Załącznik nr {n} z " in printed_list
        assert printed_list.count("brak skanu podpisanego dokumentu") == len(expected)
        page = (settings.outbox / "index.html").read_text(encoding="utf-8")
        shown = re.findall(rf'data-rodzina="{case}"[^>]*data-status="niepodpisany" '
                           r'data-zalacznik="(\d+)"', page)
        assert {int(z) for z in shown} == {n for n, _ in expected}
    # not yet due: a document dated less than `dni_na_podpis` days ago
    entry = centre.docs[A, 2].entry
    early = checklist_for(settings.outbox, A, entry.data, settings)
    assert not [i for i in early.pozycje if i.status == "niepodpisany" and i.zalacznik == 2]


def test_binder_holds_the_signed_pages_and_says_so(
        centre: Centre, filed: Filed) -> None:
    teczka = build_teczka(centre.settings, B)
    reader = PdfReader(teczka.path)
    contents = reader.pages[1].extract_text()
    assert squash(contents).count(SIGNED_NOTE) == 4  # zał. 1, 4, 6 and 7 of family B
    # every page of the signed documents is a scanned image with its code on it
    images = [p for p in reader.pages if any(
        x.get_object().get("/Subtype") == "/Image"
        for x in (p["/Resources"].get("/XObject") or {}).values())]
    signed = sum(centre.docs[B, n].pages for n in (1, 4, 6, 7))
    assert len(images) == signed
    assert teczka.pages == len(reader.pages)
    assert b"pdfaid:part" in xmp_of(reader)


def test_export_includes_the_scans(centre: Centre, filed: Filed,
                                   tmp_path: Path) -> None:
    target = export_family(centre.settings, C, tmp_path / "c.zip")
    names = zipfile.ZipFile(target).namelist()
    assert f"{C}/{centre.docs[C, 5].pdf.stem}_podpisany.pdf" in names
    assert f"{C}/{centre.docs[C, 8].pdf.stem}_podpisany.pdf" in names


def test_same_batch_again_creates_nothing_and_a_new_scan_is_a_new_version(
        centre: Centre, filed: Filed) -> None:
    settings = centre.settings
    before = sorted(p.name for p in settings.outbox.rglob("*_podpisany*.pdf"))
    again = settings.scans / "ponownie.pdf"
    again.write_bytes(filed.data)
    [outcome] = skany.process_scans([again], settings)
    assert all(not f.new for f in outcome.filed)
    assert sorted(p.name for p in settings.outbox.rglob("*_podpisany*.pdf")) == before
    # a second scan of one document, made anew: a new version, the first one kept
    doc = centre.docs[A, 4]
    first = family_dir(settings.outbox, A) / f"{doc.pdf.stem}_podpisany.pdf"
    kept = first.read_bytes()
    rescan = settings.scans / "drugi.pdf"
    rescan.write_bytes(img2pdf.convert([scanned(p, 200, Copier(skew=-1.8, quality=70))
                                        for p in printed(doc.pdf, 200)]))
    [outcome] = skany.process_scans([rescan], settings)
    assert outcome.status == "przyjety"
    assert [f.scan.plik for f in outcome.filed] == [f"{doc.pdf.stem}_podpisany_v2.pdf"]
    assert first.read_bytes() == kept
    entry = next(e for e in Register.load(family_dir(settings.outbox, A)).current()
                 if e.zalacznik == 4)
    assert [s.plik for s in skany.scans_of(entry)] == [first.name, f"{doc.pdf.stem}_podpisany_v2.pdf"]


# -- what is set aside ---------------------------------------------------------------------


def forged_page(payload: str, dpi: int = 200) -> bytes:
    import segno

    page = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    qr = segno.make(payload, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=8, border=4)
    page.paste(Image.open(out).convert("L"), (40, page.height - 400))
    ImageDraw.Draw(page).text((400, 400), "Pismo", fill=0)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=70, dpi=(dpi, dpi))
    return buffer.getvalue()


def test_unknown_document_and_wrong_check_are_set_aside_with_reasons(centre: Centre) -> None:
    settings = centre.settings
    entry = centre.docs[A, 1].entry
    wrong = kod.Identity(A, 1, entry.data, entry.wersja, "000000")
    missing = kod.Identity(A, 9, date(2025, 1, 1), 1, "abcdef")
    stranger = kod.Identity("K-9999-999", 1, date(2025, 1, 1), 1, "abcdef")
    path = settings.scans / "podrobione.pdf"
    path.write_bytes(img2pdf.convert([forged_page(kod.payload(i, 1, 1))
                                      for i in (wrong, missing, stranger)]))
    [outcome] = skany.process_scans([path], settings)
    assert outcome.status == "nierozpoznany" and not outcome.filed
    reasons = [s.reason for s in sorted(outcome.set_aside, key=lambda s: s.page.number)]
    assert "kod kontrolny nie zgadza się" in reasons[0]
    assert "nie ma dokumentu: załącznik nr 9" in reasons[1]
    assert "K-9999-999, której nie ma w archiwum" in reasons[2]
    assert outcome.explanation is not None and outcome.explanation.is_file()


def test_a_file_that_is_not_a_scan_is_rejected_and_kept(centre: Centre) -> None:
    settings = centre.settings
    path = settings.scans / "zepsuty.pdf"
    path.write_bytes(b"%PDF-1.4 to nie jest PDF")
    [outcome] = skany.process_scans([path], settings)
    assert outcome.status == "odrzucony" and not path.exists()
    kept = settings.scans / "odrzucone" / "zepsuty.pdf"
    assert kept.read_bytes() == b"%PDF-1.4 to nie jest PDF"
    assert "nie da się odczytać" in (settings.scans / "odrzucone" / "zepsuty.pdf.txt").read_text("utf-8")


def test_tiff_pages_are_read_like_a_pdf(centre: Centre) -> None:
    settings = centre.settings
    doc = centre.docs[C, 16]
    frames = [Image.open(io.BytesIO(scanned(p, 300, Copier(turn=90, skew=1.0)))) for p in
              printed(doc.pdf, 300)]
    path = settings.scans / "strony.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(300, 300))
    [outcome] = skany.process_scans([path], settings)
    assert outcome.status == "przyjety"
    [item] = outcome.filed
    assert item.scan.komplet and item.scan.strony == tuple(range(1, doc.pages + 1))
    # and it is no longer `niepodpisany`
    checklist = checklist_for(settings.outbox, C, date.today(), settings)
    assert not [i for i in checklist.pozycje if i.status == "niepodpisany" and i.zalacznik == 16]


def test_part_of_a_document_is_recorded_as_incomplete(centre: Centre) -> None:
    settings = centre.settings
    two = centre.docs[A, 2]  # two pages: only its second comes
    path = settings.scans / "czesc.pdf"
    path.write_bytes(img2pdf.convert([scanned(printed(two.pdf, 200)[1], 200, Copier())]))
    [outcome] = skany.process_scans([path], settings)
    [item] = outcome.filed
    assert item.scan.strony == (2,) and not item.scan.komplet
    checklist = checklist_for(settings.outbox, A, date.today(), settings)
    [unsigned] = [i for i in checklist.pozycje if i.status == "niepodpisany" and i.zalacznik == 2]
    assert "brak stron 1" in unsigned.opis


# -- the register and the checklist --------------------------------------------------------


def test_register_without_scans_reads_as_before_and_keeps_them_when_written() -> None:
    entry = Entry.from_json({"zalacznik": 6, "data": "2025-04-10", "wersja": 1, "pdf": "a.pdf"})
    assert skany.scans_of(entry) == [] and skany.complete_scan(entry) is None
    assert skany.binder_pdf(entry) == ("a.pdf", False)
    scan = skany.SignedScan("a_podpisany.pdf", (1, 2), 2, "ab" * 32, "2025-05-01T10:00:00+02:00")
    raw = {**entry.to_json(), "skany": [scan.to_json()]}
    again = Entry.from_json(json.loads(json.dumps(raw)))
    assert skany.scans_of(again) == [scan] and skany.complete_scan(again) == scan
    assert again.to_json() == raw
    assert skany.binder_pdf(again) == ("a_podpisany.pdf", True)


def test_niepodpisany_is_not_a_problem_and_its_deadline_is_a_setting(tmp_path: Path) -> None:
    settings = parse_config({"skany": {"dni_na_podpis": 30}}, tmp_path)
    assert settings.skany.dni_na_podpis == 30 and settings.scans == tmp_path / "inbox" / "skany"
    with pytest.raises(ConfigError, match=r"\[skany\] dpi"):
        parse_config({"skany": {"dpi": 0}}, tmp_path)
    from pipeline.sprawa.checklist import Checklist

    entry = Entry(6, date(2025, 4, 10), 1, pdf="zal06.pdf")
    register = Register("K-1", (entry,))
    empty = Checklist("K-1", date(2025, 5, 1), "współpraca", None, None)
    assert skany.add_unsigned(empty, register, date(2025, 5, 9), 30) == empty
    late = skany.add_unsigned(empty, register, date(2025, 5, 10), 30)
    [item] = late.pozycje
    assert (item.status, item.zalacznik, item.plik, item.termin) == (
        "niepodpisany", 6, "zal06.pdf", date(2025, 5, 10))
    assert not late.has_problems
    assert late.to_json()["liczniki"]["niepodpisany"] == 1


# -- crash safety ---------------------------------------------------------------------------


def _watch_once(settings: Settings, fault: str | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k not in ("ASYSTA_CONFIG", "ASYSTA_TEST_AWARIA")}
    if fault:
        env["ASYSTA_TEST_AWARIA"] = fault
    command = [sys.executable, "-m", "pipeline.app.cli", "--inbox", str(settings.inbox),
               "--outbox", str(settings.outbox), "obserwuj", "--raz"]
    process = subprocess.Popen(command, env=env, cwd=settings.inbox.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        return process.wait(timeout=600)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        return process.wait()


def _state(settings: Settings) -> dict[str, list[tuple[int, tuple[int, ...], str]]]:
    out = {}
    for case in FAMILIES:
        folder = family_dir(settings.outbox, case)
        scans = []
        for entry in Register.load(folder).entries:
            for scan in skany.scans_of(entry):
                assert (folder / scan.plik).is_file()
                scans.append((entry.zalacznik, scan.strony, scan.plik))
        # nothing signed in the folder that the register does not account for
        listed = {s[2] for s in scans}
        assert {p.name for p in folder.glob("*_podpisany*")} == listed
        out[case] = sorted(scans)
    return out


@pytest.fixture(scope="module")
def small_batch(centre: Centre) -> bytes:
    sheets = [scanned(p, 200, Copier(skew=1.5)) for key in ((A, 4), (B, 7), (C, 5))
              for p in printed(centre.docs[key].pdf, 200)]
    return img2pdf.convert(sheets)


@pytest.mark.parametrize("fault", ["skan_po_oryginale", "skan_w_trakcie_zapisu:2",
                                   "skan_po_rejestrze", "skan_po_rejestrze:2", "skan_po_dzienniku"])
def test_killed_in_the_middle_of_a_batch_then_restarted(
        fault: str, tmp_path: Path, converter: Converter, small_batch: bytes) -> None:
    centre = _centre(tmp_path, converter)
    settings = centre.settings
    settings.scans.mkdir(parents=True, exist_ok=True)
    (settings.scans / "partia.pdf").write_bytes(small_batch)
    assert _watch_once(settings, fault) == -signal.SIGKILL
    assert (settings.scans / "partia.pdf").read_bytes() == small_batch  # still waiting
    assert _watch_once(settings) in (0, 1)
    assert not (settings.scans / "partia.pdf").exists()
    state = _state(settings)
    expected = {case: [(n, tuple(range(1, centre.docs[case, n].pages + 1)),
                        centre.docs[case, n].pdf.stem + "_podpisany.pdf")]
                for case, n in ((A, 4), (B, 7), (C, 5))}
    assert state == expected
    [original] = (settings.outbox / "skany").iterdir()
    assert hashlib.sha256(original.read_bytes()).digest() == hashlib.sha256(small_batch).digest()
    log = list(journal.read(settings.outbox))
    accepted = [e["plik"] for e in log if e["akcja"] == "skan_przyjeto"]
    assert sorted(accepted) == sorted(s[0][2] for s in expected.values())
    assert journal.verify(settings.outbox)[1] is None
    # the archive lock and the health state (`asysta stan`, the watcher's heartbeat) belong there
    hidden = [p for p in settings.outbox.rglob(".*") if p.name not in (".archiwum.lock", STATE_DIR)]
    assert hidden == []

