"""The proof-reading gate: the text of every document the demo centre produces, read back from
its PDF as a kierownik and a Polish proof-reader would read it.

The demo centre (conftest `demo_outbox`, made once a session) is copied, and on the copy the
kierownik's documents beyond the watched inbox are made too: the court report of a family the
court sent (`asysta sad`) and the half-yearly figures (`asysta sprawozdanie`). Then every PDF —
the sixteen attachments, the kinds, checklista.pdf, the monthly zestawienie, the court report,
the half-yearly figures and the cover of the case binder (teczka) — is read by poppler's
`pdftotext -bbox-layout` (pages, blocks, lines, words) and checked:

- every word is in the Polish dictionary (Debian's hunspell-pl, `hunspell -d pl_PL -l`) or in the
  project's word list `tests/slownik.txt`, where every entry says why it is there;
- no name, place, case number or date is split across two lines;
- none of the known bad constructions (a label glued to a value after a governing word, a
  sentence starting in lower case, „None”, „True”, ISO dates, double spaces);
- no page after the first holds fewer than three lines of content (a signature block, a legend
  or a lone heading with one line);
- no justified paragraph of an archived DOCX holds a manual line break (LibreOffice stretches
  the line before it).

Each failure names the document, the page and the word."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from lxml import etree

from pipeline.app.cli import main
from pipeline.core.config import Settings, load_settings

pytestmark = pytest.mark.slow
WORD_LIST = Path(__file__).with_name("slownik.txt")
XHTML = "{http://www.w3.org/1999/xhtml}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LOWER = "a-ząćęłńóśźż"
# what every page carries besides the document: the footers („… · strona 1 z 2”) and the line
# beside the page code („asysta · K-2025-001 · zał. 8 · 30.06.2025 · strona 1 z 1 · f697ae”)
FURNITURE = re.compile(r"· strona \d+ z \d+|^asysta · ")
FILE_NAME = re.compile(r"\S+\.(?:pdf|docx|xlsx|yaml|json)\b")
ABBREVIATIONS = ("sygn|godz|mies|tel|ul|np|ok|pkt|ust|art|zał|str|tzw|tj|dok|lit|poz|nr|im|al|os|"
                 "tys|zob|ur|min|max|wg|m|r|ww|jw|pn|ds|asp|sierż|kom|podkom|st")
BAD_CONSTRUCTIONS = {
    "„None”, „True” albo „False” zamiast wartości": re.compile(r"\b(?:None|True|False|null)\b"),
    "data RRRR-MM-DD": re.compile(r"(?<![\w-])\d{4}-\d\d-\d\d(?![\w-])"),
    "miesiąc RRRR-MM": re.compile(r"(?<![\w-])\d{4}-(?:0[1-9]|1[0-2])(?![\w-])"),
    "wartość po dwukropku po słowie, które rządzi przypadkiem":
        re.compile(r"\b(?!w tym:)(?:w|we|na|z|ze|do|od|przez|dla|przy) [" + LOWER + r"]+: \S"),
    "wartość po dwukropku po czasowniku": re.compile(r"\b(?:oceniam|wnoszę|odbył\w* \w+|stwierdzam):"),
    "zdanie od małej litery": re.compile(
        rf"(?<![\w.])(?!(?i:{ABBREVIATIONS})\.)[^\W\d_]{{2,}}\. [{LOWER}]"),
    "myślnik po kropce na końcu zdania": re.compile(
        rf"(?<![\w.])(?!(?i:{ABBREVIATIONS})\.)[^\W\d_]{{2,}}\. [–—-] [{LOWER}]"),
    "podwójna spacja": re.compile(r"\S {2,}\S"),
    "miejscownik nazwy miejscowości odmieniony w połowie („w Łęgowie Śląskie”)":
        re.compile(r"\b[wW] [A-ZĄĆĘŁŃÓŚŹŻ]\w+ie [A-ZĄĆĘŁŃÓŚŹŻ]\w+kie\b"),
    "nawias pusty albo podwójny znak": re.compile(r"\(\s*\)|,,|\.\.(?!\.)|: ?[.,;]"),
}


@dataclass
class Page:
    number: int
    blocks: list[list[str]]  # lines of text of each block, furniture left out


@dataclass
class Printed:
    name: str  # as the report names it: family folder / file
    pages: list[Page] = field(default_factory=list)


def _read(pdf: Path, root: Path, first_page_only: bool = False) -> Printed:
    args = ["pdftotext", "-bbox-layout"] + (["-l", "1"] if first_page_only else []) + [str(pdf), "-"]
    xhtml = subprocess.run(args, capture_output=True, check=True).stdout
    tree = etree.fromstring(xhtml, etree.XMLParser(recover=True, huge_tree=True))
    printed = Printed(str(pdf.relative_to(root)))
    for number, page in enumerate(tree.iter(f"{XHTML}page"), start=1):
        blocks = []
        for block in page.iter(f"{XHTML}block"):
            lines = [" ".join(w.text or "" for w in line.iter(f"{XHTML}word"))
                     for line in block.iter(f"{XHTML}line")]
            lines = [t for t in lines if t.strip() and not FURNITURE.search(t)]
            if lines:
                blocks.append(lines)
        printed.pages.append(Page(number, blocks))
    return printed


def _court_family(outbox: Path) -> tuple[str, date]:
    for yaml in sorted(outbox.glob("rodziny/*/zal01_*.yaml")):
        if "podstawa: postanowienie sądu" in yaml.read_text(encoding="utf-8"):
            return yaml.parent.name, date.fromisoformat(yaml.name.split("_")[1])
    raise AssertionError("w pokazie nie ma rodziny skierowanej przez sąd")


@pytest.fixture(scope="module")
def centre(demo_outbox: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A copy of the demo centre with the court report and the half-yearly figures."""
    root = tmp_path_factory.mktemp("korekta")
    shutil.copytree(demo_outbox.outbox, root / "outbox", symlinks=True)
    config = root / "asysta.toml"
    source = demo_outbox.outbox.parent / "asysta.toml"
    config.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings(config)
    rodzina, since = _court_family(settings.outbox)
    today = date.today()
    assert main(["-k", str(config), "sad", rodzina, "--od", since.isoformat(),
                 "--do", today.isoformat()]) == 0
    last_half = today.replace(day=1) - timedelta(days=183)
    okres = f"{last_half.year}-H{1 if last_half.month <= 6 else 2}"
    assert main(["-k", str(config), "sprawozdanie", "--okres", okres]) == 0
    return settings


@pytest.fixture(scope="module")
def documents(centre: Settings) -> list[Printed]:
    outbox = centre.outbox
    pdfs = [p for p in sorted(outbox.glob("rodziny/*/*.pdf"))
            if p.name != "teczka.pdf" and "_podpisany" not in p.name]
    pdfs += sorted(outbox.glob("raporty/*/zestawienie_*.pdf"))  # raporty_*.pdf: the reports again
    pdfs += sorted(outbox.glob("sprawozdania/*/*.pdf"))
    binders = sorted(outbox.glob("rodziny/*/teczka.pdf"))
    kinds = {re.split(r"[_-]", p.stem)[0] for p in pdfs}
    assert {"zal01", "zal08", "zal14", "checklista", "zestawienie", "sprawozdanie"} <= kinds, kinds
    assert binders, "pokaz nie złożył teczki"
    with ThreadPoolExecutor(max_workers=2) as pool:
        read = list(pool.map(lambda p: _read(p, outbox), pdfs))
    return read + [_read(binder, outbox, first_page_only=True) for binder in binders]


# -- words ---------------------------------------------------------------------------------


def word_list() -> dict[str, str]:
    """The project's words: `word  # why` on each line; lines starting with # are notes."""
    entries: dict[str, str] = {}
    for line in WORD_LIST.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        word, _, why = line.partition("#")
        entries[word.strip()] = why.strip()
    return entries


def _joined_lines(lines: list[str]) -> Iterator[tuple[str, str | None]]:
    """Each line, and the word a line-end hyphen splits with the next line („Błasz-” „czyk”)."""
    for line, following in zip(lines, [*lines[1:], None], strict=True):
        last = line.split()[-1]
        if following and re.search(r"[^\W\d_]-$", last) and re.match(f"[{LOWER}]", following):
            yield line, re.sub(r"^\W+", "", last[:-1]) + re.sub(r"\W+$", "", following.split()[0])
        else:
            yield line, None


def _tokens(block: list[str]) -> Iterator[tuple[str, bool]]:
    """The words of a block's lines; a word split by a line-end hyphen comes whole, marked."""
    skip_first = False
    for line, joined in _joined_lines(block):
        words = line.split()
        if skip_first:
            words = words[1:]
        skip_first = bool(joined)
        if joined:
            words = words[:-1]
            yield joined, True
        for word in re.findall(r"[^\W\d_]+", FILE_NAME.sub(" ", " ".join(words))):
            yield word, False


def _where(doc: Printed, page: Page) -> str:
    return f"{doc.name}, strona {page.number}"


def test_every_word_is_polish_or_in_the_project_word_list(documents: list[Printed]) -> None:
    first_seen: dict[str, str] = {}
    hyphenated: set[str] = set()
    for doc in documents:
        for page in doc.pages:
            # the page's lines in reading order: a table cell's last line may be a block of its own
            for word, joined in _tokens([line for block in page.blocks for line in block]):
                first_seen.setdefault(word, _where(doc, page))
                if joined:
                    hyphenated.add(word)
    unknown = _misspelled(sorted(set(first_seen) - set(word_list())))
    # a compound broken at its own hyphen („rzeczowo-” „finansowego”): both parts are words
    compounds = {w for w in unknown & hyphenated if _compound_ok(w)}
    report = [f"{first_seen[w]}: „{w}”" for w in sorted(unknown - compounds)]
    assert not report, ("słowa spoza słownika (popraw tekst albo dopisz do tests/slownik.txt "
                        "z uzasadnieniem):\n" + "\n".join(report))


def _compound_ok(word: str) -> bool:
    known = set(word_list())
    return any(not (_misspelled([word[:i], word[i:]]) - known) for i in range(2, len(word) - 1))


def _misspelled(words: list[str]) -> set[str]:
    if not words:
        return set()
    out = subprocess.run(["hunspell", "-d", "pl_PL", "-l"], input="\n".join(words),
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_word_list_is_short_and_every_entry_says_why() -> None:
    entries = word_list()
    assert 0 < len(entries) <= 60
    missing = [w for w, why in entries.items() if len(why) < 10]
    assert not missing, f"wpisy tests/slownik.txt bez uzasadnienia: {missing}"
    already = set(entries) - _misspelled(list(entries))
    assert not already, f"te słowa zna już słownik hunspell-pl, usuń je z tests/slownik.txt: {already}"


# -- names split across lines --------------------------------------------------------------


def test_no_name_case_number_or_date_is_split_across_lines(documents: list[Printed]) -> None:
    """A line-end hyphen inside a proper name (a surname, a place: a capitalised word whose
    lower-case form is no Polish word, „Łę-gowie”, „Majew-ska”) or inside a number (a case
    number, a date) is a split name. Name fields are never hyphenated; a common word inside
    an institution's name typed into a free-text column („Zakład Gospo-darki”) may be."""
    names: dict[str, list[str]] = {}
    numbers = []
    for doc in documents:
        for page in doc.pages:
            for block in page.blocks:
                for line, following in zip(block, block[1:], strict=False):
                    last, first = line.split()[-1], following.split()[0]
                    if re.search(r"[^\W\d_]-$", last) and re.match(f"[{LOWER}]", first) and \
                            re.match(r"\W*[A-ZĄĆĘŁŃÓŚŹŻ]", last):
                        word = re.sub(r"\W", "", last + first)
                        names.setdefault(word, []).append(f"{_where(doc, page)}: „{last}{first}”")
                    elif re.search(r"\d[-./]$", last) and re.match(r"\d", first) and \
                            not re.fullmatch(r"\d{1,3}\.", last) or re.search(r"K-\d{4}-?$", last):
                        numbers.append(f"{_where(doc, page)}: „{last} | {first}”")
    proper = _misspelled([w.lower() for w in names])
    bad = numbers + [where for word, found in names.items() if word.lower() in proper for where in found]
    assert not bad, "nazwy, numery lub daty podzielone między wiersze:\n" + "\n".join(bad[:50])


# -- constructions ------------------------------------------------------------------------


def test_no_known_bad_construction(documents: list[Printed]) -> None:
    bad = []
    for doc in documents:
        for page in doc.pages:
            for block in page.blocks:
                text = " ".join(line[:-1] + "\u0000" if joined else line
                                for line, joined in _joined_lines(block)).replace("\u0000 ", "")
                text = FILE_NAME.sub("plik", text)
                for what, pattern in BAD_CONSTRUCTIONS.items():
                    for match in pattern.finditer(text):
                        around = text[max(0, match.start() - 30):match.end() + 20]
                        bad.append(f"{_where(doc, page)}: {what}: „{around}”")
    assert not bad, "złe konstrukcje:\n" + "\n".join(bad[:50])


# -- pages ---------------------------------------------------------------------------------


def _content_lines(page: Page) -> list[str]:
    """The lines that carry content: not the signature's dotted line, caption or the signers'
    names, not a lone heading or an empty value („—”), not the checklist's legend."""
    lines = [line for block in page.blocks for line in block]
    return [line for line in lines
            if not line.startswith("……") and not re.fullmatch(r"\(.*\)", line)
            and line.strip() != "—" and not line.startswith("Statusy:")
            and not (len(line.split()) <= 4 and all(w[:1].isupper() for w in line.split()))]


def test_no_orphaned_page(documents: list[Printed]) -> None:
    bad = []
    for doc in documents:
        for page in doc.pages[1:]:
            lines = _content_lines(page)
            if len(lines) < 3:
                bad.append(f"{_where(doc, page)}: {len(lines)} wiersze treści: {lines}")
    assert not bad, "strony prawie puste (same podpisy, legenda albo jeden wiersz):\n" + \
        "\n".join(bad[:50])


def test_justified_paragraphs_have_no_manual_line_breaks(centre: Settings) -> None:
    """LibreOffice stretches a justified line that ends in a manual break („Rodzina  przyjmowała
    asystenta…”): a paragraph with breaks of its own is left-aligned."""
    bad = []
    for docx in sorted(centre.outbox.glob("rodziny/*/*.docx")):
        xml = etree.fromstring(zipfile.ZipFile(docx).read("word/document.xml"))
        for paragraph in xml.iter(f"{W}p"):
            jc = paragraph.find(f"{W}pPr/{W}jc")
            text = "".join(t.text or "" for t in paragraph.iter(f"{W}t"))
            if jc is not None and jc.get(f"{W}val") in ("both", "distribute") and \
                    paragraph.find(f".//{W}br") is not None:
                bad.append(f"{docx.relative_to(centre.outbox)}: „{text[:60]}”")
            if re.search(r"\S {2,}\S", re.sub(r"^•\s+", "", text)):  # a bullet's own gap aside
                bad.append(f"{docx.relative_to(centre.outbox)}: podwójna spacja: „{text[:60]}”")
    assert not bad, "\n".join(bad[:50])


# -- the command line ----------------------------------------------------------------------


ENGLISH = re.compile(r"\b(?:show|help|message|exit|version|number|program's|usage|positional|"
                     r"arguments|options|default|required|invalid|choose|error)\b")


def test_every_line_of_asysta_help_is_polish(capsys: pytest.CaptureFixture[str]) -> None:
    """`asysta --help` and the help of every command: no line left in argparse's English."""
    def help_of(*args: str) -> str:
        with pytest.raises(SystemExit) as done:
            main([*args, "--help"])
        assert done.value.code == 0
        return capsys.readouterr().out

    top = help_of()
    commands = re.findall(r"^    (\w+) ", top.split("polecenia:")[1], re.M)
    assert len(commands) >= 10, commands
    english = [f"{' '.join(args) or 'asysta'}: {line.strip()}"
               for args in [(), *((c,) for c in commands)]
               for line in (top if not args else help_of(*args)).splitlines()
               if ENGLISH.search(re.sub(r"--?[\w-]+", "", line))]  # an option's name is no word
    assert not english, "\n".join(english)


# -- the schemas' fixed sentences ----------------------------------------------------------


def test_sentences_read_as_polish_for_every_allowed_value() -> None:
    """A field of a closed list (or tak/nie) is printed in a sentence only after a label and a
    colon („Powód zakończenia: brak współpracy rodziny.”), never after a word that governs a
    case („oceniam: pozytywna”); a whole number in a sentence is followed by an abbreviation
    that agrees with any number („mies.”, „godz.”) or goes through the plural filter."""
    from pipeline.sprawa.schemas import form_kinds, iter_fields, load_schema

    bad = []
    for n in [*range(1, 17), *form_kinds()]:
        schema = load_schema(n)
        fields = dict(iter_fields(schema.pola))
        for text in schema.tresc:
            for match in re.finditer(r"\{\{\s*(\w+)\s*\}\}", text):
                rules, before, after = fields.get(match[1], {}), text[:match.start()], text[match.end():]
                if (rules.get("allowed") or rules.get("type") == "boolean") and \
                        not _is_label(before):
                    bad.append(f"{n}: „…{before[-30:]}{match[0]}”")
                if rules.get("type") == "integer" and not re.match(r" (?:mies|godz|r|os|dni)\.", after):
                    bad.append(f"{n}: „{match[0]}{after[:20]}…”")
    assert not bad, "\n".join(bad)


def _is_label(before: str) -> bool:
    """The sentence so far is a short label and its colon: „Powód zakończenia:”, „Nasze
    oświadczenie:” — not a clause („…monitoringu oceniam:”, „Spotkanie odbyło się w miejscu:”)."""
    label = re.split(r"[.;!?]\s", before.rstrip())[-1]
    words = label[:-1].split()
    return label.endswith(":") and 0 < len(words) <= 3 and \
        not re.search(r"(?:am|em|ę|my)$", words[-1]) and words[0].lower() not in ("w", "na", "do", "z")


def test_the_line_beside_the_code_names_a_kind_in_polish() -> None:
    from pipeline.pdf import kod

    def line(rodzaj: str) -> str:
        identity = kod.Identity("K-2025-001", 0, date(2026, 1, 9), 1, "f697ae", rodzaj)
        return kod.human_line(identity, 1, 2)

    assert line("zakonczenie") == ("asysta · K-2025-001 · zakończenie współpracy · 09.01.2026 · "
                                   "strona 1 z 2 · f697ae")
    assert "· sprawozdanie dla sądu ·" in line("sprawozdanie_sad")
    assert "· notatka służbowa ·" in line("notatka") and "· informacja dla sądu ·" in line("sad")


def test_one_date_style_one_helper() -> None:
    from pipeline.core.polish import NBSP, display, in_words, keyword_phrases, meta_date, person, pl_date

    day = date(2026, 1, 9)
    assert pl_date(day) == display(day) == "09.01.2026"  # tables, lists, footers, the page code
    assert pl_date(day, words=True) == in_words(day) == f"9{NBSP}stycznia{NBSP}2026{NBSP}r."
    assert meta_date(date(2025, 10, 31)) == "31 października 2025 r."  # titles and subjects
    assert in_words("2025-04") == "kwiecień 2025" and in_words(True) == "tak"
    assert keyword_phrases("asystent rodziny; zał. 8") == f"asystent{NBSP}rodziny; zał.{NBSP}8"
    assert person("Beata Szczęsna, wychowawczyni klasy 3b") == f"Beata{NBSP}Szczęsna, wychowawczyni klasy 3b"
    assert person("Agnieszka i Łukasz Wójcik") == f"Agnieszka i Łukasz{NBSP}Wójcik"
    assert person(None) == "—"
