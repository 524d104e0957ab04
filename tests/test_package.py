"""The package as a centre installs it: schemas, examples and templates inside the wheel,
and the committed templates built from the committed schemas."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_schemas_examples_and_templates(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True)
    [wheel] = tmp_path.glob("asysta-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for n in range(1, 17):
        assert f"pipeline/_dane/formularze/zal{n:02d}.yaml" in names
        assert f"pipeline/_dane/formularze/przyklady/zal{n:02d}.yaml" in names
        assert f"pipeline/_dane/zalaczniki_templates/zal{n:02d}.docx" in names
    for kind in ("zakonczenie", "notatka", "sad"):  # document kinds beyond the sixteen
        assert f"pipeline/_dane/formularze/{kind}.yaml" in names
        assert f"pipeline/_dane/formularze/przyklady/{kind}.yaml" in names
        assert f"pipeline/_dane/zalaczniki_templates/{kind}.docx" in names
    for name in ("sprawozdanie", "sprawozdanie_sad"):  # the figures and the court report
        assert f"pipeline/_dane/zalaczniki_templates/{name}.docx" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "asysta = pipeline.app.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_committed_templates_are_built_from_the_schemas(tmp_path: Path) -> None:
    """A schema changed without `python scripts/build_templates.py` would fail here."""
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_templates.py"),
                    "--wynik", str(tmp_path)], check=True, capture_output=True)
    kinds = ["zakonczenie.docx", "notatka.docx", "sad.docx"]
    reports = ["sprawozdanie.docx", "sprawozdanie_sad.docx"]  # asysta sprawozdanie, asysta sad
    for name in [f"zal{n:02d}.docx" for n in range(1, 17)] + kinds + reports + [
            "checklista.docx", "zestawienie.docx"]:
        built, committed = (zipfile.ZipFile(folder / name) for folder in
                            (tmp_path, ROOT / "zalaczniki_templates"))
        assert sorted(built.namelist()) == sorted(committed.namelist()), name
        for part in ("word/document.xml", "word/styles.xml"):
            assert built.read(part) == committed.read(part), \
                f"{name}: przebuduj szablony (python scripts/build_templates.py)"
        # slim: LibreOffice reads every style of every document it converts
        assert "word/stylesWithEffects.xml" not in committed.namelist()
        assert b"latentStyles" not in committed.read("word/styles.xml")
