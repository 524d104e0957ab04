"""Shared fixtures. Every test points every folder at a temporary directory and
uses the real LibreOffice (no converter mocks)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader

from pipeline.core.config import Settings, parse_config
from pipeline.core.models import Outcome
from pipeline.flow.process import process_files
from pipeline.sprawa.register import Entry
from pipeline.sprawa.schemas import package_data
from pipeline.stages.convert import Converter

EXAMPLES = package_data("formularze") / "przyklady"

OSRODEK = {
    "nazwa": "Gminny Ośrodek Pomocy Społecznej w Łęgowie Śląskim",
    "adres": "ul. Główna 12, 66-210 Łęgowo Śląskie",
    "gmina": "Łęgowo Śląskie",
    "miejscowosc": "Łęgowo Śląskie",
    "kierownik": "Elżbieta Kędzierska",
    "procedura": "Procedury postępowania w przypadku objęcia rodziny wsparciem asystenta rodziny",
}


def make_settings(root: Path, **przetwarzanie: object) -> Settings:
    data: dict[str, object] = {"osrodek": OSRODEK}
    if przetwarzanie:
        data["przetwarzanie"] = przetwarzanie
    settings = parse_config(data, root)
    settings.inbox.mkdir(parents=True, exist_ok=True)
    return settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def converter() -> Iterator[Converter]:
    with Converter() as conv:
        yield conv


def example(n: int) -> Path:
    return EXAMPLES / f"zal{n:02d}.yaml"


def drop(settings: Settings, name: str, content: bytes | str) -> Path:
    path = settings.inbox / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def run(settings: Settings, converter: Converter, *paths: Path) -> list[Outcome]:
    return process_files(list(paths), settings, converter)


def docx_text(path: Path) -> str:
    """Every paragraph of a DOCX, tables and footers included, one per line."""
    doc = Document(str(path))
    lines: list[str] = []

    def walk(container) -> None:  # type: ignore[no-untyped-def]
        for block in container.iter_inner_content():
            if hasattr(block, "rows"):
                for row in block.rows:
                    for cell in row.cells:
                        walk(cell)
            else:
                lines.append(block.text)

    walk(doc)
    for section in doc.sections:
        walk(section.footer)
    return "\n".join(lines)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


# What every page carries besides the document: the footer, and the line beside the code
# (pipeline/pdf/kod.py `human_line`); a paragraph that spans two pages has both in its middle.
PAGE_FURNITURE = re.compile(
    r"Nr sprawy \S+ · [^·\n]+ · strona \d+ z \d+"
    r"|asysta · \S+ · [^·\n]+ · \d\d\.\d\d\.\d{4}(?: · wersja \d+)? · strona \d+ z \d+ · \w+")


def body_text(path: Path) -> str:
    """The text of a PDF without the footers and code lines of its pages."""
    return PAGE_FURNITURE.sub(" ", pdf_text(path))


def leaf_values(value: Any) -> Iterator[Any]:
    """Every scalar inside a form's values, in order (what a document must print)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaf_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaf_values(v)
    elif value is not None:
        yield value


def squash(text: str) -> str:
    """Whitespace-insensitive form, for text that LibreOffice wraps across lines."""
    return re.sub(r"\s+", " ", text).strip()


def copy_examples(settings: Settings, numbers: range | list[int] = range(1, 17)) -> list[Path]:
    paths = []
    for n in numbers:
        target = settings.inbox / f"zal{n:02d}.yaml"
        shutil.copyfile(example(n), target)
        paths.append(target)
    return paths


def other_family(settings: Settings, case: str = "K-2025-014", other: str = "K-2025-099") -> list[Path]:
    """A second family with another assistant: assignment to plan, and one May visit log."""
    paths = []
    for n in (1, 2, 3, 5, 6, 8):
        text = example(n).read_text(encoding="utf-8").replace(f"rodzina: {case}", f"rodzina: {other}")
        text = text.replace("Katarzyna Żak", "Tomasz Ślęzak")
        if n == 8:
            text = text.replace("2025-04-", "2025-05-").replace('miesiac: "2025-04"', 'miesiac: "2025-05"')
        path = settings.inbox / f"b{n:02d}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def entry(zalacznik: int, data: date, pdf: str, dane: dict[str, Any],
          rodzaj: str = "", wersja: int = 1) -> Entry:
    """A register entry as the archive would hold it (a case history in a test)."""
    return Entry(zalacznik, data, wersja, pdf=pdf, dane=dane, rodzaj=rodzaj)
