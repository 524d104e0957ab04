"""Small helpers for PDFs: reading with pypdf quietly, overlays, incremental updates."""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # pypdf is imported where a page is read with it, not by the joins on pikepdf
    from pypdf import PageObject
    from pypdf.generic import DecodedStreamObject, RectangleObject


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs its repairs of damaged files ("EOF marker not found"); staff get one Polish
    sentence instead, so those lines are kept off the console."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def overlay_form(box: RectangleObject, content: bytes, resources: Any) -> DecodedStreamObject:
    """A Form XObject of a page's size holding an overlay (a stamp, a code) drawn over the
    page with `/Name Do`; the page's own content is left as it is."""
    from pypdf.generic import ArrayObject, DecodedStreamObject, FloatObject, NameObject

    form = DecodedStreamObject()
    form.set_data(content)
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(0), FloatObject(0),
                                          FloatObject(box.width), FloatObject(box.height)]),
        NameObject("/Matrix"): ArrayObject([FloatObject(v) for v in
                                            (1, 0, 0, 1, box.left, box.bottom)]),
        NameObject("/Resources"): resources,
    })
    return form


def update_section(data: bytes, numbered: list[tuple[int, bytes]], trailer: bytes) -> bytes:
    """An incremental update section appended to `data`: the objects (number, serialized
    body), a classic xref table, the trailer dictionary (which names /Prev)."""
    out = io.BytesIO()
    base = len(data) + (0 if data.endswith(b"\n") else 1)
    if not data.endswith(b"\n"):
        out.write(b"\n")
    offsets: dict[int, int] = {}
    for number, body in sorted(numbered, key=lambda item: item[0]):
        offsets[number] = base + out.tell()
        out.write(b"%d 0 obj\n" % number)
        out.write(body)
        out.write(b"\nendobj\n")
    xref = base + out.tell()
    # the free list's head first, as Acrobat writes updates (readers guess less)
    out.write(b"xref\n0 1\n0000000000 65535 f\r\n")
    runs: list[list[int]] = []
    for number in sorted(offsets):
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        out.write(b"%d %d\n" % (run[0], len(run)))
        for number in run:
            out.write(b"%010d 00000 n\r\n" % offsets[number])
    out.write(b"trailer\n")
    out.write(trailer)
    out.write(b"\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def startxref(data: bytes) -> int:
    """The offset of the last cross-reference section; ValueError unless it is a classic
    table (a classic update section may not follow an xref stream, ISO 32000-1, 7.5.8)."""
    at = data.rfind(b"startxref")
    match = re.match(rb"startxref\s+(\d+)", data[at:])
    if at < 0 or not match:
        raise ValueError("no startxref")
    offset = int(match.group(1))
    if not data[offset:offset + 4] == b"xref":
        raise ValueError("cross-reference stream")
    return offset


def content_bytes(page: PageObject) -> bytes:
    """A page's content, decoded (the stamp's tiny page: cheaper than a parsed ContentStream)."""
    from pypdf.generic import ArrayObject, StreamObject

    if "/Contents" not in page:
        return b""
    value = page["/Contents"].get_object()
    parts: list[Any] = list(value) if isinstance(value, ArrayObject) else [value]
    return b"\n".join(cast(StreamObject, part.get_object()).get_data() for part in parts)


def inherited(node: Any, key: str) -> Any:
    """A page attribute, from the page or the nearest page-tree node above it (pikepdf objects)."""
    for _ in range(64):
        if key in node:
            return node[key]
        if "/Parent" not in node:
            return None
        node = node.Parent
    return None
