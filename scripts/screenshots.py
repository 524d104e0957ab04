"""The README's pictures of the demo centre: docs/dashboard-1400.png, docs/dashboard-390.png
(outbox/index.html in headless Chromium at 1400 and 390 px) and docs/checklista.png (page 1
of the re-enrolled family's checklista.pdf, by pdftoppm).

    .venv/bin/python scripts/screenshots.py [--archiwum FOLDER] [--wynik FOLDER]

Without --archiwum it first runs `asysta demo` into a temporary folder (2–3 minutes on two
cores); with it, it reuses a folder where the demo ran (with its asysta.toml) and makes only
the page and that family's checklist anew, as of today.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # tests/browser.py: Chromium over the DevTools pipe

from browser import Chromium  # noqa: E402

from pipeline.app.cli import main as asysta  # noqa: E402
from pipeline.core.config import load_settings  # noqa: E402
from pipeline.demo.centre import build_centre  # noqa: E402
from pipeline.documents.overview import write_checklists  # noqa: E402
from pipeline.sprawa.register import family_dir  # noqa: E402
from pipeline.stages.convert import Converter  # noqa: E402

SHOTS = {1400: 1900, 390: 1700}  # viewport width → height of the picture, in CSS pixels


def demo_folder(given: Path | None) -> Path:
    if given is not None:
        if not (given / "asysta.toml").is_file():
            raise SystemExit(f"w {given} nie ma asysta.toml – wskaż folder, w którym działał pokaz")
        return given
    root = Path(tempfile.mkdtemp(prefix="asysta-zrzuty-"))
    shutil.copyfile(ROOT / "asysta.toml", root / "asysta.toml")  # the fictional centre
    print(f"Pokaz w {root} (kilka minut) …")
    if asysta(["-k", str(root / "asysta.toml"), "demo"]) != 0:
        raise SystemExit("pokaz się nie powiódł")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description="Zrzuty ekranu pokazu do README.")
    parser.add_argument("--archiwum", type=Path, help="folder, w którym działał pokaz")
    parser.add_argument("--wynik", type=Path, default=ROOT / "docs", help="folder na pliki PNG")
    args = parser.parse_args()
    root = demo_folder(args.archiwum)
    settings = load_settings(root / "asysta.toml")
    family = build_centre(date.today()).teczka  # the re-enrolled family: two cycles
    with Converter.from_settings(settings.przetwarzanie) as converter:
        write_checklists(settings, converter, [family], date.today())  # and index.html
    args.wynik.mkdir(parents=True, exist_ok=True)
    browser = Chromium(Path(tempfile.mkdtemp(prefix="asysta-chromium-")))
    try:
        for width, height in SHOTS.items():
            page = browser.page((settings.outbox / "index.html").as_uri(), width, height)
            shot = args.wynik / f"dashboard-{width}.png"
            shot.write_bytes(page.screenshot(full_page=False))
            page.close()
            print(f"zapisano {shot}")
    finally:
        browser.close()
    stem = args.wynik / "checklista"
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(family_dir(settings.outbox, family) / "checklista.pdf"), str(stem)],
                   check=True)
    print(f"zapisano {stem}.png")


if __name__ == "__main__":
    main()
