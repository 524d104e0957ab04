"""The streaming join (qpdf through pikepdf) and the page code's stamp, on their own:
many parts in order through intermediate files, distinct font-subset tags, a second run
never replacing the first, and a stamp that never reuses an object number."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
import zxingcpp
from reportlab.pdfgen.canvas import Canvas

from pipeline.pdf import join as joining
from pipeline.pdf import kod
from pipeline.pdf.fonts import FONT, register_fonts
from pipeline.pdf.pdfa import PdfMeta


def _part(path: Path, text: str, pages: int = 1) -> Path:
    register_fonts()
    canvas = Canvas(str(path), initialFontName=FONT)
    for page in range(pages):
        canvas.setFont(FONT, 12)
        canvas.drawString(72, 720, f"{text} s{page + 1}")
        canvas.showPage()
    canvas.save()
    return path


def _texts(pdf: pikepdf.Pdf) -> list[str]:
    found = []
    for page in pdf.pages:
        content = b"".join(
            part.read_bytes() for part in (page.obj.Contents if isinstance(page.obj.Contents, pikepdf.Array)
                                           else [page.obj.Contents]))
        found += re.findall(rb"\((czesc \d+ s\d)\)", content)
    return [t.decode() for t in found]


def test_many_parts_join_in_order_one_at_a_time(tmp_path: Path) -> None:
    parts = [_part(tmp_path / f"p{i:02d}.pdf", f"czesc {i}", pages=1 + i % 2) for i in range(11)]
    outline = [(1, "Asystent A", 0), (2, "K-1 – Kowalscy", 0), (2, "K-2 – Nowakowie", 1)]
    out = tmp_path / "razem.pdf"
    joining.join(parts, out, PdfMeta("Razem", "Wszystko", "Ośrodek"), outline)
    with pikepdf.open(out) as pdf:
        assert _texts(pdf) == [f"czesc {i} s{p + 1}" for i in range(11) for p in range(1 + i % 2)]
        assert str(pdf.docinfo["/Title"]) == "Razem" and str(pdf.Root.Lang) == "pl-PL"
        assert "/Metadata" not in pdf.Root  # the parts claim no PDF/A: neither does the whole
        with pdf.open_outline() as tree:
            assert [i.title for i in tree.root] == ["Asystent A"]
            assert [i.title for i in tree.root[0].children] == ["K-1 – Kowalscy", "K-2 – Nowakowie"]
            assert tree.root[0].children[1].destination[0] == pdf.pages[1].obj
        fonts = {font.objgen: str(font.BaseFont) for page in pdf.pages
                 for font in page.Resources.Font.values()}
        assert len(fonts) == 11  # one subset per part, each under its own tag
        assert len(set(fonts.values())) == 11 and all(re.match(r"/[A-Z]{6}\+", n) for n in fonts.values())
    if shutil.which("qpdf"):
        assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0


def test_a_second_run_never_replaces_the_first(tmp_path: Path) -> None:
    parts = [_part(tmp_path / "a.pdf", "czesc 1")]
    folder = tmp_path / "raporty"
    folder.mkdir()
    first = joining.join_versioned(parts, folder, "raporty_2026-10", PdfMeta("R"), [])
    second = joining.join_versioned(parts, folder, "raporty_2026-10", PdfMeta("R"), [])
    assert (first.name, second.name) == ("raporty_2026-10.pdf", "raporty_2026-10_v2.pdf")
    assert [stat.S_IMODE(p.stat().st_mode) for p in (first, second)] == [0o600, 0o600]
    assert sorted(p.name for p in folder.iterdir()) == [first.name, second.name]  # no work left


def test_the_stamp_never_reuses_an_object_number_even_with_a_too_small_size(tmp_path: Path) -> None:
    data = _part(tmp_path / "d.pdf", "czesc 1", pages=2).read_bytes()
    size = int(re.search(rb"/Size (\d+)", data).group(1))  # type: ignore[union-attr]
    shrunk = re.sub(rb"/Size \d+", b"/Size %d" % (size - 3), data)
    identity = kod.Identity("K-2026-001", 14, date(2026, 11, 3), 2, "a1b2c3")
    stamped = kod.stamp(shrunk, identity)
    assert stamped.startswith(shrunk)  # an incremental update: the document stays as it was
    with pikepdf.open(BytesIO(stamped)) as pdf:
        assert len(pdf.pages) == 2 and _texts(pdf) == ["czesc 1 s1", "czesc 1 s2"]
    document = pypdfium2.PdfDocument(stamped)
    for number in range(2):
        image = document[number].render(scale=200 / 72).to_pil()
        [code] = zxingcpp.read_barcodes(image)
        assert kod.parse(code.text) == kod.PageCode(identity, number + 1, 2)
    if shutil.which("qpdf"):
        (tmp_path / "s.pdf").write_bytes(stamped)
        check = subprocess.run(["qpdf", "--check", str(tmp_path / "s.pdf")], capture_output=True)
        assert check.returncode == 0, check.stdout


def test_the_codes_font_is_made_once_and_kept_in_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: the line beside the code uses a subset of the font that reportlab makes; a
    process takes it from the cache folder (owner-only) instead of making it again: the same
    font, the same stamped bytes. A damaged cache file is made anew."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = _part(tmp_path / "d.pdf", "czesc 1").read_bytes()
    identity = kod.Identity("K-2026-001", 14, date(2026, 11, 3), 1, "a1b2c3")
    kod._font.cache_clear()
    made = kod._font(kod._LINE_EXTRA)
    first = kod.stamp(data, identity)
    [cached] = (tmp_path / "cache" / "asysta" / "kod").iterdir()
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600
    assert stat.S_IMODE(cached.parent.stat().st_mode) == 0o700
    kod._font.cache_clear()
    assert kod._font(kod._LINE_EXTRA) == made  # read from the file this time
    assert kod.stamp(data, identity) == first
    cached.write_text("{uszkodzony", encoding="utf-8")
    kod._font.cache_clear()
    assert kod._font(kod._LINE_EXTRA) == made
    assert json.loads(cached.read_text(encoding="utf-8"))["resource"] == made.resource
    kod._font.cache_clear()
