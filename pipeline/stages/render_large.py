"""A large document's body rendered in pieces: the kierownik's summary of a big centre
(thousands of table rows) never sits in memory whole, as text nor as a tree.

`render.py` renders a body whole while its text stays under LARGE; beyond that, what
jinja produces is cut into runs of complete top-level elements of the body (paragraphs,
tables), each run goes through the same steps the whole body would (docxtpl's newline and
listing fixes, its table fix, drawing ids, Polish as the language) and is serialised as it
would be inside the whole document, so the bytes are those of the whole-body path
(tests/test_render.py compares the two).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from docx.opc.oxml import serialize_part_xml
from docx.oxml.ns import nsmap, qn
from lxml import etree

from pipeline.pdf import pdfa

LARGE = 128 << 10  # characters of rendered body text beyond which it is rendered in pieces
PIECE = 64 << 10  # characters of complete elements processed at a time

# a start, end or empty tag (comments and processing instructions do not occur in a body)
_TAG = re.compile(r"<(/?)[A-Za-z_][^>]*?(/?)>")
_MARK = "asysta-body"
_BODY = qn("w:body")


class Body:
    """The steps the whole body goes through, applied to one run of its elements."""

    def __init__(self, fix_text: Callable[[str], str], fix_tables: Callable[[str], Any],
                 shell: Any, polish: bool) -> None:
        self.fix_text, self.fix_tables, self.polish = fix_text, fix_tables, polish
        self.shell = shell  # the document element with an empty body
        self.drawings = 1001  # as docxtpl numbers them: unique drawing ids from 1001

    def tree(self, xml: str) -> Any:
        """The body element of this text, fixed as the whole body would be."""
        body = self.fix_tables(self.fix_text(xml))
        for element in body.xpath("//wp:docPr", namespaces=nsmap):
            element.attrib["id"] = str(self.drawings)
            self.drawings += 1
        if self.polish:
            pdfa.polish_tree(body)
        return body

    def document(self, body: Any) -> bytes:
        """document.xml around this body element (serialised as the whole path does)."""
        root = copy.deepcopy(self.shell)
        root.replace(root.find(_BODY), body)
        return serialize_part_xml(root)


def pieces(first: str, rest: Iterable[str], steps: Body) -> Iterator[bytes]:
    """document.xml of a body whose rendered text starts with `first` (at least its start
    tag) and goes on with `rest`, in pieces of complete top-level elements."""
    start = first.index(">") + 1  # the body's start tag, with its namespaces
    head = first[:start]
    empty = etree.fromstring(f"{head}</w:body>".encode())
    empty.text = _MARK
    before, after = steps.document(empty).split(_MARK.encode())
    yield before
    buffer, depth, scanned, cut = first, 0, 0, start
    for text in _joined(rest):
        buffer += text
        for tag in _TAG.finditer(buffer, scanned):
            if tag.group(1):
                depth -= 1
            elif not tag.group(2):
                depth += 1
            if depth == 1 and (tag.group(1) or tag.group(2)):
                cut = tag.end()  # a top-level element is complete here
            scanned = tag.end()
        if depth == 0:  # the body's end tag: the rest is complete
            cut = buffer.rindex("</w:body>")
        if cut - start >= PIECE or depth == 0:
            yield _children(steps, head + buffer[start:cut] + "</w:body>")
            buffer, scanned = head + buffer[cut:], scanned - cut + start
            cut = start
    if depth:
        raise ValueError("the rendered body is not complete")  # as lxml would refuse it
    yield after


def _joined(texts: Iterable[str]) -> Iterator[str]:
    """jinja's many small pieces of text as fewer larger ones (the last one possibly
    empty), so that the scan for tags runs a few times per PIECE."""
    pending: list[str] = []
    size = 0
    for text in texts:
        pending.append(text)
        size += len(text)
        if size >= PIECE // 4:
            yield "".join(pending)
            pending, size = [], 0
    yield "".join(pending)


def _children(steps: Body, xml: str) -> bytes:
    """The serialised children of a body run: the body element's own tags cut away."""
    text = etree.tostring(steps.tree(xml), encoding="UTF-8")
    opened = text.index(b">") + 1
    if text[opened - 2:opened] == b"/>":  # nothing in this run
        return b""
    return text[opened:text.rindex(b"</w:body>")]
