"""The shared helpers: Polish words, the parents rule, the one font list, neutral imports."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from pipeline.core.polish import is_parent, parent_names, pl_count, pl_date


def test_counts_and_dates_read_as_polish() -> None:
    assert [pl_count(n, "plik", "pliki", "plików") for n in (1, 2, 5, 12, 22, 104)] == [
        "1 plik", "2 pliki", "5 plików", "12 plików", "22 pliki", "104 pliki"]
    assert pl_date(date(2025, 3, 3)) == "03.03.2025"


@pytest.mark.parametrize("relation", [
    "matka", "Ojciec", "rodzic", "opiekun", "opiekunka", "opiekun prawny", "Opiekunka  prawna",
])
def test_parents_and_legal_guardians_are_parents(relation: str) -> None:
    assert is_parent(relation)


@pytest.mark.parametrize("relation", [
    "matka chrzestna", "ojciec chrzestny", "ojczym", "macocha", "babcia", "syn", "córka", "", None,
])
def test_other_members_are_not(relation: str | None) -> None:
    assert not is_parent(relation)


def test_parent_names_keep_the_members_order() -> None:
    members = [
        {"imie_nazwisko": "Agnieszka Wójcik", "pokrewienstwo": "matka"},
        {"imie_nazwisko": "Jędrzej Wójcik", "pokrewienstwo": "syn"},
        {"imie_nazwisko": "Łukasz Wójcik", "pokrewienstwo": "Ojciec"},
        {"imie_nazwisko": "", "pokrewienstwo": "opiekun prawny"},
        "not a member",
    ]
    assert parent_names(members) == ["Agnieszka Wójcik", "Łukasz Wójcik"]


def test_the_binder_and_the_forms_use_one_font_list() -> None:
    from pipeline.documents import teczka
    from pipeline.forms import font_paths
    from pipeline.pdf import fonts

    assert font_paths is fonts.font_paths
    assert teczka.register_fonts() == tuple(str(p) for p in fonts.font_paths())


@pytest.mark.parametrize(("module", "not_loaded"), [
    ("pipeline.stages.validate", "pipeline.stages.render"),  # validate needs only the Polish words
    ("pipeline.documents.teczka", "pipeline.forms"),  # the binder needs only quiet_pypdf
])
def test_modules_import_only_what_they_use(module: str, not_loaded: str) -> None:
    code = f"import sys, {module}; print({not_loaded!r} in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
