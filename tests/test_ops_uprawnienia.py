"""Everything the service writes is owner-only whatever the umask and whatever mode a
dropped file had: rejected originals (a hard link too), held forms and their notes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import example, run

from pipeline.core.config import Settings
from pipeline.core.errors import TemplateFault
from pipeline.stages import holding
from pipeline.stages.convert import Converter


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.lstat().st_mode) for p in [folder, *folder.iterdir()]}


def test_rejected_and_held_files_are_private(settings: Settings, converter: Converter,
                                             tmp_path: Path, open_umask: None) -> None:
    bad = settings.inbox / "zly.yaml"
    bad.write_text("rodzina: [\n", encoding="utf-8")
    os.chmod(bad, 0o644)
    outside = tmp_path / "poza.yaml"
    outside.write_text(example(1).read_text(encoding="utf-8"), encoding="utf-8")
    os.chmod(outside, 0o666)
    os.link(outside, settings.inbox / "link.yaml")
    outcomes = run(settings, converter, bad, settings.inbox / "link.yaml")
    assert [o.status for o in outcomes] == ["odrzucony", "odrzucony"]
    rejected = settings.inbox / "odrzucone"
    modes = _modes(rejected)
    assert modes.pop("odrzucone") == 0o700
    assert set(modes.values()) == {0o600}, modes
    assert stat.S_IMODE(outside.stat().st_mode) == 0o666  # the other name keeps its mode
    assert (rejected / "link.yaml").read_bytes() == outside.read_bytes()  # unchanged bytes
    assert (rejected / "link.yaml").stat().st_nlink == 1

    held = settings.inbox / "szablon.yaml"
    held.write_text(example(6).read_text(encoding="utf-8"), encoding="utf-8")
    os.chmod(held, 0o664)
    holding.hold(held, TemplateFault("zal06.docx", ["brak pola"]), 6, settings)
    modes = _modes(settings.inbox / holding.HOLD_DIR)
    assert modes.pop(holding.HOLD_DIR) == 0o700
    assert set(modes.values()) == {0o600}, modes
