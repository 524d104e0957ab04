"""PDF/A-2b of a joined file (pypdf): the document-level entries a joined PDF needs —
/Lang, the title shown by the viewer, the Info dictionary and, when every part is PDF/A-2,
the XMP and the output intent — appended as an incremental update, with the parts' font
subsets given distinct tags. The DOCX side and the shared metadata are in `pdfa`; this half
is imported only where a PDF is finished (scans, drafts), so making documents never loads
pypdf."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from pipeline.pdf.pdfa import CREATOR, LANG, PDFA_PART, PdfMeta, pdf_date, xmp_claim, xmp_packet
from pipeline.pdf.pdfutil import startxref, update_section


def pdfa_part(reader: PdfReader) -> tuple[str, str] | None:
    """The PDF/A part and conformance a PDF's XMP claims, e.g. ("2", "B"); None if none."""
    try:
        metadata: Any = _catalog(reader).get("/Metadata")
        xmp = metadata.get_object().get_data().decode("utf-8", "replace") if metadata else ""
    except Exception:  # a damaged metadata stream claims nothing
        return None
    return xmp_claim(xmp)


def is_pdfa2(reader: PdfReader) -> bool:
    """PDF/A-2 of any level (b, u, a): pages that fit into a PDF/A-2b file."""
    claim = pdfa_part(reader)
    return claim is not None and claim[0] == PDFA_PART


def output_intent(reader: PdfReader) -> DictionaryObject | None:
    intents: Any = _catalog(reader).get("/OutputIntents")
    if not intents:
        return None
    first = intents.get_object()[0].get_object()
    return first if "/DestOutputProfile" in first else None


def _catalog(reader: PdfReader) -> DictionaryObject:
    return cast(DictionaryObject, reader.trailer["/Root"])


def finish_joined(data: bytes, meta: PdfMeta, intent: DictionaryObject | None,
                  now: datetime | None = None) -> bytes:
    """A joined PDF with /Lang, title and, when `intent` (the parts' output intent) is given,
    PDF/A-2b's XMP and output intent, appended as an incremental update.

    Pass `intent` only when every part is PDF/A-2: then the pages conform already and only
    the document-level entries are missing. Without it any PDF/A claim left in the file
    (a part's XMP carried over by the joining tool) is removed."""
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        raise ValueError("encrypted PDF")
    trailer: Any = reader.trailer
    root_ref = trailer.raw_get("/Root")
    if not isinstance(root_ref, IndirectObject):
        raise ValueError("catalog is not an indirect object")
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    objects: list[PdfObject] = []
    # /Size cannot be trusted: pdfunite writes a too small one
    first_new = max([int(trailer["/Size"]), *(n + 1 for section in reader.xref.values()
                                               for n in section),
                     *(n + 1 for n in reader.xref_objStm)])

    def add(obj: PdfObject) -> IndirectObject:
        objects.append(obj)
        return IndirectObject(first_new + len(objects) - 1, 0, cast(Any, None))

    catalog = DictionaryObject(cast(DictionaryObject, root_ref.get_object()))
    catalog[NameObject("/Lang")] = TextStringObject(LANG)
    old_viewer: Any = catalog.get("/ViewerPreferences")
    viewer = DictionaryObject(old_viewer.get_object() if old_viewer is not None else {})
    viewer[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    catalog[NameObject("/ViewerPreferences")] = viewer
    for key in ("/Metadata", "/OutputIntents"):
        catalog.pop(key, None)
    if intent is not None:
        profile = DecodedStreamObject()
        source: Any = intent["/DestOutputProfile"].get_object()
        profile.set_data(source.get_data())
        profile[NameObject("/N")] = NumberObject(int(source["/N"]))
        new_intent = DictionaryObject({NameObject(k): v for k, v in intent.items()
                                       if k != "/DestOutputProfile" and not isinstance(v, IndirectObject)})
        new_intent[NameObject("/DestOutputProfile")] = add(profile)
        catalog[NameObject("/OutputIntents")] = ArrayObject([add(new_intent)])
        catalog[NameObject("/Metadata")] = add(_xmp_stream(meta, stamp))
    info = DictionaryObject({
        NameObject("/Title"): TextStringObject(meta.title),
        NameObject("/Subject"): TextStringObject(meta.subject),
        NameObject("/Author"): TextStringObject(meta.author),
        NameObject("/Keywords"): TextStringObject(meta.keywords),
        NameObject("/Creator"): TextStringObject(CREATOR),
        NameObject("/Producer"): TextStringObject(CREATOR),
        NameObject("/CreationDate"): TextStringObject(pdf_date(stamp)),
        NameObject("/ModDate"): TextStringObject(pdf_date(stamp)),
    })
    info_ref = add(info)
    numbered = [(first_new + i, obj) for i, obj in enumerate(objects)]
    numbered.append((root_ref.idnum, catalog))
    numbered += _distinct_subset_tags(reader).items()
    ids = trailer.get("/ID")
    first_id = (bytes(ids[0].original_bytes) if ids else
                hashlib.md5(data[:65536], usedforsecurity=False).digest())
    new_trailer = DictionaryObject({
        NameObject("/Size"): NumberObject(max(n for n, _ in numbered) + 1),
        NameObject("/Root"): root_ref,
        NameObject("/Info"): info_ref,
        NameObject("/Prev"): NumberObject(startxref(data)),
        NameObject("/ID"): ArrayObject([
            ByteStringObject(first_id),
            ByteStringObject(hashlib.md5(data[-65536:] + meta.title.encode("utf-8"),
                                         usedforsecurity=False).digest())]),
    })
    return data + incremental_update(data, numbered, new_trailer)


_SUBSET = re.compile(r"^/([A-Z]{6})\+(.*)$")


def _distinct_subset_tags(reader: PdfReader) -> dict[int, DictionaryObject]:
    """Font dictionaries (and their descriptors) renamed so that no two different font
    subsets share a tag: every part names its subsets BAAAAA+…, CAAAAA+…, but ISO 32000-1
    (9.6.4) wants distinct tags within a file, and some printers and viewers mix them up."""
    renamer = _SubsetRenamer()
    for page in reader.pages:
        renamer.resources(page.raw_get("/Resources") if "/Resources" in page else None)
    return renamer.changed


class _SubsetRenamer:
    """Walks the pages' resources (forms nested up to three deep) and renames each font
    subset whose tag an earlier, different font already holds."""

    def __init__(self) -> None:
        self.owners: dict[str, int] = {}  # a subset's full name → the font object that keeps it
        self.changed: dict[int, DictionaryObject] = {}
        self.seen: set[int] = set()
        self.fresh = (f"{a}{b}{c}{d}{e}{f}" for a in _LETTERS for b in _LETTERS for c in _LETTERS
                      for d in _LETTERS for e in _LETTERS for f in _LETTERS)

    def font(self, ref: Any) -> None:
        if not isinstance(ref, IndirectObject) or ref.idnum in self.seen:
            return
        self.seen.add(ref.idnum)
        obj = cast(DictionaryObject, ref.get_object())
        for descendant in obj.get("/DescendantFonts") or []:
            self.font(descendant)
        match = _SUBSET.match(str(obj.get("/BaseFont", "")))
        if match is None:
            return
        if self.owners.setdefault(str(obj["/BaseFont"]), ref.idnum) == ref.idnum:
            return
        self.rename(ref.idnum, obj, match.group(2))

    def rename(self, idnum: int, obj: DictionaryObject, base: str) -> None:
        """A new tag for the font `idnum` (and its descriptor) whose subset of `base` clashes."""
        name = next(n for n in (f"/{t}+{base}" for t in self.fresh) if n not in self.owners)
        self.owners[name] = idnum
        renamed = DictionaryObject(obj)
        renamed[NameObject("/BaseFont")] = NameObject(name)
        self.changed[idnum] = renamed
        descriptor = obj.raw_get("/FontDescriptor") if "/FontDescriptor" in obj else None
        if isinstance(descriptor, IndirectObject) and descriptor.idnum not in self.changed:
            copy = DictionaryObject(cast(DictionaryObject, descriptor.get_object()))
            copy[NameObject("/FontName")] = NameObject(name)
            self.changed[descriptor.idnum] = copy

    def resources(self, value: Any, depth: int = 0) -> None:
        if value is None or depth > 3:
            return
        if isinstance(value, IndirectObject):
            if value.idnum in self.seen:
                return
            self.seen.add(value.idnum)
        res = value.get_object()
        for ref in (res.get("/Font") or {}).values():
            self.font(ref)
        for ref in (res.get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form":
                self.resources(xobject.raw_get("/Resources") if "/Resources" in xobject else None,
                               depth + 1)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def incremental_update(data: bytes, numbered: Iterable[tuple[int, PdfObject]],
                       trailer: DictionaryObject) -> bytes:
    """An incremental update section of pypdf objects (see `pdfutil.update_section`)."""
    def body(obj: PdfObject) -> bytes:
        out = io.BytesIO()
        obj.write_to_stream(out)
        return out.getvalue()

    trailer_out = io.BytesIO()
    trailer.write_to_stream(trailer_out)
    return update_section(data, [(n, body(obj)) for n, obj in numbered], trailer_out.getvalue())


def _xmp_stream(meta: PdfMeta, stamp: datetime) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(xmp_packet(meta, stamp))
    stream[NameObject("/Type")] = NameObject("/Metadata")
    stream[NameObject("/Subtype")] = NameObject("/XML")
    return stream
