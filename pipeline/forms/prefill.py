"""Forms pre-filled from what a family's folder already knows, and writing forms to disk."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline.core.config import Settings
from pipeline.core.errors import AsystaError
from pipeline.core.polish import parent_names
from pipeline.sprawa.schemas import CASE_NUMBER_RE, ZALACZNIKI, Schema, load_schema

from .build import build_form
from .spec import form_filename, is_table

PREFILL_KEYS = ("asystent", "pracownik_socjalny", "adres", "telefon", "rodzice", "nazwa_rodziny",
                "czlonkowie")


def known_values(outbox: Path, rodzina: str) -> dict[str, Any]:
    """What the family's folder already knows, newest document last (it wins)."""
    from pipeline.sprawa.register import Register, family_dir

    if not re.match(CASE_NUMBER_RE, rodzina):
        raise AsystaError(f"niepoprawny numer sprawy „{rodzina}” – dozwolone są litery bez "
                          "polskich znaków, cyfry, kropka, myślnik i podkreślenie")
    folder = family_dir(outbox, rodzina)
    try:
        entries = Register.load(folder).entries  # a damaged one: RegisterError, in Polish
    except OSError:
        raise AsystaError(f"nie można odczytać rejestru teczki rodziny {rodzina}") from None
    if not entries:
        raise AsystaError(f"w archiwum ({folder}) nie ma jeszcze dokumentów rodziny {rodzina} – "
                          "sprawdź numer sprawy albo wygeneruj puste formularze (bez --rodzina)")
    known: dict[str, Any] = {}
    for entry in sorted(entries, key=lambda e: (e.data, str(e.przyjeto))):
        data = entry.dane
        known.update({k: data[k] for k in PREFILL_KEYS if data.get(k) not in (None, "", [])})
    if "czlonkowie" in known and isinstance(known["czlonkowie"], list):
        parents = parent_names(known["czlonkowie"])
        if parents:
            known.setdefault("rodzice", ", ".join(parents))
            known.setdefault("nazwa_rodziny", ", ".join(parents))
    return known


def prefill(schema: Schema, known: Mapping[str, Any], rodzina: str) -> dict[str, Any]:
    """The known values this attachment has fields for (same key, same kind of field)."""
    values: dict[str, Any] = {"rodzina": rodzina}
    for key, rules in schema.pola.items():
        value = known.get(key)
        if value is None:
            continue
        if is_table(rules) and isinstance(value, list):
            columns = rules["schema"]["schema"]
            values[key] = [{c: row[c] for c in columns if c in row} for row in value
                           if isinstance(row, dict)][: rules.get("maxlength") or None]
        elif rules.get("type") == "string" and isinstance(value, str) and not rules.get("allowed"):
            values[key] = value
    return values


def write_forms(settings: Settings, folder: Path, numbers: Iterable[int] = ZALACZNIKI, *,
                rodzina: str | None = None, rows: int | None = None) -> list[Path]:
    """Write the forms into `folder`; with `rodzina`, pre-filled, into a private subfolder."""
    from pipeline.core.fsutil import ensure_private_dir, replace

    known = known_values(settings.outbox, rodzina) if rodzina else {}
    target = folder / rodzina if rodzina else folder
    if rodzina:
        ensure_private_dir(target)  # pre-filled forms hold personal data
    else:
        target.mkdir(parents=True, exist_ok=True)
    written = []
    for n in numbers:
        schema = load_schema(n, settings.foldery.formularze)
        values = prefill(schema, known, rodzina) if rodzina else None
        path = target / form_filename(schema)
        data = build_form(n, settings, values=values, rows=rows)
        if rodzina:
            replace(path, data)
        else:
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        written.append(path)
    return written
