"""The case binder (`asysta teczka`): page order, bookmarks, contents, page numbers, versions.

The documents are the sixteen examples through the real pipeline (LibreOffice), plus a
corrected plan (6) that becomes its version 2.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import OSRODEK, copy_examples, example, make_settings, squash
from pypdf import PdfReader

from pipeline.core import journal
from pipeline.core.config import Osrodek, Settings
from pipeline.documents.teczka import (
    Teczka,
    build_teczka,
    case_info,
    pl_count,
)
from pipeline.flow.process import process_files
from pipeline.sprawa.register import Entry, Register, newest_versions
from pipeline.sprawa.schemas import load_schema
from pipeline.stages.archive import family_dir
from pipeline.stages.convert import Converter

ROOT = Path(__file__).resolve().parent.parent
CASE = "K-2025-014"
TODAY = date(2026, 6, 1)
FOOTER = re.compile(r"załącznik nr (\d+) · strona (\d+) z (\d+)")


@dataclass(frozen=True)
class Expected:
    zalacznik: int
    data: str
    pdf: Path
    pages: int
    start: int  # 0-based index of its first page in the binder


@dataclass(frozen=True)
class Binder:
    settings: Settings
    teczka: Teczka
    reader: PdfReader
    texts: list[str]
    expected: list[Expected]


def expected_documents(folder: Path, front_pages: int) -> list[Expected]:
    """Worked out from the register and the documents themselves, not by the binder's code."""
    entries = json.loads((folder / "rejestr.json").read_text(encoding="utf-8"))["dokumenty"]
    newest: dict[tuple[int, str], dict] = {}
    for e in entries:
        key = (e["zalacznik"], e["data"])
        if key not in newest or e["wersja"] > newest[key]["wersja"]:
            newest[key] = e
    out, start = [], front_pages
    for key in sorted(newest):
        e = newest[key]
        pages = len(PdfReader(folder / e["pdf"]).pages)
        out.append(Expected(e["zalacznik"], e["data"], folder / e["pdf"], pages, start))
        start += pages
    return out


@pytest.fixture(scope="module")
def binder(tmp_path_factory: pytest.TempPathFactory, converter: Converter) -> Binder:
    settings = make_settings(tmp_path_factory.mktemp("teczka"))
    paths = copy_examples(settings)
    corrected = example(6).read_text(encoding="utf-8").replace(
        "Odzyskanie przez rodzinę", "Poprawiony plan: odzyskanie przez rodzinę")
    assert "Poprawiony plan" in corrected
    (settings.inbox / "zal06_poprawiony.yaml").write_text(corrected, encoding="utf-8")
    paths.append(settings.inbox / "zal06_poprawiony.yaml")
    outcomes = process_files(paths, settings, converter)
    assert [o.status for o in outcomes] == ["przyjety"] * 17, [o.problems for o in outcomes]
    assert outcomes[-1].filed and outcomes[-1].filed.version == 2

    teczka = build_teczka(settings, CASE, today=TODAY)
    reader = PdfReader(teczka.path)
    texts = [page.extract_text() or "" for page in reader.pages]
    front = 1 + sum(1 for t in texts if t.lstrip().startswith("Spis treści"))
    return Binder(settings, teczka, reader, texts,
                  expected_documents(family_dir(settings.outbox, CASE), front))


def title(n: int) -> str:
    return load_schema(n).tytul


def test_cover_then_contents_then_documents(binder: Binder) -> None:
    cover, toc = binder.texts[0], binder.texts[1]
    assert "TECZKA SPRAWY" in cover
    assert f"Numer sprawy: {CASE}" in cover
    assert OSRODEK["nazwa"] in cover
    for text in ("Katarzyna Żak", "Agnieszka Wójcik (matka)", "Jędrzej Wójcik (syn)",
                 "ul. Źródlana 7 m. 3, 66-210 Łęgowo Śląskie",
                 # issue 19: after the request (13) the family waits for a new assistant: the
                 # case is open, as its checklist says (kwalifikacja, not zakończona)
                 "03.03.2025 – w toku",
                 f"16 dokumentów, {binder.teczka.pages} stron",
                 "Teczkę sporządzono 01.06.2026"):
        assert text in cover, text
    assert toc.lstrip().startswith("Spis treści")
    assert binder.expected[0].start == 2  # one page of contents for sixteen documents
    assert binder.teczka.documents == 16
    assert binder.teczka.pages == len(binder.reader.pages) == \
        binder.expected[-1].start + binder.expected[-1].pages


def test_pages_follow_the_procedure_order(binder: Binder) -> None:
    """Every document page carries its own footer: attachment number, page k of n."""
    seen = []
    for text in binder.texts[binder.expected[0].start:]:
        found = FOOTER.findall(text)
        assert found, text[:200]
        seen.append(tuple(int(x) for x in found[-1]))
    wanted = [(e.zalacznik, k, e.pages) for e in binder.expected for k in range(1, e.pages + 1)]
    assert seen == wanted
    assert [e.zalacznik for e in binder.expected] == list(range(1, 17))
    for e in binder.expected:  # each document opens with its own title
        assert squash(title(e.zalacznik).upper()) in squash(binder.texts[e.start])


def test_bookmarks_name_each_document_and_point_at_its_first_page(binder: Binder) -> None:
    outline = [(item.title, binder.reader.get_destination_page_number(item))
               for item in binder.reader.outline]
    wanted = [("Okładka", 0), ("Spis treści", 1)] + [
        (f"Zał. {e.zalacznik} – {title(e.zalacznik)} – "
         f"{date.fromisoformat(e.data).strftime('%d.%m.%Y')}", e.start)
        for e in binder.expected]
    assert outline == wanted
    assert ("Zał. 6 – Plan pracy z rodziną – 10.04.2025", binder.expected[5].start) in outline


def test_contents_page_numbers_point_at_the_documents(binder: Binder) -> None:
    toc = binder.texts[1]
    rows = re.findall(r"(\d{2}\.\d{2}\.\d{4})\s+(\d+)", toc)
    wanted = [(date.fromisoformat(e.data).strftime("%d.%m.%Y"), str(e.start + 1))
              for e in binder.expected]
    assert rows == wanted
    for e in binder.expected:
        assert title(e.zalacznik) in squash(toc)
        page = binder.texts[int(e.start)]
        assert FOOTER.findall(page)[-1] == (str(e.zalacznik), "1", str(e.pages))
    # each row is also a link to the document's first page
    links = [binder.reader.get_page_number(annot.get_object()["/Dest"][0].get_object())
             for annot in binder.reader.pages[1]["/Annots"]]
    assert links == [e.start for e in binder.expected]


def test_every_page_carries_the_binder_page_number(binder: Binder) -> None:
    total = binder.teczka.pages
    for i, text in enumerate(binder.texts, 1):
        assert f"Teczka {CASE} · strona {i} z {total}" in text, f"strona {i}"


def test_page_number_stays_clear_of_the_document_header(binder: Binder) -> None:
    """The number sits above everything the document prints (its header starts lower)."""
    page = binder.expected[0].start + 1
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page),
                          str(binder.teczka.path), "-"],
                         capture_output=True, text=True, check=True).stdout
    words = [(w[4], float(w[1]), float(w[3])) for w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        xml)]
    stamp = [w for w in words if w[1] < 40]
    assert " ".join(w[0] for w in stamp) == f"Teczka {CASE} · strona {page} z {binder.teczka.pages}"
    rest = [w for w in words if w[1] >= 40]
    assert min(w[1] for w in rest) > max(w[2] for w in stamp) + 10


def test_newer_version_replaces_the_older(binder: Binder) -> None:
    plans = [item.title for item in binder.reader.outline if item.title.startswith("Zał. 6 ")]
    assert plans == ["Zał. 6 – Plan pracy z rodziną – 10.04.2025"]
    plan = binder.expected[5]
    assert plan.pdf.name.endswith("_v2.pdf")
    text = squash(" ".join(binder.texts[plan.start:plan.start + plan.pages]))
    assert "Poprawiony plan: odzyskanie przez rodzinę" in text
    assert "Odzyskanie przez rodzinę" not in squash(" ".join(binder.texts))
    assert "Plan pracy z rodziną (wersja 2)" in binder.texts[1]


def test_binder_is_private_complete_and_logged(binder: Binder) -> None:
    path = binder.teczka.path
    assert path == family_dir(binder.settings.outbox, CASE) / "teczka.pdf"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(path.parent.glob(".tmp-*"))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), fonts  # every font embedded
    entries = [e for e in journal.read(binder.settings.outbox) if e["akcja"] == "teczka"]
    assert entries[-1]["rodzina"] == CASE and entries[-1]["wynik"] == "utworzono"
    assert entries[-1]["strony"] == binder.teczka.pages
    log = (binder.settings.outbox / journal.JOURNAL_NAME).read_text(encoding="utf-8")
    assert "Wójcik" not in log and "Żak" not in log


def test_cover_and_contents_render(binder: Binder, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3",
                    str(binder.teczka.path), str(tmp_path / "s")], check=True)
    pages = sorted(tmp_path.glob("s-*.png"))
    assert len(pages) == 3 and all(p.stat().st_size > 3000 for p in pages)


# -- a long binder: contents over several pages, an open case ---------------------------


def test_long_binder_contents_span_pages(binder: Binder, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    source = family_dir(binder.settings.outbox, CASE)
    entries = {e.zalacznik: e.to_json() for e in Register.load(source).current()}
    folder = family_dir(settings.outbox, "K-2025-777")
    folder.mkdir(parents=True)
    register = []
    for i in range(70):  # visit logs (8) and one assignment (1) last in the register
        day = date(2025, 5, 1).toordinal() + i
        name = f"zal08_{date.fromordinal(day).isoformat()}_karta.pdf"
        shutil.copyfile(source / entries[8]["pdf"], folder / name)
        register.append({**entries[8], "data": date.fromordinal(day).isoformat(), "pdf": name})
    shutil.copyfile(source / entries[1]["pdf"], folder / "zal01.pdf")
    register.append({**entries[1], "pdf": "zal01.pdf"})
    (folder / "rejestr.json").write_text(json.dumps({"dokumenty": register}), encoding="utf-8")

    teczka = build_teczka(settings, "K-2025-777", today=TODAY)
    reader = PdfReader(teczka.path)
    texts = [p.extract_text() or "" for p in reader.pages]
    toc_pages = [i for i, t in enumerate(texts) if t.lstrip().startswith("Spis treści")]
    assert toc_pages == list(range(1, len(toc_pages) + 1)) and len(toc_pages) >= 2
    assert texts[2].lstrip().startswith("Spis treści (cd.)")
    assert "03.03.2025 – w toku" in texts[0]  # no closing request (12, 13)
    expected = expected_documents(folder, 1 + len(toc_pages))
    assert [e.zalacznik for e in expected] == [1] + [8] * 70
    rows = re.findall(r"(\d{2}\.\d{2}\.\d{4})\s+(\d+)", "\n".join(texts[t] for t in toc_pages))
    assert [int(r[1]) - 1 for r in rows] == [e.start for e in expected]
    outline = [reader.get_destination_page_number(i) for i in reader.outline][2:]
    assert outline == [e.start for e in expected]
    for i, text in enumerate(texts, 1):
        assert f"strona {i} z {teczka.pages}" in text


# -- pure parts ------------------------------------------------------------------------


def entry(n: int, day: str, wersja: int = 1, **dane: object) -> dict[str, object]:
    return {"zalacznik": n, "data": day, "wersja": wersja, "pdf": f"{n}-{day}-{wersja}.pdf",
            "dane": dane}


def test_newest_versions_in_procedure_order() -> None:
    entries = [entry(8, "2025-05-02"), entry(6, "2025-04-10", 2), entry(1, "2025-03-03"),
               entry(6, "2025-04-10"), entry(8, "2025-04-30"), entry(6, "2025-04-10", 3),
               entry(14, "2025-05-05"), entry(6, "2025-06-01")]
    got = [(e.zalacznik, e.data.isoformat(), e.wersja)
           for e in newest_versions(Entry.from_json(e) for e in entries)]
    assert got == [(1, "2025-03-03", 1), (6, "2025-04-10", 3), (6, "2025-06-01", 1),
                   (8, "2025-04-30", 1), (8, "2025-05-02", 1), (14, "2025-05-05", 1)]


def doc(n: int, day: date, **dane: object) -> Entry:
    return Entry(n, day, 1, pdf="x.pdf", dane=dict(dane))


def test_case_dates_and_newest_assignment() -> None:
    docs = [doc(1, date(2024, 1, 10), asystent="A. Stara"), doc(13, date(2025, 2, 1)),
            doc(1, date(2025, 3, 1), asystent="B. Nowa", adres="ul. Polna 1",
                czlonkowie=[{"imie_nazwisko": "Jan Kos", "pokrewienstwo": "ojciec"},
                            {"imie_nazwisko": "Ewa Kos"}])]
    info = case_info("K-1", Register("K-1", tuple(docs)), Osrodek())
    assert info.asystent == "B. Nowa" and info.adres == "ul. Polna 1"
    assert info.czlonkowie == ("Jan Kos (ojciec)", "Ewa Kos")
    assert info.okres == "10.01.2024 – w toku"  # re-enrolled: a new cycle is open
    closed = case_info("K-1", Register("K-1", (*docs, doc(12, date(2025, 9, 30)))), Osrodek())
    assert closed.okres == "10.01.2024 – 30.09.2025"
    assert case_info("K-1", Register("K-1", (doc(8, date(2025, 5, 2)),)),
                     Osrodek()).okres == "02.05.2025 – w toku"


def test_polish_plurals() -> None:
    assert [pl_count(n, "strona", "strony", "stron") for n in (1, 2, 5, 12, 22, 35)] == [
        "1 strona", "2 strony", "5 stron", "12 stron", "22 strony", "35 stron"]


# -- the command -----------------------------------------------------------------------


def asysta(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ASYSTA_CONFIG"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "pipeline.app.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_command_all_families_one_broken(binder: Binder, tmp_path: Path) -> None:
    source = family_dir(binder.settings.outbox, CASE)
    good = tmp_path / "outbox" / "rodziny" / CASE
    broken = tmp_path / "outbox" / "rodziny" / "K-2025-099"
    for target in (good, broken):
        shutil.copytree(source, target)
        (target / "teczka.pdf").unlink()
    (broken / binder.expected[3].pdf.name).write_bytes(b"%PDF-1.7\nto nie jest PDF\n")
    result = asysta("teczka", "--wszystkie", cwd=tmp_path)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert (good / "teczka.pdf").is_file()
    assert not (broken / "teczka.pdf").exists()
    assert f"✓ {CASE}" in result.stdout
    assert f"✗ K-2025-099: nie można odczytać dokumentu {binder.expected[3].pdf.name}" in out
    assert "Teczki: utworzono 1, nie udało się: 1" in result.stdout
    assert "Traceback" not in out and "Wójcik" not in out and "Żak" not in out


def test_command_one_family_and_usage_errors(binder: Binder, tmp_path: Path) -> None:
    target = tmp_path / "outbox" / "rodziny" / CASE
    shutil.copytree(family_dir(binder.settings.outbox, CASE), target)
    ok = asysta("teczka", CASE, cwd=tmp_path)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert f"✓ {CASE}:" in ok.stdout and "16 dokumentów" in ok.stdout
    unknown = asysta("teczka", "K-0000-000", cwd=tmp_path)
    assert unknown.returncode == 2 and "nie ma rodziny K-0000-000" in unknown.stderr
    assert asysta("teczka", cwd=tmp_path).returncode == 2
    assert asysta("teczka", CASE, "--wszystkie", cwd=tmp_path).returncode == 2
    help_ = asysta("teczka", "--help", cwd=tmp_path)
    assert help_.returncode == 0
    assert "użycie: asysta teczka" in help_.stdout and "--wszystkie" in help_.stdout
    assert "usage" not in help_.stdout


@pytest.mark.slow
def test_benchmark_runs_with_small_n() -> None:
    """The benchmark script runs (with a tiny N) so that it cannot rot; timings not asserted."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_teczka.py"), "--strony", "40",
         "--powtorzenia", "1"],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "stron" in result.stdout and "mediana z 1" in result.stdout
