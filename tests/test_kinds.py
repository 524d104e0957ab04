"""Document kinds beyond the sixteen (`rodzaj: …` in place of `zalacznik: N`): the closing of a
case, service notes and the court narrative, through the real inbox, LibreOffice and archive;
and a kind a centre adds with its own schema and template."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, docx_text, drop, leaf_values, make_settings, pdf_text, run, squash

from pipeline import kinds
from pipeline.checks import template_mismatch
from pipeline.config import Settings
from pipeline.convert import Converter
from pipeline.models import FiledDocument, IncomingFile
from pipeline.parse import parse
from pipeline.polish import display
from pipeline.register import NOT_NUMBERED, Register, family_dir
from pipeline.schemas import iter_fields, load_schema
from pipeline.validate import validate

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("zakonczenie", "notatka", "sad")
CASE = "K-2025-014"


def kind_example(kind: str) -> Path:
    return EXAMPLES / f"{kind}.yaml"


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> dict[str, FiledDocument]:
    """The three examples through the inbox in one batch, as `asysta przetworz` does."""
    settings = make_settings(tmp_path_factory.mktemp("rodzaje"))
    paths = []
    for kind in SHIPPED:
        paths.append(settings.inbox / f"{kind}.yaml")
        shutil.copyfile(kind_example(kind), paths[-1])
    outcomes = run(settings, converter, *paths)
    assert [o.status for o in outcomes] == ["przyjety"] * 3, [o.problems for o in outcomes]
    return {o.filed.form.rodzaj: o.filed for o in outcomes if o.filed}


def expected_texts(kind: str) -> list[str]:
    incoming = IncomingFile(kind_example(kind), kind_example(kind).read_bytes(), "")
    form = validate(parse(incoming), incoming)
    return [display(v) for v in leaf_values({k: v for k, v in form.values.items() if k != "rodzaj"})]


@pytest.mark.parametrize("kind", SHIPPED)
def test_kind_example_is_complete(kind: str) -> None:
    raw = yaml.safe_load(kind_example(kind).read_text(encoding="utf-8"))
    assert raw["rodzaj"] == kind and raw["rodzina"] == CASE and "zalacznik" not in raw
    schema = load_schema(kind)
    assert schema.rodzaj == kind and schema.zalacznik == NOT_NUMBERED
    for key, rules in iter_fields(schema.pola):
        assert rules["meta"]["etykieta"] and rules["meta"]["pomoc"], key
    assert set(schema.pola) <= set(raw), set(schema.pola) - set(raw)


@pytest.mark.parametrize("kind", SHIPPED)
def test_kind_template_matches_schema(kind: str, settings: Settings) -> None:
    assert template_mismatch(kind, settings) == []


def test_contract_keys_of_the_kinds() -> None:
    """The keys w-spraw's figures and court report read (KINDS_CONTRACT)."""
    assert {"asystent", "powod", "opis", "sad_poinformowany",
            "data_poinformowania_sadu"} <= set(load_schema("zakonczenie").pola)
    assert load_schema("zakonczenie").pola["powod"]["allowed"] == list(kinds.POWODY)
    assert list(kinds.POWODY.values()) == ["cele_osiagniete", "brak_wspolpracy", "rezygnacja",
                                           "zmiana_miejsca_zamieszkania", "inne"]
    assert {"temat", "tresc", "obecni", "asystent"} <= set(load_schema("notatka").pola)
    assert {"od", "do", "sygnatura", "sad", "asystent", "sytuacja_rodziny",
            "przebieg_wspolpracy", "wnioski"} <= set(load_schema("sad").pola)


def test_titles_and_prefixes_are_the_schemas() -> None:
    for kind in SHIPPED:
        schema = load_schema(kind)
        assert kinds.title(kind) == schema.tytul
        assert kinds.KINDS[kind].prefiks == schema.nazwa_pliku
    assert kinds.title("sprawozdanie_sad") == "Sprawozdanie dla sądu rodzinnego"
    assert kinds.known() == ["notatka", "sad", "zakonczenie"]


@pytest.mark.parametrize("kind", SHIPPED)
def test_kind_docx_and_pdf_show_title_and_every_value(kind: str,
                                                      filed: dict[str, FiledDocument]) -> None:
    doc = filed[kind]
    title = load_schema(kind).tytul
    text = docx_text(doc.docx)
    assert title.upper() in squash(text)
    assert f"Numer sprawy: {CASE}" in text
    assert "Załącznik nr" not in text  # not an attachment of the procedure
    missing = [v for v in expected_texts(kind) if v not in text]
    assert not missing, f"wartości nieobecne w DOCX: {missing}"
    printed = pdf_text(doc.pdf)
    assert f"Nr sprawy {CASE} · {title.lower()} · strona 1 z" in squash(printed)
    bare = re.sub(r"[\s-]+", "", printed)
    missing = [v for v in expected_texts(kind) if re.sub(r"[\s-]+", "", v) not in bare]
    assert not missing, f"wartości nieobecne w PDF: {missing}"


@pytest.mark.parametrize(("kind", "stem"), [
    ("zakonczenie", "zakonczenie_2026-09-30"),
    ("notatka", "notatka_2025-04-16_rozmowa-z-pedagogiem-szkoly-podstawowej"),
    ("sad", "sad_2025-10-06"),
])
def test_kind_archive_names_and_register(kind: str, stem: str,
                                         filed: dict[str, FiledDocument]) -> None:
    doc = filed[kind]
    assert (doc.docx.name, doc.pdf.name, doc.original.name) == (
        f"{stem}.docx", f"{stem}.pdf", f"{stem}.yaml")
    assert doc.original.read_bytes() == kind_example(kind).read_bytes()
    [entry] = Register.load(doc.folder).of_kind(kind)
    assert entry.zalacznik == NOT_NUMBERED and entry.pdf == f"{stem}.pdf"
    assert entry.dane["rodzaj"] == kind and entry.dane["asystent"] == "Katarzyna Żak"


def test_bad_kind_headers_are_answered_in_polish(settings: Settings, converter: Converter) -> None:
    note = kind_example("notatka").read_text(encoding="utf-8")
    unknown = drop(settings, "a.yaml", note.replace("rodzaj: notatka", "rodzaj: notatka_sluzbowa"))
    both = drop(settings, "b.yaml", "zalacznik: 3\n" + note)
    not_text = drop(settings, "c.yaml", note.replace("rodzaj: notatka", "rodzaj: 7"))
    bad_reason = drop(settings, "d.yaml", kind_example("zakonczenie").read_text(encoding="utf-8")
                      .replace("powod: rezygnacja rodziny złożona pisemnie", "powod: przeprowadzka"))
    originals = {p.name: p.read_bytes() for p in (unknown, both, not_text, bad_reason)}
    outcomes = run(settings, converter, unknown, both, not_text, bad_reason)
    assert [o.status for o in outcomes] == ["odrzucony"] * 4
    rejected = settings.inbox / "odrzucone"
    for name, content in originals.items():
        assert (rejected / name).read_bytes() == content  # kept as it was
    listed = "znane rodzaje: „notatka”, „sad”, „zakonczenie”"
    text = (rejected / "a.yaml.txt").read_text(encoding="utf-8")
    assert "nieznany rodzaj dokumentu „notatka_sluzbowa”" in text and listed in text
    assert "„zalacznik: 6”" in text
    text = (rejected / "b.yaml.txt").read_text(encoding="utf-8")
    assert "jednocześnie „zalacznik” i „rodzaj”" in text and listed in text
    assert "nieznany rodzaj dokumentu (to nie jest nazwa)" in (rejected / "c.yaml.txt").read_text(
        encoding="utf-8")
    text = (rejected / "d.yaml.txt").read_text(encoding="utf-8")
    assert "Powód zakończenia współpracy" in text and "„brak współpracy rodziny”" in text
    assert not (settings.outbox / "rodziny").exists()


def _note(day: str, subject: str, content: str) -> str:
    return (f"rodzaj: notatka\nrodzina: {CASE}\ndata: {day}\nasystent: Katarzyna Żak\n"
            f"temat: {subject}\nobecni: []\ntresc: {content}\n")


def test_two_notes_of_one_day_are_two_documents(settings: Settings, converter: Converter) -> None:
    school = drop(settings, "n1.yaml", _note("2026-03-15", "Wizyta w szkole", "Rozmowa z pedagogiem."))
    court = drop(settings, "n2.yaml", _note("2026-03-15", "Telefon z sądu", "Kurator pytał o rodzinę."))
    again = drop(settings, "n3.yaml", _note("2026-03-15", "Wizyta  w szkole", "Poprawiona treść."))
    twin = drop(settings, "n4.yaml", school.read_bytes())
    outcomes = run(settings, converter, school, court, again, twin)
    assert [o.status for o in outcomes] == ["przyjety", "przyjety", "przyjety", "duplikat"]
    folder = family_dir(settings.outbox, CASE)
    names = sorted(p.name for p in folder.glob("notatka_*.pdf"))
    assert names == ["notatka_2026-03-15_telefon-z-sadu.pdf", "notatka_2026-03-15_wizyta-w-szkole.pdf",
                     "notatka_2026-03-15_wizyta-w-szkole_v2.pdf"]
    current = Register.load(folder).of_kind("notatka")
    assert sorted((e.dane["temat"], e.wersja) for e in current) == [
        ("Telefon z sądu", 1), ("Wizyta  w szkole", 2)]
    log = [json.loads(line) for line in (settings.outbox / "dziennik.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert [e.get("rodzaj") for e in log if e.get("akcja") == "przyjeto"] == ["notatka"] * 3


def test_a_centre_adds_its_own_kind(tmp_path: Path, converter: Converter) -> None:
    """A schema + template pair in the centre's own folders is a kind like the shipped ones."""
    own = tmp_path / "moje_formularze"
    own.mkdir()
    (own / "wniosek_pcpr.yaml").write_text(
        "rodzaj: wniosek_pcpr\ntytul: Wniosek do PCPR o konsultację psychologiczną\nwersja: 1\n"
        "podpisy:\n  - podpis: podpis asystenta rodziny\n    osoba: asystent\n"
        "pola:\n  asystent:\n    type: string\n    required: true\n    meta:\n"
        "      etykieta: Asystent rodziny\n      pomoc: Imię i nazwisko asystenta.\n"
        "  uzasadnienie:\n    type: string\n    required: true\n    meta:\n"
        "      etykieta: Uzasadnienie\n      pomoc: Dlaczego rodzina potrzebuje konsultacji.\n"
        "      wielowierszowe: true\n", encoding="utf-8")
    templates = tmp_path / "moje_szablony"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_templates.py"), "--schematy",
                    str(own), "--wynik", str(templates), "wniosek_pcpr"], check=True,
                   capture_output=True)
    settings = make_settings(tmp_path).with_folders(formularze=own, szablony=templates)
    assert kinds.known(own) == ["notatka", "sad", "wniosek_pcpr", "zakonczenie"]
    assert template_mismatch("wniosek_pcpr", settings) == []
    form = drop(settings, "pcpr.yaml", f"rodzaj: wniosek_pcpr\nrodzina: {CASE}\ndata: 2026-04-02\n"
                "asystent: Katarzyna Żak\nuzasadnienie: Zofia od miesiąca nie chodzi do szkoły.\n")
    [outcome] = run(settings, converter, form)
    assert outcome.status == "przyjety", outcome.problems
    assert outcome.filed and outcome.filed.pdf.name == "wniosek-pcpr_2026-04-02.pdf"
    assert "Zofia od miesiąca nie chodzi do szkoły." in pdf_text(outcome.filed.pdf)
    [entry] = Register.load(outcome.filed.folder).of_kind("wniosek_pcpr")
    assert kinds.title(entry.rodzaj, own) == "Wniosek do PCPR o konsultację psychologiczną"
