"""One config value checked against the type of its field (`config.parse_config` collects
every problem at once): numbers not negative, texts as texts, paths as texts."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

_TYPE_NAMES = {int: "liczba całkowita", float: "liczba", str: "tekst", Path: "ścieżka (tekst)",
               bool: "true albo false"}


def expected_type(cls: type, name: str) -> type:
    """The type a section's field takes in the file (from its dataclass annotation)."""
    hint = str(next(f.type for f in dataclasses.fields(cls) if f.name == name))
    if "Path" in hint:
        return Path
    return {"int": int, "float": float, "str": str, "bool": bool}[hint]


def check_value(section: str, key: str, value: Any, expected: type, problems: list[str]) -> Any:
    """The value as its field takes it, or None with the problem named in Polish."""
    where = f"[{section}] {key}"
    if expected is bool:
        if not isinstance(value, bool):
            problems.append(f"{where}: oczekiwano true albo false")
            return None
        return value
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{where}: oczekiwano liczby całkowitej")
            return None
        if value < 0:
            problems.append(f"{where}: wartość nie może być ujemna")
            return None
        return value
    if expected is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(f"{where}: oczekiwano liczby")
            return None
        if value < 0:
            problems.append(f"{where}: wartość nie może być ujemna")
            return None
        return float(value)
    if not isinstance(value, str):
        problems.append(f"{where}: oczekiwano tekstu ({_TYPE_NAMES[expected]})")
        return None
    return value
