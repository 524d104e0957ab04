"""Document kinds beyond the sixteen (`rodzaj: …` in place of `zalacznik: N`): the closing of a
case, service notes and the court narrative, through the real inbox, LibreOffice and archive;
and a kind a centre adds with its own schema and template."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from conftest import EXAMPLES, docx_text, drop, entry, leaf_values, make_settings, pdf_text, run, squash
from pypdf import PdfReader

from pipeline.app.checks import template_mismatch
from pipeline.core.config import Settings, Terminy
from pipeline.core.errors import ConfigError
from pipeline.core.models import FiledDocument, IncomingFile
from pipeline.core.polish import display
from pipeline.documents.teczka import build_teczka
from pipeline.sprawa import kinds
from pipeline.sprawa.checklist import Checklist, Item, compute
from pipeline.sprawa.register import NOT_NUMBERED, Entry, Register, family_dir
from pipeline.sprawa.schemas import iter_fields, load_schema
from pipeline.stages.convert import Converter
from pipeline.stages.holding import HOLD_DIR, release
from pipeline.stages.parse import parse
from pipeline.stages.validate import validate

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
    assert PdfReader(str(doc.pdf)).metadata.title == title  # PDF/A metadata: the kind's title
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
    unknown_field = drop(settings, "e.yaml", note + "tematt: x\n")
    originals = {p.name: p.read_bytes() for p in (unknown, both, not_text, bad_reason, unknown_field)}
    outcomes = run(settings, converter, unknown, both, not_text, bad_reason, unknown_field)
    assert [o.status for o in outcomes] == ["odrzucony"] * 5
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
    text = (rejected / "e.yaml.txt").read_text(encoding="utf-8")
    assert "formularz tego rodzaju dokumentu go nie przewiduje – czy chodziło o „temat”?" in text
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


# -- closing a case: the checklist ---------------------------------------------------------

ASSIGNED, CONSENT, CLOSED = date(2026, 1, 5), date(2026, 1, 12), date(2026, 3, 20)
LATER = date(2027, 1, 15)  # long after the closing: every clock would have run out


def _case(*, consent: str = "wyrażamy zgodę na współpracę z asystentem rodziny") -> list[Entry]:
    """A case in cooperation: assignment, hand-over, consent, card, assessment, plan, weekly
    visits to the closing date and the monthly reports for January and February."""
    visits = [{"data": (CONSENT + timedelta(days=7 * i)).isoformat()} for i in range(10)]
    return [
        entry(1, ASSIGNED, "zal01.pdf", {"asystent": "Katarzyna Żak"}),
        entry(2, date(2026, 1, 7), "zal02.pdf", {"dokumenty": [{"nazwa": "wywiad środowiskowy"}]}),
        entry(3, CONSENT, "zal03.pdf", {"oswiadczenie": consent}),
        entry(4, date(2026, 1, 14), "zal04.pdf", {}),
        entry(5, date(2026, 2, 2), "zal05.pdf", {}),
        entry(6, date(2026, 2, 2), "zal06.pdf", {}),
        entry(8, date(2026, 3, 20), "zal08.pdf", {"wizyty": visits}),
        entry(14, date(2026, 2, 3), "zal14_01.pdf", {"miesiac": "2026-01"}),
        entry(14, date(2026, 3, 4), "zal14_02.pdf", {"miesiac": "2026-02"}),
    ]


def _closing(powod: str, on: date = CLOSED, told: date | None = None) -> Entry:
    return entry(0, on, "zakonczenie.pdf", {"powod": powod, "sad_poinformowany": told is not None,
                                          "data_poinformowania_sadu": told and told.isoformat()},
               rodzaj="zakonczenie")


def _court_items(checklist: Checklist) -> list[Item]:
    return [i for i in checklist.pozycje if i.opis.startswith("Poinformowanie sądu")]


def test_an_open_case_keeps_running_without_a_closing() -> None:
    """What the closing stops: the same case, not closed, is full of BRAK a year later."""
    checklist = compute(CASE, _case(), LATER, Terminy())
    assert checklist.etap == "współpraca" and checklist.active and checklist.zakonczono is None
    late = [i for i in checklist.pozycje if i.status == "brak" and i.termin and i.termin > CLOSED]
    assert {i.zalacznik for i in late} >= {8, 14, 15}


@pytest.mark.parametrize("powod", list(kinds.POWODY))
def test_each_reason_stops_every_clock_on_its_date(powod: str) -> None:
    checklist = compute(CASE, [*_case(), _closing(powod)], LATER, Terminy())
    assert checklist.etap == "zakończona" and checklist.zakonczono == CLOSED
    assert not checklist.active  # the assistant's place is free
    court = _court_items(checklist)
    others = [i for i in checklist.pozycje if i not in court]
    assert all(i.termin is None or i.termin <= CLOSED for i in others), others
    assert [i.status for i in others if i.status in ("brak", "po_terminie")] == []
    [closing] = [i for i in others if i.rodzaj == "zakonczenie"]
    assert closing.status == "jest" and closing.plik == "zakonczenie.pdf" and powod in closing.opis
    months = [i.okres for i in checklist.pozycje if i.zalacznik == 14]
    assert months == ["2026-01", "2026-02"]  # March's report would fall due after the closing
    assert len(court) == (1 if powod in kinds.POWODY_SAD else 0)
    # the checklist's JSON says the same
    data = checklist.to_json()
    assert data["etap"] == "zakończona" and data["zakonczono"] == "2026-03-20"


@pytest.mark.parametrize(("told", "as_of", "status"), [
    (None, date(2026, 3, 25), "oczekuje"),
    (None, LATER, "brak"),
    (date(2026, 3, 27), LATER, "jest"),
    (date(2026, 4, 20), LATER, "po_terminie"),
])
def test_the_court_is_to_be_informed(told: date | None, as_of: date, status: str) -> None:
    for powod in kinds.POWODY_SAD:
        checklist = compute(CASE, [*_case(), _closing(powod, told=told)], as_of, Terminy())
        [item] = _court_items(checklist)
        assert (item.status, item.termin) == (status, CLOSED + timedelta(days=14))
        assert item.to_json()["rodzaj"] == "zakonczenie" and item.zalacznik == 0
    custom = compute(CASE, [*_case(), _closing(kinds.POWODY_SAD[0])], LATER,
                     Terminy(poinformowanie_sadu_dni=30))
    assert _court_items(custom)[0].termin == CLOSED + timedelta(days=30)


def test_a_refusal_at_the_first_meeting_closes_the_cycle() -> None:
    docs = [d for d in _case(consent=kinds.ODMOWA) if d.zalacznik <= 3]
    checklist = compute(CASE, docs, LATER, Terminy())
    assert checklist.etap == "zakończona" and checklist.zakonczono == CONSENT
    assert not checklist.active
    assert {i.zalacznik for i in checklist.pozycje} == {1, 2, 3, 0}  # no card, plan, reports…
    [court] = _court_items(checklist)
    # issue 19 (seed 004 §6): after a refusal telling the court is the kierownik's decision,
    # never a BRAK nor a problem
    assert court.status == "decyzja" and "odmowa współpracy" in court.opis
    assert court.termin is None and not checklist.has_problems
    # a closing document filed afterwards says the court was told
    told = compute(CASE, [*docs, _closing("brak współpracy rodziny", date(2026, 1, 15),
                                          told=date(2026, 1, 20))], LATER, Terminy())
    assert told.zakonczono == CONSENT and _court_items(told)[0].status == "jest"


def test_a_closing_before_the_first_meeting_and_a_new_assignment_after() -> None:
    early = [d for d in _case() if d.zalacznik <= 2]
    moved = _closing("zmiana miejsca zamieszkania poza gminę", date(2026, 1, 10))
    closed = compute(CASE, [*early, moved], LATER, Terminy())
    assert closed.etap == "zakończona" and not closed.active
    assert all(i.status != "brak" for i in closed.pozycje)
    again = entry(1, date(2026, 6, 1), "zal01_2.pdf", {"asystent": "Tomasz Ślęzak"})
    reopened = compute(CASE, [*early, moved, again], date(2026, 6, 2), Terminy())
    assert reopened.etap == "start" and reopened.active and reopened.cykl_od == date(2026, 6, 1)


def test_notes_and_court_narratives_count_nowhere_in_the_checklist() -> None:
    note = entry(0, date(2026, 2, 10), "notatka.pdf", {"temat": "x"}, rodzaj="notatka")
    narrative = entry(0, date(2026, 2, 11), "sad.pdf", {}, rodzaj="sad")
    plain = compute(CASE, _case(), date(2026, 3, 1), Terminy())
    assert compute(CASE, [*_case(), note, narrative], date(2026, 3, 1), Terminy()) == plain


# -- through the inbox: the place freed, notes in the archive and the teczka -----------------


def _assigned(settings: Settings, rodzina: str, on: date, asystent: str = "Katarzyna Żak") -> None:
    """A family whose archive holds an assignment (the register, as the archive writes it)."""
    folder = family_dir(settings.outbox, rodzina)
    folder.mkdir(parents=True)
    entry = Entry(1, on, 1, pdf="zal01.pdf", dane={"asystent": asystent, "data": on.isoformat()})
    (folder / "rejestr.json").write_bytes(Register(rodzina).with_entry(entry).to_bytes())


def test_a_closed_case_frees_a_place_for_a_new_assignment(settings: Settings,
                                                          converter: Converter) -> None:
    for i in range(1, 16):  # Katarzyna Żak works with fifteen families
        _assigned(settings, f"K-2026-{i:03d}", date(2026, 1, 5))
    assignment = (EXAMPLES / "zal01.yaml").read_text(encoding="utf-8").replace(
        f"rodzina: {CASE}", "rodzina: K-2026-100").replace("data: 2025-03-03", "data: 2026-04-01")
    [refused] = run(settings, converter, drop(settings, "przydzial.yaml", assignment))
    assert refused.status == "odrzucony" and "prowadzi już 15 rodzin" in str(refused.problems)
    closing = kind_example("zakonczenie").read_text(encoding="utf-8").replace(
        f"rodzina: {CASE}", "rodzina: K-2026-007").replace("data: 2026-09-30", "data: 2026-03-31")
    [closed] = run(settings, converter, drop(settings, "zakonczenie.yaml", closing))
    assert closed.status == "przyjety", closed.problems
    checklist = json.loads((family_dir(settings.outbox, "K-2026-007") / "checklista.json")
                           .read_text(encoding="utf-8"))
    assert (checklist["etap"], checklist["zakonczono"]) == ("zakończona", "2026-03-31")
    [accepted] = run(settings, converter, drop(settings, "przydzial.yaml", assignment))
    assert accepted.status == "przyjety", accepted.problems


def test_notes_go_into_the_archive_and_the_teczka_in_date_order(settings: Settings,
                                                                converter: Converter) -> None:
    paths = []
    for n in (1, 2, 3):
        paths.append(settings.inbox / f"zal{n:02d}.yaml")
        shutil.copyfile(EXAMPLES / f"zal{n:02d}.yaml", paths[-1])
    paths.append(drop(settings, "n1.yaml", _note("2025-05-20", "Telefon od kuratora", "Kurator pytał.")))
    paths.append(drop(settings, "n2.yaml", _note("2025-03-10", "Wizyta w szkole", "Rozmowa z pedagogiem.")))
    shutil.copyfile(kind_example("zakonczenie"), settings.inbox / "z.yaml")
    paths.append(settings.inbox / "z.yaml")
    outcomes = run(settings, converter, *paths)
    assert [o.status for o in outcomes] == ["przyjety"] * 6, [o.problems for o in outcomes]
    folder = family_dir(settings.outbox, CASE)
    assert sorted(p.name for p in folder.glob("*.pdf") if p.name != "checklista.pdf") == [
        "notatka_2025-03-10_wizyta-w-szkole.pdf", "notatka_2025-05-20_telefon-od-kuratora.pdf",
        "zakonczenie_2026-09-30.pdf", "zal01_2025-03-03_przydzielenie-asystenta.pdf",
        "zal02_2025-03-05_przekazanie-dokumentow.pdf", "zal03_2025-03-12_zgoda-rodziny.pdf"]
    teczka = build_teczka(settings, CASE, date(2026, 10, 1))
    reader = PdfReader(str(teczka.path))
    outline = [item.title for item in reader.outline][2:]
    assert outline == [
        "Zał. 1 – Przydzielenie asystenta rodziny – 03.03.2025",
        "Zał. 2 – Protokół przekazania dokumentów asystentowi rodziny – 05.03.2025",
        "Zał. 3 – Zgoda rodziny na współpracę z asystentem rodziny – 12.03.2025",
        "Notatka służbowa: Wizyta w szkole – 10.03.2025",
        "Notatka służbowa: Telefon od kuratora – 20.05.2025",
        "Zakończenie współpracy z rodziną – 30.09.2026",
    ]
    contents = squash(reader.pages[1].extract_text())
    assert "Notatka służbowa: Wizyta w szkole" in contents
    assert "30.09.2026" in squash(reader.pages[0].extract_text())  # the case's end, on the cover
    assert "Rozmowa z pedagogiem." in pdf_text(teczka.path)  # the note itself is bound


def test_a_kind_whose_own_template_is_broken_is_held_until_it_is_fixed(
        settings: Settings, converter: Converter) -> None:
    folder = settings.inbox.parent / "szablony"
    folder.mkdir()
    broken = folder / "notatka.docx"
    with zipfile.ZipFile(ROOT / "zalaczniki_templates" / "notatka.docx") as source, \
            zipfile.ZipFile(broken, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"{{ tresc|pl }}", b"{{ tresc|pl }")
            out.writestr(info, data)
    settings = settings.with_folders(szablony=folder)
    note = drop(settings, "n.yaml", _note("2026-03-15", "Wizyta w szkole", "Rozmowa."))
    [held] = run(settings, converter, note)
    assert held.status == "pozostawiony"
    assert (settings.inbox / HOLD_DIR / "n.yaml").is_file()
    assert "notatka.docx" in (settings.inbox / HOLD_DIR / "n.yaml.txt").read_text(encoding="utf-8")
    broken.unlink()  # back to the shipped template
    assert release(settings) == [settings.inbox / "n.yaml"]
    [filed_again] = run(settings, converter, settings.inbox / "n.yaml")
    assert filed_again.status == "przyjety", filed_again.problems


def test_a_kind_schema_names_its_kind(tmp_path: Path) -> None:
    (tmp_path / "wniosek.yaml").write_text("zalacznik: 3\ntytul: Wniosek\nwersja: 1\npola: {}\n",
                                          encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_schema("wniosek", tmp_path)
    assert "musi mieć klucz „rodzaj: wniosek”" in str(caught.value)
    assert kinds.slug("Wizyta w szkole – Zofia Żółw!") == "wizyta-w-szkole-zofia-zolw"
    assert len(kinds.slug("bardzo " * 20)) <= 40
