"""`build_form`: an attachment's schema as a fillable PDF form (AcroForm).

Puts the layout's pages, the fonts and the fields into one PDF through `pdfobj.Writer`;
the same schema and values give the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pipeline import __version__
from pipeline.core.config import Settings
from pipeline.pdf.fonts import font_paths
from pipeline.sprawa.schemas import load_schema

from .embed import FIELD_FONT, field_font_object, load_font, text_font_object
from .fields import FIELD_SIZE, widget_object
from .layout import PAGE_H, PAGE_W, Layout, Run
from .pdfobj import Name, Ref, Stream, Writer, fnum
from .spec import MARKER_KEY, marker


def _show(run: Run, gids: Mapping[str, int]) -> str:
    glyphs = "".join(f"{gids.get(c, gids.get('?', 0)):04X}" for c in run.text)
    return (f"BT /{'B' if run.bold else 'R'} {fnum(run.size)} Tf "
            f"{fnum(run.gray)} g 1 0 0 1 {fnum(run.x)} "
            f"{fnum(run.baseline)} Tm <{glyphs}> Tj ET")


def build_form(n: int, settings: Settings, *, values: Mapping[str, Any] | None = None,
               rows: int | None = None) -> bytes:
    """The fillable PDF form of attachment `n`, optionally with values already filled in."""
    schema = load_schema(n, settings.foldery.formularze)
    regular_path, bold_path = font_paths()
    regular, bold = load_font(regular_path), load_font(bold_path)
    layout = Layout(schema, settings.osrodek, regular, bold, values or {}, rows)
    layout.header()
    layout.body()  # the closing words are in the header: no last page without fields
    layout.footers()

    writer = Writer()
    field_font = field_font_object(writer, regular)
    runs = [op for page in layout.pages for op in page.ops if isinstance(op, Run)]
    text_fonts = {
        is_bold: text_font_object(
            writer, bold if is_bold else regular,
            frozenset("?" + "".join(r.text for r in runs if r.bold == is_bold)))
        for is_bold in (False, True)
    }
    zadb = writer.add({"Type": Name("Font"), "Subtype": Name("Type1"),
                       "BaseFont": Name("ZapfDingbats")})
    pages_ref = writer.reserve()
    page_refs: list[Ref] = []
    fields: list[Ref] = []
    for page in layout.pages:
        page_ref = writer.reserve()
        annots = [widget_object(writer, w, page_ref, regular, field_font) for w in page.widgets]
        fields += annots
        ops = [_show(op, text_fonts[op.bold][1]) if isinstance(op, Run) else op
               for op in page.ops]
        contents = writer.add(Stream("\n".join(ops).encode("ascii")))
        writer.put(page_ref, {
            "Type": Name("Page"), "Parent": pages_ref, "MediaBox": [0, 0, PAGE_W, PAGE_H],
            "Resources": {"Font": {"R": text_fonts[False][0], "B": text_fonts[True][0]}},
            "Contents": contents, "Annots": annots,
        })
        page_refs.append(page_ref)
    writer.put(pages_ref, {"Type": Name("Pages"), "Kids": page_refs, "Count": len(page_refs)})
    root = writer.add({
        "Type": Name("Catalog"), "Pages": pages_ref, "Lang": "pl-PL",
        "ViewerPreferences": {"DisplayDocTitle": True},
        "AcroForm": {
            "Fields": fields,
            "DR": {"Font": {FIELD_FONT: field_font, "ZaDb": zadb}},
            "DA": f"/{FIELD_FONT} {fnum(FIELD_SIZE)} Tf 0 g",
        },
        MARKER_KEY: marker(schema),
    })
    info = writer.add({
        "Title": f"Załącznik nr {n}: {schema.tytul} – formularz",
        "Subject": marker(schema), "Creator": "asysta", "Producer": f"asysta {__version__}",
    })
    return writer.tobytes(root, info)
