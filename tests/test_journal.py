"""The audit log is a hash chain: any edit, removal or reordering is found and named."""

from __future__ import annotations

from pathlib import Path

from pipeline import journal


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
