"""Typography a kierownik signs: the sixteen examples (and the three document kinds beyond
them: closing, service note, court narrative) through the real pipeline, read back
from the PDF with the position of every word (poppler's `pdftotext -bbox-layout`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, copy_examples, docx_text, make_settings
from docx import Document
from lxml import etree

from pipeline.core.models import FiledDocument
from pipeline.core.polish import NBSP, display, in_month, month_name, typeset
from pipeline.sprawa.schemas import file_stem, iter_fields, load_schema
from pipeline.stages.convert import Converter

NUMBERS: list[int | str] = [*range(1, 17), "zakonczenie", "notatka", "sad"]
PUNCT = "„”\"'()[]{},.;:!?…"
MONTH_RE = r"^\d{4}-(0[1-9]|1[0-2])$"
Filed = dict[int | str, FiledDocument]  # by attachment number or kind
TEMPLATES = Path(__file__).resolve().parent.parent / "zalaczniki_templates"


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Filed:
    from pipeline.flow.process import process_files

    settings = make_settings(tmp_path_factory.mktemp("typografia"))
    kinds = [n for n in NUMBERS if isinstance(n, str)]
    for kind in kinds:
        shutil.copyfile(EXAMPLES / f"{kind}.yaml", settings.inbox / f"{kind}.yaml")
    paths = copy_examples(settings) + [settings.inbox / f"{kind}.yaml" for kind in kinds]
    outcomes = process_files(paths, settings, converter)
    assert [o.status for o in outcomes] == ["przyjety"] * len(NUMBERS), [o.problems for o in outcomes]
    return {o.filed.form.schema.ident: o.filed for o in outcomes if o.filed}


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


Line = list[Word]


def layout(pdf: Path) -> list[list[list[Line]]]:
    """Pages → blocks → lines → words, as poppler finds them (no dehyphenation)."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                           check=True).stdout
    root = etree.fromstring(xhtml, etree.XMLParser(recover=True))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    pages = []
    for page in root.iterfind(".//h:page", ns):
        blocks = []
        for block in page.iterfind(".//h:block", ns):
            lines = [[Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                      for w in line.iterfind("h:word", ns)] for line in block.iterfind("h:line", ns)]
            blocks.append([line for line in lines if line])
        pages.append(blocks)
    return pages


def words(text: str) -> list[str]:
    return [w.strip(PUNCT) for w in re.split(r"\s+", text) if w.strip(PUNCT)]


def printed_words(pdf: Path) -> set[str]:
    """Every word of the PDF; a word that ends a line with a hyphen or dash is also joined
    with the first word of the next line (in reading order), with and without the hyphen,
    and so on when that ends its line with a hyphen too („Psy- / chologiczno-Pedago- / gicznej”)."""
    found: set[str] = set()
    for page in layout(pdf):
        carried: set[str] = set()
        for line in (line for block in page for line in block):
            for i, word in enumerate(line):
                candidates = {c + word.text for c in carried} if i == 0 and carried else {word.text}
                carried = set()
                found.update(c.strip(PUNCT) for c in candidates)
                if i == len(line) - 1 and word.text.endswith(("-", "–")) and len(word.text) > 1:
                    carried = candidates | {c[:-1] for c in candidates if c.endswith("-")}
    return found


@pytest.mark.parametrize("n", NUMBERS)
def test_no_word_is_broken_inside_itself(n: int | str, filed: Filed) -> None:
    """Every word of the document prints whole, or split at a hyphen at a line end."""
    doc = filed[n]
    found = printed_words(doc.pdf)
    broken = sorted({w for w in words(docx_text(doc.docx)) if w not in found})
    assert not broken, f"{file_stem(n)}: słowa rozdzielone bez dywizu: {broken}"


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d[\d,.]*", text))


@pytest.mark.parametrize("n", NUMBERS)
def test_no_line_breaks_inside_an_amount_or_before_r(
        n: int | str, filed: Filed) -> None:
    bad = []
    for page in layout(filed[n].pdf):
        for block in page:
            for line, following in zip(block, block[1:], strict=False):
                last, first = line[-1].text, following[0].text
                if _is_number(last) and re.match(r"(zł|r\.|\d{3}\b)", first):
                    bad.append(f"{last} | {first}")
    assert not bad, f"{file_stem(n)}: złamania wiersza w niedozwolonym miejscu: {bad}"


def _signature_captions(n: int | str) -> list[str]:
    return [f"({s.caption})" for s in load_schema(n).podpisy]


@pytest.mark.parametrize("n", [n for n in NUMBERS if load_schema(n).podpisy])
def test_signatures_share_their_page_with_the_text_above(n: int | str, filed: Filed) -> None:
    """No signature block alone on a page: above the dotted lines there is body text."""
    first_caption = words(_signature_captions(n)[0])[0]
    for number, page in enumerate(layout(filed[n].pdf), start=1):
        lines = [line for block in page for line in block]
        dotted = [line for line in lines if line[0].text.startswith("………")]
        if not dotted or not any(w.text.strip("(") == first_caption for line in lines for w in line):
            continue
        top = min(line[0].y0 for line in dotted)
        above = [w.text for line in lines if line[-1].y1 < top - 30 for w in line]
        assert len(above) >= 8, f"{file_stem(n)}: podpisy same na stronie {number}: {above}"
        # the whole signature block on this page
        letters = re.sub(r"[\W_]", "", "".join(w.text for line in lines for w in line))
        for caption in _signature_captions(n):
            assert re.sub(r"[\W_]", "", caption) in letters, (n, caption)
        return
    pytest.fail(f"{file_stem(n)}: nie znaleziono podpisów")


@pytest.mark.parametrize("n", [n for n in NUMBERS if any(
    r.get("meta", {}).get("kolumna_podpisu") for _, r in iter_fields(load_schema(n).pola))])
def test_family_signature_table_is_on_one_page(n: int | str, filed: Filed) -> None:
    """The table the family signs (zal03, 06, 07, 16) is never split over two pages."""
    schema = load_schema(n)
    [(key, rules)] = [(k, r) for k, r in schema.pola.items() if r.get("meta", {}).get("kolumna_podpisu")]
    values = {k: v for k, v in filed[n].form.values.items()}
    names = [row["imie_nazwisko"] for row in values[key]]
    heading = rules["meta"]["etykieta"]
    pages = [" ".join(w.text for block in page for line in block for w in line)
             for page in layout(filed[n].pdf)]
    holding = [i for i, text in enumerate(pages) if " ".join(words(heading)) in " ".join(words(text))]
    assert holding, f"{file_stem(n)}: brak nagłówka {heading}"
    page = pages[holding[0]]
    assert all(name in page for name in names), f"{file_stem(n)}: tabela podpisów rodziny podzielona"


@pytest.mark.parametrize("n", NUMBERS)
def test_footer_page_number_has_the_footer_size(n: int | str, filed: Filed) -> None:
    for page in layout(filed[n].pdf):
        lines = [line for block in page for line in block]
        [footer] = [line for line in lines if any(w.text == "strona" for w in line)
                    and line[0].text == "Nr"]
        texts = [w.text for w in footer]
        at = texts.index("strona")
        label_height = footer[at].y1 - footer[at].y0
        for number in (footer[at + 1], footer[at + 3]):  # "strona N z M"
            assert number.text.isdigit()
            assert abs((number.y1 - number.y0) - label_height) < 0.2, (n, texts)


def _month_fields(n: int | str) -> list[str]:
    return [k for k, r in iter_fields(load_schema(n).pola) if r.get("regex") == MONTH_RE]


@pytest.mark.parametrize("n", NUMBERS)
def test_months_print_in_words(n: int | str, filed: Filed) -> None:
    doc = filed[n]
    text = " ".join(docx_text(doc.docx).split())
    pdf = " ".join(" ".join(w.text for block in page for line in block for w in line)
                   for page in layout(doc.pdf))
    for key in _month_fields(n):
        written = month_name(doc.form.values[key]).replace(NBSP, " ")
        assert written in text and written in pdf, (n, key)
    raw = re.compile(r"(?<![\w-])\d{4}-(0[1-9]|1[0-2])(?![\d-])")
    assert not raw.search(text) and not raw.search(pdf), f"{file_stem(n)}: miesiąc zapisany jako RRRR-MM"


def test_months_are_written_as_words_in_the_right_form() -> None:
    assert month_name("2025-04") == "kwiecień 2025"
    assert display("2025-10") == "październik 2025"
    assert display("2025-13") == "2025-13"  # not a month: as typed
    assert in_month("2025-09") == "we wrześniu 2025 r." and in_month("2025-04") == "w kwietniu 2025 r."
    # the sentence around the month asks for the accusative, which equals the nominative
    assert "za kwiecień 2025 r." in " ".join(load_schema(8).tresc).replace(
        "{{ miesiac }}", "kwiecień 2025")


def test_non_breaking_spaces_in_values() -> None:
    assert display("dług mniejszy o 2 000 zł") == f"dług mniejszy o 2{NBSP}000{NBSP}zł"
    assert display("umowa do 31.03.2026 r.") == f"umowa do 31.03.2026{NBSP}r."
    assert display("od 9 czerwca 2011 r.") == f"od 9{NBSP}czerwca 2011{NBSP}r."
    assert display("art. 15 ust. 1") == f"art.{NBSP}15 ust.{NBSP}1"
    assert display("w kwietniu – tak") == "w kwietniu – tak"  # words of a value: as typed
    assert typeset("zatwierdzam – podpis w domu", words=True) == f"zatwierdzam{NBSP}– podpis w{NBSP}domu"
    assert display(12345.5) == f"12{NBSP}345,5" and display(1780.0) == "1780"
    assert display(14.5) == "14,5" and display(date(2025, 3, 3)) == "03.03.2025"
    assert typeset("15:00") == "15:00"


@pytest.mark.parametrize("n", NUMBERS)
def test_fixed_texts_tie_dates_numbers_and_short_words(n: int | str) -> None:
    xml = zipfile.ZipFile(TEMPLATES / f"{file_stem(n)}.docx").read("word/document.xml").decode()
    if isinstance(n, int):  # a kind beyond the sixteen is no attachment of the procedure
        assert f"Załącznik nr{NBSP}{n} do" in xml
    for text in load_schema(n).tresc:
        if "9 czerwca 2011 r." in text:
            assert f"9{NBSP}czerwca 2011{NBSP}r." in xml
        if "art. " in text:
            assert f"art.{NBSP}" in xml and "art. " not in xml
    fixed = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", " ".join(re.findall(r"<w:t[^>]*>([^<]*)<", xml)))
    assert not re.findall(r"(?:^|[\s(])[aiouwzAIOUWZ] ", fixed), "jednoliterowe słowo na końcu wiersza"
    assert " – " not in fixed


@pytest.mark.parametrize("n", NUMBERS)
def test_heading_styles_with_outline_levels(n: int | str, filed: Filed) -> None:
    doc = Document(str(filed[n].docx))
    styles = {p.style.name for p in doc.paragraphs}
    title = [p for p in doc.paragraphs if p.style.name == "Title"]
    assert [p.text.replace(NBSP, " ") for p in title] == [load_schema(n).tytul.upper()]
    assert "Heading 1" in styles
    for name, level in (("Title", "0"), ("Heading 1", "0"), ("Heading 2", "1")):
        if name not in styles:
            continue
        ppr = doc.styles[name].element.pPr
        assert ppr.find(_w("outlineLvl")).get(_w("val")) == level
    assert not [p for p in doc.paragraphs if p.text.isupper() and p.style.name == "Normal"
                and len(p.text) > 20], "tytuł bez stylu"


def _w(tag: str) -> str:
    return "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}" + tag


@pytest.mark.parametrize("n", NUMBERS)
def test_templates_are_polish_and_hyphenated(n: int | str) -> None:
    package = zipfile.ZipFile(TEMPLATES / f"{file_stem(n)}.docx")
    styles = etree.fromstring(package.read("word/styles.xml"))
    default_lang = styles.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('lang')}")
    assert default_lang.get(_w("val")) == "pl-PL"
    assert b"<w:autoHyphenation/>" in package.read("word/settings.xml")


@pytest.mark.parametrize("n", NUMBERS)
def test_labels_and_values_have_one_size(n: int | str) -> None:
    doc = Document(str(TEMPLATES / f"{file_stem(n)}.docx"))
    for table in doc.tables:
        if len(table.columns) != 2 or table.rows[0].cells[0]._tc.tcPr.find(_w("shd")) is None:
            continue  # not a label/value table (the centre's header)
        sizes = {run.font.size for row in table.rows for cell in row.cells
                 for p in cell.paragraphs for run in p.runs}
        assert len(sizes) == 1, (n, sizes)


@pytest.mark.parametrize("n", NUMBERS)
def test_captions_and_names_read_as_polish(n: int | str) -> None:
    """No nested parentheses under a signature line; a name the form inserts (nominative)
    never follows a word that governs another case: it follows a colon or is a subject."""
    schema = load_schema(n)
    assert all("(" not in s.caption for s in schema.podpisy)
    for text in schema.tresc:
        for match in re.finditer(r"(\S+ \S+)\s+\{\{\s*(asystent|pracownik_socjalny)\s*\}\}", text):
            nominative = match[1].lower() in ("asystent rodziny", "pracownik socjalny")
            assert match[1].endswith(":") or nominative, f"{file_stem(n)}: „{match[0]}”"
