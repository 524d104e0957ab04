"""A centre's own template for attachment 2, written the way Word writes one.

Word keeps a tag typed by a person in several runs: it splits where the typing
paused or the spelling checker marked a word (`<w:proofErr>`), keeps the
revision ids (`w:rsidR`) and language of each run, and a `_GoBack` bookmark.
The fixture tests/samples/wlasny_szablon_zal02.docx is made by this module, so
that the tests read a stored Word-like file; run it to make the file again:

    .venv/bin/python tests/own_template.py
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt

FIXTURE = Path(__file__).parent / "samples" / "wlasny_szablon_zal02.docx"

SPELL = object()  # marks the next piece as a word the spelling checker underlined
_RPR = '<w:rPr><w:lang w:val="pl-PL"/></w:rPr>'


def _run(text: str, rsid: str) -> str:
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<w:r w:rsidR="{rsid}">{_RPR}<w:t{space}>{escape(text)}</w:t></w:r>'


def word_paragraph(*pieces: object, changes: dict[str, str] | None = None) -> str:
    """A paragraph whose text is the pieces, each in its own run, as Word leaves it;
    `changes` replaces whole pieces (a variant of the template, split the same way)."""
    runs: list[str] = []
    spell = False
    for i, piece in enumerate(pieces):
        if piece is SPELL:
            spell = True
            continue
        rsid = f"00{(i * 7919) % 0xFFFFFF:06X}"
        run = _run((changes or {}).get(str(piece), str(piece)), rsid)
        if spell:
            run = f'<w:proofErr w:type="spellStart"/>{run}<w:proofErr w:type="spellEnd"/>'
            spell = False
        runs.append(run)
    return (f'<w:p {nsdecls("w")} w:rsidR="00B71C2E" w:rsidRDefault="00B71C2E">'
            + "".join(runs) + "</w:p>")


# What a person typed in Word, paragraph by paragraph, and how Word split it into runs.
BODY = [
    ("Protokół przekazania dokumentów asystentowi rodziny",),
    ("Sprawa nr ", "{{", " ", SPELL, "rodzina", " }}", " z dnia ", "{", "{ data|pl }}"),
    ("Dokumenty przekazuje ", "{{ pracownik_", SPELL, "socjalny", "|pl }}", ", przyjmuje ",
     "{{ ", SPELL, "asystent", "|", "pl }}", "."),
    ("Rodzina: ", "{{ nazwa_rodziny|pl }}", ", zamieszkała: ", "{{ adres", "|pl", " }}", "."),
    ("Asystenta przydzielono ", "{{ data_", SPELL, "przydzielenia", " |pl }}",
     "; postanowienie sądu: ", "{{ postanowienie_sadu|pl }}", "; pierwsze spotkanie: ",
     "{{ termin_pierwszego_", "spotkania|pl }}", "."),
]
TAIL = [
    ("{%p if ", SPELL, "uwagi", " %}"),
    ("Uwagi pracownika socjalnego: ", "{{ uwagi }}"),
    ("{%p endif %}",),
]
ROW = ["{{ w.nazwa }}", "{{ w.data_dokumentu|pl }}", "{{ w.forma }}", "{{ w.uwagi|pl }}"]
HEADER = ("{{ ", SPELL, "osrodek", ".nazwa }}",)
FOOTER = ("Sprawa ", "{{ rod", "zina }}", " – ", "{{ data|pl }}")


def build(path: Path = FIXTURE, changes: dict[str, str] | None = None) -> Path:
    """The template; `changes` (piece → new text) makes a variant split the same way."""
    def paragraph(where: object, *pieces: object) -> None:
        element = where._p  # type: ignore[attr-defined]
        element.getparent().replace(element, parse_xml(word_paragraph(*pieces, changes=changes)))

    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    for pieces in BODY:
        paragraph(document.add_paragraph(""), *pieces)
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Dokument", "Data", "Forma", "Uwagi"), strict=True):
        paragraph(cell.paragraphs[0], text)
    paragraph(table.rows[1].cells[0].paragraphs[0], "{%tr for w in ", SPELL, "dokumenty", " %}")
    for cell, tag in zip(table.rows[2].cells, ROW, strict=True):
        paragraph(cell.paragraphs[0], *re.split(r"(?<=\.)", tag, maxsplit=1))  # "{{ w." | "nazwa }}"
    paragraph(table.rows[3].cells[0].paragraphs[0], "{%tr endfor %}")
    for pieces in TAIL:
        paragraph(document.add_paragraph(""), *pieces)
    last = document.paragraphs[-1]._p
    last.insert(0, parse_xml(f'<w:bookmarkStart {nsdecls("w")} w:id="0" w:name="_GoBack"/>'))
    last.append(parse_xml(f'<w:bookmarkEnd {nsdecls("w")} w:id="0"/>'))
    section = document.sections[0]
    paragraph(section.header.paragraphs[0], *HEADER)
    paragraph(section.footer.paragraphs[0], *FOOTER)
    document.core_properties.title = "Protokół przekazania dokumentów (szablon ośrodka)"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


if __name__ == "__main__":
    print(build())
