"""Joined PDFs for the archive: the monthly reports of a whole centre (`join_versioned`,
streaming, `pipeline.pdf.concat`) and a family's case binder (`bind`, with qpdf through
pikepdf: a binder is small, its pages get numbers drawn over them).

Both get what `pdfa_joined.finish_joined` gives a joined file: /Lang, the title shown by the
viewer, the Info dictionary and — when every part is PDF/A-2 — PDF/A-2b's XMP and the
parts' output intent; no two different font subsets share a tag (ISO 32000-1, 9.6.4).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from io import BytesIO
from itertools import product
from pathlib import Path
from typing import Any

from pipeline.core.fsutil import FILE_MODE, fsync_dir
from pipeline.pdf.concat import Outline, concatenate
from pipeline.pdf.pdfa import CREATOR, LANG, PDFA_PART, PdfMeta, pdf_date, xmp_claim, xmp_packet


def join_versioned(parts: Iterable[Path], folder: Path, stem: str, meta: PdfMeta,
                   outline: Outline, now: datetime | None = None) -> Path | None:
    """Join `parts` into `folder/<stem>.pdf`, or `_v2`, `_v3`… when that name is taken:
    a second run never replaces the first. Owner-only, written through a temporary file;
    None (nothing written) when there were no parts. The parts may come as they are made
    (`outline` is read after the last one)."""
    with tempfile.TemporaryDirectory(prefix=f".laczenie-{os.getpid()}-", dir=folder) as work:
        joined = Path(work) / "razem.pdf"
        if not join(parts, joined, meta, outline, now):
            return None
        return _place(joined, folder, stem)


def join(parts: Iterable[Path], out: Path, meta: PdfMeta, outline: Outline,
         now: datetime | None = None) -> int:
    """Write the parts' pages, in order, to `out` with bookmarks and the document entries,
    one part in memory at a time (`pipeline.pdf.concat`); how many parts it took."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with open(out, "wb") as handle:
        return concatenate(parts, handle, meta, outline, stamp)


def bind(front: bytes, documents: list[Path | bytes], numbers: bytes, outline: Outline,
         links: list[tuple[int, tuple[float, float, float, float], int]], meta: PdfMeta,
         now: datetime | None = None) -> bytes:
    """A case binder: the `front` pages (cover, contents), then every page of `documents`,
    each with its page of `numbers` drawn over it (its own content wrapped in q … Q, never
    rewritten); bookmarks, the contents' links (page index, rectangle, target page) and
    the document entries as `join` gives them. A document given as bytes is asysta's own
    page, like the front (a signature's printed verification note). PDF/A-2b when every
    document file is."""
    import pikepdf

    files = [document for document in documents if isinstance(document, Path)]
    claim = all(_is_pdfa2(document) for document in files)
    with pikepdf.open(BytesIO(front)) as pdf, pikepdf.open(BytesIO(numbers)) as stamps, \
            contextlib.ExitStack() as stack:
        first = len(pdf.pages)
        for document in documents:
            source = document if isinstance(document, Path) else BytesIO(document)
            pdf.pages.extend(stack.enter_context(pikepdf.open(source)).pages)
        for index, stamp in enumerate(stamps.pages):
            page = pdf.pages[first + index]
            page.add_overlay(pdf.copy_foreign(stamp.as_form_xobject()), pikepdf.Rectangle(page.cropbox))
        for index, rect, target in links:
            _link(pdf, index, rect, target)
        _bookmarks(pdf, outline)
        intent = stack.enter_context(pikepdf.open(files[0])) if claim and files else None
        _finish(pdf, meta, intent, (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0))
        _distinct_subset_tags(pdf)
        out = BytesIO()
        pdf.save(out, min_version="1.7", fix_metadata_version=False)
        return out.getvalue()


def _link(pdf: Any, index: int, rect: tuple[float, float, float, float], target: int) -> None:
    """A printable link (PDF/A wants every annotation so) to a page of the same file."""
    import pikepdf

    link = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=list(rect), F=4,
        Border=[0, 0, 0], Dest=[pdf.pages[target].obj, pikepdf.Name.Fit]))
    page = pdf.pages[index].obj
    if "/Annots" not in page:
        page.Annots = pdf.make_indirect(pikepdf.Array())
    page.Annots.append(link)


def page_count(path: Path) -> int:
    """The number of pages of a PDF (qpdf: cheaper than a full parse); ValueError when it
    cannot be read."""
    import pikepdf

    try:
        with pikepdf.open(path, inherit_page_attributes=False) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError as exc:
        raise ValueError("unreadable PDF") from exc


def _is_pdfa2(path: Path) -> bool:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            metadata = pdf.Root.get("/Metadata")
            text = metadata.read_bytes().decode("utf-8", "replace") if metadata is not None else ""
    except Exception:  # a damaged part claims nothing
        return False
    claim = xmp_claim(text)
    return claim is not None and claim[0] == PDFA_PART


def _bookmarks(pdf: Any, outline: Outline) -> None:
    import pikepdf

    with pdf.open_outline() as tree:
        parent: Any = None
        for level, title, first in outline:
            item = pikepdf.OutlineItem(title, first)
            if level == 1 or parent is None:
                tree.root.append(item)
                parent = item
            else:
                parent.children.append(item)
    pdf.Root.PageMode = pikepdf.Name.UseOutlines


def _finish(pdf: Any, meta: PdfMeta, intent_source: Any, stamp: datetime) -> None:
    """/Lang, the title in the window, Info, and PDF/A-2b's XMP and output intent when the
    parts' first file (every part being PDF/A-2) gives the intent."""
    import pikepdf

    pdf.Root.Lang = pikepdf.String(LANG)
    pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    for key in ("/Metadata", "/OutputIntents"):
        if key in pdf.Root:
            del pdf.Root[key]
    if intent_source is not None:
        intents = intent_source.Root.get("/OutputIntents")
        if intents is not None and len(intents) and "/DestOutputProfile" in intents[0]:
            pdf.Root.OutputIntents = pikepdf.Array([pdf.copy_foreign(intents[0])])
            pdf.Root.Metadata = pdf.make_stream(xmp_packet(meta, stamp), Type=pikepdf.Name.Metadata,
                                                Subtype=pikepdf.Name.XML)
    when = pdf_date(stamp)
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary({
        "/Title": pikepdf.String(meta.title), "/Subject": pikepdf.String(meta.subject),
        "/Author": pikepdf.String(meta.author), "/Keywords": pikepdf.String(meta.keywords),
        "/Creator": pikepdf.String(CREATOR), "/Producer": pikepdf.String(CREATOR),
        "/CreationDate": pikepdf.String(when), "/ModDate": pikepdf.String(when)}))


_SUBSET = re.compile(r"^/([A-Z]{6})\+(.*)$")


def _distinct_subset_tags(pdf: Any) -> None:
    """Every part names its subsets BAAAAA+…, CAAAAA+…: each font object after the first
    with a name gets a fresh tag (its descriptor's /FontName too)."""
    renamer = _Renamer()
    for page in pdf.pages:
        renamer.resources(page.obj.get("/Resources"))


class _Renamer:
    def __init__(self) -> None:
        self.owners: dict[str, tuple[int, int]] = {}  # a subset's name → the font that keeps it
        self.seen: set[tuple[int, int]] = set()
        self.fresh = ("".join(letters) for letters in product("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                                               repeat=6))

    def first_visit(self, obj: Any) -> bool:
        if obj.is_indirect:
            if obj.objgen in self.seen:
                return False
            self.seen.add(obj.objgen)
        return True

    def font(self, obj: Any) -> None:
        import pikepdf

        if not obj.is_indirect or not self.first_visit(obj):
            return
        for descendant in obj.get("/DescendantFonts") or []:
            self.font(descendant)
        match = _SUBSET.match(str(obj.get("/BaseFont", "")))
        if match is None or self.owners.setdefault(str(obj.BaseFont), obj.objgen) == obj.objgen:
            return
        name = next(n for n in (f"/{t}+{match.group(2)}" for t in self.fresh)
                    if n not in self.owners)
        self.owners[name] = obj.objgen
        obj.BaseFont = pikepdf.Name(name)
        if "/FontDescriptor" in obj:
            obj.FontDescriptor.FontName = pikepdf.Name(name)

    def resources(self, res: Any, depth: int = 0) -> None:
        if res is None or depth > 3 or not self.first_visit(res):
            return
        for ref in (res.get("/Font") or {}).values():
            self.font(ref)
        for xobject in (res.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                self.resources(xobject.get("/Resources"), depth + 1)


def _place(source: Path, folder: Path, stem: str) -> Path:
    """`source` under the first free name of `stem`, `stem_v2`…, durably and owner-only."""
    os.chmod(source, FILE_MODE)
    with open(source, "rb") as handle:
        os.fsync(handle.fileno())
    version = 1
    while True:
        path = folder / (f"{stem}.pdf" if version == 1 else f"{stem}_v{version}.pdf")
        try:
            _link_or_copy(source, path)  # never replaces an existing file
        except FileExistsError:
            version += 1
            continue
        fsync_dir(folder)
        return path


def _link_or_copy(source: Path, path: Path) -> None:
    """A hard link; a copy where the file system has none (FileExistsError when taken)."""
    try:
        os.link(source, path)
        return
    except FileExistsError:
        raise
    except OSError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
