"""Small helpers for reading PDFs with pypdf, shared by the forms and the case binder."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any, cast

from pypdf import PageObject
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    FloatObject,
    NameObject,
    RectangleObject,
    StreamObject,
)


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


def content_bytes(page: PageObject) -> bytes:
    """A page's content, decoded (the stamp's tiny page: cheaper than a parsed ContentStream)."""
    if "/Contents" not in page:
        return b""
    value = page["/Contents"].get_object()
    parts: list[Any] = list(value) if isinstance(value, ArrayObject) else [value]
    return b"\n".join(cast(StreamObject, part.get_object()).get_data() for part in parts)
