"""Render: a validated form into its attachment's DOCX, through docxtpl.

Autoescape is on and undefined variables are errors, so a value prints exactly
as it was typed (`<`, `&`, `{{ … }}` included) and a template that names a
field the form does not have fails loudly instead of printing nothing.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docx.opc.exceptions import OpcError
from docx.opc.oxml import serialize_part_xml
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template, TemplateError, TemplateSyntaxError
from lxml import etree

from pipeline.core.config import Osrodek, Settings
from pipeline.core.errors import RenderError, TemplateFault
from pipeline.core.models import FormData, RenderedDocument
from pipeline.core.polish import display, in_words, person
from pipeline.core.polish import pl_count as pl_count  # process.py calls render.pl_count
from pipeline.pdf import pdfa
from pipeline.sprawa.schemas import HEADER_FIELDS, Schema, file_stem, form_kinds, package_data
from pipeline.stages import render_large, tag_places, tags


def complete(values: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Give every field the template may print a value: absent optional fields become empty."""
    out = dict(values)
    for key, rules in schema.items():
        kind = rules.get("type")
        inner = rules.get("schema")
        if key not in out or out[key] is None:
            out[key] = [] if kind == "list" else ({} if kind == "dict" else out.get(key))
        if kind == "dict" and isinstance(inner, dict) and isinstance(out[key], dict):
            out[key] = complete(out[key], inner)
        elif kind == "list" and isinstance(inner, dict) and inner.get("type") == "dict":
            row_schema = inner.get("schema", {})
            out[key] = [complete(row, row_schema) if isinstance(row, dict) else row
                        for row in out[key]]
    return out


class LiteralTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl turns `{_{` into `{{` after rendering (its escape for literal tags);
    our templates never use that escape, and doing it on rendered values would
    change what a person typed, so it is left out."""

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        return self.fix_text("".join(self.render_pieces(src_xml, part, context, jinja_env)))

    def render_pieces(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None
                      ) -> Iterator[str]:
        """The part's text as jinja makes it, in pieces (`fix_text` comes after)."""
        self.current_rendering_part = part
        compiled = _compiled(src_xml) if jinja_env is _ENV else \
            jinja_env.from_string(tag_places.numbered(src_xml))
        try:
            for piece in compiled.generate(context):
                yield piece
                # a large body is resumed after the headers were rendered: its part again
                self.current_rendering_part = part
        except Exception as exc:  # anything jinja, a filter or a value's method raises
            part = tag_places.Part(getattr(part, "partname", "/word/document.xml").lstrip("/"),
                                   tag_places.numbered(src_xml))
            raise _fault(Path(self.template_file).name, part, exc, tag_places.runtime_line(exc)) from None

    def fix_text(self, xml: str) -> str:
        """docxtpl's steps after jinja: the newlines its paragraph tags leave, listings."""
        return _listing(self, _NEWLINE_PARAGRAPH.sub(r"<w:p\1", xml))


_NEWLINE_PARAGRAPH = re.compile(r"\n<w:p([ >])")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # as docxtpl's resolve_listing
_LISTING = re.compile("[\t\a\n\f]")


def _listing(template: DocxTemplate, xml: str) -> str:
    """docxtpl's `resolve_listing` (tabs, line and page breaks typed in a value), run only
    on the paragraphs that hold such a character: on the others it changes nothing, and
    it is the slowest step of a render."""
    return _PARAGRAPH.sub(lambda m: str(template.resolve_listing(m.group(0)))
                          if _LISTING.search(m.group(0)) else m.group(0), xml)
_ENV: Environment | None = None


def jinja_env() -> Environment:
    """The one rendering environment: autoescape on, undefined variables are errors."""
    global _ENV
    if _ENV is None:
        _ENV = Environment(undefined=StrictUndefined, autoescape=True)
        _ENV.filters["pl"] = display
        _ENV.filters["slownie"] = in_words  # a date in a sentence: „9 stycznia 2026 r.”
        _ENV.filters["osoba"] = person  # a name whose words never part at a line end
        _ENV.filters["odmiana"] = pl_count  # {{ n|odmiana('wizytę', 'wizyty', 'wizyt') }}
    return _ENV


@functools.lru_cache(maxsize=128)
def _compiled(src_xml: str) -> Template:
    """A template part compiled once: a batch renders the same template many times."""
    return jinja_env().from_string(tag_places.numbered(src_xml))


class _Prepared:
    """A DOCX template made ready once for many renders.

    docxtpl re-opens the package, re-patches the XML of every part and re-writes
    every part (styles included) on each render; a batch of a thousand reports
    spends most of its Python time there. Here docxtpl's own patching is done
    once, and a render runs only the compiled jinja templates of the body,
    headers and footers (through docxtpl's listing and table fixes, as docxtpl
    does) and appends those parts to a copy of the template's untouched parts.
    Templates with jinja in their properties or footnotes take docxtpl's full path.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.template = LiteralTemplate(str(path))
        docx = self.template.get_docx()
        self.parts: list[tuple[str, str, str]] = []  # (zip entry, patched xml, encoding)
        self.body = self.template.patch_xml(self.template.get_xml())
        self.shell = copy.deepcopy(docx.element)  # the document without its body's content
        self.shell.find(_BODY).clear()
        for uri in (DocxTemplate.HEADER_URI, DocxTemplate.FOOTER_URI):
            for _, part in self.template.get_headers_footers(uri):
                xml = self.template.get_part_xml(part)
                self.parts.append((part.partname.lstrip("/"), self.template.patch_xml(xml),
                                   self.template.get_headers_footers_encoding(xml)))
        props = docx.core_properties
        self.full_path_only = any(_has_tags(getattr(props, name) or "") for name in _PROPERTIES) or any(
            p.content_type == _FOOTNOTES and _has_tags(p.blob.decode("utf-8", "replace"))
            for p in docx.part.package.parts)
        rendered = {"word/document.xml", *(name for name, _, _ in self.parts)}
        with zipfile.ZipFile(path) as source:
            self.stamp = source.getinfo("word/document.xml").date_time
            self.static = [(info, source.read(info)) for info in source.infolist()
                           if info.filename not in rendered]  # what every render copies
        self.base = _package(self.static)
        self._described: bytes | None = None
        for entry, xml in self.sources():
            try:
                _compiled(xml)  # a tag error shows now, and the first render does not compile
            except TemplateError as exc:
                part = tag_places.Part(entry, tag_places.numbered(xml))
                raise _fault(path.name, part, exc, *tag_places.syntax_error_at(part, exc)) from None
        self.template.docx = None  # the parsed package is not needed again; its memory is freed

    def sources(self) -> list[tuple[str, str]]:
        """(zip entry, patched xml) of every part that is rendered."""
        return [("word/document.xml", self.body), *((name, xml) for name, xml, _ in self.parts)]

    def described_base(self) -> bytes:
        """The untouched parts as a described DOCX has them (`pdfa.describe_docx`: Polish
        runs and styles), made once; the core properties come with each render."""
        if self._described is None:
            parts = pdfa.described_parts({info.filename: data for info, data in self.static})
            self._described = _package([(info, parts[info.filename]) for info, _ in self.static
                                        if info.filename in parts])
        return self._described

    def render(self, context: dict[str, Any], out: Path, meta: pdfa.PdfMeta | None = None) -> None:
        """The DOCX of `context`; with `meta`, described as `pdfa.describe_docx` would (its
        core properties, Polish as the language) in the same pass."""
        if self.full_path_only:
            document = LiteralTemplate(str(self.path))
            document.render(context, jinja_env=jinja_env(), autoescape=True)
            document.save(str(out))
            if meta is not None:
                pdfa.describe_docx(out, meta)
            return
        env = jinja_env()
        steps = render_large.Body(self.template.fix_text, self.template.fix_tables, self.shell,
                                  polish=meta is not None)
        texts = self.template.render_pieces(self.body, None, context, env)
        first: list[str] = []
        size = 0
        for text in texts:  # a large body (thousands of rows) is made in pieces
            first.append(text)
            size += len(text)
            if size > render_large.LARGE:
                break
        main: bytes | Iterator[bytes] = (
            render_large.pieces("".join(first), texts, steps) if size > render_large.LARGE
            else steps.document(steps.tree("".join(first))))
        trees = []
        for name, xml, encoding in self.parts:
            text = self.template.render_xml_part(xml, _Entry("/" + name), context, env)
            trees.append((name, parse_xml(text.encode(encoding))))
        if meta is not None:
            for _, tree in trees:
                pdfa.polish_tree(tree)
        rendered = [(name, serialize_part_xml(tree)) for name, tree in trees]
        if meta is not None:
            old = next((data for info, data in self.static if info.filename == pdfa.CORE_PART), None)
            rendered.append((pdfa.CORE_PART, pdfa.core_properties(meta, old)))
        buffer = io.BytesIO(self.base if meta is None else self.described_base())
        buffer.seek(0, io.SEEK_END)
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:
            for name, data in [("word/document.xml", main), *rendered]:
                entry = zipfile.ZipInfo(name, self.stamp)  # a fixed date: the same bytes
                entry.external_attr = 0o600 << 16  # as zipfile's own writestr(name)
                entry.compress_type = zipfile.ZIP_DEFLATED
                with package.open(entry, "w") as part:
                    for piece in (data,) if isinstance(data, bytes) else data:
                        part.write(piece)
        out.write_bytes(buffer.getvalue())


def _package(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """A ZIP of these parts, each as its entry says (name, date, compression)."""
    base = io.BytesIO()
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info, data, compress_type=info.compress_type)
    return base.getvalue()


_BODY = qn("w:body")
# what a damaged or foreign file raises on its way through python-docx and lxml
_TEMPLATE_FAILURES = (OSError, KeyError, ValueError, zipfile.BadZipFile, OpcError, etree.LxmlError)
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")  # as docxtpl
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


@dataclasses.dataclass(frozen=True)
class _Entry:
    """Which part is being rendered, for an error's message (docxtpl passes the part)."""

    partname: str


def _fault(name: str, part: tag_places.Part, exc: BaseException, lineno: int | None,
           needle: str = "") -> TemplateFault:
    """A tag error as the administrator sees it in Word: what, and in which paragraph."""
    what = "ma błąd w znacznikach" if isinstance(exc, TemplateSyntaxError) else \
        "nie daje się wypełnić"
    return TemplateFault(name, [
        f"szablon {name} {what}: {tag_places.reason(exc, jinja_env().filters, needle)}"
        f"{tag_places.where(part, lineno, needle, cut=True)} – popraw go w Wordzie/LibreOffice"])


def _has_tags(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


@functools.lru_cache(maxsize=32)
def _prepared_at(path: Path, mtime_ns: int, size: int) -> _Prepared:
    return _Prepared(path)


def prepared(template: Path) -> _Prepared:
    """The prepared template, made again when the file changes (a centre edits its own)."""
    stat = template.stat()
    return _prepared_at(template, stat.st_mtime_ns, stat.st_size)


def prepare_all(settings: Settings) -> None:
    """Prepare every attachment's template ahead, so that the first form of each kind a
    watcher sees does not wait for it; a template that fails here fails again, with its
    explanation, when a form needs it."""
    for n in [*range(1, 17), *form_kinds(settings.foldery.formularze)]:
        with contextlib.suppress(TemplateFault, *_TEMPLATE_FAILURES):
            prepared(template_path(n, settings))


def template_path(n: int | str, settings: Settings) -> Path:
    """The template of an attachment (a number) or of a document kind (a name)."""
    return named_template(f"{file_stem(n)}.docx", settings)


def context_for(form: FormData, settings: Settings) -> dict[str, Any]:
    values = complete(dict(form.values), form.schema.cerberus)
    return {**values, "osrodek": dataclasses.asdict(settings.osrodek)}


def render_docx(template: Path, context: dict[str, Any], out: Path,
                meta: pdfa.PdfMeta | None = None) -> None:
    """Fill a DOCX template (with `meta`: described for its PDF, `pdfa.describe_docx`); a
    template problem is a TemplateFault naming the template and the paragraph of the faulty
    tag."""
    try:
        document = prepared(template)
    except _TEMPLATE_FAILURES:
        raise TemplateFault(template.name, [
            f"nie można użyć szablonu {template.name} – plik jest uszkodzony albo to nie jest "
            "dokument Word (.docx)"]) from None
    try:
        document.render(context, out, meta)
    except TemplateFault:
        raise
    except OSError as exc:
        raise RenderError(f"nie można zapisać dokumentu ({exc.strerror})") from None
    except _TEMPLATE_FAILURES as exc:  # a part whose rendered XML does not parse
        raise TemplateFault(template.name, [
            f"{template.name}: po wypełnieniu dokument nie jest poprawnym plikiem Word "
            f"(znacznik w środku elementu Worda, np. pola albo hiperłącza; {type(exc).__name__})"
        ]) from None


def named_template(name: str, settings: Settings) -> Path:
    """A template by file name: the centre's own folder first, then the shipped one."""
    override = settings.foldery.szablony
    if override is not None and (override / name).is_file():
        return override / name
    return package_data("zalaczniki_templates") / name


def render(form: FormData, settings: Settings, out: Path) -> RenderedDocument:
    """Write the form's DOCX to `out`, described for its PDF (`pdfa.document_meta`); a
    template that no longer fits its schema (edited while a watcher runs) is a TemplateFault,
    never a document with data left out."""
    template = template_path(form.schema.ident, settings)
    errors = review_template(template, form.schema)[0]
    if errors:
        raise TemplateFault(template.name, errors)
    render_docx(template, context_for(form, settings), out,
                pdfa.document_meta(form, settings.osrodek))
    return RenderedDocument(form, out)


def context_schema(schema: Schema) -> dict[str, Any]:
    """What a template's context holds, as a schema: the form's fields and the centre."""
    centre = {f.name: {"type": "string", "required": True} for f in dataclasses.fields(Osrodek)}
    return {**schema.cerberus, "osrodek": {"type": "dict", "required": True, "schema": centre}}


def review_template(template: Path, schema: Schema) -> tuple[list[str], list[str]]:
    """(errors, warnings) of a template against its schema, in Polish (see tags.review).
    A template that cannot be prepared gives its tag error as the one error."""
    try:
        stat = template.stat()
        source = schema.source.stat()
    except OSError:
        return [f"brak szablonu {template}"], []
    return _review(template, stat.st_mtime_ns, stat.st_size, schema, source.st_mtime_ns)


_REVIEWS: dict[tuple[Any, ...], tuple[list[str], list[str]]] = {}


def _review(template: Path, mtime_ns: int, size: int, schema: Schema,
            schema_mtime_ns: int) -> tuple[list[str], list[str]]:
    key = (template, mtime_ns, size, schema.source, schema_mtime_ns)
    if key not in _REVIEWS:
        try:
            document = prepared(template)
            parts = [tag_places.Part(entry, tag_places.numbered(xml)) for entry, xml in document.sources()]
            printable = [p for p in tags.fields(schema.pola) if p] + [
                (k,) for k in HEADER_FIELDS if k != "zalacznik"]
            result = tags.review(template.name, parts, context_schema(schema), printable, jinja_env())
        except TemplateFault as exc:
            result = (exc.problems, [])
        except _TEMPLATE_FAILURES as exc:
            result = ([f"szablon {template.name} jest uszkodzony albo to nie jest dokument Word "
                       f"(.docx) ({type(exc).__name__})"], [])
        if len(_REVIEWS) > 256:
            _REVIEWS.clear()
        _REVIEWS[key] = result
    return _REVIEWS[key]
