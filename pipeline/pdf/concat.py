"""Joining many PDF documents into one file, streaming: one part open at a time.

qpdf keeps every copied page's objects (and more) in memory until it writes — about a
megabyte per monthly report, so a centre's thousand reports would need a gigabyte. Here
each part is opened (pikepdf, without touching what its pages do not need), the objects
its pages reach are written straight to the output under new numbers, and the part is
closed; what stays in memory is one offset per object. The parts' structure trees are
left out (the result is PDF/A-2b, level B), so are their catalogs: the joined file gets
its own, with bookmarks, /Lang, Info and — when every part is PDF/A-2 — the XMP and the
first part's output intent. A font subset's tag that an earlier part already used gets a
fresh one (ISO 32000-1, 9.6.4: no two different subsets under one name).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import product
from pathlib import Path
from typing import IO, Any

from pipeline.pdf.pdfa import CREATOR, LANG, PDFA_PART, PdfMeta, pdf_date, xmp_claim, xmp_packet
from pipeline.pdf.pdfutil import inherited

_REF = re.compile(rb"/AsystaRef(\d+)")
_SUBSET = re.compile(r"^/([A-Z]{6})\+(.*)$")
_INHERITED = ("/MediaBox", "/CropBox", "/Resources", "/Rotate")
# (level, title, first page counted from 0): level 1 at the top, level 2 under the last 1
Outline = list[tuple[int, str, int]]


class _Output:
    """The file being written: object numbers, their offsets, the subset names in use."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.offsets: dict[int, int] = {}
        self.count = 0
        self.names: set[str] = set()
        self.fresh: Iterator[str] = ("".join(t) for t in product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=6))
        self.position = handle.tell()
        self.put(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def reserve(self) -> int:
        self.count += 1
        return self.count

    def put(self, data: bytes) -> None:
        """Bytes at the end of the file; where the next ones go is counted, not asked."""
        self.handle.write(data)
        self.position += len(data)

    def write(self, number: int, body: bytes) -> None:
        self.offsets[number] = self.position
        self.put(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def subset_name(self, name: str, renames: dict[str, str]) -> str:
        """A part's subset name, or a fresh tag when another part took it."""
        if name not in renames:
            match = _SUBSET.match(name)
            if match is not None and name in self.names:
                name_new = next(n for n in (f"/{t}+{match.group(2)}" for t in self.fresh)
                                if n not in self.names)
            else:
                name_new = name
            self.names.add(name_new)
            renames[name] = name_new
        return renames[name]


class _Part:
    """One part being copied: its objects' new numbers, written as they are reached."""

    def __init__(self, output: _Output, pages_root: int) -> None:
        self.output = output
        self.pages_root = pages_root
        self.numbers: dict[tuple[int, int], int] = {}
        self.waiting: list[Any] = []
        self.renames: dict[str, str] = {}

    def number(self, obj: Any) -> int:
        key = obj.objgen
        if key not in self.numbers:
            self.numbers[key] = self.output.reserve()
            self.waiting.append(obj)
        return self.numbers[key]

    def flush(self, pages: set[tuple[int, int]]) -> None:
        while self.waiting:
            obj = self.waiting.pop()
            self.output.write(self.numbers[obj.objgen], self.body(obj, obj.objgen in pages))

    def body(self, obj: Any, page: bool) -> bytes:
        import pikepdf

        if isinstance(obj, pikepdf.Stream):
            raw = obj.read_raw_bytes()
            head = self.clone(obj.stream_dict, top=True)
            head.Length = len(raw)
            return _refs(head.unparse()) + b"\nstream\n" + raw + b"\nendstream"
        copy = self.clone(obj, top=True, page=page)
        if page:
            copy.Parent = pikepdf.Name(f"/AsystaRef{self.pages_root}")
        return _refs(copy.unparse())

    def clone(self, value: Any, top: bool = False, page: bool = False) -> Any:
        """A direct copy with every indirect reference as a `/AsystaRefN` placeholder."""
        import pikepdf

        if not isinstance(value, pikepdf.Object):
            return value  # a number or a boolean
        if value.is_indirect and not top:
            return pikepdf.Name(f"/AsystaRef{self.number(value)}")
        if isinstance(value, pikepdf.Dictionary):
            copy = pikepdf.Dictionary()
            for key, item in value.items():
                if key in ("/BaseFont", "/FontName") and isinstance(item, pikepdf.Name):
                    copy[key] = pikepdf.Name(self.output.subset_name(str(item), self.renames))
                elif key != "/Parent" or not page:  # a page's parent is the new page tree
                    copy[key] = self.clone(item)
            return copy
        if isinstance(value, pikepdf.Array):
            return pikepdf.Array([self.clone(item) for item in value])
        return value


def _refs(body: bytes) -> bytes:
    return _REF.sub(rb"\1 0 R", body)


def concatenate(parts: Iterable[Path], handle: IO[bytes], meta: PdfMeta, outline: Outline,
                stamp: datetime) -> int:
    """Write the parts' pages, in order, as one PDF to `handle`; how many parts it took.
    The parts may come as they are made: `outline` is read only after the last one."""
    import pikepdf

    output = _Output(handle)
    catalog, pages_root = output.reserve(), output.reserve()
    kids: list[int] = []
    claim, intent, count = True, None, 0
    for index, path in enumerate(parts):
        count += 1
        with pikepdf.open(path, inherit_page_attributes=False) as pdf:
            part = _Part(output, pages_root)
            claim = claim and _claims_pdfa2(pdf)
            if index == 0 and claim:
                intent = _intent(pdf, part)
            keys = set()
            for page in pdf.pages:
                for key in _INHERITED:  # what a page takes from its page tree goes with it
                    if key not in page.obj and (value := inherited(page.obj, key)) is not None:
                        page.obj[key] = value
                kids.append(part.number(page.obj))
                keys.add(page.obj.objgen)
            part.flush(keys)
    claim = claim and count > 0
    output.write(pages_root, b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids)
                 + b"] /Count %d >>" % len(kids))
    entries = [b"/Type /Catalog /Pages %d 0 R" % pages_root, b"/Lang " + _text(LANG),
               b"/ViewerPreferences << /DisplayDocTitle true >>"]
    if outline:
        entries.append(b"/Outlines %d 0 R /PageMode /UseOutlines" % _outline(output, outline, kids))
    if claim and intent is not None:
        metadata = output.reserve()
        xmp = xmp_packet(meta, stamp)
        output.write(metadata, b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp)
                     + xmp + b"\nendstream")
        entries.append(b"/Metadata %d 0 R /OutputIntents [%d 0 R]" % (metadata, intent))
    output.write(catalog, b"<< " + b" ".join(entries) + b" >>")
    info = output.reserve()
    when = _text(pdf_date(stamp))
    output.write(info, b"<< /Title " + _text(meta.title) + b" /Subject " + _text(meta.subject)
                 + b" /Author " + _text(meta.author) + b" /Keywords " + _text(meta.keywords)
                 + b" /Creator " + _text(CREATOR) + b" /Producer " + _text(CREATOR)
                 + b" /CreationDate " + when + b" /ModDate " + when + b" >>")
    _trailer(output, catalog, info, meta)
    return count


def _claims_pdfa2(pdf: Any) -> bool:
    try:
        metadata = pdf.Root.get("/Metadata")
        text = metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""
    except Exception:  # a damaged metadata stream claims nothing
        return False
    claim = xmp_claim(text)
    return claim is not None and claim[0] == PDFA_PART


def _intent(pdf: Any, part: _Part) -> int | None:
    """The first part's output intent, copied (with its colour profile)."""
    intents = pdf.Root.get("/OutputIntents")
    if intents is None or not len(intents) or "/DestOutputProfile" not in intents[0]:
        return None
    first = intents[0]
    if first.is_indirect:
        return part.number(first)
    number = part.output.reserve()
    part.output.write(number, _refs(part.clone(first, top=True).unparse()))
    return number


def _outline(output: _Output, outline: Outline, kids: list[int]) -> int:
    """The bookmarks: level-1 items at the top, level-2 items under the last level-1 one."""
    root = output.reserve()
    tops: list[tuple[int, str, int, list[tuple[int, str, int]]]] = []
    for level, title, first in outline:
        if level == 1 or not tops:
            tops.append((output.reserve(), title, first, []))
        else:
            tops[-1][3].append((output.reserve(), title, first))
    for position, (number, title, first, children) in enumerate(tops):
        _item(output, number, title, first, kids, root, tops, position, children)
    output.write(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                 % (tops[0][0], tops[-1][0], len(tops)))
    return root


def _item(output: _Output, number: int, title: str, first: int, kids: list[int], root: int,
          siblings: list[Any], position: int, children: list[tuple[int, str, int]]) -> None:
    links = _siblings(siblings, position) + (
        b" /First %d 0 R /Last %d 0 R /Count %d" % (children[0][0], children[-1][0], len(children))
        if children else b"")
    output.write(number, b"<< /Title " + _text(title) + b" /Parent %d 0 R" % root + links
                 + b" /Dest [%d 0 R /Fit] >>" % kids[first])
    for place, (child, child_title, child_first) in enumerate(children):
        output.write(child, b"<< /Title " + _text(child_title) + b" /Parent %d 0 R" % number
                     + _siblings(children, place) + b" /Dest [%d 0 R /Fit] >>" % kids[child_first])


def _siblings(items: list[Any], position: int) -> bytes:
    links = b""
    if position:
        links += b" /Prev %d 0 R" % items[position - 1][0]
    if position + 1 < len(items):
        links += b" /Next %d 0 R" % items[position + 1][0]
    return links


def _text(value: str) -> bytes:
    import pikepdf

    return bytes(pikepdf.String(value).unparse())


def _trailer(output: _Output, catalog: int, info: int, meta: PdfMeta) -> None:
    handle = output.handle
    xref = handle.tell()
    size = output.count + 1
    handle.write(b"xref\n0 %d\n0000000000 65535 f\r\n" % size)
    for number in range(1, size):
        handle.write(b"%010d 00000 n\r\n" % output.offsets[number])
    digest = hashlib.md5(f"{meta.title}|{xref}|{size}".encode(), usedforsecurity=False).hexdigest()
    handle.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n"
                 % (size, catalog, info, digest.encode(), digest.encode()))
    handle.write(b"startxref\n%d\n%%%%EOF\n" % xref)

