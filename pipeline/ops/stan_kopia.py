"""The backup lines of `asysta stan`: the newest backup's age and result, its drill."""

from __future__ import annotations

import time
from typing import Any

from pipeline.core.config import Settings
from pipeline.ops import stanplik


def _hours(state: dict[str, Any]) -> float | None:
    when = state.get("ostatni_sukces")
    return (time.time() - float(when)) / 3600 if isinstance(when, int | float) else None


def backup_status(settings: Settings) -> tuple[str, str]:
    """(status, Polish description) of the backups."""
    if not settings.kopia.repozytorium:
        return "ostrzezenie", ("kopie zapasowe nie są skonfigurowane – podaj [kopia] repozytorium "
                               "i haslo_plik w asysta.toml, potem: asysta kopia")
    state = stanplik.read(settings.outbox)
    last, drill = state.get(stanplik.BACKUP) or {}, state.get(stanplik.DRILL) or {}
    if not last:
        return "ostrzezenie", "nie wykonano jeszcze żadnej kopii – uruchom: asysta kopia"
    if last.get("wynik") != "ok":
        return "krytyczny", f"ostatnia kopia nieudana: {last.get('opis')}"
    age = _hours(last) or 0.0
    limit = settings.kopia.max_wiek_h
    text = f"ostatnia kopia {age:.1f} h temu (migawka {last.get('migawka', '?')})"
    if age > 3 * limit:
        return "krytyczny", f"{text}, dawno – czy działa timer asysta-poranek?"
    if drill.get("wynik") == "blad":
        return "krytyczny", f"{text}; próba odtworzenia nieudana: {drill.get('opis')}"
    if age > limit:
        return "ostrzezenie", f"{text}, starsza niż {limit:g} h – sprawdź timer asysta-poranek"
    if not drill:
        return "ostrzezenie", f"{text}; kopii nie sprawdzono – uruchom: asysta kopia sprawdz"
    return "ok", f"{text}; ostatnia próba odtworzenia udana (migawka {drill.get('migawka', '?')})"
