"""The family archive: versions, duplicates, permissions, the record and the audit log."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from conftest import docx_text, drop, example, pdf_text, run

from pipeline.core import journal
from pipeline.core.config import Settings
from pipeline.stages.archive import REGISTER_NAME, family_dir
from pipeline.stages.convert import Converter

EXAMPLE_1 = example(1).read_text(encoding="utf-8")


def test_same_bytes_again_create_nothing(settings: Settings, converter: Converter) -> None:
    [first] = run(settings, converter, drop(settings, "a.yaml", EXAMPLE_1))
    assert first.status == "przyjety"
    folder = family_dir(settings.outbox, "K-2025-014")
    before = sorted(p.name for p in folder.iterdir())
    [again] = run(settings, converter, drop(settings, "b.yaml", EXAMPLE_1))
    assert again.status == "duplikat"
    assert sorted(p.name for p in folder.iterdir()) == before
    assert not (settings.inbox / "b.yaml").exists()  # its bytes are already in the archive
    assert [e["akcja"] for e in journal.read(settings.outbox)] == ["przyjeto", "duplikat"]


def test_corrected_form_becomes_a_new_version(settings: Settings, converter: Converter) -> None:
    run(settings, converter, drop(settings, "a.yaml", EXAMPLE_1))
    corrected = EXAMPLE_1.replace("Katarzyna Żak", "Katarzyna Żak-Nowicka")
    [second] = run(settings, converter, drop(settings, "a.yaml", corrected))
    assert second.status == "przyjety" and second.filed
    folder = family_dir(settings.outbox, "K-2025-014")
    stem = "zal01_2025-03-03_przydzielenie-asystenta"
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith("zal")) == [
        f"{stem}.docx", f"{stem}.pdf", f"{stem}.yaml",
        f"{stem}_v2.docx", f"{stem}_v2.pdf", f"{stem}_v2.yaml",
    ]
    assert second.filed.version == 2
    # a name's words are tied by non-breaking spaces (a name never splits across lines)
    assert "Katarzyna Żak-Nowicka" in docx_text(folder / f"{stem}_v2.docx").replace("\xa0", " ")
    assert "Katarzyna Żak-Nowicka" not in docx_text(folder / f"{stem}.docx").replace("\xa0", " ")
    assert "Żak-Nowicka" in pdf_text(folder / f"{stem}_v2.pdf")
    record = json.loads((folder / REGISTER_NAME).read_text(encoding="utf-8"))
    assert [(d["zalacznik"], d["wersja"]) for d in record["dokumenty"]] == [(1, 1), (1, 2)]
    assert record["dokumenty"][1]["dane"]["asystent"] == "Katarzyna Żak-Nowicka"


def test_archive_is_private_whatever_the_umask(settings: Settings, converter: Converter) -> None:
    old = os.umask(0)
    try:
        [outcome] = run(settings, converter, drop(settings, "a.yaml", EXAMPLE_1))
    finally:
        os.umask(old)
    assert outcome.filed
    for path in [settings.outbox, *settings.outbox.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if path.is_dir():
            assert mode == 0o700, path
        else:
            assert mode == 0o600, path


def test_no_temporary_files_are_left(settings: Settings, converter: Converter) -> None:
    run(settings, converter, drop(settings, "a.yaml", EXAMPLE_1))
    leftovers = [p for p in settings.outbox.rglob("*") if ".tmp" in p.name or "przetwarzanie" in p.name]
    assert leftovers == []


def test_audit_log_holds_no_personal_data(settings: Settings, converter: Converter) -> None:
    run(settings, converter, drop(settings, "a.yaml", EXAMPLE_1))
    run(settings, converter, drop(settings, "zly.yaml", EXAMPLE_1.replace("91031412362", "91031412363")))
    log = (settings.outbox / "dziennik.jsonl").read_text(encoding="utf-8")
    for value in ("Wójcik", "Katarzyna", "Źródlana", "91031412362", "91031412363", "Ćwiklińska"):
        assert value not in log
    entries = journal.read(settings.outbox)
    assert [(e["akcja"], e["rodzina"], e["wynik"]) for e in entries] == [
        ("przyjeto", "K-2025-014", "przyjety"), ("odrzucono", "K-2025-014", "odrzucony")]
    assert entries[1]["pola"] == ["czlonkowie[1].pesel"]
    assert all({"czas", "akcja", "plik", "rodzina", "wynik"} <= set(e) for e in entries)


def test_file_outside_inbox_is_left_where_it_is(settings: Settings, converter: Converter,
                                                tmp_path: Path) -> None:
    elsewhere = tmp_path / "gdzies" / "formularz.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(EXAMPLE_1, encoding="utf-8")
    [outcome] = run(settings, converter, elsewhere)
    assert outcome.status == "przyjety"
    assert elsewhere.read_text(encoding="utf-8") == EXAMPLE_1


def test_json_form_is_accepted(settings: Settings, converter: Converter) -> None:
    import yaml

    data = yaml.safe_load(EXAMPLE_1)
    content = json.dumps(data, ensure_ascii=False, default=str, indent=2)
    [outcome] = run(settings, converter, drop(settings, "formularz.json", content))
    assert outcome.status == "przyjety", outcome.problems
    assert outcome.filed and outcome.filed.original.name.endswith(".json")


def test_a_long_batch_files_versions_in_input_order(settings: Settings, converter: Converter) -> None:
    """More chunks than LibreOffice gets ahead: each is filed as it finishes, in input order."""
    from pipeline.flow.process import CHUNKS_AHEAD, CONVERT_CHUNK

    count = CONVERT_CHUNK * (CHUNKS_AHEAD + 2) + 3
    example_2 = example(2).read_text(encoding="utf-8")
    paths = [drop(settings, f"k{i:03d}.yaml", example_2.replace(
        "Wywiad przeprowadzony", f"Wersja {i + 1}. Wywiad przeprowadzony")) for i in range(count)]
    outcomes = run(settings, converter, *paths)
    assert sorted(o.name for o in outcomes) == [p.name for p in paths]  # one outcome each
    assert all(o.status == "przyjety" and o.filed for o in outcomes), [o.status for o in outcomes]
    assert [o.name for o in outcomes] == [p.name for p in paths]
    for i, outcome in enumerate(outcomes):
        assert outcome.filed.version == i + 1
        assert f"Wersja {i + 1}. Wywiad" in pdf_text(outcome.filed.pdf)
    assert not any(settings.inbox.glob("*.yaml"))
    assert not list(settings.outbox.glob(".przetwarzanie-*"))  # the work folder is gone
