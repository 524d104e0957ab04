"""The audit log is a hash chain: any edit, removal or reordering is found and named."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import pytest

from pipeline.app.cli import main
from pipeline.core import journal


def _filled(outbox: Path, n: int = 5) -> list[str]:
    for i in range(n):
        journal.log(outbox, "przyjeto", plik=f"f{i}.yaml", rodzina=f"K-{i}", wynik="przyjety")
    return (outbox / "dziennik.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)


def test_an_intact_chain_verifies(tmp_path: Path) -> None:
    _filled(tmp_path)
    assert journal.verify(tmp_path) == (5, None, "")
    entries = journal.read(tmp_path)
    assert entries[0]["poprzedni"] == journal.GENESIS
    assert all(b["poprzedni"] == a["hash"] for a, b in zip(entries, entries[1:], strict=False))


def test_an_edited_entry_is_named(tmp_path: Path) -> None:
    lines = _filled(tmp_path)
    lines[2] = lines[2].replace('"K-2"', '"K-9"')
    (tmp_path / "dziennik.jsonl").write_text("".join(lines), encoding="utf-8")
    count, broken, why = journal.verify(tmp_path)
    assert broken == 3 and "zmieniona" in why


def test_a_removed_or_reordered_entry_is_named(tmp_path: Path) -> None:
    lines = _filled(tmp_path)
    (tmp_path / "dziennik.jsonl").write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    assert journal.verify(tmp_path)[1] == 2
    (tmp_path / "dziennik.jsonl").write_text("".join([lines[1], lines[0], *lines[2:]]),
                                             encoding="utf-8")
    assert journal.verify(tmp_path)[1] == 1


def test_garbage_and_appending_after_it(tmp_path: Path) -> None:
    lines = _filled(tmp_path, 2)
    (tmp_path / "dziennik.jsonl").write_text("".join(lines) + "to nie json\n", encoding="utf-8")
    journal.log(tmp_path, "przyjeto", rodzina="K-3")  # logging goes on after damage
    count, broken, why = journal.verify(tmp_path)
    assert (count, broken) == (3, 3) and "JSON" in why


def test_a_full_disk_never_leaves_a_partial_line(tmp_path: Path) -> None:
    """On a real, nearly full tmpfs the write of a long entry comes back short: the entry is
    written whole or not at all, and the journal verifies before and after."""
    from test_full_disk import fill, small_disk

    from pipeline.core.errors import ResourceError

    with small_disk(tmp_path / "maly", "1m") as disk:
        for i in range(3):
            journal.log(disk, "przyjeto", plik=f"f{i}.yaml", rodzina="K-1", wynik="przyjety")
        before = (disk / "dziennik.jsonl").read_bytes()
        filler = fill(disk)
        long_entry = {"pola": [f"czlonkowie[{i}].pesel" for i in range(400)]}  # > a page
        with pytest.raises(ResourceError, match="brak miejsca na dysku"):
            journal.log(disk, "odrzucono", plik="x.yaml", wynik="odrzucony", **long_entry)
        assert (disk / "dziennik.jsonl").read_bytes() == before
        assert journal.verify(disk) == (3, None, "")
        filler.unlink()
        journal.log(disk, "odrzucono", plik="x.yaml", wynik="odrzucony", **long_entry)
        assert journal.verify(disk) == (4, None, "")


def test_a_torn_last_line_is_a_crash_not_tampering(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    lines = _filled(tmp_path, 3)
    path = tmp_path / "dziennik.jsonl"
    path.write_text("".join(lines) + lines[0][:57], encoding="utf-8")  # a crash mid-write
    count, broken, why = journal.verify(tmp_path)
    assert (count, broken, why) == (4, 4, journal.TORN)
    assert main(["--outbox", str(tmp_path), "sprawdz", "--dziennik"]) == 0
    out = capsys.readouterr().out
    assert "niepełny" in out and "nie jest ślad zmiany" in out and "pierwszy naruszony" not in out
    # the same damage in the middle is not a crash: it is reported as tampering
    path.write_text("".join(lines[:1]) + lines[1][:57] + "\n" + "".join(lines[2:]), "utf-8")
    assert journal.verify(tmp_path)[2] != journal.TORN
    assert main(["--outbox", str(tmp_path), "sprawdz", "--dziennik"]) == 1
    # the next entry cuts the torn line off and records the repair in the chain
    path.write_text("".join(lines) + lines[0][:57], encoding="utf-8")
    journal.log(tmp_path, "przyjeto", rodzina="K-3")
    assert journal.verify(tmp_path) == (5, None, "")
    repair = journal.read(tmp_path)[3]
    assert (repair["akcja"], repair["bajtow"]) == ("naprawa_dziennika", 57)


def test_an_entry_that_lacks_only_its_newline_is_kept(tmp_path: Path) -> None:
    lines = _filled(tmp_path, 2)
    (tmp_path / "dziennik.jsonl").write_text(lines[0] + lines[1].rstrip("\n"), "utf-8")
    journal.log(tmp_path, "przyjeto", rodzina="K-3")
    assert journal.verify(tmp_path) == (3, None, "")
    assert [e["rodzina"] for e in journal.read(tmp_path)] == ["K-0", "K-1", "K-3"]


def test_every_entry_names_an_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUDO_USER", raising=False)
    journal.log(tmp_path, "eksport", rodzina="K-1")
    journal.log(tmp_path, "przyjeto", rodzina="K-2", konto="jkowalska")
    first, second = journal.read(tmp_path)
    assert first["konto"] == pwd.getpwuid(os.getuid()).pw_name
    assert second["konto"] == "jkowalska"
    if all(user.pw_uid != 54321 for user in pwd.getpwall()):  # no such user: the number
        assert journal.account(54321) == "54321"


def test_a_command_run_through_sudo_names_who_used_it(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_USER", "jkowalska")
    journal.log(tmp_path, "usunieto", rodzina="K-1")
    assert journal.read(tmp_path)[0]["konto"] == f"jkowalska (sudo: {journal.account()})"
