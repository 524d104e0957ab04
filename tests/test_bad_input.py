"""Every class of bad input: rejected with a Polish explanation, the original intact,
no value of the form repeated in the explanation, and nothing in the archive."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import drop, example, run

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.stages.convert import Converter

EXAMPLE_1 = example(1).read_text(encoding="utf-8")


def variant(old: str, new: str) -> str:
    assert old in EXAMPLE_1
    return EXAMPLE_1.replace(old, new, 1)


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi", strict=True)
)

# name, file name, content, phrases the explanation must contain
CASES: list[tuple[str, str, bytes | str, list[str]]] = [
    ("pusty", "pusty.yaml", b"", ["plik jest pusty"]),
    ("same spacje", "spacje.yaml", b"  \n\n", ["plik jest pusty"]),
    ("zła składnia YAML", "skladnia.yaml",
     "zalacznik: 1\nrodzina: K-1\ndata: [2025-01-01\nasystent: x\n", ["Wiersz", "składni YAML"]),
    ("zła składnia JSON", "skladnia.json",
     '{\n  "zalacznik": 1,\n  "rodzina": "K-1"\n  "data": "2025-01-01"\n}\n',
     ["Wiersz 4", "składni JSON", "brakuje przecinka"]),
    ("Windows-1250", "cp1250.yaml",
     "zalacznik: 1\nrodzina: K-1\nasystent: Łucja Żółć\n".encode("cp1250"),
     ["Windows-1250", "UTF-8", "Zapisz jako"]),
    ("znacznik tworzący obiekt", "tag.yaml",
     "zalacznik: 1\nrodzina: !!python/object/apply:os.system ['echo zly']\n",
     ["niedozwolony znacznik YAML", "python/object/apply:os.system", "Wiersz 2"]),
    ("bomba aliasów", "bomba.yaml", BOMB, ["zbyt wiele odwołań YAML"]),
    ("za duży plik", "duzy.yaml", "x: " + "a" * (1100 * 1024), ["za duży", "1024 KB"]),
    ("brak numeru załącznika", "bez_numeru.yaml", variant("zalacznik: 1\n", ""),
     ["brak numeru załącznika", "zalacznik"]),
    ("nieznany numer załącznika", "nr17.yaml", variant("zalacznik: 1", "zalacznik: 17"),
     ["Numer załącznika", "za duża (najwyżej 16)"]),
    ("numer załącznika tekstem", "nr_tekst.yaml", variant("zalacznik: 1", "zalacznik: pierwszy"),
     ["Numer załącznika", "liczba całkowita"]),
    ("ścieżka zamiast numeru sprawy", "traversal.yaml",
     variant("rodzina: K-2025-014", "rodzina: ../x"), ["Numer sprawy rodziny", "np. K-2026-014"]),
    ("numer sprawy ze ścieżką bezwzględną", "abs.yaml",
     variant("rodzina: K-2025-014", "rodzina: /etc/passwd"), ["Numer sprawy rodziny"]),
    ("brak wymaganego pola", "bez_asystenta.yaml", variant("asystent: Katarzyna Żak\n", ""),
     ["„Asystent rodziny” (asystent)", "brak wymaganego pola"]),
    ("nieznane pole", "nieznane.yaml", variant("adres:", "adress:"),
     ["adress", "nieznane pole", "czy chodziło o „adres”"]),
    ("zły typ", "typ.yaml", variant("pokrewienstwo: syn", "pokrewienstwo: [1, 2]"),
     ["Członkowie rodziny › poz. 4 › Stopień pokrewieństwa", "oczekiwano: tekst"]),
    ("niemożliwa data", "data.yaml", variant("data_wniosku: 2025-02-26", "data_wniosku: 2025-02-30"),
     ["„Data wniosku pracownika socjalnego” (data_wniosku)", "nie jest poprawna data"]),
    ("data w złym formacie", "data_pl.yaml", variant("data: 2025-03-03", "data: 03.03.2025"),
     ["„Data dokumentu” (data)", "RRRR-MM-DD"]),
    ("zły PESEL", "pesel.yaml", variant('"91031412362"', '"91031412363"'),
     ["czlonkowie[1].pesel", "cyfra kontrolna"]),
    ("PESEL bez cudzysłowu", "pesel_liczba.yaml", variant('"91031412362"', "91031412362"),
     ["czlonkowie[1].pesel", "cudzysłowie"]),
    ("PESEL niezgodny z datą urodzenia", "pesel_data.yaml",
     variant("data_urodzenia: 1991-03-14", "data_urodzenia: 1991-03-15"),
     ["nie zgadza się z datą urodzenia"]),
    ("znak sterujący", "sterujacy.yaml", variant("uzasadnienie: |-", 'uzasadnienie: "a\\u0007b"\nx_: |-'),
     ["U+0007", "uzasadnienie"]),
    ("lista zamiast formularza", "lista.yaml", "- a\n- b\n", ["nazwa: wartość"]),
    ("dwa dokumenty", "dwa.yaml", "zalacznik: 1\n---\nzalacznik: 2\n", ["więcej niż jeden dokument"]),
    ("powtórzony klucz", "powtorka.yaml", EXAMPLE_1 + "asystent: Ktoś Inny\n", ["dwa razy"]),
    ("nieobsługiwany rodzaj pliku", "formularz.docx", b"PK\x03\x04", ["nieobsługiwany rodzaj pliku"]),
]

PERSONAL = ["Katarzyna", "Wójcik", "Źródlana", "91031412363", "echo zly", "Łucja", "1991-03-15"]


@pytest.mark.parametrize(("name", "filename", "content", "phrases"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_rejected_with_explanation(
    name: str, filename: str, content: bytes | str, phrases: list[str],
    settings: Settings, converter: Converter,
) -> None:
    path = drop(settings, filename, content)
    original = path.read_bytes()
    [outcome] = run(settings, converter, path)
    assert outcome.status == "odrzucony", name
    assert not path.exists()
    kept = settings.inbox / "odrzucone" / filename
    assert kept.read_bytes() == original  # unchanged
    explanation = (settings.inbox / "odrzucone" / f"{filename}.txt").read_text(encoding="utf-8")
    for phrase in phrases:
        assert phrase in explanation, (phrase, explanation)
    assert "Traceback" not in explanation
    for value in PERSONAL:
        assert value not in explanation, f"wartość pola w opisie błędu: {value}"
    assert not (settings.outbox / "rodziny").exists()
    [entry] = journal.read(settings.outbox)
    assert entry["akcja"] == "odrzucono" and entry["plik"] == filename


def test_rejected_files_of_the_same_name_never_overwrite(settings: Settings, converter: Converter) -> None:
    for content in ("a: 1\n", "b: 2\n", "c: 3\n"):
        run(settings, converter, drop(settings, "raport.yaml", content))
    rejected = settings.inbox / "odrzucone"
    assert (rejected / "raport.yaml").read_text() == "a: 1\n"
    assert (rejected / "raport (2).yaml").read_text() == "b: 2\n"
    assert (rejected / "raport (3).yaml").read_text() == "c: 3\n"
    assert (rejected / "raport (3).yaml.txt").exists()


def test_every_problem_is_listed_at_once(settings: Settings, converter: Converter) -> None:
    text = variant("asystent: Katarzyna Żak\n", "").replace("data_wniosku: 2025-02-26", "data_wniosku: x")
    text = text.replace('"88110245676"', '"88110245670"')
    [outcome] = run(settings, converter, drop(settings, "wiele.yaml", text))
    keys = {p.key for p in outcome.problems}
    assert keys == {"asystent", "data_wniosku", "czlonkowie[2].pesel"}


def test_bom_and_crlf_from_notepad_are_accepted(settings: Settings, converter: Converter) -> None:
    content = b"\xef\xbb\xbf" + EXAMPLE_1.replace("\n", "\r\n").encode("utf-8")
    [outcome] = run(settings, converter, drop(settings, "notatnik.yaml", content))
    assert outcome.status == "przyjety", outcome.problems
    assert outcome.filed and outcome.filed.original.read_bytes() == content


def test_symlink_in_inbox_is_not_followed(settings: Settings, converter: Converter, tmp_path: Path) -> None:
    secret = tmp_path / "poza_inboxem.yaml"
    secret.write_text(EXAMPLE_1, encoding="utf-8")
    link = settings.inbox / "link.yaml"
    link.symlink_to(secret)
    [outcome] = run(settings, converter, link)
    assert outcome.status == "odrzucony"
    assert "dowiązanie" in str(outcome.problems[0])
    assert secret.read_text(encoding="utf-8") == EXAMPLE_1
    assert not (settings.outbox / "rodziny").exists()
