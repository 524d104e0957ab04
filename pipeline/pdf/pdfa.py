"""PDF/A for the archive: what every PDF says about itself, in one place.

Documents, checklists and summaries are PDF/A-2b made by LibreOffice (the
export options are `convert.PDF_EXPORT`). LibreOffice takes the PDF's title,
subject, author and language from the DOCX, so `describe_docx` writes them into
the DOCX before conversion: the core properties, and Polish as the language of
every run and style (a centre's own template is often marked en-US, which would
become the PDF's /Lang and each span's /Lang).

PDFs joined from such documents (the binder, the monthly reports) get their
catalogue, XMP and output intent from `finish_joined`, as an incremental update
appended to the joined file, so the pages are never rewritten. They claim
PDF/A-2b only when every part they were made of does.
"""

from __future__ import annotations

import functools
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from pipeline.core.config import Osrodek
from pipeline.core.models import FormData
from pipeline.core.polish import keyword_phrases, meta_date

LANG = "pl-PL"
NO_LANGUAGE = "zxx"  # a run without language: never hyphenated (names, places, case numbers)
CREATOR = "asysta"
PDFA_PART, PDFA_CONFORMANCE = "2", "B"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CORE_PART = "docProps/core.xml"
_CORE_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
_CORE_REL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
# w:lang's place in w:rPr: before these (Word rejects run properties out of order)
_AFTER_LANG = ("eastAsianLayout", "specVanish", "oMath")


@dataclass(frozen=True)
class PdfMeta:
    """What a PDF (and its DOCX) says about itself: no personal data beyond the case number."""

    title: str
    subject: str = ""
    author: str = ""
    keywords: str = ""


def document_meta(form: FormData, osrodek: Osrodek) -> PdfMeta:
    """A filed attachment: its title, which attachment of which case and of which day, and
    the centre as its author (the record is the centre's; the assistant is named inside)."""
    if form.rodzaj:  # a kind beyond the sixteen: its title says what it is
        return PdfMeta(form.schema.tytul,
                       f"{form.schema.tytul} – nr sprawy {form.rodzina} – {meta_date(form.data)}",
                       osrodek.nazwa,
                       f"asystent rodziny; {form.schema.tytul.lower()}; {form.rodzina}")
    n = form.zalacznik
    return PdfMeta(form.schema.tytul,
                   f"Załącznik nr {n} – nr sprawy {form.rodzina} – {meta_date(form.data)}",
                   osrodek.nazwa, f"asystent rodziny; załącznik nr {n}; {form.rodzina}")


# -- the DOCX --------------------------------------------------------------------------


def describe_docx(path: Path, meta: PdfMeta) -> None:
    """Write `meta` into the DOCX's core properties and make Polish its language (in place).
    A rendered template gets the same from `render` without a second pass."""
    with zipfile.ZipFile(path) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    changed = {**described_parts(parts), CORE_PART: core_properties(meta, parts.get(CORE_PART))}
    added = [] if CORE_PART in parts else [zipfile.ZipInfo(CORE_PART, infos[0].date_time)]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
            for info in [*infos, *added]:
                out.writestr(info, changed[info.filename], compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def described_parts(parts: Mapping[str, bytes]) -> dict[str, bytes]:
    """A package's parts as a described DOCX has them, all but the core properties (which
    say what the document is: `core_properties`): every run and style Polish, and the core
    properties declared when the package has none."""
    out = {}
    for name, data in parts.items():
        if name == CORE_PART:
            continue
        if name.startswith("word/") and name.endswith(".xml") and (
                name == "word/styles.xml" or b"lang" in data):
            data = _polish(data, defaults=name == "word/styles.xml")
        out[name] = data
    if CORE_PART not in parts:  # a package without core properties: declare them
        out["[Content_Types].xml"] = _declare(
            parts["[Content_Types].xml"], "Override",
            {"PartName": "/" + CORE_PART, "ContentType": _CORE_TYPE})
        out["_rels/.rels"] = _declare(
            parts["_rels/.rels"], "Relationship",
            {"Id": "rIdAsystaCore", "Type": _CORE_REL, "Target": CORE_PART})
    return out


def polish_tree(root: Any, defaults: bool = False) -> None:
    """Every w:lang under `root` set to Polish (a run marked „no language” keeps its mark);
    with `defaults`, the document default too (styles.xml)."""
    for lang in root.iter(f"{{{_W}}}lang"):
        if lang.get(f"{{{_W}}}val") != NO_LANGUAGE:
            lang.set(f"{{{_W}}}val", LANG)
    if defaults:
        rpr = _child(_child(_child(root, "docDefaults", first=True), "rPrDefault", first=True),
                     "rPr", first=True)
        if rpr.find(f"{{{_W}}}lang") is None:
            lang = etree.Element(f"{{{_W}}}lang")
            lang.set(f"{{{_W}}}val", LANG)
            later = [c for c in rpr if etree.QName(c).localname in _AFTER_LANG]
            if later:
                later[0].addprevious(lang)
            else:
                rpr.append(lang)


@functools.lru_cache(maxsize=64)  # a template's styles and headers: the same bytes each time
def _polish(xml: bytes, defaults: bool) -> bytes:
    """Every w:lang of a part set to Polish; in styles.xml the document default too. A run
    marked „no language” (zxx: a name, which is never hyphenated) keeps its mark. A part
    lxml cannot read is left as it is (Word and LibreOffice may still cope)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError:
        return xml
    polish_tree(root, defaults)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _child(parent: Any, name: str, first: bool = False) -> Any:
    found = parent.find(f"{{{_W}}}{name}")
    if found is None:
        found = etree.Element(f"{{{_W}}}{name}")
        if first:
            parent.insert(0, found)
        else:
            parent.append(found)
    return found


def core_properties(meta: PdfMeta, old: bytes | None) -> bytes:
    """Fresh core properties: nothing left from whoever made the template (an author's name,
    "last modified by"); the dates stay, so the same data gives the same DOCX."""
    dates = ""
    if old:
        dates = b"".join(re.findall(rb"<dcterms:(?:created|modified)\b.*?</dcterms:\w+>",
                                    old, re.S)[:2]).decode("utf-8")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(meta.title)}</dc:title><dc:subject>{escape(meta.subject)}</dc:subject>"
        f"<dc:creator>{escape(meta.author)}</dc:creator>"
        f"<cp:keywords>{escape(keyword_phrases(meta.keywords))}</cp:keywords>"
        f"<cp:lastModifiedBy>{escape(meta.author)}</cp:lastModifiedBy>{dates}"
        f"<dc:language>{LANG}</dc:language></cp:coreProperties>"
    ).encode()


def _declare(xml: bytes, tag: str, attributes: dict[str, str]) -> bytes:
    root = etree.fromstring(xml)
    element = etree.SubElement(root, f"{{{etree.QName(root).namespace}}}{tag}")
    for key, value in attributes.items():
        element.set(key, value)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# -- joined PDFs -----------------------------------------------------------------------


def xmp_claim(xmp: str) -> tuple[str, str] | None:
    """The PDF/A part and conformance an XMP packet claims, e.g. ("2", "B"); None if none."""
    part = re.search(r"pdfaid:part(?:>|=\")\s*(\d)", xmp)
    conformance = re.search(r"pdfaid:conformance(?:>|=\")\s*([ABU])", xmp, re.I)
    if not part:
        return None
    return part.group(1), (conformance.group(1).upper() if conformance else "")


def pdf_date(stamp: datetime) -> str:
    return stamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def xmp_packet(meta: PdfMeta, stamp: datetime) -> bytes:
    """XMP for PDF/A-2b: the same title, author, subject, keywords, tools and dates as the
    Info dictionary (ISO 19005-2, 6.6.2.3), to be stored unfiltered (6.6.2.1)."""
    when = stamp.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>{PDFA_PART}</pdfaid:part>
   <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(meta.subject)}</rdf:li></rdf:Alt>
   </dc:description>
   <dc:creator><rdf:Seq><rdf:li>{escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:language><rdf:Bag><rdf:li>{LANG}</rdf:li></rdf:Bag></dc:language>
   <pdf:Keywords>{escape(meta.keywords)}</pdf:Keywords>
   <pdf:Producer>{CREATOR}</pdf:Producer>
   <xmp:CreatorTool>{CREATOR}</xmp:CreatorTool>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return xmp.encode("utf-8")
