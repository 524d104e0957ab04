"""PDF/A for the archive: what can be read without a validator (veraPDF is not installable
here) — the XMP's PDF/A identification, an ICC output intent, every font embedded, no
encryption, /Lang pl-PL, tagging, and the same title in the Info dictionary and the XMP.

All sixteen examples go through the pipeline (the warm pool), one through the `soffice`
fallback, one through a centre's template marked English; then the checklist, the binder
and the monthly reports made from them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import OSRODEK, copy_examples, make_settings, pdf_text
from docx import Document
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, IndirectObject, NameObject

from pipeline.core.config import Settings, parse_config
from pipeline.core.models import FiledDocument
from pipeline.core.polish import meta_date
from pipeline.documents import raporty
from pipeline.documents.overview import CHECKLIST_PDF
from pipeline.documents.teczka import build_teczka
from pipeline.flow.process import process_files
from pipeline.flow.raporty import BatchResult, Month, run_month
from pipeline.pdf.pdfa import (
    LANG,
    NO_LANGUAGE,
    PdfMeta,
    _polish,
    describe_docx,
)
from pipeline.pdf.pdfa_joined import finish_joined, output_intent
from pipeline.sprawa.schemas import load_schema
from pipeline.stages.convert import PDF_EXPORT, Converter, pdf_filter_options
from pipeline.stages.render import named_template

CASE = "K-2025-014"
ASSISTANT = "Katarzyna Żak"  # printed in the documents, never in their metadata
NUMBERS = range(1, 17)
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


# -- reading a PDF ---------------------------------------------------------------------


def xmp(reader: PdfReader) -> str:
    metadata = reader.trailer["/Root"].get("/Metadata")
    assert metadata is not None, "brak metadanych XMP"
    stream = metadata.get_object()
    assert "/Filter" not in stream, "XMP nie może być skompresowany (PDF/A 6.6.2.1)"
    return stream.get_data().decode("utf-8")


def xmp_value(text: str, name: str) -> str | None:
    """A simple XMP property, as an element or an attribute; for dc:title and such the
    x-default entry of its list."""
    match = re.search(rf"<{name}>\s*(?:<rdf:(?:Alt|Seq|Bag)>\s*<rdf:li[^>]*>)?(.*?)<", text, re.S)
    if match is None:
        match = re.search(rf'{name}="([^"]*)"', text)
    return unescape(match.group(1).strip()) if match else None


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&apos;", "'").replace("&amp;", "&")


def unembedded_fonts(reader: PdfReader) -> tuple[int, list[str], dict[int, str]]:
    """(fonts seen, names of those without a font program, each font object's name),
    descendants and forms included."""
    walk = _FontWalk()
    for page in reader.pages:
        walk.resources(page.get("/Resources"))
        for annot in page.get("/Annots") or []:
            appearance = annot.get_object().get("/AP")
            if appearance is not None and "/N" in appearance:
                normal = appearance["/N"].get_object()
                if "/Resources" in normal:
                    walk.resources(normal["/Resources"])
    return walk.count, walk.missing, walk.names


class _FontWalk:
    """Every font of a resource dictionary, each object visited once."""

    def __init__(self) -> None:
        self.seen: set[int] = set()
        self.missing: list[str] = []
        self.names: dict[int, str] = {}
        self.count = 0

    def once(self, ref: Any) -> Any | None:
        if isinstance(ref, IndirectObject):
            if ref.idnum in self.seen:
                return None
            self.seen.add(ref.idnum)
        return ref.get_object()

    def font(self, ref: Any) -> None:
        obj = self.once(ref)
        if obj is None:
            return
        self.count += 1
        if isinstance(ref, IndirectObject):
            self.names[ref.idnum] = str(obj.get("/BaseFont"))
        subtype = obj.get("/Subtype")
        if subtype == "/Type3":  # its glyphs are content streams in the file
            self.resources(obj.get("/Resources"))
            return
        if subtype == "/Type0":
            for descendant in obj["/DescendantFonts"]:
                self.font(descendant)
            return
        descriptor = obj.get("/FontDescriptor")
        if descriptor is None or not any(k in descriptor.get_object() for k in FONT_FILES):
            self.missing.append(str(obj.get("/BaseFont")))

    def resources(self, ref: Any) -> None:
        obj = self.once(ref) if ref is not None else None
        if obj is None:
            return
        for value in (obj.get("/Font") or {}).values():
            self.font(value)
        for value in (obj.get("/XObject") or {}).values():
            xobject = value.get_object()
            if xobject.get("/Subtype") == "/Form":
                self.resources(xobject.get("/Resources"))


def structure_languages(reader: PdfReader) -> set[str]:
    """Every /Lang set on a structure element."""
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    found: set[str] = set()
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
        node = node.get_object()
        if isinstance(node, DictionaryObject):
            if "/Lang" in node and node.get("/Type") != "/MCR":
                found.add(str(node["/Lang"]))
            kids = node.get("/K")
            if kids is not None:
                stack.extend(kids if isinstance(kids, list) else [kids])
        elif isinstance(node, list):
            stack.extend(node)
    return found


@dataclass(frozen=True)
class Read:
    reader: PdfReader
    xmp: str
    info: dict[str, str]


def check_pdfa(path: Path, title: str, tagged: bool = True) -> Read:
    """Everything readable that PDF/A-2b (and our archive) asks of a file."""
    data = path.read_bytes()
    assert re.match(rb"%PDF-1\.[4-7]\r?\n%[\x80-\xff]{4}", data), "nagłówek PDF/A"
    reader = PdfReader(path)
    assert not reader.is_encrypted and "/Encrypt" not in reader.trailer
    assert reader.trailer.get("/ID"), "PDF/A wymaga /ID w trailerze"
    root = reader.trailer["/Root"]
    text = xmp(reader)
    assert xmp_value(text, "pdfaid:part") == "2"
    assert xmp_value(text, "pdfaid:conformance") == "B"
    [intent] = [i.get_object() for i in root["/OutputIntents"]]
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    icc = profile.get_data()
    assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB " and profile["/N"] == 3
    count, missing, _ = unembedded_fonts(reader)
    assert count and not missing, f"czcionki nieosadzone: {missing}"
    assert root["/Lang"] == LANG
    if tagged:
        assert bool(root["/MarkInfo"]["/Marked"])
        assert "/StructTreeRoot" in root
        # a name, a place or a case number is a span without language (never hyphenated)
        assert structure_languages(reader) <= {LANG, NO_LANGUAGE}
    info = {k: str(v) for k, v in (reader.metadata or {}).items()}
    assert info["/Title"] == title and xmp_value(text, "dc:title") == title
    # ISO 19005-2 6.6.2.3: each Info entry has its XMP twin with the same value
    for key, name in (("/Author", "dc:creator"), ("/Subject", "dc:description"),
                      ("/Keywords", "pdf:Keywords"), ("/Producer", "pdf:Producer"),
                      ("/Creator", "xmp:CreatorTool")):
        if info.get(key):
            assert xmp_value(text, name) == info[key], key
    everything = " ".join(info.values()) + text
    assert ASSISTANT not in everything and "Żak" not in everything
    return Read(reader, text, info)


def annotations(reader: PdfReader) -> Iterator[DictionaryObject]:
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            yield annot.get_object()


# -- the sixteen examples, their checklist, binder and reports ---------------------------


@dataclass(frozen=True)
class Archive:
    settings: Settings
    filed: dict[int, FiledDocument]
    month: BatchResult


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Archive:
    settings = make_settings(tmp_path_factory.mktemp("pdfa"))
    outcomes = process_files(copy_examples(settings), settings, converter)
    assert [o.status for o in outcomes] == ["przyjety"] * 16, [o.problems for o in outcomes]
    filed = {o.filed.form.zalacznik: o.filed for o in outcomes if o.filed}
    month = run_month(settings, converter, Month.parse("2025-04"), today=date(2025, 5, 4))
    assert not month.failed
    return Archive(settings, filed, month)


@pytest.mark.parametrize("n", NUMBERS)
def test_every_document_is_pdfa_2b_tagged_polish(n: int, archive: Archive) -> None:
    doc = archive.filed[n]
    title = load_schema(n).tytul
    read = check_pdfa(doc.pdf, title)
    assert read.info["/Author"] == OSRODEK["nazwa"]
    assert read.info["/Subject"] == (f"Załącznik nr {n} – nr sprawy {CASE} – "
                                     f"{meta_date(doc.form.data)}")
    # keywords are phrases (LibreOffice splits them at ordinary spaces: theirs are non-breaking)
    assert "r." in read.info["/Subject"]
    assert "asystent\u00a0rodziny" in read.info["/Keywords"].split(", ")
    assert CASE in read.info["/Keywords"]
    assert bool(read.reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"])
    # the archived DOCX says the same about itself, and nothing of the template's author
    core = Document(str(doc.docx)).core_properties
    assert (core.title, core.author, core.last_modified_by, core.language) == (
        title, OSRODEK["nazwa"], OSRODEK["nazwa"], LANG)


def test_checklist_is_pdfa(archive: Archive) -> None:
    pdf = archive.settings.outbox / "rodziny" / CASE / CHECKLIST_PDF
    read = check_pdfa(pdf, f"Lista kontrolna dokumentów rodziny – nr sprawy {CASE}")
    assert read.info["/Author"] == OSRODEK["nazwa"]


def test_monthly_summary_is_pdfa(archive: Archive) -> None:
    assert archive.month.summary_pdf is not None
    check_pdfa(archive.month.summary_pdf,
               "Zestawienie miesięcznych raportów asystentów rodziny – kwiecień 2025")


def check_joined(path: Path, title: str, parts: int) -> Read:
    read = check_pdfa(path, title, tagged=False)  # level B: the parts' tags are not merged
    info, text = read.info, read.xmp
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        d = info[key]
        assert xmp_value(text, name) == f"{d[2:6]}-{d[6:8]}-{d[8:10]}T{d[10:12]}:{d[12:14]}:{d[14:16]}+00:00"
    assert len(read.reader.pages) >= parts
    if shutil.which("qpdf"):  # an independent reader of the file's structure and streams
        check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    PdfReader(path, strict=True)  # pypdf's strict parser finds nothing to repair either
    _, _, names = unembedded_fonts(read.reader)
    subsets = [n for n in names.values() if re.match(r"/[A-Z]{6}\+", n)]
    assert subsets and len(set(subsets)) == len(subsets), "dwa różne podzbiory czcionki, jedna nazwa"
    for annot in annotations(read.reader):  # PDF/A: every annotation printable, none hidden
        assert int(annot.get("/F", 0)) & 0b100100111 == 0b100, annot.get("/Subtype")
    return read


def test_monthly_combined_pdf_is_pdfa(archive: Archive) -> None:
    combined = archive.month.combined
    assert combined is not None and shutil.which("pdfunite") and shutil.which("pdftk")
    read = check_joined(combined, "Miesięczne raporty asystentów rodziny – kwiecień 2025", 1)
    assert read.reader.outline, "zakładki z pdftk zostały"


def test_monthly_combined_pdf_without_the_tools_is_pdfa_too(
        archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(raporty.shutil, "which", lambda name: None)
    result = BatchResult(archive.month.month, archive.month.reports)
    raporty.combined(archive.settings, result)
    assert result.combined is not None and result.combined != archive.month.combined
    read = check_joined(result.combined, "Miesięczne raporty asystentów rodziny – kwiecień 2025", 1)
    assert read.reader.outline


def test_binder_is_pdfa(archive: Archive) -> None:
    teczka = build_teczka(archive.settings, CASE, today=date(2026, 6, 1))
    read = check_joined(teczka.path, f"Teczka sprawy {CASE}", 16)
    assert sum(1 for a in annotations(read.reader) if a["/Subtype"] == "/Link") >= 16
    assert "TECZKA SPRAWY" in pdf_text(teczka.path)
    assert read.reader.outline


def test_binder_with_a_document_that_is_not_pdfa_claims_nothing(
        archive: Archive, tmp_path: Path) -> None:
    """A document filed before PDF/A (or damaged metadata): the binder still gets /Lang and
    its title, but no PDF/A claim it cannot back."""
    settings = make_settings(tmp_path)
    shutil.copytree(archive.settings.outbox, settings.outbox, dirs_exist_ok=True)
    old = settings.outbox / "rodziny" / CASE / archive.filed[5].pdf.name
    writer = PdfWriter(clone_from=PdfReader(old))
    del writer._root_object[NameObject("/Metadata")]
    writer.write(old)
    teczka = build_teczka(settings, CASE, today=date(2026, 6, 1))
    reader = PdfReader(teczka.path)
    root = reader.trailer["/Root"]
    assert "/Metadata" not in root and "/OutputIntents" not in root
    assert root["/Lang"] == LANG and reader.metadata.title == f"Teczka sprawy {CASE}"


def test_joining_appends_an_update_and_never_rewrites_the_pages(archive: Archive) -> None:
    source = archive.filed[8].pdf
    data = source.read_bytes()
    meta = PdfMeta("Próba „łączenia” – 1/2", "Temat & <opis>", "Ośrodek", "a; b")
    out = finish_joined(data, meta, output_intent(PdfReader(source)))
    assert out.startswith(data) and out.endswith(b"%%EOF\n")
    reader = PdfReader(io.BytesIO(out), strict=True)
    assert reader.metadata.title == meta.title and xmp_value(xmp(reader), "dc:title") == meta.title
    assert xmp_value(xmp(reader), "dc:description") == meta.subject
    assert reader.trailer["/ID"][0] == PdfReader(source).trailer["/ID"][0]  # the same file, updated
    plain = PdfReader(io.BytesIO(finish_joined(data, meta, None)))
    assert "/Metadata" not in plain.trailer["/Root"]  # no PDF/A claim it cannot back
    assert "/OutputIntents" not in plain.trailer["/Root"]


@pytest.mark.skipif(not (shutil.which("pdfunite") and shutil.which("qpdf")),
                    reason="poppler-utils and qpdf are needed")
def test_pdfunite_output_with_a_wrong_size_is_updated_soundly(archive: Archive, tmp_path: Path) -> None:
    """pdfunite writes a trailer /Size below its highest object number: the update's new
    objects must not take numbers already in use, and the parts' font subsets get new tags."""
    joined = tmp_path / "razem.pdf"
    parts = [str(archive.filed[n].pdf) for n in (8, 9)]
    subprocess.run(["pdfunite", *parts, str(joined)], check=True)
    out = tmp_path / "gotowe.pdf"
    out.write_bytes(finish_joined(joined.read_bytes(), PdfMeta("Razem"),
                                  output_intent(PdfReader(parts[0]))))
    check_joined(out, "Razem", 2)


# -- the fallback and a centre's own template --------------------------------------------


def test_fallback_soffice_path_exports_the_same_pdfa(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with Converter(pool=False) as fallback:
        assert not fallback.uses_pool
        [outcome] = process_files(copy_examples(settings, [8]), settings, fallback)
    assert outcome.filed is not None, outcome.problems
    check_pdfa(outcome.filed.pdf, load_schema(8).tytul)
    check_pdfa(settings.outbox / "rodziny" / CASE / CHECKLIST_PDF,
               f"Lista kontrolna dokumentów rodziny – nr sprawy {CASE}")


def test_export_options_are_one_set_in_libreoffice_form() -> None:
    assert PDF_EXPORT["SelectPdfVersion"] == 2 and PDF_EXPORT["UseTaggedPDF"] is True
    text = pdf_filter_options()
    assert '"SelectPdfVersion":{"type":"long","value":"2"}' in text
    assert '"UseTaggedPDF":{"type":"boolean","value":"true"}' in text


def english(template: Path, target: Path) -> None:
    """The shipped template as a centre's Word would mark it: English everywhere —
    document default, styles and runs — and an author in its properties."""
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("word/") and info.filename.endswith(".xml"):
                text = re.sub(r'(<w:lang\b[^>]*?w:val=")[^"]*"', r'\1en-US"', data.decode("utf-8"))
                text = text.replace("</w:rPr>", '<w:lang w:val="en-US"/></w:rPr>')
                data = text.encode("utf-8")
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"<dc:creator>.*?</dc:creator>|<dc:creator/>",
                              b"<dc:creator>Jan Kowalski</dc:creator>", data)
            out.writestr(info, data)


def test_template_in_english_still_gives_a_polish_pdf(tmp_path: Path, converter: Converter) -> None:
    own = tmp_path / "szablony"
    own.mkdir()
    english(named_template("zal08.docx", make_settings(tmp_path / "x")), own / "zal08.docx")
    styles = zipfile.ZipFile(own / "zal08.docx").read("word/styles.xml").decode()
    assert 'w:val="en-US"' in styles and 'w:val="pl-PL"' not in styles
    settings = parse_config({"osrodek": OSRODEK, "foldery": {"szablony": str(own)}}, tmp_path)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    [outcome] = process_files(copy_examples(settings, [8]), settings, converter)
    assert outcome.filed is not None, outcome.problems
    read = check_pdfa(outcome.filed.pdf, load_schema(8).tytul)  # /Lang pl-PL, spans too
    assert read.info["/Author"] == OSRODEK["nazwa"] and "Kowalski" not in read.xmp
    with zipfile.ZipFile(outcome.filed.docx) as docx:
        assert b'"en-US"' not in docx.read("word/document.xml")


# -- the DOCX's properties and language ---------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_document_default_language_is_added_in_schema_order() -> None:
    styles = (f'<w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/>'
              '<w:eastAsianLayout w:id="1"/></w:rPr></w:rPrDefault></w:docDefaults></w:styles>')
    out = _polish(styles.encode(), defaults=True).decode()
    assert '<w:sz w:val="22"/><w:lang w:val="pl-PL"/><w:eastAsianLayout' in out
    bare = _polish(f"<w:styles {W}/>".encode(), defaults=True).decode()
    assert "<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val=\"pl-PL\"/>" in bare
    run = _polish(f'<w:document {W}><w:lang w:val="de-DE" w:eastAsia="ja-JP"/></w:document>'
                  .encode(), defaults=False).decode()
    assert 'w:val="pl-PL"' in run and 'w:eastAsia="ja-JP"' in run


def test_package_without_core_properties_gets_them(tmp_path: Path) -> None:
    source = named_template("zal08.docx", make_settings(tmp_path / "x"))
    target = tmp_path / "bez.docx"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            if info.filename != "docProps/core.xml":
                data = src.read(info)
                if info.filename in ("[Content_Types].xml", "_rels/.rels"):
                    data = re.sub(rb"<(Override|Relationship)[^>]*core[-_]properties[^>]*/>",
                                  b"", data)
                out.writestr(info, data)
    describe_docx(target, PdfMeta("Tytuł – próba", "Temat", "Ośrodek", "a; b"))
    core = Document(str(target)).core_properties
    assert (core.title, core.subject, core.author, core.keywords) == (
        "Tytuł – próba", "Temat", "Ośrodek", "a; b")
