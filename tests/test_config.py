"""Configuration: defaults with no file, every problem at once, in Polish."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.core.config import ConfigError, load_settings


def test_no_config_at_all_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASYSTA_CONFIG", raising=False)
    settings = load_settings(cwd=tmp_path)
    assert settings.source is None
    assert settings.inbox == tmp_path.resolve() / "inbox"
    assert settings.outbox == tmp_path.resolve() / "outbox"
    assert settings.terminy.przekazanie_dokumentow_dni == 3
    assert settings.terminy.rozpoczecie_pracy_dni == 10
    assert settings.terminy.rozpoczecie_pracy_sad_dni == 5
    assert settings.terminy.raport_miesieczny_dzien == 5
    assert settings.terminy.ocena_okresowa_miesiace == 6
    assert settings.terminy.limit_rodzin == 15


def test_config_from_environment_with_paths_relative_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    conf = tmp_path / "ustawienia" / "asysta.toml"
    conf.parent.mkdir()
    conf.write_text('[osrodek]\nnazwa = "MOPS w Żarach"\n[foldery]\ninbox = "wejscie"\n'
                    '[terminy]\nrozpoczecie_pracy_dni = 14\n', encoding="utf-8")
    monkeypatch.setenv("ASYSTA_CONFIG", str(conf))
    settings = load_settings(cwd=tmp_path)
    assert settings.osrodek.nazwa == "MOPS w Żarach"
    assert settings.inbox == conf.parent / "wejscie"
    assert settings.outbox == conf.parent / "outbox"
    assert settings.terminy.rozpoczecie_pracy_dni == 14  # another centre's deadline, as a setting


def test_bad_config_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "asysta.toml").write_text(
        '[osrodek]\nnazwa = 5\nfax = "x"\n[terminy]\nlimit_rodzin = "piętnaście"\n'
        'monitoring_min_miesiace = 7\nraport_miesieczny_dzien = 40\n[inne]\na = 1\n'
        '[przetwarzanie]\nstabilnosc_s = -1\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(cwd=tmp_path)
    problems = caught.value.problems
    assert len(problems) == 7, problems
    text = str(caught.value)
    for phrase in ("[osrodek] nazwa: oczekiwano tekstu", "[osrodek] fax: nieznany klucz",
                   "[terminy] limit_rodzin: oczekiwano liczby całkowitej",
                   "monitoring_min_miesiace jest większe", "raport_miesieczny_dzien",
                   "nieznana sekcja [inne]", "[przetwarzanie] stabilnosc_s: wartość nie może być ujemna"):
        assert phrase in text


def test_toml_syntax_error_is_explained(tmp_path: Path) -> None:
    (tmp_path / "asysta.toml").write_text("[osrodek\nnazwa = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="błąd składni TOML"):
        load_settings(cwd=tmp_path)
